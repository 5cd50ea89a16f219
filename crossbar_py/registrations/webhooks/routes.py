"""HTTP for /v2/accounts/{A}/webhooks (Kazoo's cb_webhooks, and seed 000's POST create)."""

from aiohttp import web

from crossbar_py import keys
from crossbar_py.common import writes as crud
from crossbar_py.http import conditional, envelope, openapi
from crossbar_py.http.pagination import Page
from crossbar_py.http.routing import path_param, route_match
from crossbar_py.registrations.webhooks import attempts, service
from crossbar_py.registrations.webhooks.schema import WEBHOOK


@openapi.documented(paginated=True)
async def list_webhooks(request: web.Request) -> web.Response:
    """GET /webhooks: the account's webhooks, paginated."""
    page = Page.from_request(request)
    rows, extra = await service.list_webhooks(request.app[keys.DB], request[keys.ACCOUNT]["id"], page)
    return envelope.listing(request, [service.view(r) for r in rows], extra=extra)


@openapi.documented(body=WEBHOOK)
async def create_webhook(request: web.Request) -> web.Response:
    """PUT /webhooks (Kazoo, 201) or POST /webhooks (seed 000, 200 as every POST): the secret shows once."""
    account_id = request[keys.ACCOUNT]["id"]
    row = await service.create_webhook(request.app[keys.DB], account_id, request[keys.BODY]["data"])
    data = {**service.view(row), "secret": row["secret"]}
    location = f"/v2/accounts/{account_id}/webhooks/{row['id']}"
    return envelope.document(request, row, data, 201 if request.method == "PUT" else 200, location)


async def get_webhook(request: web.Request) -> web.Response:
    """GET /webhooks/{W}."""
    row = await service.get_webhook(
        request.app[keys.DB], request[keys.ACCOUNT]["id"], path_param(request, "webhook_id")
    )
    return envelope.document(request, row, service.view(row))


async def _save(request: web.Request, patch: bool) -> web.Response:
    row = await service.save_webhook(
        request.app[keys.DB],
        request[keys.ACCOUNT]["id"],
        path_param(request, "webhook_id"),
        request[keys.BODY]["data"],
        patch,
        conditional.if_match(request),
    )
    return envelope.document(request, row, service.view(row))


@openapi.documented(body=WEBHOOK)
async def update_webhook(request: web.Request) -> web.Response:
    """POST /webhooks/{W}: replace."""
    return await _save(request, patch=False)


@openapi.documented(body=openapi.partial(WEBHOOK))
async def patch_webhook(request: web.Request) -> web.Response:
    """PATCH /webhooks/{W}: merge (`{"enabled": false}` pauses it)."""
    return await _save(request, patch=True)


@openapi.documented(params=openapi.SOFT_DELETE)
async def delete_webhook(request: web.Request) -> web.Response:
    """DELETE /webhooks/{W}: soft unless ?should_soft_delete=false."""
    row = await service.delete_webhook(
        request.app[keys.DB],
        request[keys.ACCOUNT]["id"],
        path_param(request, "webhook_id"),
        crud.soft_delete_requested(request),
        conditional.if_match(request),
    )
    return envelope.deleted(request, service.view(row), conditional.etag(row))


async def rotate_secret(request: web.Request) -> web.Response:
    """POST /webhooks/{W}/secret: a new signing secret, shown once."""
    row = await service.rotate_secret(
        request.app[keys.DB], request[keys.ACCOUNT]["id"], path_param(request, "webhook_id")
    )
    return envelope.success(request, {"id": row["id"], "secret": row["secret"]})


@openapi.documented(paginated=True)
async def list_attempts(request: web.Request) -> web.Response:
    """GET /webhooks/attempts and /webhooks/{W}/attempts (alias /deliveries): the delivery log, newest first."""
    db, account_id = request.app[keys.DB], request[keys.ACCOUNT]["id"]
    webhook_id = route_match(request).get("webhook_id")
    if webhook_id:
        await service.get_webhook(db, account_id, webhook_id)
    items, extra = await attempts.list_attempts(db, account_id, webhook_id, Page.from_request(request))
    return envelope.success(request, items, extra=extra)


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes (/webhooks/attempts before /webhooks/{W})."""
    base = "/v2/accounts/{account_id}/webhooks"
    router.add_get(base, list_webhooks)
    router.add_put(base, create_webhook)
    router.add_post(base, create_webhook)
    router.add_get(f"{base}/attempts", list_attempts)
    one = f"{base}/{{webhook_id}}"
    router.add_get(one, get_webhook)
    router.add_post(one, update_webhook)
    router.add_patch(one, patch_webhook)
    router.add_delete(one, delete_webhook)
    router.add_post(f"{one}/secret", rotate_secret)
    router.add_get(f"{one}/attempts", list_attempts)
    router.add_get(f"{one}/deliveries", list_attempts)
