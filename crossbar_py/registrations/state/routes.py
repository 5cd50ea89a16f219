"""HTTP for /v2/accounts/{A}/devices/{D}/status and /logs (docs/monitoring.md)."""

from aiohttp import web

from crossbar_py import keys
from crossbar_py.devices.service import get_device
from crossbar_py.http import envelope, openapi
from crossbar_py.http.routing import path_param
from crossbar_py.registrations.state import monitoring, service


async def device_status(request: web.Request) -> web.Response:
    """GET /devices/{D}/status: {device_id, status, registered} (seed 004)."""
    db, account = request.app[keys.DB], request[keys.ACCOUNT]
    device = await get_device(db, account["id"], path_param(request, "device_id"))
    state = await service.status(db, device)
    return envelope.success(request, {"device_id": device["id"], "status": state, "registered": state == "registered"})


@openapi.documented(params={"lines": {"type": "integer", "minimum": 1, "maximum": 1000}})
async def device_logs(request: web.Request) -> web.Response:
    """GET /devices/{D}/logs?lines=N: the device's registration journal, newest first."""
    db, account = request.app[keys.DB], request[keys.ACCOUNT]
    lines = service.parse_lines(request.query.get("lines"))
    device = await get_device(db, account["id"], path_param(request, "device_id"))
    return envelope.success(request, await service.logs(db, device["id"], lines))


async def get_registration(request: web.Request) -> web.Response:
    """GET /devices/{D}/registration: state, live contacts (or the last registration) and diagnostics."""
    db, account = request.app[keys.DB], request[keys.ACCOUNT]
    device = await get_device(db, account["id"], path_param(request, "device_id"))
    settings = request.app[keys.SETTINGS]
    data = await service.registration(db, device, account, f"{settings.sip_server}:{settings.sip_port}")
    return envelope.success(request, data)


async def delete_registration(request: web.Request) -> web.Response:
    """DELETE /devices/{D}/registration: flush every contact of the device; answers what was removed."""
    db, account = request.app[keys.DB], request[keys.ACCOUNT]
    device = await get_device(db, account["id"], path_param(request, "device_id"))
    return envelope.success(request, await service.unregister(db, request.app[keys.KAMAILIO], device))


@openapi.documented(params={"wait": {"type": "integer", "minimum": 0, "maximum": 30}})
async def renew_registration(request: web.Request) -> web.Response:
    """POST /devices/{D}/registration/renew?wait=N: check-sync, then report whether the phone re-registered."""
    db, account = request.app[keys.DB], request[keys.ACCOUNT]
    wait = service.parse_wait(request.query.get("wait"))
    device = await get_device(db, account["id"], path_param(request, "device_id"))
    return envelope.success(request, await service.renew(db, request.app[keys.KAMAILIO], device, wait))


@openapi.documented(query=service.BulkStatusQuery)
async def bulk_status(request: web.Request) -> web.Response:
    """GET /devices/registration/status: devices with their status, and counts over the filter."""
    result = await service.bulk_status(request.app[keys.DB], request[keys.ACCOUNT]["id"], request.query)
    return envelope.success(request, result["data"], extra={"pagination": result["pagination"]})


async def dashboard(request: web.Request) -> web.Response:
    """GET /devices/registration/dashboard: summary, by type, and alerts."""
    return envelope.success(request, await monitoring.dashboard(request.app[keys.DB], request[keys.ACCOUNT]["id"]))


@openapi.documented(query=monitoring.AnalyticsQuery)
async def analytics(request: web.Request) -> web.Response:
    """GET /devices/registration/analytics?period=1h|24h|7d|30d."""
    db, account_id = request.app[keys.DB], request[keys.ACCOUNT]["id"]
    return envelope.success(request, await monitoring.analytics(db, account_id, request.query))


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes (before /devices/{D}/...)."""
    # Before /devices/{D}/status, which would otherwise take "registration" for a device id.
    router.add_get("/v2/accounts/{account_id}/devices/registration/status", bulk_status)
    router.add_get("/v2/accounts/{account_id}/devices/registration/dashboard", dashboard)
    router.add_get("/v2/accounts/{account_id}/devices/registration/analytics", analytics)
    base = "/v2/accounts/{account_id}/devices/{device_id}"
    router.add_get(f"{base}/status", device_status)
    router.add_get(f"{base}/logs", device_logs)
    router.add_get(f"{base}/registration", get_registration)
    router.add_delete(f"{base}/registration", delete_registration)
    router.add_post(f"{base}/registration/renew", renew_registration)
