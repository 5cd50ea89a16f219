"""HTTP for /v2/accounts/{A}/users."""

from aiohttp import web

from crossbar_py import keys
from crossbar_py.common import writes as crud
from crossbar_py.common.documents import public
from crossbar_py.http import conditional, envelope, openapi
from crossbar_py.http.pagination import Page
from crossbar_py.http.routing import path_param
from crossbar_py.users import service
from crossbar_py.users.schema import USER


@openapi.documented(paginated=True)
async def list_users(request: web.Request) -> web.Response:
    """GET /users: summaries, filtered and paginated."""
    data, extra = await service.list_users(
        request.app[keys.DB], request[keys.ACCOUNT]["id"], Page.from_request(request), request.query
    )
    return envelope.listing(request, data, extra=extra)


@openapi.documented(body=USER)
async def create_user(request: web.Request) -> web.Response:
    """PUT /users."""
    account = request[keys.ACCOUNT]
    row = await service.create_user(
        request.app[keys.DB], request.app[keys.SETTINGS], account, request[keys.BODY]["data"]
    )
    location = f"/v2/accounts/{account['id']}/users/{row['id']}"
    return envelope.document(request, row, public(row), status=201, location=location)


async def get_user(request: web.Request) -> web.Response:
    """GET /users/{U}."""
    row = await service.get_user(request.app[keys.DB], request[keys.ACCOUNT]["id"], path_param(request, "user_id"))
    return envelope.document(request, row, public(row))


async def _save(request: web.Request, patch: bool) -> web.Response:
    row = await service.save_user(
        request.app[keys.DB],
        request.app[keys.SETTINGS],
        request[keys.ACCOUNT]["id"],
        path_param(request, "user_id"),
        request[keys.BODY]["data"],
        patch,
        conditional.if_match(request),
    )
    return envelope.document(request, row, public(row))


@openapi.documented(body=USER)
async def update_user(request: web.Request) -> web.Response:
    """POST /users/{U}: replace."""
    return await _save(request, patch=False)


@openapi.documented(body=openapi.partial(USER))
async def patch_user(request: web.Request) -> web.Response:
    """PATCH /users/{U}: merge."""
    return await _save(request, patch=True)


@openapi.documented(params=openapi.SOFT_DELETE)
async def delete_user(request: web.Request) -> web.Response:
    """DELETE /users/{U}: soft unless ?should_soft_delete=false."""
    row = await service.delete_user(
        request.app[keys.DB],
        request[keys.ACCOUNT]["id"],
        path_param(request, "user_id"),
        crud.soft_delete_requested(request),
        conditional.if_match(request),
    )
    return envelope.deleted(request, public(row), conditional.etag(row))


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes."""
    base = "/v2/accounts/{account_id}/users"
    router.add_get(base, list_users)
    router.add_put(base, create_user)
    router.add_get(f"{base}/{{user_id}}", get_user)
    router.add_post(f"{base}/{{user_id}}", update_user)
    router.add_patch(f"{base}/{{user_id}}", patch_user)
    router.add_delete(f"{base}/{{user_id}}", delete_user)
