"""Request id in, out and in every log line; one access log line per request."""

import logging
import os
import re
import time

from aiohttp import web

from crossbar_py import keys
from crossbar_py.platform import logs

log = logging.getLogger("crossbar_py.access")
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")


def _route(request: web.Request) -> str:
    """The route template (not the path: ids would make a series per device), or `unmatched`."""
    match = request.get(keys.MATCH) or request.match_info
    resource = getattr(getattr(match, "route", None), "resource", None)
    canonical = getattr(resource, "canonical", None)
    return canonical if canonical and match.http_exception is None else "unmatched"


@web.middleware
async def request_context(request: web.Request, handler):
    """Request id in, out and in every log line; one access log line per request."""
    given = request.headers.get("X-Request-ID", "")
    rid = given if REQUEST_ID_RE.match(given) else os.urandom(16).hex()
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
        request.app[keys.METRICS].observe(request.method, _route(request), status, elapsed)
        log.info(
            "request",
            extra={"method": request.method, "path": request.path, "status": status, "ms": round(elapsed * 1000, 2)},
        )
        logs.REQUEST_ID.reset(token)
