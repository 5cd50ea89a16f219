"""HTTP for /v2/accounts/{A}/registrations and /devices/status."""

from aiohttp import web

from crossbar_py import keys
from crossbar_py.http import envelope, openapi
from crossbar_py.http.markers import superduper_only
from crossbar_py.http.routing import path_param
from crossbar_py.registrations.contacts import service


@openapi.documented(paginated=True)
async def list_registrations(request: web.Request) -> web.Response:
    """GET /registrations: one element per contact."""
    data = await service.list_registrations(request.app[keys.DB], request[keys.ACCOUNT])
    return envelope.success(request, data)


async def count_registrations(request: web.Request) -> web.Response:
    """GET /registrations/count."""
    count = await service.count_registrations(request.app[keys.DB], request[keys.ACCOUNT])
    return envelope.success(request, {"count": count})


async def flush_registrations(request: web.Request) -> web.Response:
    """DELETE /registrations: every contact of the account's realms."""
    await service.flush_account(request.app[keys.DB], request[keys.ACCOUNT])
    return envelope.success(request, "ok")


async def flush_username(request: web.Request) -> web.Response:
    """DELETE /registrations/{username}."""
    await service.flush_username(
        request.app[keys.DB], request.app[keys.KAMAILIO], request[keys.ACCOUNT], path_param(request, "username")
    )
    return envelope.success(request, "ok")


async def devices_status(request: web.Request) -> web.Response:
    """GET /devices/status."""
    data = await service.registered_devices(request.app[keys.DB], request[keys.ACCOUNT]["id"])
    return envelope.success(request, data)


@openapi.documented(paginated=True)
@superduper_only
async def list_all(request: web.Request) -> web.Response:
    """GET /v2/registrations: system-wide, superduper admin only."""
    return envelope.success(request, await service.list_all(request.app[keys.DB]))


@superduper_only
async def count_all(request: web.Request) -> web.Response:
    """GET /v2/registrations/count: system-wide, superduper admin only."""
    return envelope.success(request, {"count": await service.count_all(request.app[keys.DB])})


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes (before /devices/{D}, which would otherwise match /devices/status)."""
    base = "/v2/accounts/{account_id}"
    router.add_get(f"{base}/registrations", list_registrations)
    router.add_delete(f"{base}/registrations", flush_registrations)
    router.add_get(f"{base}/registrations/count", count_registrations)
    router.add_delete(f"{base}/registrations/{{username}}", flush_username)
    router.add_get(f"{base}/devices/status", devices_status)
    router.add_get("/v2/registrations", list_all)
    router.add_get("/v2/registrations/count", count_all)
