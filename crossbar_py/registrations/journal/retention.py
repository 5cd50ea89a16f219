"""Journal retention: events older than the configured number of days are deleted, in batches.
Every API process runs the loop; an advisory lock lets one process at a time purge, so workers and nodes
do not delete the same batch side by side."""

import logging

from crossbar_py.platform import periodic
from crossbar_py.registrations.journal import queries

log = logging.getLogger(__name__)
PURGE_EVERY_SECONDS = 600
LOCK = 7212010
PURGE_BATCH_ROWS = 10_000


async def purge(db, days: int) -> int:
    """Delete events older than `days`; how many were deleted."""
    total = 0
    while True:
        deleted = await db.execute(queries.PURGE_BATCH, {"days": days, "batch": PURGE_BATCH_ROWS})
        total += deleted
        if deleted < PURGE_BATCH_ROWS:
            return total


def running(db, days: int):
    """Purge now and every PURGE_EVERY_SECONDS until the app stops."""

    async def round_():
        deleted = await purge(db, days)
        if deleted:
            log.info("journal retention", extra={"deleted": deleted, "days": days})

    return periodic.every(PURGE_EVERY_SECONDS, round_, "journal retention", db, LOCK)
