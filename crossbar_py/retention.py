"""Journal retention: events older than the configured number of days are deleted, in batches.
Every API node runs it; the DELETE is idempotent, so several nodes need no coordination."""

import asyncio
import contextlib
import logging

log = logging.getLogger(__name__)
PURGE_EVERY_SECONDS = 600
PURGE_BATCH = """
DELETE FROM registration_events
 WHERE id IN (SELECT id FROM registration_events WHERE ts < now() - make_interval(days => %(days)s)
              ORDER BY id LIMIT 10000)
"""


async def purge(db, days: int) -> int:
    """Delete events older than `days`; how many were deleted."""
    total = 0
    while True:
        deleted = await db.execute(PURGE_BATCH, {"days": days})
        total += deleted
        if deleted < 10000:
            return total


@contextlib.asynccontextmanager
async def running(db, days: int):
    """Purge now and every PURGE_EVERY_SECONDS until the app stops (stopped, never cancelled mid-query)."""
    stop = asyncio.Event()

    async def loop():
        while not stop.is_set():
            try:
                deleted = await purge(db, days)
                if deleted:
                    log.info("journal retention", extra={"deleted": deleted, "days": days})
            except Exception as exc:  # noqa: BLE001 - try again next round
                log.warning("journal retention failed", extra={"error": str(exc)})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), PURGE_EVERY_SECONDS)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait([task], timeout=5)
