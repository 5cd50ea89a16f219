"""HTTP for the billing reads of My Account (ledgers, services summary, transactions): the answers Kazoo
gives an account that was never billed. We bill nothing, so there is nothing to store or show."""

from aiohttp import web

from crossbar_py.http import envelope
from crossbar_py.http.pagination import empty_listing


async def list_ledgers(request: web.Request) -> web.Response:
    """GET /ledgers: no ledger has an entry."""
    return envelope.success(request, {})


async def ledgers_total(request: web.Request) -> web.Response:
    """GET /ledgers/total: the balance, in the account's currency units."""
    return envelope.success(request, {"amount": 0.0})


async def ledger_entries(request: web.Request) -> web.Response:
    """GET /ledgers/{ledger} (e.g. per-minute-voip): no entries."""
    return envelope.success(request, [], extra=empty_listing(request))


async def services_summary(request: web.Request) -> web.Response:
    """GET /services/summary: no service plan, nothing invoiced."""
    return envelope.success(request, {"invoices": [], "items": [], "plans": [], "totals": {"recurring": 0.0}})


async def list_service_plans(request: web.Request) -> web.Response:
    """GET /service_plans: no plan is offered (the Accounts wizard lists them)."""
    return envelope.success(request, [])


async def list_transactions(request: web.Request) -> web.Response:
    """GET /transactions: no charge or credit was ever made."""
    return envelope.success(request, [])


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes (ledgers/total before ledgers/{ledger})."""
    base = "/v2/accounts/{account_id}"
    router.add_get(f"{base}/ledgers", list_ledgers)
    router.add_get(f"{base}/ledgers/total", ledgers_total)
    router.add_get(f"{base}/ledgers/{{ledger}}", ledger_entries)
    router.add_get(f"{base}/services/summary", services_summary)
    router.add_get(f"{base}/transactions", list_transactions)
    router.add_get(f"{base}/service_plans", list_service_plans)
