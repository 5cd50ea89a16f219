"""Kazoo's routing quirks in one place: /v1, the /v2/account/ alias, trailing slashes, verb tunnelling.

aiohttp matches a route before any middleware runs. When the effective verb or path differs from the
request's, `resolve_route` matches again with the app's own router and records that match; everything
downstream reads `route_match()` and `call_route` calls its handler.
"""

import re
from dataclasses import dataclass

from aiohttp import web
from yarl import URL

from crossbar_py import keys
from crossbar_py.auth.identity import identify
from crossbar_py.http.errors import AliasUnauthorized, InvalidCredentials, MethodNotAllowed

VERSION_RE = re.compile(r"^/v(\d+)(/.*)?$")
TUNNEL_VERBS = {"PUT", "DELETE", "PATCH", "GET", "POST"}


@dataclass(frozen=True)
class _Target:
    """What the router reads of a request (method and rel_url): a request whose body was read cannot be
    cloned, and resolving needs nothing else."""

    method: str
    rel_url: URL


def route_match(request: web.Request):
    """The match the request is served by."""
    return request.get(keys.MATCH) or request.match_info


def path_param(request: web.Request, name: str) -> str:
    """A path parameter of the effective route."""
    return route_match(request)[name]


def api_version(request: web.Request) -> int:
    """1 for /v1 requests, else 2."""
    return request.get(keys.VERSION, 2)


def _tunnelled_verb(request: web.Request) -> str | None:
    if request.method != "POST":
        return None
    body = request.get(keys.BODY, {})
    data = body.get("data")
    # Kazoo looks in data, then the query string, then the envelope (docs/kazoo-compatibility.md §3).
    verb = (data.get("verb") if isinstance(data, dict) else None) or request.query.get("verb") or body.get("verb")
    verb = str(verb).upper() if verb else None
    return verb if verb in TUNNEL_VERBS and verb != "POST" else None


async def _effective_path(request: web.Request) -> str:
    path = request.path
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/")
    match = VERSION_RE.match(path)
    if match and match[1] == "1":
        request[keys.VERSION] = 1
        path = "/v2" + (match[2] or "")
    if path == "/v2/account" or path.startswith("/v2/account/"):
        identity = await identify(request)
        if identity is None:
            raise AliasUnauthorized()
        path = f"/v2/accounts/{identity.account_id}" + path[len("/v2/account") :]
    return path


@web.middleware
async def resolve_route(request: web.Request, handler):
    """Match the effective verb and path when they differ from the request's."""
    verb = _tunnelled_verb(request)
    try:
        path = await _effective_path(request)
    except InvalidCredentials as exc:
        raise AliasUnauthorized() from exc
    if api_version(request) == 1 and (verb or request.method) == "PATCH":
        raise MethodNotAllowed()
    if verb or path != request.path:
        target = _Target(verb or request.method, request.rel_url.with_path(path))
        request[keys.MATCH] = await request.app.router.resolve(target)  # type: ignore[arg-type]
    return await handler(request)


@web.middleware
async def call_route(request: web.Request, handler):
    """Call the effective route's handler (innermost middleware)."""
    match = request.get(keys.MATCH)
    return await (match.handler if match is not None else handler)(request)
