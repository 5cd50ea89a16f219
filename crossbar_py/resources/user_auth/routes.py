"""HTTP for /v2/user_auth."""

from aiohttp import web

from crossbar_py import envelope, keys
from crossbar_py.middlewares import public
from crossbar_py.resources.user_auth import service


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
    return envelope.success(request, service.login_data(account, user), status=201)


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes."""
    router.add_put("/v2/user_auth", create_user_auth)
