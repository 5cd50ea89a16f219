"""HTTP for /v2/accounts."""

from aiohttp import web

from crossbar_py import envelope, keys
from crossbar_py.documents import revision
from crossbar_py.resources.accounts import service


async def get_account(request: web.Request) -> web.Response:
    """GET /v2/accounts/{A}."""
    row = request[keys.ACCOUNT]
    return envelope.success(request, service.render(row), revision=revision(row["rev"], row["rev_hash"]))


async def create_child(request: web.Request) -> web.Response:
    """PUT /v2/accounts/{A}: a child of A (PUT /v2/accounts: a child of the token's account)."""
    parent = request.get(keys.ACCOUNT) or request[keys.AUTH][1]
    settings = request.app[keys.SETTINGS]
    row = await service.create_account(request.app[keys.DB], request[keys.BODY]["data"], parent, settings.realm_suffix)
    location = f"/v2/accounts/{row['id']}"
    return envelope.success(
        request,
        service.render(row),
        status=201,
        revision=revision(row["rev"], row["rev_hash"]),
        headers={"Location": location},
    )


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes."""
    router.add_put("/v2/accounts", create_child)
    router.add_get("/v2/accounts/{account_id}", get_account)
    router.add_put("/v2/accounts/{account_id}", create_child)
