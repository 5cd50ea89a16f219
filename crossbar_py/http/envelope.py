"""The only builders of response bodies: Kazoo's success and error envelopes."""

import hashlib
import json

from aiohttp import web

from crossbar_py import keys
from crossbar_py.common.times import now_iso
from crossbar_py.http import conditional
from crossbar_py.http.errors import ApiError

JSON = "application/json"


def _base(request: web.Request) -> dict:
    settings = request.app[keys.SETTINGS]
    body = {
        "request_id": request[keys.REQUEST_ID],
        "node": settings.node,
        "version": settings.version,
        "timestamp": now_iso(),
    }
    token = request.get(keys.RAW_TOKEN)
    if token:
        body["auth_token"] = token
    return body


def render(payload: dict, status: int, headers: dict | None = None) -> web.Response:
    """A JSON response whose Content-Type is exactly application/json (docs/decisions.md §3)."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    try:
        body = text.encode()
    except UnicodeEncodeError:
        # A lone surrogate echoed from the request (an error's value or cause): escaped, it is valid JSON.
        body = json.dumps(payload, separators=(",", ":")).encode()
    resp = web.Response(body=body, status=status, headers=headers)
    resp.headers["Content-Type"] = JSON
    return resp


def success(
    request: web.Request,
    data,
    status: int = 200,
    revision: str | None = None,
    extra: dict | None = None,
    headers: dict | None = None,
) -> web.Response:
    """Kazoo's success envelope around data."""
    body = _base(request)
    body["status"] = "success"
    if revision:
        body["revision"] = revision
    if extra:
        body.update(extra)
    if data is not None:
        body["data"] = data
    return render(body, status, headers)


def listing(request: web.Request, data: list, extra: dict | None = None) -> web.Response:
    """A listing; a non-empty one carries `revision` and the same ETag, the MD5 of its rendered data
    (docs/kazoo-compatibility.md §4.1)."""
    if not data:
        return success(request, data, extra=extra)
    digest = hashlib.md5(json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
    return success(request, data, revision=digest, extra=extra, headers={"ETag": f'"{digest}"'})


def document(request: web.Request, row: dict, data: dict, status: int = 200, location: str | None = None):
    """One stored document: its revision in the envelope and the ETag; a GET whose If-None-Match names
    that revision answers 304 instead (docs/kazoo-compatibility.md §12)."""
    rev = conditional.etag(row)
    if request.method == "GET" and conditional.not_modified(request, row):
        raise web.HTTPNotModified()
    headers = {"ETag": f'"{rev}"', **({"Location": location} if location else {})}
    return success(request, data, status=status, revision=rev, headers=headers)


def deleted(request: web.Request, data: dict, revision: str) -> web.Response:
    """A DELETE's answer: the document as it was, marked deleted, with its pre-delete revision (Kazoo)."""
    return success(request, {**data, "_read_only": {"deleted": True}}, revision=revision)


def error(request: web.Request, exc: ApiError) -> web.Response:
    """Kazoo's error envelope for a typed error; `error` is the status as a string."""
    body = _base(request)
    body.update(status="error", error=str(exc.status), message=exc.message, data=exc.data)
    return render(body, exc.status)
