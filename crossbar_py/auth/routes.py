"""HTTP for logins and tokens: /v2/user_auth, /v2/api_auth, /v2/token_auth, /v2/auth/tokeninfo."""

from aiohttp import web

from crossbar_py import keys
from crossbar_py.auth import service
from crossbar_py.auth.schema import API_AUTH, USER_AUTH
from crossbar_py.auth.tokens import verify_token
from crossbar_py.http import envelope, openapi
from crossbar_py.http.errors import InvalidCredentials, MissingToken
from crossbar_py.http.markers import unauthenticated
from crossbar_py.http.routing import path_param


async def _logged_in(request: web.Request, token: str, account: dict, user: dict | None) -> web.Response:
    request[keys.RAW_TOKEN] = token
    data = await service.login_data_with_apps(request.app[keys.DB], account, user)
    return envelope.success(request, data, status=201)


@openapi.documented(body=USER_AUTH)
@unauthenticated
async def create_user_auth(request: web.Request) -> web.Response:
    """PUT /v2/user_auth: login; the new token is the envelope's auth_token."""
    app = request.app
    token, account, user = await service.login(
        app[keys.DB], app[keys.SETTINGS], app[keys.LOGIN_LIMITER], request[keys.BODY]["data"], request.remote or ""
    )
    return await _logged_in(request, token, account, user)


async def impersonate_user(request: web.Request) -> web.Response:
    """PUT /v2/accounts/{A}/users/{U}/user_auth with action impersonate_user: a token acting as U."""
    identity, auth_account = request[keys.AUTH]
    account = request[keys.ACCOUNT]
    token, user = await service.impersonate(
        request.app[keys.DB],
        request.app[keys.SETTINGS],
        identity,
        auth_account,
        account,
        path_param(request, "user_id"),
        request[keys.BODY],
    )
    return await _logged_in(request, token, account, user)


@openapi.documented(body=API_AUTH)
@unauthenticated
async def create_api_auth(request: web.Request) -> web.Response:
    """PUT /v2/api_auth: 201 with an account-level token; 404 with the key when it is unknown."""
    app = request.app
    token, account = await service.api_login(app[keys.DB], app[keys.SETTINGS], request[keys.BODY]["data"])
    return await _logged_in(request, token, account, None)


async def get_token(request: web.Request) -> web.Response:
    """GET /v2/token_auth: the caller's token, described."""
    identity, _ = request[keys.AUTH]
    return envelope.success(request, await service.describe(request.app[keys.DB], identity))


async def delete_token(request: web.Request) -> web.Response:
    """DELETE /v2/token_auth: revoke the caller's token on every node (docs/decisions.md §8)."""
    identity, _ = request[keys.AUTH]
    jti, exp = identity.claims.get("jti"), identity.claims.get("exp")
    if jti and exp:
        await request.app[keys.REVOCATIONS].revoke(request.app[keys.DB], request.app[keys.REDIS], jti, int(exp))
    return envelope.success(request, None)


async def _tokeninfo(request: web.Request, token, where: str) -> web.Response:
    if not token:
        raise MissingToken(where)
    identity = verify_token(request.app[keys.SETTINGS].verify_keys, token)
    if request.app[keys.REVOCATIONS].is_revoked(identity.claims.get("jti")):
        raise InvalidCredentials()
    request[keys.RAW_TOKEN] = token
    return envelope.success(request, await service.describe(request.app[keys.DB], identity))


@openapi.documented(params={"token": {"type": "string"}})
@unauthenticated
async def get_tokeninfo(request: web.Request) -> web.Response:
    """GET /v2/auth/tokeninfo?token=…: no auth header needed (Monster restores sessions with it)."""
    return await _tokeninfo(request, request.query.get("token"), "params")


@openapi.documented(body={"type": "object", "properties": {"token": {"type": "string"}}})
@unauthenticated
async def post_tokeninfo(request: web.Request) -> web.Response:
    """POST /v2/auth/tokeninfo {"data": {"token": …}}."""
    data = request[keys.BODY]["data"]
    return await _tokeninfo(request, data.get("token") if isinstance(data, dict) else None, "request")


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes."""
    router.add_put("/v2/user_auth", create_user_auth)
    router.add_put("/v2/accounts/{account_id}/users/{user_id}/user_auth", impersonate_user)
    router.add_put("/v2/api_auth", create_api_auth)
    router.add_get("/v2/token_auth", get_token)
    router.add_delete("/v2/token_auth", delete_token)
    router.add_get("/v2/auth/tokeninfo", get_tokeninfo)
    router.add_post("/v2/auth/tokeninfo", post_tokeninfo)
