"""HTTP for /v2/accounts/{A}/sip_bans and the system-wide /v2/sip_bans."""

from aiohttp import web

from crossbar_py import keys
from crossbar_py.http import envelope
from crossbar_py.http.markers import superduper_only
from crossbar_py.http.routing import path_param
from crossbar_py.sip_bans import service


async def list_bans(request: web.Request) -> web.Response:
    """GET /sip_bans: the account's credentials bans."""
    app = request.app
    return envelope.success(
        request, await service.account_bans(app[keys.DB], app[keys.KAMAILIO], request[keys.ACCOUNT])
    )


async def lift_ban(request: web.Request) -> web.Response:
    """DELETE /sip_bans/{ban}: lift one of the account's bans."""
    app = request.app
    ban = await service.lift(
        app[keys.DB], app[keys.KAMAILIO], path_param(request, "ban"), request[keys.REQUEST_ID], request[keys.ACCOUNT]
    )
    return envelope.success(request, {**ban, "_read_only": {"deleted": True}})


@superduper_only
async def list_all(request: web.Request) -> web.Response:
    """GET /v2/sip_bans: every ban, address bans included; superduper admin only."""
    return envelope.success(request, await service.all_bans(request.app[keys.KAMAILIO]))


@superduper_only
async def lift_any(request: web.Request) -> web.Response:
    """DELETE /v2/sip_bans/{ban}: lift any ban; superduper admin only."""
    app = request.app
    ban = await service.lift(app[keys.DB], app[keys.KAMAILIO], path_param(request, "ban"), request[keys.REQUEST_ID])
    return envelope.success(request, {**ban, "_read_only": {"deleted": True}})


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes ({ban}, not {ban_id}: a ban's id is longer than the pipeline's 32-hex *_id)."""
    base = "/v2/accounts/{account_id}/sip_bans"
    router.add_get(base, list_bans)
    router.add_delete(f"{base}/{{ban}}", lift_ban)
    router.add_get("/v2/sip_bans", list_all)
    router.add_delete("/v2/sip_bans/{ban}", lift_any)
