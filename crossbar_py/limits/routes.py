"""HTTP for /v2/accounts/{A}/limits."""

from aiohttp import web

from crossbar_py import keys
from crossbar_py.http import conditional, envelope, openapi
from crossbar_py.kazoo_documents.schema import LIMITS
from crossbar_py.limits import service


async def get_limits(request: web.Request) -> web.Response:
    """GET /limits."""
    return envelope.success(request, await service.get_limits(request.app[keys.DB], request[keys.ACCOUNT]["id"]))


@openapi.documented(body=LIMITS)
async def set_limits(request: web.Request) -> web.Response:
    """POST /limits."""
    data = await service.set_limits(
        request.app[keys.DB],
        request[keys.ACCOUNT]["id"],
        request[keys.BODY]["data"],
        conditional.if_match(request),
    )
    return envelope.success(request, data)


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes."""
    router.add_get("/v2/accounts/{account_id}/limits", get_limits)
    router.add_post("/v2/accounts/{account_id}/limits", set_limits)
