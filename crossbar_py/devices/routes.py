"""HTTP for /v2/accounts/{A}/devices."""

from aiohttp import web

from crossbar_py import keys
from crossbar_py.common import writes as crud
from crossbar_py.common.access_lists import ACCESS_LISTS
from crossbar_py.common.documents import public
from crossbar_py.devices import service
from crossbar_py.devices.schema import DEVICE, DEVICES_NOTIFY
from crossbar_py.http import conditional, envelope, openapi
from crossbar_py.http.pagination import Page
from crossbar_py.http.routing import path_param
from crossbar_py.http.validation import validate
from crossbar_py.registrations.contacts.service import registered_devices


@openapi.documented(paginated=True, params={"with_status": openapi.BOOLEAN_TEXT})
async def list_devices(request: web.Request) -> web.Response:
    """GET /devices: summaries, filtered and paginated as Kazoo does; ?with_status=true adds
    registrable and registered (current Monster UI)."""
    page = Page.from_request(request)
    db = request.app[keys.DB]
    rows = await service.list_devices(db, request[keys.ACCOUNT]["id"], page, request.query)
    rows, extra = page.envelope(rows, key=lambda r: r["id"])
    data = [service.summary(r) for r in rows]
    if request.query.get("with_status") == "true":
        registered = {d["device_id"] for d in await registered_devices(db, request[keys.ACCOUNT]["id"])}
        for item, row in zip(data, rows, strict=True):
            item.update(registrable=service.registrable(row), registered=row["id"] in registered)
    return envelope.listing(request, data, extra=extra)


@openapi.documented(body=DEVICE)
async def create_device(request: web.Request) -> web.Response:
    """PUT /devices."""
    account = request[keys.ACCOUNT]
    row = await service.create_device(request.app[keys.DB], account, request[keys.BODY]["data"])
    location = f"/v2/accounts/{account['id']}/devices/{row['id']}"
    return envelope.document(request, row, public(row), status=201, location=location)


async def get_device(request: web.Request) -> web.Response:
    """GET /devices/{D}."""
    app = request.app
    row = await service.read_device(
        app[keys.DB], app[keys.DEVICE_CACHE], request[keys.ACCOUNT]["id"], path_param(request, "device_id")
    )
    return envelope.document(request, row, public(row))


async def _save(request: web.Request, patch: bool) -> web.Response:
    superduper = request[keys.AUTH][1]["superduper"]
    row = await service.save_device(
        request.app[keys.DB],
        request[keys.ACCOUNT],
        path_param(request, "device_id"),
        request[keys.BODY]["data"],
        superduper,
        patch,
        conditional.if_match(request),
        request.app[keys.DEVICE_CACHE],
    )
    return envelope.document(request, row, public(row))


@openapi.documented(body=DEVICE)
async def update_device(request: web.Request) -> web.Response:
    """POST /devices/{D}: replace the public document."""
    return await _save(request, patch=False)


@openapi.documented(body=openapi.partial(DEVICE))
async def patch_device(request: web.Request) -> web.Response:
    """PATCH /devices/{D}: deep merge, null deletes."""
    return await _save(request, patch=True)


@openapi.documented(params=openapi.SOFT_DELETE)
async def delete_device(request: web.Request) -> web.Response:
    """DELETE /devices/{D}: soft unless ?should_soft_delete=false; answers the device as it was."""
    row = await service.delete_device(
        request.app[keys.DB],
        request[keys.ACCOUNT]["id"],
        path_param(request, "device_id"),
        crud.soft_delete_requested(request),
        conditional.if_match(request),
        request.app[keys.DEVICE_CACHE],
    )
    return envelope.deleted(request, public(row), conditional.etag(row))


@openapi.documented(params={"reboot": openapi.BOOLEAN_TEXT})
async def sync_device(request: web.Request) -> web.Response:
    """POST /devices/{D}/sync: a check-sync NOTIFY to the registered phone (200, never 202)."""
    row = await service.sync(
        request.app[keys.DB],
        request.app[keys.KAMAILIO],
        request[keys.ACCOUNT]["id"],
        path_param(request, "device_id"),
        request.query.get("reboot"),
    )
    return envelope.success(request, "sync request sent", revision=conditional.etag(row))


@openapi.documented(body=DEVICES_NOTIFY)
async def device_action(request: web.Request) -> web.Response:
    """PUT /devices/{D} with action "notify": a NOTIFY with the given event (and body) to the phone."""
    await service.notify(
        request.app[keys.DB],
        request.app[keys.KAMAILIO],
        request[keys.ACCOUNT]["id"],
        path_param(request, "device_id"),
        request[keys.BODY],
    )
    return envelope.success(request, "NOTIFY sent", status=201)


@openapi.documented(paginated=True)
async def user_devices(request: web.Request) -> web.Response:
    """GET /users/{U}/devices: owned or hotdesked devices of a user."""
    data = await service.user_devices(request.app[keys.DB], request[keys.ACCOUNT]["id"], path_param(request, "user_id"))
    return envelope.success(request, data)


async def get_access_lists(request: web.Request) -> web.Response:
    """GET /devices/{D}/access_lists."""
    row = await service.get_device(request.app[keys.DB], request[keys.ACCOUNT]["id"], path_param(request, "device_id"))
    return envelope.success(request, row["doc"].get("access_lists", {}))


@openapi.documented(body=ACCESS_LISTS)
async def set_access_lists(request: web.Request) -> web.Response:
    """POST /devices/{D}/access_lists: validated, stored on the device (an unknown device is 404 first)."""
    await service.get_device(request.app[keys.DB], request[keys.ACCOUNT]["id"], path_param(request, "device_id"))
    lists = validate(ACCESS_LISTS, request[keys.BODY]["data"])
    row = await service.save_device(
        request.app[keys.DB],
        request[keys.ACCOUNT],
        path_param(request, "device_id"),
        {"access_lists": lists},
        superduper=False,
        patch=True,
        cache=request.app[keys.DEVICE_CACHE],
    )
    return envelope.success(request, row["doc"]["access_lists"])


async def delete_access_lists(request: web.Request) -> web.Response:
    """DELETE /devices/{D}/access_lists."""
    await service.save_device(
        request.app[keys.DB],
        request[keys.ACCOUNT],
        path_param(request, "device_id"),
        {"access_lists": None},
        superduper=False,
        patch=True,
    )
    return envelope.success(request, {})


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes (the status route is the registrations resource's)."""
    base = "/v2/accounts/{account_id}"
    router.add_get(f"{base}/devices", list_devices)
    router.add_put(f"{base}/devices", create_device)
    router.add_get(f"{base}/devices/{{device_id}}", get_device)
    router.add_post(f"{base}/devices/{{device_id}}", update_device)
    router.add_patch(f"{base}/devices/{{device_id}}", patch_device)
    router.add_delete(f"{base}/devices/{{device_id}}", delete_device)
    router.add_put(f"{base}/devices/{{device_id}}", device_action)
    router.add_post(f"{base}/devices/{{device_id}}/sync", sync_device)
    router.add_get(f"{base}/users/{{user_id}}/devices", user_devices)
    router.add_get(f"{base}/devices/{{device_id}}/access_lists", get_access_lists)
    router.add_post(f"{base}/devices/{{device_id}}/access_lists", set_access_lists)
    router.add_delete(f"{base}/devices/{{device_id}}/access_lists", delete_access_lists)
