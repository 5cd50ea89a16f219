"""HTTP for /v2/accounts/{A}/users."""

from aiohttp import web

from crossbar_py import envelope, keys
from crossbar_py.documents import public, revision
from crossbar_py.resources.users import queries, service


async def list_users(request: web.Request) -> web.Response:
    """GET /users."""
    rows = await request.app[keys.DB].fetch_all(queries.LIST_USERS, {"account_id": request[keys.ACCOUNT]["id"]})
    return envelope.success(request, [service.summary(r) for r in rows])


async def create_user(request: web.Request) -> web.Response:
    """PUT /users."""
    account = request[keys.ACCOUNT]
    row = await service.create_user(
        request.app[keys.DB], request.app[keys.SETTINGS], account, request[keys.BODY]["data"]
    )
    location = f"/v2/accounts/{account['id']}/users/{row['id']}"
    return envelope.success(
        request, public(row), status=201, revision=revision(row["rev"], row["rev_hash"]), headers={"Location": location}
    )


async def get_user(request: web.Request) -> web.Response:
    """GET /users/{U}."""
    row = await service.get_user(request.app[keys.DB], request[keys.ACCOUNT]["id"], request.match_info["user_id"])
    rev = revision(row["rev"], row["rev_hash"])
    return envelope.success(request, public(row), revision=rev, headers={"ETag": f'"{rev}"'})


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes."""
    router.add_get("/v2/accounts/{account_id}/users", list_users)
    router.add_put("/v2/accounts/{account_id}/users", create_user)
    router.add_get("/v2/accounts/{account_id}/users/{user_id}", get_user)
