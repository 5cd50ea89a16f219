"""HTTP for /v2/accounts."""

from aiohttp import web

from crossbar_py import keys
from crossbar_py.accounts import service
from crossbar_py.accounts.schema import ACCOUNT
from crossbar_py.http import conditional, envelope, openapi


async def get_account(request: web.Request) -> web.Response:
    """GET /v2/accounts/{A}."""
    row = request[keys.ACCOUNT]
    return envelope.document(request, row, service.render(row))


@openapi.documented(body=ACCOUNT)
async def create_child(request: web.Request) -> web.Response:
    """PUT /v2/accounts/{A}: a child of A (PUT /v2/accounts: a child of the token's account)."""
    parent = request.get(keys.ACCOUNT) or request[keys.AUTH][1]
    settings = request.app[keys.SETTINGS]
    row = await service.create_account(request.app[keys.DB], request[keys.BODY]["data"], parent, settings.realm_suffix)
    return envelope.document(request, row, service.render(row), 201, f"/v2/accounts/{row['id']}")


async def _save(request: web.Request, patch: bool) -> web.Response:
    row = await service.save_account(
        request.app[keys.DB],
        request.app[keys.ACCOUNT_CACHE],
        request[keys.ACCOUNT],
        request[keys.BODY]["data"],
        patch,
        request[keys.AUTH][1],
        request.app[keys.SETTINGS].realm_suffix,
        conditional.if_match(request),
    )
    return envelope.document(request, row, service.render(row))


@openapi.documented(body=ACCOUNT)
async def update_account(request: web.Request) -> web.Response:
    """POST /v2/accounts/{A}: replace."""
    return await _save(request, patch=False)


@openapi.documented(body=openapi.partial(ACCOUNT))
async def patch_account(request: web.Request) -> web.Response:
    """PATCH /v2/accounts/{A}: merge."""
    return await _save(request, patch=True)


@openapi.documented(params=openapi.SOFT_DELETE)
async def delete_account(request: web.Request) -> web.Response:
    """DELETE /v2/accounts/{A}: not the caller's own account, not one with children."""
    row = await service.delete_account(
        request.app[keys.DB],
        request.app[keys.ACCOUNT_CACHE],
        request[keys.ACCOUNT],
        request[keys.AUTH][1],
        conditional.if_match(request),
    )
    return envelope.deleted(request, service.render(row), conditional.etag(row))


@openapi.documented(paginated=True)
async def children(request: web.Request) -> web.Response:
    """GET /accounts/{A}/children."""
    return envelope.listing(request, await service.children(request.app[keys.DB], request[keys.ACCOUNT]))


@openapi.documented(paginated=True)
async def descendants(request: web.Request) -> web.Response:
    """GET /accounts/{A}/descendants."""
    return envelope.listing(request, await service.descendants(request.app[keys.DB], request[keys.ACCOUNT]))


@openapi.documented(paginated=True)
async def siblings(request: web.Request) -> web.Response:
    """GET /accounts/{A}/siblings: the parent's children, for a token that may see the parent."""
    data = await service.siblings(request.app[keys.DB], request[keys.ACCOUNT], request[keys.AUTH][1])
    return envelope.listing(request, data)


async def parents(request: web.Request) -> web.Response:
    """GET /accounts/{A}/parents (and /tree): the ancestors the token may see, root first."""
    data = await service.parents(request.app[keys.DB], request[keys.ACCOUNT], request[keys.AUTH][1])
    return envelope.success(request, data)


async def get_api_key(request: web.Request) -> web.Response:
    """GET /accounts/{A}/api_key."""
    return envelope.success(request, {"api_key": request[keys.ACCOUNT]["api_key"]})


async def create_api_key(request: web.Request) -> web.Response:
    """PUT /accounts/{A}/api_key: a new key."""
    key = await service.regenerate_api_key(request.app[keys.DB], request.app[keys.ACCOUNT_CACHE], request[keys.ACCOUNT])
    return envelope.success(request, {"api_key": key}, status=201)


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes."""
    base = "/v2/accounts/{account_id}"
    router.add_put("/v2/accounts", create_child)
    router.add_get(base, get_account)
    router.add_put(base, create_child)
    router.add_post(base, update_account)
    router.add_patch(base, patch_account)
    router.add_delete(base, delete_account)
    router.add_get(f"{base}/children", children)
    router.add_get(f"{base}/descendants", descendants)
    router.add_get(f"{base}/siblings", siblings)
    router.add_get(f"{base}/parents", parents)
    router.add_get(f"{base}/tree", parents)
    router.add_get(f"{base}/api_key", get_api_key)
    router.add_put(f"{base}/api_key", create_api_key)
