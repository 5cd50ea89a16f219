"""Typed errors become Kazoo's error envelope; nothing escapes as a bare 500."""

import logging

from aiohttp import web

from crossbar_py.http import envelope
from crossbar_py.http.body import too_large
from crossbar_py.http.errors import ApiError, MethodNotAllowed, RouteNotFound


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
        if exc.status == 405:
            return envelope.error(request, MethodNotAllowed())
        if exc.status == 404:
            return envelope.error(request, RouteNotFound())
        # 304 and 412 carry no body (cowboy_rest, docs/kazoo-compatibility.md §12).
        return web.Response(status=exc.status)
    except Exception:
        logging.getLogger("crossbar_py").exception("unhandled error")
        return envelope.error(request, ApiError())
