"""Registration snapshots: once per slot (CROSSBAR_SNAPSHOT_MINUTES), who is registered in each account,
so that analytics can replay the journal from a known state. Every API process runs the loop; a round
runs in one process at a time (an advisory lock) and a slot is taken once (ON CONFLICT DO NOTHING)."""

import logging
from datetime import UTC, datetime

from crossbar_py.platform import periodic
from crossbar_py.registrations.journal import queries
from crossbar_py.registrations.state import monitoring

log = logging.getLogger(__name__)
CHECK_EVERY_SECONDS = 60
LOCK = 7212011
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
    if not await db.execute(queries.TAKE_SNAPSHOT, {"slot": slot}):
        return False
    for row in await db.fetch_all(queries.SNAPSHOT_PREVIOUS, {"slot": slot}):
        if row["since"] is not None:
            await _record_interval(db, row["account_id"], slot, row["since"], row["taken_at"])
    return True


async def _record_interval(db, account_id: str, slot: datetime, since: datetime, taken_at: datetime) -> None:
    """Replay the journal since the previous snapshot and keep its sum, peak and lowest on this one."""
    agg = await monitoring.replay(db, account_id, since, taken_at, 1)
    await db.execute(
        queries.SNAPSHOT_INTERVAL,
        {
            "account_id": account_id,
            "slot": slot,
            "since": since,
            "device_seconds": agg["device_seconds"] or 0,
            "peak": agg["peak"],
            "lowest": agg["lowest"],
        },
    )


def running(db, minutes: int, keep_days: int):
    """Snapshot now and at every new slot, and purge old ones, until the app stops."""

    async def round_():
        slot = current_slot(minutes)
        if await take(db, slot):
            log.info("registration snapshot taken", extra={"slot": slot.isoformat()})
            await db.execute(queries.PURGE_SNAPSHOTS, {"days": max(keep_days, MIN_KEEP_DAYS)})

    return periodic.every(CHECK_EVERY_SECONDS, round_, "registration snapshot", db, LOCK)
