"""The JSON envelope parsed before anything else, as Kazoo does (malformed → 400)."""

import json

from aiohttp import web

from crossbar_py import keys
from crossbar_py.http import inputs
from crossbar_py.http.content import JSON_TYPES
from crossbar_py.http.errors import ValidationFailed
from crossbar_py.http.markers import has_mark
from crossbar_py.http.routing import route_match

BODY_METHODS = {"PUT", "POST", "PATCH", "DELETE"}
MAX_BODY = 8_000_000


def too_large() -> ValidationFailed:
    """The error for a body over MAX_BODY."""
    return ValidationFailed(
        {
            "file": {
                "maxSize": {"message": f"Payload or Files must not be more than {MAX_BODY} bytes", "target": MAX_BODY}
            }
        }
    )


def _file_body(request: web.Request) -> bool:
    """The route reads a file body itself and this body is not JSON (media audio, logos)."""
    mime = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
    return has_mark(request.match_info.handler, "raw_body") and mime not in JSON_TYPES


def _json_error(message: str) -> ValidationFailed:
    return ValidationFailed({"json": {"invalid": {"message": message, "target": "body"}}})


@web.middleware
async def parse_body(request: web.Request, handler):
    """Parse the JSON envelope before anything else, as Kazoo does (malformed → 400)."""
    inputs.check_query(request.query)
    body = {}
    if request.method in BODY_METHODS and request.can_read_body and not _file_body(request):
        raw = await request.read()
        if raw.strip():
            try:
                body = json.loads(raw)
            except (ValueError, UnicodeDecodeError) as exc:
                raise _json_error(f"{exc.__class__.__name__}: {exc}") from exc
            except RecursionError as exc:
                raise _json_error(f"JSON nested deeper than {inputs.MAX_DEPTH} levels") from exc
            if not isinstance(body, dict):
                raise _json_error("the request body must be a JSON object")
            inputs.check_document(body)
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
async def check_data_shape(request: web.Request, handler):
    """400 when `data` is an array and the route reads an object (handlers call .get and .items on it)."""
    data = request[keys.BODY]["data"]
    if isinstance(data, list) and not has_mark(route_match(request).handler, "array_data"):
        raise ValidationFailed(
            {"data": {"type": {"message": "Value did not match type(s): object", "target": "object", "value": data}}}
        )
    return await handler(request)
