"""HTTP for /v2/accounts/{A}/whitelabel and, without a token, /v2/whitelabel/{domain} (Kazoo's cb_whitelabel)."""

from aiohttp import web

from crossbar_py import keys
from crossbar_py.common import writes as crud
from crossbar_py.common.documents import public as public_doc
from crossbar_py.http import conditional, envelope, openapi, uploads
from crossbar_py.http.markers import raw_body, unauthenticated
from crossbar_py.http.routing import path_param, route_match
from crossbar_py.platform.db import Database
from crossbar_py.whitelabel import service
from crossbar_py.whitelabel.schema import FILES, WHITELABEL


def _doc(request: web.Request, row: dict, status: int = 200) -> web.Response:
    return envelope.document(request, row, public_doc(row), status=status)


def _file_name(request: web.Request) -> str:
    return route_match(request).route.resource.canonical.rsplit("/", 1)[1]


def _file(stored: dict) -> web.Response:
    return web.Response(body=bytes(stored["body"]), headers={"Content-Type": stored["content_type"]})


def _where(request: web.Request) -> tuple[Database, str]:
    return request.app[keys.DB], request[keys.ACCOUNT]["id"]


async def get_whitelabel(request: web.Request) -> web.Response:
    """GET /whitelabel."""
    return _doc(request, await service.get(*_where(request)))


@openapi.documented(body=WHITELABEL)
async def create_whitelabel(request: web.Request) -> web.Response:
    """PUT /whitelabel."""
    return _doc(request, await service.save(*_where(request), request[keys.BODY]["data"]), status=201)


@openapi.documented(body=WHITELABEL)
async def update_whitelabel(request: web.Request) -> web.Response:
    """POST /whitelabel: replace (404 when there is none)."""
    data, check = request[keys.BODY]["data"], conditional.if_match(request)
    return _doc(request, await service.save(*_where(request), data, must_exist=True, if_match=check))


@openapi.documented(body=openapi.partial(WHITELABEL))
async def patch_whitelabel(request: web.Request) -> web.Response:
    """PATCH /whitelabel: merge."""
    data, check = request[keys.BODY]["data"], conditional.if_match(request)
    return _doc(request, await service.save(*_where(request), data, patch=True, must_exist=True, if_match=check))


@openapi.documented(params=openapi.SOFT_DELETE)
async def delete_whitelabel(request: web.Request) -> web.Response:
    """DELETE /whitelabel."""
    row = await service.delete(*_where(request), crud.soft_delete_requested(request), conditional.if_match(request))
    return envelope.deleted(request, public_doc(row), conditional.etag(row))


@openapi.documented(media="*/*")
async def get_file(request: web.Request) -> web.Response:
    """GET /whitelabel/logo|icon|welcome."""
    return _file(await service.get_file(*_where(request), _file_name(request)))


@raw_body
async def upload_file(request: web.Request) -> web.Response:
    """POST /whitelabel/logo|icon|welcome: the file as sent (base64 data URL, raw bytes or multipart)."""
    name = _file_name(request)
    content_type, body = await uploads.read_file(request, default_type=FILES[name])
    return _doc(request, await service.put_file(*_where(request), name, content_type, body))


@unauthenticated
async def get_by_domain(request: web.Request) -> web.Response:
    """GET /v2/whitelabel/{domain}: no token; 404 when no account claims the domain."""
    return envelope.success(
        request, public_doc(await service.by_domain(request.app[keys.DB], path_param(request, "domain")))
    )


@unauthenticated
@openapi.documented(media="*/*")
async def get_file_by_domain(request: web.Request) -> web.Response:
    """GET /v2/whitelabel/{domain}/logo|icon|welcome: no token."""
    db = request.app[keys.DB]
    row = await service.by_domain(db, path_param(request, "domain"))
    return _file(await service.get_file(db, row["account_id"], _file_name(request)))


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes."""
    base = "/v2/accounts/{account_id}/whitelabel"
    router.add_get(base, get_whitelabel)
    router.add_put(base, create_whitelabel)
    router.add_post(base, update_whitelabel)
    router.add_patch(base, patch_whitelabel)
    router.add_delete(base, delete_whitelabel)
    for name in FILES:
        router.add_get(f"{base}/{name}", get_file)
        router.add_post(f"{base}/{name}", upload_file)
        router.add_get(f"/v2/whitelabel/{{domain}}/{name}", get_file_by_domain)
    router.add_get("/v2/whitelabel/{domain}", get_by_domain)
