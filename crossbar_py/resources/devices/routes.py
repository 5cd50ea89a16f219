"""HTTP for /v2/accounts/{A}/devices."""

from aiohttp import web

from crossbar_py import envelope, keys
from crossbar_py.documents import public, revision
from crossbar_py.pagination import Page
from crossbar_py.resources.devices import service


async def list_devices(request: web.Request) -> web.Response:
    """GET /devices: summaries, paginated as Kazoo does."""
    page = Page.from_query(request.query)
    rows = await service.list_devices(request.app[keys.DB], request[keys.ACCOUNT]["id"], page)
    rows, extra = page.envelope(rows, key=lambda r: r["id"])
    return envelope.success(request, [service.summary(r) for r in rows], extra=extra)


async def create_device(request: web.Request) -> web.Response:
    """PUT /devices."""
    account = request[keys.ACCOUNT]
    row = await service.create_device(request.app[keys.DB], account, request[keys.BODY]["data"])
    location = f"/v2/accounts/{account['id']}/devices/{row['id']}"
    return envelope.success(
        request, public(row), status=201, revision=revision(row["rev"], row["rev_hash"]), headers={"Location": location}
    )


async def get_device(request: web.Request) -> web.Response:
    """GET /devices/{D}."""
    row = await service.get_device(request.app[keys.DB], request[keys.ACCOUNT]["id"], request.match_info["device_id"])
    rev = revision(row["rev"], row["rev_hash"])
    return envelope.success(request, public(row), revision=rev, headers={"ETag": f'"{rev}"'})


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes (the status route is the registrations resource's)."""
    router.add_get("/v2/accounts/{account_id}/devices", list_devices)
    router.add_put("/v2/accounts/{account_id}/devices", create_device)
    router.add_get("/v2/accounts/{account_id}/devices/{device_id}", get_device)
