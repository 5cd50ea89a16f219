"""HTTP for /v2/user_auth."""

from aiohttp import web

from crossbar_py import keys
from crossbar_py.auth import tokens as auth
from crossbar_py.auth.user_auth import service
from crossbar_py.http import envelope
from crossbar_py.http.errors import BadRequest, Forbidden
from crossbar_py.http.middlewares import public
from crossbar_py.http.routing import path_param
from crossbar_py.users.service import get_user


@public
async def create_user_auth(request: web.Request) -> web.Response:
    """PUT /v2/user_auth: login; the new token is the envelope's auth_token."""
    token, account, user = await service.login(
        request.app[keys.DB],
        request.app[keys.SETTINGS],
        request.app[keys.LOGIN_LIMITER],
        request[keys.BODY]["data"],
        request.remote or "",
    )
    request[keys.RAW_TOKEN] = token
    return envelope.success(
        request, await service.login_data_with_apps(request.app[keys.DB], account, user), status=201
    )


async def impersonate_user(request: web.Request) -> web.Response:
    """PUT /v2/accounts/{A}/users/{U}/user_auth with action impersonate_user: a token acting as U,
    for admins of a superduper admin account only (contract 7.2)."""
    body = request[keys.BODY]
    data = body["data"] if isinstance(body["data"], dict) else {}
    if (body.get("action") or data.get("action")) != "impersonate_user":
        raise BadRequest({}, message="invalid action")
    identity, auth_account = request[keys.AUTH]
    db, settings, account = request.app[keys.DB], request.app[keys.SETTINGS], request[keys.ACCOUNT]
    admin = await get_user(db, auth_account["id"], identity.owner_id) if identity.owner_id else None
    if not (auth_account["superduper"] and admin and admin["doc"].get("priv_level") == "admin"):
        raise Forbidden()
    user = await get_user(db, account["id"], path_param(request, "user_id"))
    token = auth.issue_token(
        settings.jwt_secret,
        settings.token_lifetime,
        account["id"],
        user["id"],
        "cb_user_auth",
        acting_as={"account_id": auth_account["id"], "owner_id": admin["id"]},
    )
    request[keys.RAW_TOKEN] = token
    return envelope.success(
        request, await service.login_data_with_apps(request.app[keys.DB], account, user), status=201
    )


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes."""
    router.add_put("/v2/user_auth", create_user_auth)
    router.add_put("/v2/accounts/{account_id}/users/{user_id}/user_auth", impersonate_user)
