"""HTTP for /v2/token_auth and /v2/auth/tokeninfo."""

from aiohttp import web

from crossbar_py import keys
from crossbar_py.auth.token_auth import service
from crossbar_py.auth.tokens import verify_token
from crossbar_py.http import envelope
from crossbar_py.http.errors import InvalidCredentials, MissingToken
from crossbar_py.http.middlewares import public


async def get_token(request: web.Request) -> web.Response:
    """GET /v2/token_auth: the caller's token, described."""
    identity, _ = request[keys.AUTH]
    return envelope.success(request, await service.describe(request.app[keys.DB], identity))


async def delete_token(request: web.Request) -> web.Response:
    """DELETE /v2/token_auth: revoke the caller's token on every node (decisions 8)."""
    identity, _ = request[keys.AUTH]
    jti, exp = identity.claims.get("jti"), identity.claims.get("exp")
    if jti and exp:
        await request.app[keys.REVOCATIONS].revoke(request.app[keys.DB], request.app[keys.REDIS], jti, int(exp))
    return envelope.success(request, None)


async def _tokeninfo(request: web.Request, token: str | None, where: str) -> web.Response:
    if not token:
        raise MissingToken(where)
    identity = verify_token(request.app[keys.SETTINGS].verify_keys, token)
    if request.app[keys.REVOCATIONS].is_revoked(identity.claims.get("jti")):
        raise InvalidCredentials()
    request[keys.RAW_TOKEN] = token
    return envelope.success(request, await service.describe(request.app[keys.DB], identity))


@public
async def get_tokeninfo(request: web.Request) -> web.Response:
    """GET /v2/auth/tokeninfo?token=…: no auth header needed (Monster restores sessions with it)."""
    return await _tokeninfo(request, request.query.get("token"), "params")


@public
async def post_tokeninfo(request: web.Request) -> web.Response:
    """POST /v2/auth/tokeninfo {"data": {"token": …}}."""
    data = request[keys.BODY]["data"]
    return await _tokeninfo(request, data.get("token") if isinstance(data, dict) else None, "request")


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes."""
    router.add_get("/v2/token_auth", get_token)
    router.add_delete("/v2/token_auth", delete_token)
    router.add_get("/v2/auth/tokeninfo", get_tokeninfo)
    router.add_post("/v2/auth/tokeninfo", post_tokeninfo)
