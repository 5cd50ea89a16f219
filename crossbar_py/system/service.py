"""What /metrics reports beyond the request counters: the fleet's registrations, Kamailio's REGISTER
outcomes, webhook and journal lag, pool use (README lists the names)."""

import asyncio
import contextlib
import logging
import re
import time

from crossbar_py import keys
from crossbar_py.platform import periodic
from crossbar_py.registrations.state import service as states
from crossbar_py.registrations.webhooks import service as webhooks

log = logging.getLogger(__name__)
# Whole-fleet counts read every device: one scrape in FLEET_TTL seconds pays for them, per process.
FLEET_TTL = 10.0
REPLY_STAT = re.compile(r"^(\d{3}|\dxx)_replies$")
_FLEET: dict = {}


def measure_local(app) -> None:
    """Refresh the gauges a process measures for itself (its pool)."""
    metrics, pool = app[keys.METRICS], app[keys.DB].pool
    metrics.set_gauge("crossbar_db_pool_connections", pool.size - pool.freesize, state="in_use")
    metrics.set_gauge("crossbar_db_pool_connections", pool.freesize, state="idle")
    metrics.set_gauge("crossbar_db_pool_max", pool.maxsize)


async def measure_journal(app) -> None:
    """How far this process's event-stream tailer is behind the journal."""
    if keys.EVENTS_HUB in app:
        lag = await app[keys.EVENTS_HUB].lag(app[keys.DB])
        app[keys.METRICS].set_gauge("crossbar_journal_lag_events", lag["events"])
        app[keys.METRICS].set_gauge("crossbar_journal_lag_seconds", lag["seconds"])


async def _fleet(app) -> list:
    cached = _FLEET.get(id(app))
    if cached and cached[0] > time.monotonic():
        return cached[1]
    db = app[keys.DB]
    counts, lag = await asyncio.gather(states.fleet_counts(db), webhooks.delivery_lag(db))
    series = [
        (
            "crossbar_registrations",
            "gauge",
            "devices by registration state, every account",
            [((("state", k),), v) for k, v in sorted(counts["by_state"].items())],
        ),
        ("crossbar_registration_contacts", "gauge", "live contacts in the location table", [((), counts["contacts"])]),
        ("crossbar_webhooks_backlogged", "gauge", "enabled webhooks with events waiting", [((), lag["backlogged"])]),
        (
            "crossbar_webhook_lag_seconds",
            "gauge",
            "age of the oldest event a webhook still owes",
            [((), lag["seconds"])],
        ),
    ]
    _FLEET[id(app)] = (time.monotonic() + FLEET_TTL, series)
    return series


async def _kamailio(app) -> list:
    try:
        stats = await app[keys.KAMAILIO].statistics("registrar", "sl")
    except Exception as exc:  # noqa: BLE001 - a scrape reports Kamailio down rather than failing
        log.warning("kamailio statistics unavailable", extra={"error": str(exc)})
        return [("crossbar_kamailio_up", "gauge", "the Kamailio node this API calls answers RPC", [((), 0)])]
    regs = [((("outcome", o),), stats.get(("registrar", f"{o}_regs"), 0)) for o in ("accepted", "rejected")]
    replies = [
        ((("code", name.split("_")[0]),), v)
        for (g, name), v in sorted(stats.items())
        if g == "sl" and REPLY_STAT.match(name)
    ]
    return [
        ("crossbar_kamailio_up", "gauge", "the Kamailio node this API calls answers RPC", [((), 1)]),
        ("crossbar_kamailio_register_total", "counter", "REGISTERs as Kamailio's registrar counts them", regs),
        ("crossbar_kamailio_replies_total", "counter", "stateless replies Kamailio sent, by code", replies),
    ]


async def exposition(app) -> str:
    """The /metrics text: every worker's counters and gauges, the fleet, Kamailio."""
    measure_local(app)
    with contextlib.suppress(Exception):
        await measure_journal(app)
    fleet, kamailio = await asyncio.gather(_fleet(app), _kamailio(app))
    return app[keys.METRICS].render(fleet + kamailio)


def sharing(app):
    """With several workers: measure and share this process's numbers every second."""

    async def round_():
        measure_local(app)
        await measure_journal(app)
        app[keys.METRICS].share()

    return periodic.every(1.0, round_, "metrics sharing")
