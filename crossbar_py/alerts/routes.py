"""HTTP for /v2/accounts/{A}/alerts: we raise no Kazoo system alerts (low balance, port requests), so the
list is the empty one Kazoo gives an account without any. Registration alerts are our own dashboard's."""

from aiohttp import web

from crossbar_py.http import envelope


async def list_alerts(request: web.Request) -> web.Response:
    """GET /alerts."""
    return envelope.success(request, [])


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes."""
    router.add_get("/v2/accounts/{account_id}/alerts", list_alerts)
