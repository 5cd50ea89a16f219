"""Request pipeline in Kazoo's order: request id, CORS, errors, body, route, account, auth, authz."""

import json
import logging
import re
import time
import uuid

from aiohttp import web

from crossbar_py import keys
from crossbar_py.auth.identity import identify
from crossbar_py.http import content, envelope
from crossbar_py.http.errors import (
    ApiError,
    BadAccountId,
    BadIdentifier,
    Forbidden,
    InvalidCredentials,
    MethodNotAllowed,
    RouteNotFound,
    ValidationFailed,
)
from crossbar_py.http.routing import call_route, resolve_route, route_match
from crossbar_py.platform import logs

log = logging.getLogger("crossbar_py.access")
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
BODY_METHODS = {"PUT", "POST", "PATCH", "DELETE"}
MAX_BODY = 8_000_000
CORS_REQUEST_HEADERS = ("Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers")
CORS_ALLOW_HEADERS = (
    "content-type, depth, user-agent, x-http-method-override, x-file-size, "
    "x-requested-with, if-modified-since, x-file-name, cache-control, x-auth-token, "
    "x-kazoo-cluster-id, if-match"
)
CORS_EXPOSE_HEADERS = "content-type, x-auth-token, x-request-id, x-kazoo-cluster-id, location, etag, etag"
# First path nouns that are Crossbar modules: an unknown trailing segment under them is a 404
# even without a token; an unknown first noun needs a token before it is a 404 (contract 1).
KNOWN_NOUNS = {"accounts", "account", "user_auth", "api_auth", "token_auth", "auth", "registrations"}


def public(handler):
    """Mark a handler that needs no token (login, tokeninfo, health)."""
    handler.crossbar_public = True
    return handler


def raw_body(handler):
    """Mark a handler that reads a file body itself (media audio, logos): a non-JSON body is not parsed."""
    handler.crossbar_raw_body = True
    return handler


def takes_raw_body(request: web.Request) -> bool:
    """The handler reads the body itself and the body is not JSON."""
    mime = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
    return _handler_flag(request, "crossbar_raw_body") and mime not in content.JSON_TYPES


def _handler_flag(request: web.Request, name: str) -> bool:
    return getattr(route_match(request).handler, name, False)


@web.middleware
async def request_context(request: web.Request, handler):
    """Request id in, out and in every log line; one access log line per request."""
    given = request.headers.get("X-Request-ID", "")
    rid = given if REQUEST_ID_RE.match(given) else uuid.uuid4().hex
    request[keys.REQUEST_ID] = rid
    token = logs.REQUEST_ID.set(rid)
    start = time.perf_counter()
    status = 500
    try:
        resp = await handler(request)
        status = resp.status
        resp.headers["X-Request-ID"] = rid
        return resp
    finally:
        elapsed = time.perf_counter() - start
        request.app[keys.METRICS].observe(request.method, status, elapsed)
        log.info(
            "request",
            extra={"method": request.method, "path": request.path, "status": status, "ms": round(elapsed * 1000, 2)},
        )
        logs.REQUEST_ID.reset(token)


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


def _add_cors(request: web.Request, resp: web.StreamResponse) -> None:
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
    is_cors = any(h in request.headers for h in CORS_REQUEST_HEADERS)
    if request.method == "OPTIONS" and is_cors:
        resp = web.Response(status=200)
    else:
        resp = await handler(request)
    if is_cors or resp.status >= 400:
        _add_cors(request, resp)
    return resp


@web.middleware
async def errors_to_envelopes(request: web.Request, handler):
    """Typed errors become Kazoo's error envelope; nothing escapes as a bare 500."""
    try:
        return await handler(request)
    except ApiError as exc:
        return envelope.error(request, exc)
    except web.HTTPRequestEntityTooLarge:
        return envelope.error(request, _too_large())
    except web.HTTPException as exc:
        if exc.status == 405:
            return envelope.error(request, MethodNotAllowed())
        if exc.status == 404:
            return envelope.error(request, RouteNotFound())
        # 304 and 412 carry no body (cowboy_rest, contract 12).
        return web.Response(status=exc.status)
    except Exception:
        logging.getLogger("crossbar_py").exception("unhandled error")
        return envelope.error(request, ApiError())


def _too_large() -> ValidationFailed:
    return ValidationFailed(
        {
            "file": {
                "maxSize": {"message": f"Payload or Files must not be more than {MAX_BODY} bytes", "target": MAX_BODY}
            }
        }
    )


def _json_error(message: str) -> ValidationFailed:
    return ValidationFailed({"json": {"invalid": {"message": message, "target": "body"}}})


@web.middleware
async def parse_body(request: web.Request, handler):
    """Parse the JSON envelope before anything else, as Kazoo does (malformed → 400)."""
    body = {}
    if request.method in BODY_METHODS and request.can_read_body and not takes_raw_body(request):
        raw = await request.read()
        if raw.strip():
            try:
                body = json.loads(raw)
            except (ValueError, UnicodeDecodeError) as exc:
                raise _json_error(f"{exc.__class__.__name__}: {exc}") from exc
            if not isinstance(body, dict):
                raise _json_error("the request body must be a JSON object")
            body = {str(k).lower(): v for k, v in body.items()}
    data = body.get("data", {})
    if not isinstance(data, (dict, list)):
        raise ValidationFailed(
            {
                "data": {
                    "type": {
                        "message": "Value did not match type(s): object, array",
                        "target": ["object", "array"],
                        "value": data,
                    }
                }
            }
        )
    body["data"] = data
    request[keys.BODY] = body
    return await handler(request)


@web.middleware
async def check_route(request: web.Request, handler):
    """405 for a known route and a wrong verb; 404 for an unknown route (401 first for an unknown noun)."""
    exc = route_match(request).http_exception
    if exc is None:
        return await handler(request)
    if exc.status == 405:
        raise MethodNotAllowed()
    parts = request.path.strip("/").split("/")
    noun = parts[1] if len(parts) > 1 and re.match(r"^v\d+$", parts[0]) else parts[0]
    if noun not in KNOWN_NOUNS:
        try:
            identity = await identify(request)
        except InvalidCredentials:
            identity = None
        if identity is None:
            raise InvalidCredentials()
    raise RouteNotFound()


@web.middleware
async def load_account(request: web.Request, handler):
    """The account in the path must be 32 characters and exist; checked before authentication."""
    account_id = route_match(request).get("account_id")
    if account_id is not None:
        if len(account_id) != 32:
            raise BadAccountId(account_id)
        row = await request.app[keys.ACCOUNTS].get(request.app[keys.DB], account_id)
        if row is None:
            raise BadIdentifier(account_id)
        request[keys.ACCOUNT] = row
    return await handler(request)


@web.middleware
async def authenticate(request: web.Request, handler):
    """401 without a valid token on every route not marked public."""
    if _handler_flag(request, "crossbar_public"):
        return await handler(request)
    identity = await identify(request)
    if identity is None:
        raise InvalidCredentials()
    path_account = request.get(keys.ACCOUNT)
    if path_account is not None and path_account["id"] == identity.account_id:
        auth_account = path_account  # loaded by load_account already: one query fewer on most requests
    else:
        auth_account = await request.app[keys.ACCOUNTS].get(request.app[keys.DB], identity.account_id)
    if auth_account is None:
        raise InvalidCredentials()
    request[keys.AUTH] = (identity, auth_account)
    return await handler(request)


def may_access(auth_account: dict, target: dict) -> bool:
    """An account reaches itself and its descendants; a superduper admin reaches everything."""
    return auth_account["superduper"] or auth_account["id"] == target["id"] or auth_account["id"] in target["tree"]


@web.middleware
async def authorize(request: web.Request, handler):
    """403 when the token's account is outside the target account's tree."""
    if _handler_flag(request, "crossbar_public") or keys.AUTH not in request:
        return await handler(request)
    _, auth_account = request[keys.AUTH]
    if keys.ACCOUNT in request and not may_access(auth_account, request[keys.ACCOUNT]):
        raise Forbidden()
    if _handler_flag(request, "crossbar_superduper") and not auth_account["superduper"]:
        raise Forbidden()
    return await handler(request)


def superduper_only(handler):
    """Mark a handler only a superduper admin may call (system-wide routes)."""
    handler.crossbar_superduper = True
    return handler


PIPELINE = [
    request_context,
    content.render_options,
    cors,
    errors_to_envelopes,
    parse_body,
    resolve_route,
    check_route,
    load_account,
    authenticate,
    authorize,
    content.check_content_type,
    call_route,
]
