"""HTTP for /v2/accounts/{A}/phone_numbers and its classifiers (Kazoo's cb_phone_numbers)."""

from aiohttp import web

from crossbar_py import keys
from crossbar_py.http import envelope, openapi
from crossbar_py.http.pagination import Page
from crossbar_py.http.routing import path_param
from crossbar_py.phone_numbers import classifiers, service
from crossbar_py.phone_numbers.schema import PHONE_NUMBER
from crossbar_py.platform.db import Database


def _where(request: web.Request) -> tuple[Database, str]:
    return request.app[keys.DB], request[keys.ACCOUNT]["id"]


def _number(request: web.Request, row: dict, status: int = 200) -> web.Response:
    return envelope.success(request, service.view(row), status=status)


@openapi.documented(paginated=True)
async def list_numbers(request: web.Request) -> web.Response:
    """GET /phone_numbers: Kazoo's collection object; an account with none gets {"numbers": {}}."""
    page = Page.from_request(request)
    rows, used = await service.list_numbers(*_where(request), page, request.query)
    rows, extra = page.envelope(rows, key=lambda r: r["id"])
    data = {"cascade_quantity": 0, "numbers": {r["id"]: service.summary(r, used) for r in rows}}
    return envelope.success(request, data, extra=extra)


async def list_classifiers(request: web.Request) -> web.Response:
    """GET /phone_numbers/classifiers: Kazoo's default catalogue."""
    return envelope.success(request, classifiers.CLASSIFIERS)


async def classify_number(request: web.Request) -> web.Response:
    """GET /phone_numbers/classifiers/{number}."""
    return envelope.success(request, classifiers.classify(path_param(request, "number")))


async def get_number(request: web.Request) -> web.Response:
    """GET /phone_numbers/{number}."""
    return _number(request, await service.get_number(*_where(request), path_param(request, "number")))


@openapi.documented(body=PHONE_NUMBER)
async def add_number(request: web.Request) -> web.Response:
    """PUT /phone_numbers/{number}: an operator adds a number to the account."""
    superduper = request[keys.AUTH][1]["superduper"]
    data = request[keys.BODY]["data"]
    row = await service.add_number(*_where(request), path_param(request, "number"), data, superduper)
    return _number(request, row, status=201)


async def _save(request: web.Request, patch: bool) -> web.Response:
    data = request[keys.BODY]["data"]
    return _number(request, await service.save_number(*_where(request), path_param(request, "number"), data, patch))


@openapi.documented(body=PHONE_NUMBER)
async def update_number(request: web.Request) -> web.Response:
    """POST /phone_numbers/{number}: replace the public fields."""
    return await _save(request, patch=False)


@openapi.documented(body=PHONE_NUMBER)
async def patch_number(request: web.Request) -> web.Response:
    """PATCH /phone_numbers/{number}: merge the public fields."""
    return await _save(request, patch=True)


async def remove_number(request: web.Request) -> web.Response:
    """DELETE /phone_numbers/{number}."""
    return _number(request, await service.remove_number(*_where(request), path_param(request, "number")))


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes (classifiers before the number)."""
    base = "/v2/accounts/{account_id}/phone_numbers"
    router.add_get(base, list_numbers)
    router.add_get(f"{base}/classifiers", list_classifiers)
    router.add_get(f"{base}/classifiers/{{number}}", classify_number)
    router.add_get(f"{base}/{{number}}", get_number)
    router.add_put(f"{base}/{{number}}", add_number)
    router.add_post(f"{base}/{{number}}", update_number)
    router.add_patch(f"{base}/{{number}}", patch_number)
    router.add_delete(f"{base}/{{number}}", remove_number)
