"""HTTP for /v2/accounts/{A}/ledgers: the answers Kazoo gives an account without ledger entries
(My Account's balance reads `ledgers/total`)."""

from aiohttp import web

from crossbar_py.http import envelope


async def list_ledgers(request: web.Request) -> web.Response:
    """GET /ledgers: no ledger has an entry."""
    return envelope.success(request, {})


async def ledgers_total(request: web.Request) -> web.Response:
    """GET /ledgers/total: the balance, in the account's currency units."""
    return envelope.success(request, {"amount": 0.0})


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes."""
    router.add_get("/v2/accounts/{account_id}/ledgers", list_ledgers)
    router.add_get("/v2/accounts/{account_id}/ledgers/total", ledgers_total)
