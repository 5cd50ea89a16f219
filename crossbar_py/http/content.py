"""Content negotiation: which request bodies are accepted, JSONP and pretty-printed responses
(docs/kazoo-compatibility.md §3)."""

import json
import re

from aiohttp import web

from crossbar_py.http import envelope
from crossbar_py.http.errors import UnsupportedMediaType
from crossbar_py.http.markers import has_mark
from crossbar_py.http.routing import route_match

JSON_TYPES = ("application/json", "application/x-json", "application/x-www-form-urlencoded")
JSONP_RE = re.compile(r"^[A-Za-z_$][\w$.]{0,63}$")


@web.middleware
async def check_content_type(request: web.Request, handler):
    """PUT/POST/PATCH bodies must be JSON-compatible (415 in the error envelope, docs/hostile-input.md);
    no Content-Type counts as JSON, and a request without a body has nothing to check."""
    ctype = request.headers.get("Content-Type")
    if has_mark(route_match(request).handler, "raw_body"):
        return await handler(request)  # a file route reads its own body
    if request.method in ("PUT", "POST", "PATCH") and ctype is not None and await request.read():
        mime = ctype.split(";")[0].strip().lower()
        if mime not in JSON_TYPES and not mime.startswith("multipart/"):
            raise UnsupportedMediaType()
    return await handler(request)


@web.middleware
async def render_options(request: web.Request, handler):
    """?jsonp=fn wraps the envelope; ?pretty_print=true or X-Pretty-Print indents it; RFC 2616's nudge."""
    resp = await handler(request)
    if request.method in ("PUT", "POST") and "Content-Type" not in request.headers:
        resp.headers["X-RFC2616"] = "Section 14.17 (Try it, you'll like it)"
    if resp.headers.get("Content-Type") != envelope.JSON or not isinstance(resp, web.Response) or not resp.body:
        return resp
    pretty = request.query.get("pretty_print") == "true" or request.headers.get("X-Pretty-Print") == "true"
    jsonp = request.query.get("jsonp", "")
    if not pretty and not JSONP_RE.match(jsonp):
        return resp
    body = json.dumps(json.loads(resp.text or "null"), indent=2 if pretty else None, ensure_ascii=False)
    if JSONP_RE.match(jsonp):
        resp.body = f"{jsonp}({body});".encode()
        resp.headers["Content-Type"] = "application/javascript"
    else:
        resp.body = body.encode()
    return resp
