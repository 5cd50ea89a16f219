"""Operator endpoints: liveness, readiness of every component, metrics."""

import asyncio

from aiohttp import web

from crossbar_py import keys
from crossbar_py.http import envelope, openapi
from crossbar_py.http.markers import unauthenticated
from crossbar_py.system import service


@openapi.documented(enveloped_answer=False)
@unauthenticated
async def healthz(request: web.Request) -> web.Response:
    """GET /healthz: the process answers."""
    return envelope.render({"status": "ok"}, 200)


async def _check(name: str, coro) -> tuple:
    try:
        await asyncio.wait_for(coro, timeout=2)
    except (TimeoutError, Exception) as exc:  # noqa: BLE001 - readiness reports any failure
        return name, f"error: {exc.__class__.__name__}: {exc}"
    return name, "ok"


@openapi.documented(enveloped_answer=False)
@unauthenticated
async def readyz(request: web.Request) -> web.Response:
    """GET /readyz: PostgreSQL, Redis and Kamailio all answer (503 otherwise)."""
    app = request.app
    checks = dict(
        await asyncio.gather(
            _check("postgres", app[keys.DB].fetch_one("SELECT 1")),
            _check("redis", app[keys.REDIS].ping()),
            _check("kamailio", app[keys.KAMAILIO].call("core.version")),
        )
    )
    ok = all(v == "ok" for v in checks.values())
    return envelope.render({"status": "ok" if ok else "unavailable", "checks": checks}, 200 if ok else 503)


@openapi.documented(media="text/plain")
@unauthenticated
async def metrics(request: web.Request) -> web.Response:
    """GET /metrics: Prometheus text."""
    return web.Response(text=await service.exposition(request.app), content_type="text/plain")


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes."""
    router.add_get("/healthz", healthz)
    router.add_get("/readyz", readyz)
    router.add_get("/metrics", metrics)
