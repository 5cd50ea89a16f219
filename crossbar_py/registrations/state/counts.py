"""Registration statuses of a whole account from the stored statuses (sql/091, docs/decisions.md §29).

The triggers keep each device's status as of its last write; two parts depend on the clock and are
corrected here: `new` becomes provisioning or unregistered by the device's age, and a device whose
contacts expired before Kamailio's timer removed them ("unswept") counts with the status it has now.
"""

import asyncio
from collections import Counter

from crossbar_py.platform.db import sql
from crossbar_py.registrations.state import queries

# A status asked for, and the stored statuses (with the age test for `new`) it is read from.
STORED_SOURCES: dict[str, list[tuple[str, str | None]]] = {
    "registered": [("registered", None)],
    "unregistered": [("unregistered", None), ("new", "old")],
    "provisioning": [("new", "recent")],
    "expired": [("expired", None)],
    "invalid": [("invalid", None)],
    "offline": [("offline", None)],
    "disabled": [("disabled", None)],
}


def _apply(rows: list, unswept: list) -> Counter:
    counts: Counter = Counter()
    for row in rows:
        kind = row["device_type"]
        if row["status"] == "new":
            counts[("provisioning", kind)] += row["recent"]
            counts[("unregistered", kind)] += row["n"] - row["recent"]
        else:
            counts[(row["status"], kind)] += row["n"]
    for row in unswept:
        counts[("registered", row["device_type"])] -= 1
        counts[(row["status"], row["device_type"])] += 1
    return +counts


async def unswept(db, account_id: str) -> list:
    """The account's unswept devices (id, type, name, status)."""
    return await db.fetch_all(queries.EXPIRED_UNSWEPT, {"account_id": account_id})


async def account(db, account_id: str) -> tuple[Counter, list]:
    """{(status, device_type): devices} as of now, and the unswept devices."""
    rows, moved = await asyncio.gather(
        db.fetch_all(queries.STORED_COUNTS, {"account_id": account_id}), unswept(db, account_id)
    )
    return _apply(rows, moved), moved


async def fleet(db) -> Counter:
    """{(status, device_type): devices} over every account (for /metrics)."""
    rows, unswept = await asyncio.gather(
        db.fetch_all(queries.FLEET_STORED_COUNTS), db.fetch_all(queries.FLEET_EXPIRED_UNSWEPT)
    )
    return _apply(rows, unswept)


def page_query(status: str, unswept: list, filters: sql.Composable, keep) -> tuple[sql.Composed, list]:
    """The page of one status in id order: a part per stored source, merged with the unswept devices
    that now have it (`keep(row)` applies ?type and ?device_id to those); returns the query and their ids."""
    parts: list[sql.Composable] = [
        queries.PAGE_PART.format(stored=sql.Literal(stored), age=queries.AGE[age], filters=filters)
        for stored, age in STORED_SOURCES[status]
    ]
    extra = [row["device_id"] for row in unswept if row["status"] == status and keep(row)]
    parts.append(queries.PAGE_EXTRA)
    return queries.BULK_PAGE.format(parts=sql.SQL(" UNION ALL ").join(parts)), extra
