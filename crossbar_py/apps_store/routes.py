"""HTTP for /v2/accounts/{A}/apps_store (Kazoo's cb_apps_store)."""

from aiohttp import web

from crossbar_py import keys
from crossbar_py.apps_store import service
from crossbar_py.apps_store.schema import BLACKLIST, PERMISSION
from crossbar_py.http import envelope, openapi
from crossbar_py.http.errors import BadIdentifier
from crossbar_py.http.markers import unauthenticated
from crossbar_py.http.routing import path_param
from crossbar_py.platform.db import Database


def _where(request: web.Request) -> tuple[Database, dict]:
    return request.app[keys.DB], request[keys.ACCOUNT]


def _base_url(request: web.Request) -> str:
    """This API's public origin as the browser reached it (a proxy may say so in X-Forwarded-*)."""
    scheme = request.headers.get("X-Forwarded-Proto", request.scheme)
    return f"{scheme}://{request.headers.get('X-Forwarded-Host', request.host)}"


async def list_apps(request: web.Request) -> web.Response:
    """GET /apps_store: the apps the account may use, with their permissions."""
    return envelope.listing(request, await service.list_apps(*_where(request), _base_url(request)))


async def get_app(request: web.Request) -> web.Response:
    """GET /apps_store/{app}."""
    app = await service.get_app(*_where(request), path_param(request, "app_id"), _base_url(request))
    return envelope.success(request, app)


async def _install(request: web.Request, replace: bool, status: int) -> web.Response:
    db, account = _where(request)
    data = request[keys.BODY]["data"]
    permission = await service.install(db, account["id"], path_param(request, "app_id"), data, replace)
    return envelope.success(request, permission, status=status)


@openapi.documented(body=PERMISSION)
async def install_app(request: web.Request) -> web.Response:
    """PUT /apps_store/{app}: install it for the account with allowed_users (and users)."""
    return await _install(request, replace=False, status=201)


@openapi.documented(body=PERMISSION)
async def update_app(request: web.Request) -> web.Response:
    """POST /apps_store/{app}: change who may use it."""
    return await _install(request, replace=True, status=200)


async def uninstall_app(request: web.Request) -> web.Response:
    """DELETE /apps_store/{app}."""
    db, account = _where(request)
    await service.uninstall(db, account["id"], path_param(request, "app_id"))
    return envelope.success(request, {})


async def get_blacklist(request: web.Request) -> web.Response:
    """GET /apps_store/blacklist."""
    db, account = _where(request)
    return envelope.success(request, {"blacklist": await service.blacklist(db, account["id"])})


@openapi.documented(body=BLACKLIST)
async def set_blacklist(request: web.Request) -> web.Response:
    """POST /apps_store/blacklist."""
    db, account = _where(request)
    listed = await service.set_blacklist(db, account["id"], request[keys.BODY]["data"])
    return envelope.success(request, {"blacklist": listed})


@unauthenticated
@openapi.documented(media="image/*")
async def get_icon(request: web.Request) -> web.Response:
    """GET /apps_store/{app}/icon (no token, as in Kazoo): our own app's icon; Monster UI ships the others'."""
    app = await service.get_app(*_where(request), path_param(request, "app_id"), _base_url(request))
    content_type, body = service.icon(app)
    return web.Response(body=body, headers={"Content-Type": content_type})


@unauthenticated
async def get_screenshot(request: web.Request) -> web.Response:
    """GET /apps_store/{app}/screenshot/{n} (no token): none held."""
    await service.get_app(*_where(request), path_param(request, "app_id"), _base_url(request))
    raise BadIdentifier(f"screenshot/{path_param(request, 'index')}")


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes."""
    base = "/v2/accounts/{account_id}/apps_store"
    router.add_get(base, list_apps)
    router.add_get(f"{base}/blacklist", get_blacklist)
    router.add_post(f"{base}/blacklist", set_blacklist)
    router.add_get(f"{base}/{{app_id}}", get_app)
    router.add_put(f"{base}/{{app_id}}", install_app)
    router.add_post(f"{base}/{{app_id}}", update_app)
    router.add_delete(f"{base}/{{app_id}}", uninstall_app)
    router.add_get(f"{base}/{{app_id}}/icon", get_icon)
    router.add_get(f"{base}/{{app_id}}/screenshot/{{index}}", get_screenshot)
