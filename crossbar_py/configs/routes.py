"""HTTP for /v2/accounts/{A}/configs/{name}."""

from aiohttp import web

from crossbar_py import keys
from crossbar_py.configs import service
from crossbar_py.http import envelope
from crossbar_py.http.routing import path_param
from crossbar_py.platform.db import Database


def _where(request: web.Request) -> tuple[Database, str, str]:
    return request.app[keys.DB], request[keys.ACCOUNT]["id"], path_param(request, "name")


async def get_config(request: web.Request) -> web.Response:
    """GET /configs/{name}."""
    return envelope.success(request, await service.get_config(*_where(request)))


async def create_config(request: web.Request) -> web.Response:
    """PUT /configs/{name}."""
    return envelope.success(request, await service.save_config(*_where(request), request[keys.BODY]["data"]), 201)


async def update_config(request: web.Request) -> web.Response:
    """POST /configs/{name}."""
    return envelope.success(request, await service.save_config(*_where(request), request[keys.BODY]["data"]))


async def patch_config(request: web.Request) -> web.Response:
    """PATCH /configs/{name}."""
    return envelope.success(request, await service.save_config(*_where(request), request[keys.BODY]["data"]))


async def delete_config(request: web.Request) -> web.Response:
    """DELETE /configs/{name}."""
    return envelope.success(request, await service.delete_config(*_where(request)))


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes."""
    path = "/v2/accounts/{account_id}/configs/{name}"
    router.add_get(path, get_config)
    router.add_put(path, create_config)
    router.add_post(path, update_config)
    router.add_patch(path, patch_config)
    router.add_delete(path, delete_config)
