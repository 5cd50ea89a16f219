"""The OpenAPI 3.1 document, generated from the router: every route and verb, each handler's docstring,
the schemas the routes attach with `documented`, and the error statuses the pipeline can answer."""

import html
import re
from dataclasses import dataclass, field

from aiohttp import web
from marshmallow import Schema, fields, validate

from crossbar_py import keys
from crossbar_py.http import envelope
from crossbar_py.http.markers import has_mark, unauthenticated

ID_PATTERN = "^[0-9a-f]{32}$"
PARAM_RE = re.compile(r"\{(\w+)\}")
BODY_METHODS = ("PUT", "POST", "PATCH")


BOOLEAN_TEXT = {"type": "string", "enum": ["true", "false"]}
SOFT_DELETE = {"should_soft_delete": BOOLEAN_TEXT}


def partial(schema: dict) -> dict:
    """A PATCH's body: the schema with nothing required (the stored document fills the rest)."""
    return {k: v for k, v in schema.items() if k != "required"}


@dataclass(frozen=True)
class RouteDoc:
    """What a handler declares about itself for the document."""

    body: dict | None = None
    enveloped: bool = True
    query: type[Schema] | None = None
    params: dict = field(default_factory=dict)
    paginated: bool = False
    success: int | None = None
    media: str = "application/json"
    headers: dict = field(default_factory=dict)
    enveloped_answer: bool = True


def documented(**kw):
    """Attach a RouteDoc to a handler: body (JSON schema of `data`, or of the whole body when enveloped=False),
    query (a marshmallow schema), params (extra query parameters by name), paginated, success, media."""

    def mark(handler):
        handler.crossbar_doc = RouteDoc(**kw)
        return handler

    return mark


def _doc(handler) -> RouteDoc:
    return getattr(handler, "crossbar_doc", None) or RouteDoc()


def _summary(handler) -> str:
    return ((handler.__doc__ or handler.__name__).strip().splitlines() or [""])[0]


def _field_schema(f: fields.Field) -> dict:
    out: dict = {"type": "integer"} if isinstance(f, fields.Integer) else {"type": "string"}
    for v in f.validators:
        if isinstance(v, validate.OneOf):
            out["enum"] = list(v.choices)
        if isinstance(v, validate.Range):
            out.update({k: n for k, n in (("minimum", v.min), ("maximum", v.max)) if n is not None})
    return out


PAGINATION = {
    "page_size": {"type": "integer", "minimum": 1},
    "start_key": {"type": "string"},
    "paginate": {"type": "string", "enum": ["true", "false"]},
}


def _parameters(path: str, doc: RouteDoc) -> list:
    out = []
    for name in PARAM_RE.findall(path):
        schema = {"type": "string", "pattern": ID_PATTERN} if name.endswith("_id") else {"type": "string"}
        out.append({"name": name, "in": "path", "required": True, "schema": schema})
    query = dict(PAGINATION) if doc.paginated else {}
    if doc.query is not None:
        query.update({name: _field_schema(f) for name, f in doc.query().fields.items()})
    query.update(doc.params)
    out += [{"name": name, "in": "query", "required": False, "schema": s} for name, s in query.items()]
    out += [{"name": name, "in": "header", "required": False, "schema": s} for name, s in doc.headers.items()]
    return out


def _error_statuses(method: str, path: str, handler) -> list:
    """The statuses the pipeline (http/access.py, body.py, content.py) and the datastore can answer."""
    public = has_mark(handler, "unauthenticated")
    statuses = {400, 404, 405, 503}
    if not public or method != "GET" or path.endswith("tokeninfo"):
        statuses |= {401, 429}  # logins and token checks; Basic auth asks the login limiter
    if "{account_id}" in path or has_mark(handler, "superduper"):
        statuses.add(403)
    if method in BODY_METHODS:
        statuses |= {409, 415}
    if re.search(r"_id\}(/[a-z_]+)?$", path) and method in ("POST", "PATCH", "DELETE", "PUT"):
        statuses.add(412)
    if method == "GET" and path.endswith("_id}"):
        statuses.add(304)
    return sorted(statuses)


def _responses(method: str, path: str, handler, doc: RouteDoc) -> dict:
    success = doc.success or (201 if method == "PUT" else 200)
    if doc.media != "application/json":
        schema = {"type": "string"}
    else:
        schema = {"$ref": "#/components/schemas/Success"} if doc.enveloped_answer else {"type": "object"}
    out = {str(success): {"description": "success", "content": {doc.media: {"schema": schema}}}}
    for status in _error_statuses(method, path, handler):
        if not doc.enveloped_answer and status == 503:
            out["503"] = {"description": "a component is down", "content": {doc.media: {"schema": schema}}}
        elif status in (304, 412):
            out[str(status)] = {"description": "conditional request (no body, contract 12)"}
        else:
            error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
            out[str(status)] = {"description": "Kazoo's error envelope", "content": error}
    return out


def _operation(method: str, path: str, handler) -> dict:
    doc = _doc(handler)
    op = {
        "operationId": f"{method.lower()}_{re.sub(r'[^a-z0-9]+', '_', path.lower()).strip('_')}",
        "summary": _summary(handler),
        "parameters": _parameters(path, doc),
        "responses": _responses(method, path, handler, doc),
    }
    if not has_mark(handler, "unauthenticated"):
        op["security"] = [{"token": []}, {"basic": []}]
    if method in BODY_METHODS or doc.body is not None:
        body = doc.body or {"type": "object"}
        schema = {"type": "object", "properties": {"data": body}} if doc.enveloped else body
        op["requestBody"] = {"required": False, "content": {"application/json": {"schema": schema}}}
    return op


ENVELOPE = {
    "request_id": {"type": "string"},
    "node": {"type": "string"},
    "version": {"type": "string"},
    "timestamp": {"type": "string"},
    "auth_token": {"type": "string"},
}
COMPONENTS = {
    "schemas": {
        "Success": {
            "type": "object",
            "required": ["status", "request_id"],
            "properties": {**ENVELOPE, "status": {"const": "success"}, "revision": {"type": "string"}},
        },
        "Error": {
            "type": "object",
            "required": ["status", "error", "message", "data", "request_id", "timestamp"],
            "properties": {
                **ENVELOPE,
                "status": {"const": "error"},
                "error": {"type": "string", "pattern": "^[1-5][0-9]{2}$"},
                "message": {"type": "string", "minLength": 1},
                "data": {"type": ["object", "array"]},
            },
        },
    },
    "securitySchemes": {
        "token": {"type": "apiKey", "in": "header", "name": "X-Auth-Token"},
        "basic": {"type": "http", "scheme": "basic"},
    },
}


def build(app: web.Application) -> dict:
    """The document for every route of the app's router (HEAD and catch-alls left out)."""
    paths: dict = {}
    for route in app.router.routes():
        if route.method in ("HEAD", "*", "OPTIONS") or route.resource is None:
            continue
        path = route.resource.canonical
        paths.setdefault(path, {})[route.method.lower()] = _operation(route.method, path, route.handler)
    settings = app[keys.SETTINGS]
    return {
        "openapi": "3.1.0",
        "info": {"title": "crossbar_py", "version": getattr(settings, "version", "0"), "description": __doc__},
        "paths": dict(sorted(paths.items())),
        "components": COMPONENTS,
    }


@documented(enveloped_answer=False)
@unauthenticated
async def get_openapi(request: web.Request) -> web.Response:
    """GET /v2/openapi.json: this document."""
    return envelope.render(request.app[keys.OPENAPI], 200)


def _rows(spec: dict) -> str:
    rows = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            statuses = ", ".join(op["responses"])
            query = ", ".join(p["name"] for p in op["parameters"] if p["in"] == "query")
            cells = [method.upper(), path, op["summary"], query, statuses]
            rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    return "\n".join(rows)


@documented(media="text/html")
@unauthenticated
async def get_docs(request: web.Request) -> web.Response:
    """GET /v2/docs: the document as a plain HTML table (no scripts, nothing fetched from elsewhere)."""
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>crossbar_py API</title>"
        "<style>body{font-family:sans-serif}td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px}"
        "table{border-collapse:collapse}</style></head><body><h1>crossbar_py API</h1>"
        "<p>Machine-readable: <a href='/v2/openapi.json'>/v2/openapi.json</a> (OpenAPI 3.1).</p>"
        "<table><tr><th>verb</th><th>path</th><th>summary</th><th>query</th><th>statuses</th></tr>"
        f"{_rows(request.app[keys.OPENAPI])}</table></body></html>"
    )
    return web.Response(text=page, content_type="text/html")


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes."""
    router.add_get("/v2/openapi.json", get_openapi)
    router.add_get("/v2/docs", get_docs)
