"""Webhook delivery: the journal is the outbox. Every node runs a worker; each claims due webhooks with
SKIP LOCKED and a lease, POSTs the events after the webhook's cursor in order, logs every attempt, and
moves the cursor (in PostgreSQL) only past an event delivered or given up on: at least once, across
restarts and nodes."""

import asyncio
import contextlib
import functools
import logging
import time
import uuid

import aiohttp

from crossbar_py.platform import periodic
from crossbar_py.registrations.webhooks import guard, payload, queries
from crossbar_py.registrations.webhooks.schema import KIND_EVENTS

log = logging.getLogger(__name__)
BATCH = 50
MAX_BACKOFF_SECONDS = 3600
PURGE_EVERY_SECONDS = 600
PURGE_LOCK = 7212012


class Deliverer:
    """One node's share of the deliveries."""

    def __init__(self, db, session: aiohttp.ClientSession, settings, metrics, stop: asyncio.Event):
        self.db, self.session, self.settings, self.metrics, self.stop = db, session, settings, metrics, stop
        self.lease = int(settings.webhook_timeout * 2) + 10

    async def run_once(self) -> int:
        """Claim the due webhooks that have events waiting and serve them concurrently; how many."""
        horizon = (await self.db.fetch_one(queries.HORIZON))["horizon"]
        token = uuid.uuid4().hex
        params = {"token": token, "lease": self.lease, "horizon": horizon, "limit": self.settings.webhook_concurrency}
        hooks = await self.db.fetch_all(queries.CLAIM, params)
        await asyncio.gather(*(self._serve(hook, horizon, token) for hook in hooks))
        return len(hooks)

    async def _serve(self, hook: dict, horizon: int, token: str) -> None:
        params = {**hook, "horizon": horizon, "limit": BATCH}
        try:
            failures = hook["failures"]
            for row in await self.db.fetch_all(queries.PENDING_EVENTS, params):
                if self.stop.is_set() or not await self._deliver(hook, row, token, failures + 1):
                    break
                failures = 0
        except Exception:  # noqa: BLE001 - the lease runs out and another round retries
            log.exception("webhook delivery failed", extra={"webhook_id": hook["id"]})
        finally:
            with contextlib.suppress(Exception):
                await self.db.execute(queries.RELEASE, {"id": hook["id"], "token": token})

    async def _deliver(self, hook: dict, row: dict, token: str, attempt: int) -> bool:
        """One attempt at one event; True when the cursor moved past it (go on with the next)."""
        status, error, ms = await self._send(hook, row, attempt)
        delivered = status is not None and 200 <= status < 300
        gave_up = not delivered and attempt > hook["retries"]
        result = "success" if delivered else "gave_up" if gave_up else "failure"
        self.metrics.increment("crossbar_webhook_attempts_total", result=result)
        log.info(
            "webhook attempt",
            extra={
                "webhook_id": hook["id"],
                "event_id": row["id"],
                "attempt": attempt,
                "result": result,
                "status_code": status,
                "error": error,
                "ms": ms,
            },
        )
        record = {
            "webhook_id": hook["id"],
            "account_id": hook["account_id"],
            "event_id": row["id"],
            "event": KIND_EVENTS[row["event"]],
            "attempt": attempt,
            "result": result,
            "status_code": status,
            "error": error,
            "duration_ms": ms,
        }
        async with self.db.transaction() as cur:
            await cur.execute(queries.INSERT_ATTEMPT, record)
            if delivered or gave_up:
                await cur.execute(
                    queries.ADVANCE,
                    {"id": hook["id"], "token": token, "txid": row["txid"], "event_id": row["id"], "lease": self.lease},
                )
                moved = await cur.fetchone()
                return bool(moved and moved["active"])
            delay = min(self.settings.webhook_backoff_base * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS)
            await cur.execute(queries.BACK_OFF, {"id": hook["id"], "token": token, "failures": attempt, "delay": delay})
            return False

    async def _send(self, hook: dict, row: dict, attempt: int) -> tuple:
        """(status code or None, error or None, milliseconds) of one HTTP request."""
        raw = payload.body(row, hook["doc"].get("custom_data"))
        headers = payload.headers(hook, row, raw, attempt)
        verb = hook["http_verb"].upper()
        # GET has no body: the same JSON (and signature) rides in ?payload=.
        kw = {"params": {"payload": raw.decode()}} if verb == "GET" else {"data": raw}
        start = time.perf_counter()
        refused = None if self.settings.webhook_allow_private else guard.refused_literal(hook["uri"])
        if refused:
            return None, refused, 0
        try:
            async with self.session.request(verb, hook["uri"], headers=headers, allow_redirects=False, **kw) as resp:
                text = (await resp.content.read(512)).decode(errors="replace")
                error = None if resp.status < 300 else f"HTTP {resp.status}: {text[:200]}".rstrip(": ")
                return resp.status, error, _ms(start)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            return None, f"{exc.__class__.__name__}: {exc}"[:300], _ms(start)


async def _purge_attempts(db, settings) -> None:
    await db.execute(queries.PURGE_ATTEMPTS, {"days": settings.webhook_log_days})


def _ms(start: float) -> int:
    return int((time.perf_counter() - start) * 1000)


async def _loop(deliverer: Deliverer, db, settings, stop: asyncio.Event) -> None:
    last_purge = 0.0
    while not stop.is_set():
        served = 0
        try:
            served = await deliverer.run_once()
            if time.monotonic() - last_purge > PURGE_EVERY_SECONDS:
                last_purge = time.monotonic()
                await periodic.once_across_nodes(db, PURGE_LOCK, functools.partial(_purge_attempts, db, settings))
        except Exception as exc:  # noqa: BLE001 - keep delivering through outages
            log.warning("webhook round failed", extra={"error": str(exc)})
        if not served:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), settings.webhook_poll_interval)


@contextlib.asynccontextmanager
async def running(db, settings, metrics):
    """Deliver until the app stops (stopped between requests, never cancelled mid-query)."""
    if settings.webhook_concurrency <= 0:
        yield
        return
    connector = None if settings.webhook_allow_private else aiohttp.TCPConnector(resolver=guard.PublicOnlyResolver())
    session = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=settings.webhook_timeout))
    try:
        async with periodic.stoppable(
            "webhook delivery",
            lambda stop: _loop(Deliverer(db, session, settings, metrics, stop), db, settings, stop),
            grace=settings.webhook_timeout + 5,
        ):
            yield
    finally:
        await session.close()
