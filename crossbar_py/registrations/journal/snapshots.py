"""Registration snapshots: once per slot (CROSSBAR_SNAPSHOT_MINUTES), who is registered in each account,
so that analytics can replay the journal from a known state. Every API process runs the loop; a round
runs in one process at a time (an advisory lock) and a slot is taken once (ON CONFLICT DO NOTHING)."""

import logging
from datetime import UTC, datetime, timedelta

from crossbar_py.platform import periodic
from crossbar_py.registrations.journal import queries
from crossbar_py.registrations.state import monitoring

log = logging.getLogger(__name__)
CHECK_EVERY_SECONDS = 60
LOCK = 7212011
# Analytics looks back up to 30 days, so snapshots are kept a little longer than that at least.
MIN_KEEP_DAYS = 32
# An interval is recorded once Kamailio's timer has swept the contacts that expired in it (UL_TIMER, 60 s;
# a sweep journals an expiry at its expiry time, inside the closed interval), five sweeps after it closed.
RECORD_AFTER_SECONDS = 300
# Intervals recorded per round, newest first, so that a backlog (snapshots kept before sql/092) is caught
# up gradually behind the intervals that close.
RECORD_PER_ROUND = 20
# Checkpoints are refreshed for the accounts with 500 events in this window (a quiet account's stays valid).
CHECKPOINT_WINDOW_SECONDS = 15 * 60
# A checkpoint replays the journal since the account's newest recorded snapshot; when that is older than
# this (the loop stopped a while), none is kept: a replay that long belongs to the requests that ask.
CHECKPOINT_MAX_SPAN = timedelta(hours=3)


def current_slot(minutes: int, now: datetime | None = None) -> datetime:
    """The start of the slot `now` falls in."""
    now = now or datetime.now(UTC)
    step = minutes * 60
    return datetime.fromtimestamp(int(now.timestamp()) // step * step, UTC)


async def take(db, slot: datetime) -> bool:
    """Take the slot's snapshot unless a node already has; True when this call took it."""
    if await db.fetch_one(queries.SNAPSHOT_TAKEN, {"slot": slot}):
        return False
    return bool(await db.execute(queries.TAKE_SNAPSHOT, {"slot": slot}))


async def record_intervals(db, grace: float = RECORD_AFTER_SECONDS, limit: int = RECORD_PER_ROUND) -> int:
    """Record the intervals that closed at least `grace` seconds ago and are not recorded yet; how many."""
    rows = await db.fetch_all(queries.SNAPSHOTS_UNRECORDED, {"grace": grace, "limit": limit})
    for row in rows:
        await _record_interval(db, row["account_id"], row["slot"], row["since"], row["taken_at"])
    return len(rows)


async def _record_interval(db, account_id: str, slot: datetime, since: datetime, taken_at: datetime) -> None:
    """Replay the journal since the previous snapshot; keep its sum, peak, lowest and changes on this one."""
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
            "changes_at": agg["changes_at"],
            "changes_reg": agg["changes_reg"],
            "changes_off": agg["changes_off"],
        },
    )


async def checkpoint(
    db, grace: float = RECORD_AFTER_SECONDS, window: float = CHECKPOINT_WINDOW_SECONDS, min_events: int = 500
) -> int:
    """Each busy account: its changes and device states from its snapshot up to `grace` seconds ago, kept
    so that analytics replays only the journal after that; how many accounts."""
    rows = await db.fetch_all(queries.CHECKPOINT_DUE, {"window": window, "min_events": min_events})
    upto = (await db.fetch_one(queries.CHECKPOINT_UPTO, {"grace": grace}))["upto"]
    done = 0
    for row in rows:
        if row["since"] is None or not upto - CHECKPOINT_MAX_SPAN <= row["since"] < upto:
            continue
        state = await monitoring.replay(db, row["account_id"], row["since"], upto, 1, checkpoint=False)
        await db.execute(
            queries.SAVE_CHECKPOINT, {**state, "account_id": row["account_id"], "since": row["since"], "upto": upto}
        )
        done += 1
    return done


def running(db, minutes: int, keep_days: int):
    """Snapshot now and at every new slot, purge old ones, record closed intervals and keep the busy
    accounts' checkpoints, until the app stops."""

    async def round_():
        slot = current_slot(minutes)
        if await take(db, slot):
            log.info("registration snapshot taken", extra={"slot": slot.isoformat()})
            for purge in (queries.PURGE_SNAPSHOTS, queries.PURGE_CHECKPOINTS):
                await db.execute(purge, {"days": max(keep_days, MIN_KEEP_DAYS)})
        recorded = await record_intervals(db)
        if recorded:
            log.info("registration intervals recorded", extra={"intervals": recorded})
        await checkpoint(db)

    return periodic.every(CHECK_EVERY_SECONDS, round_, "registration snapshot", db, LOCK)
