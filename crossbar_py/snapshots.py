"""Registration snapshots: once per slot (CROSSBAR_SNAPSHOT_MINUTES), who is registered in each account,
so that analytics can replay the journal from a known state. Every API node runs the loop; a slot is
taken once (ON CONFLICT DO NOTHING), so nodes need no coordination."""

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from crossbar_py.resources.device_registration import queries

log = logging.getLogger(__name__)
CHECK_EVERY_SECONDS = 60
# Analytics looks back up to 30 days, so snapshots are kept a little longer than that at least.
MIN_KEEP_DAYS = 32


def current_slot(minutes: int, now: datetime | None = None) -> datetime:
    """The start of the slot `now` falls in."""
    now = now or datetime.now(UTC)
    step = minutes * 60
    return datetime.fromtimestamp(int(now.timestamp()) // step * step, UTC)


async def take(db, slot: datetime) -> bool:
    """Take the slot's snapshot unless a node already has; True when this call took it."""
    if await db.fetch_one(queries.SNAPSHOT_TAKEN, {"slot": slot}):
        return False
    return await db.execute(queries.TAKE_SNAPSHOT, {"slot": slot}) > 0


@contextlib.asynccontextmanager
async def running(db, minutes: int, keep_days: int):
    """Snapshot now and at every new slot, purge old ones, until the app stops (never cancelled mid-query)."""
    stop = asyncio.Event()

    async def loop():
        while not stop.is_set():
            try:
                slot = current_slot(minutes)
                if await take(db, slot):
                    log.info("registration snapshot taken", extra={"slot": slot.isoformat()})
                    await db.execute(queries.PURGE_SNAPSHOTS, {"days": max(keep_days, MIN_KEEP_DAYS)})
            except Exception as exc:  # noqa: BLE001 - try again next round
                log.warning("registration snapshot failed", extra={"error": str(exc)})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), CHECK_EVERY_SECONDS)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait([task], timeout=5)
