"""CORS (docs/kazoo-compatibility.md §6): preflights answer 200 without auth; CORS requests and every
error carry the headers."""

from aiohttp import web

from crossbar_py.http.routing import route_match

CORS_REQUEST_HEADERS = ("Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers")
CORS_ALLOW_HEADERS = (
    "content-type, depth, user-agent, x-http-method-override, x-file-size, "
    "x-requested-with, if-modified-since, x-file-name, cache-control, x-auth-token, "
    "x-kazoo-cluster-id, if-match"
)
CORS_EXPOSE_HEADERS = "content-type, x-auth-token, x-request-id, x-kazoo-cluster-id, location, etag, etag"


def is_cors(request: web.Request) -> bool:
    """Whether the request came from a browser's cross-origin fetch."""
    return any(h in request.headers for h in CORS_REQUEST_HEADERS)


def _allowed_methods(request: web.Request) -> list:
    match = route_match(request)
    exc = match.http_exception
    if isinstance(exc, web.HTTPMethodNotAllowed):
        return sorted(exc.allowed_methods - {"HEAD"})
    route = match.route
    resource = route.resource if route else None
    if resource is None:
        return []
    return sorted({r.method for r in resource if r.method not in ("HEAD", "*")})


def add_headers(request: web.Request, resp: web.StreamResponse) -> None:
    """The CORS headers for this route (streaming handlers call it before they prepare the response)."""
    methods = ["OPTIONS", *_allowed_methods(request)]
    asked = request.headers.get("Access-Control-Request-Method", "").upper()
    if asked and asked not in methods:
        methods.append(asked)
    resp.headers.update(
        {
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Allow-Methods": ", ".join(methods),
            "Access-Control-Allow-Headers": CORS_ALLOW_HEADERS,
            "Access-Control-Expose-Headers": CORS_EXPOSE_HEADERS,
            "Access-Control-Max-Age": "86400",
        }
    )


@web.middleware
async def cors(request: web.Request, handler):
    """Preflights answer 200 without auth; CORS requests and every error carry the CORS headers."""
    cross_origin = is_cors(request)
    if request.method == "OPTIONS" and cross_origin:
        resp = web.Response(status=200)
    else:
        resp = await handler(request)
    if cross_origin or resp.status >= 400:
        add_headers(request, resp)
    return resp
