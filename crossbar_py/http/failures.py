"""Typed errors become Kazoo's error envelope; nothing escapes as a bare 500."""

import logging

from aiohttp import web

from crossbar_py.http import envelope
from crossbar_py.http.body import too_large
from crossbar_py.http.errors import ApiError, MethodNotAllowed, RouteNotFound, UnsupportedMediaType


def _http_exception(request: web.Request, exc: web.HTTPException) -> web.Response:
    """aiohttp's own statuses in Kazoo's envelope, but 304 and If-Match's 412 with no body (contract 12)."""
    if exc.status in (304, 412):
        return web.Response(status=exc.status)
    if exc.status == 405:
        return envelope.error(request, MethodNotAllowed())
    if exc.status == 404:
        return envelope.error(request, RouteNotFound())
    if exc.status == 415:
        return envelope.error(request, UnsupportedMediaType())
    if exc.status < 400:
        return exc
    failure = ApiError({"message": exc.reason.lower()}, message=exc.reason.lower().replace(" ", "_"))
    failure.status = exc.status
    return envelope.error(request, failure)


@web.middleware
async def errors_to_envelopes(request: web.Request, handler):
    """Typed errors become Kazoo's error envelope; nothing escapes as a bare 500."""
    try:
        return await handler(request)
    except ApiError as exc:
        return envelope.error(request, exc)
    except web.HTTPRequestEntityTooLarge:
        return envelope.error(request, too_large())
    except web.HTTPException as exc:
        return _http_exception(request, exc)
    except Exception:
        logging.getLogger("crossbar_py").exception("unhandled error")
        return envelope.error(request, ApiError())
