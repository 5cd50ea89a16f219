"""Which route, whose account, who is calling, and may they (Kazoo's 404/405, 401 and 403 steps)."""

import re

from aiohttp import web

from crossbar_py import keys
from crossbar_py.auth.identity import identify
from crossbar_py.common.documents import ID_RE
from crossbar_py.http import inputs
from crossbar_py.http.errors import (
    BadAccountId,
    BadIdentifier,
    Forbidden,
    InvalidCredentials,
    MethodNotAllowed,
    RouteNotFound,
)
from crossbar_py.http.markers import has_mark
from crossbar_py.http.routing import route_match

# First path nouns that are Crossbar modules: an unknown trailing segment under them is a 404
# even without a token; an unknown first noun needs a token before it is a 404 (docs/kazoo-compatibility.md §1).
KNOWN_NOUNS = {"accounts", "account", "user_auth", "api_auth", "token_auth", "auth", "registrations"}


def _marked(request: web.Request, name: str) -> bool:
    return has_mark(route_match(request).handler, name)


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
async def check_path_ids(request: web.Request, handler):
    """Ids in the path are 32 hex characters (decisions 6); other path values storable text. A bad one is
    a 404 before it reaches a query (a NUL byte made psycopg2 raise)."""
    for name, value in route_match(request).items():
        if name == "account_id" and len(value) != 32:
            raise BadAccountId(value)
        if (name.endswith("_id") and not ID_RE.match(value)) or inputs.text_problem(value):
            raise BadIdentifier(value)
    return await handler(request)


@web.middleware
async def load_account(request: web.Request, handler):
    """The account in the path must be 32 characters and exist; checked before authentication."""
    account_id = route_match(request).get("account_id")
    if account_id is not None:
        if len(account_id) != 32:
            raise BadAccountId(account_id)
        row = await request.app[keys.ACCOUNT_CACHE].get(request.app[keys.DB], account_id)
        if row is None:
            raise BadIdentifier(account_id)
        request[keys.ACCOUNT] = row
    return await handler(request)


@web.middleware
async def authenticate(request: web.Request, handler):
    """401 without a valid token on every route not marked unauthenticated."""
    if _marked(request, "unauthenticated"):
        return await handler(request)
    identity = await identify(request)
    if identity is None:
        raise InvalidCredentials()
    path_account = request.get(keys.ACCOUNT)
    if path_account is not None and path_account["id"] == identity.account_id:
        auth_account = path_account  # loaded by load_account already: one query fewer on most requests
    else:
        auth_account = await request.app[keys.ACCOUNT_CACHE].get(request.app[keys.DB], identity.account_id)
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
    if _marked(request, "unauthenticated") or keys.AUTH not in request:
        return await handler(request)
    _, auth_account = request[keys.AUTH]
    if keys.ACCOUNT in request and not may_access(auth_account, request[keys.ACCOUNT]):
        raise Forbidden()
    if _marked(request, "superduper") and not auth_account["superduper"]:
        raise Forbidden()
    return await handler(request)
