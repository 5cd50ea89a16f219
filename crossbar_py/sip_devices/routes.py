"""HTTP for seed 001's SIP devices: /devices/sip[/{D}], and credentials and reset-password under both
/devices/sip/{D} and /devices/{D} (docs/monitoring.md)."""

import json

from aiohttp import web

from crossbar_py import keys
from crossbar_py.common import writes as crud
from crossbar_py.devices.service import delete_device, get_device
from crossbar_py.http import conditional, envelope, openapi
from crossbar_py.http.routing import path_param
from crossbar_py.sip_devices import service
from crossbar_py.sip_devices.schema import SIP_DEVICE, SIP_DEVICE_CREATE, sip_device

ENVELOPE_KEYS = {"data", "auth_token", "verb"}


async def _fields(request: web.Request):
    """The seed's object: in Kazoo's {"data": ...}, or bare as seed 001's clients send it."""
    body = request[keys.BODY]
    if body["data"] or set(body) <= ENVELOPE_KEYS:
        return body["data"]
    # Kazoo lower-cases the envelope's top-level keys on parse; a bare object keeps its camelCase.
    return json.loads(await request.text())


async def _answer(request: web.Request, row: dict, status: int = 200, **extra) -> web.Response:
    db, account = request.app[keys.DB], request[keys.ACCOUNT]
    data = {**sip_device(row, account, await service.registration_state(db, row)), **extra}
    rev = conditional.etag(row)
    headers = {"ETag": f'"{rev}"'}
    if status == 201:
        headers["Location"] = f"/v2/accounts/{account['id']}/devices/sip/{row['id']}"
    return envelope.success(request, data, status=status, revision=rev, headers=headers)


@openapi.documented(body=SIP_DEVICE_CREATE, enveloped=False, success=201)
async def create_sip_device(request: web.Request) -> web.Response:
    """POST /devices/sip: a sip_device; answers its SIP password once, under credentials."""
    db, account = request.app[keys.DB], request[keys.ACCOUNT]
    row, password = await service.create(db, account, await _fields(request))
    return await _answer(request, row, status=201, credentials={"sipPassword": password})


async def get_sip_device(request: web.Request) -> web.Response:
    """GET /devices/sip/{D}: any device of the account, in the seed's shape, with its registration status."""
    row = await get_device(request.app[keys.DB], request[keys.ACCOUNT]["id"], path_param(request, "device_id"))
    if conditional.not_modified(request, row):
        raise web.HTTPNotModified()
    return await _answer(request, row)


@openapi.documented(body=SIP_DEVICE, enveloped=False)
async def patch_sip_device(request: web.Request) -> web.Response:
    """PATCH /devices/sip/{D}: merge the seed's fields into the Kazoo document."""
    row = await service.patch(
        request.app[keys.DB],
        request[keys.ACCOUNT],
        path_param(request, "device_id"),
        await _fields(request),
        conditional.if_match(request),
        request.app[keys.DEVICE_CACHE],
    )
    return await _answer(request, row)


@openapi.documented(params=openapi.SOFT_DELETE)
async def delete_sip_device(request: web.Request) -> web.Response:
    """DELETE /devices/sip/{D}: as DELETE /devices/{D} (soft unless ?should_soft_delete=false)."""
    row = await delete_device(
        request.app[keys.DB],
        request[keys.ACCOUNT]["id"],
        path_param(request, "device_id"),
        crud.soft_delete_requested(request),
        conditional.if_match(request),
    )
    return envelope.deleted(request, sip_device(row, request[keys.ACCOUNT]), conditional.etag(row))


async def get_credentials(request: web.Request) -> web.Response:
    """GET /devices[/sip]/{D}/credentials: what a phone needs to register by hand."""
    data = await service.credentials(
        request.app[keys.DB], request.app[keys.SETTINGS], request[keys.ACCOUNT], path_param(request, "device_id")
    )
    return envelope.success(request, data)


async def reset_password(request: web.Request) -> web.Response:
    """POST /devices[/sip]/{D}/reset-password: a new random password; the old one stops working at once."""
    app = request.app
    data = await service.reset_password(
        app[keys.DB],
        app[keys.KAMAILIO],
        request[keys.ACCOUNT],
        path_param(request, "device_id"),
        app[keys.DEVICE_CACHE],
    )
    return envelope.success(request, data)


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes (before the devices resource, whose /devices/{D} would take "sip" for an id)."""
    base = "/v2/accounts/{account_id}/devices"
    router.add_post(f"{base}/sip", create_sip_device)
    router.add_get(f"{base}/sip/{{device_id}}", get_sip_device)
    router.add_patch(f"{base}/sip/{{device_id}}", patch_sip_device)
    router.add_delete(f"{base}/sip/{{device_id}}", delete_sip_device)
    for device in (f"{base}/sip/{{device_id}}", f"{base}/{{device_id}}"):
        router.add_get(f"{device}/credentials", get_credentials)
        router.add_post(f"{device}/reset-password", reset_password)
