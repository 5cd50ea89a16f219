"""Account-wide views of registration: the dashboard with alerts and the analytics (seed 000)."""

import asyncio
from datetime import UTC, datetime, timedelta

from marshmallow import Schema

from crossbar_py.common.times import iso
from crossbar_py.http import querystring as query
from crossbar_py.registrations.state import counts, queries, view

MAX_ALERTS = 100
AUTH_FAILURES_PER_HOUR = 3
SEVERITY_ORDER = {"critical": 0, "warning": 1}
# The seed's summary buckets: expired and invalid phones are not registered, so they count as unregistered.
SUMMARY_BUCKET = {
    "registered": "registered",
    "unregistered": "unregistered",
    "expired": "unregistered",
    "invalid": "unregistered",
    "offline": "offline",
    "provisioning": "provisioning",
    "disabled": "disabled",
}


def _type_key(device_type: str) -> str:
    return "sip" if device_type == "sip_device" else device_type


def _empty() -> dict:
    return {"total": 0, "registered": 0, "unregistered": 0, "offline": 0, "provisioning": 0, "disabled": 0}


def _alerts(offline: list, trouble: list) -> list:
    alerts = [
        {"severity": "warning", "type": "offline", "message": f"Device offline: {d['name']}", "deviceId": d["id"]}
        for d in offline
    ]
    for row in trouble:
        if row["auth_failures"] >= AUTH_FAILURES_PER_HOUR:
            alerts.append(
                {
                    "severity": "critical",
                    "type": "auth_failures",
                    "message": f"Repeated auth failures: {row['name']}: {row['auth_failures']} in the last hour, "
                    f"last from {row['last_source']}",
                    "deviceId": row["device_id"],
                }
            )
        if row["registrations"] >= view.FLAPPING_PER_HOUR:
            alerts.append(
                {
                    "severity": "warning",
                    "type": "flapping",
                    "message": f"Device flapping: {row['name']} registered {row['registrations']} times "
                    "in the last hour",
                    "deviceId": row["device_id"],
                }
            )
    return sorted(alerts, key=lambda a: (SEVERITY_ORDER[a["severity"]], a["type"], a["deviceId"]))


async def dashboard(db, account_id: str) -> dict:
    """Counts by status and by type, and alerts from the rules (offline, flapping, repeated auth failures)."""
    (tally, unswept), offline, trouble = await asyncio.gather(
        counts.account(db, account_id),
        db.fetch_all(queries.OFFLINE_NAMED, {"account_id": account_id, "limit": MAX_ALERTS}),
        db.fetch_all(
            queries.DASHBOARD_TROUBLE,
            {"account_id": account_id, "flapping": view.FLAPPING_PER_HOUR, "auth_failures": AUTH_FAILURES_PER_HOUR},
        ),
    )
    summary = _empty()
    by_type: dict = {}
    by_status: dict = {}
    for (state, device_type), n in sorted(tally.items()):
        bucket = SUMMARY_BUCKET[state]
        kind = by_type.setdefault(_type_key(device_type), _empty())
        for totals in (summary, kind):
            totals["total"] += n
            totals[bucket] += n
        by_status[state] = by_status.get(state, 0) + n
    # Offline alerts sort last, by id: the first MAX_ALERTS of them are all a page can show.
    named = [{"id": r["device_id"], "name": r["name"]} for r in offline]
    named += [{"id": r["device_id"], "name": r["name"]} for r in unswept if r["status"] == "offline"]
    named = sorted(named, key=lambda d: d["id"])[:MAX_ALERTS]
    alerts = _alerts(named, trouble)
    return {
        "timestamp": iso(datetime.now(UTC)),
        "summary": summary,
        "byStatus": by_status,
        "byType": by_type,
        "alerts": alerts[:MAX_ALERTS],
        "alertsTotal": len(alerts) - len(named) + by_status.get("offline", 0),
    }


# period: (seconds, series points). An hour is replayed whole from the journal (series exact to the
# second); longer periods add up the snapshots' interval aggregates and replay only the partial hours at
# either end (sum, peak and lowest still exact; series points as the snapshots saw them, the last one now).
PERIODS = {"1h": (3600, 12), "24h": (86400, 24), "7d": (7 * 86400, 28), "30d": (30 * 86400, 30)}
REPLAY_WHOLE_MAX = 3600


class AnalyticsQuery(Schema):
    """?period=1h|24h|7d|30d (default 24h)."""

    period = query.one_of(list(PERIODS))


async def replay(db, account_id: str, t0: datetime, t1: datetime, points: int, checkpoint: bool = True) -> dict:
    """Registered devices over [t0, t1] replayed from the journal: device-seconds, peak, lowest, series
    (and the changes and device states a snapshot interval or a checkpoint keeps)."""
    params = {"account_id": account_id, "t0": t0, "t1": t1, "points": points, "checkpoint": checkpoint}
    return await db.fetch_one(queries.REPLAY, params)


async def _none() -> None:
    return None


async def _composed(db, account_id: str, t0: datetime, t1: datetime, points: int) -> dict | None:
    """The same answer from snapshot intervals plus the two ends; None when the intervals leave a gap."""
    span = await db.fetch_one(queries.SNAPSHOT_SPAN, {"account_id": account_id, "t0": t0, "t1": t1})
    first, last = span["first"], span["last"]
    if first is None or abs(float(span["covered"]) - (last - first).total_seconds()) > 1:
        return None
    parts = [{"device_seconds": span["device_seconds"], "peak": span["peak"], "lowest": span["lowest"]}]
    # The two ends side by side on two connections: each replay reads a whole snapshot (bench/monitoring).
    head, tail = await asyncio.gather(
        replay(db, account_id, t0, first, 1) if first > t0 else _none(),
        replay(db, account_id, last, t1, 1) if t1 > last else _none(),
    )
    parts += [p for p in (head, tail) if p is not None]
    step = (t1 - t0) / points
    at = [t0 + step * k for k in range(1, points + 1)]
    rows = await db.fetch_all(queries.SNAPSHOT_SERIES, {"account_id": account_id, "points": at})
    series = [{"at": r["at"], "registered": r["registered"] or 0, "offline": r["offline"] or 0} for r in rows]
    if tail is not None:  # the last point is now: the tail's replay knows it exactly
        series[-1].update(tail["series"][-1], at=t1)
    return {
        "device_seconds": sum(float(p["device_seconds"] or 0) for p in parts),
        "peak": max(p["peak"] for p in parts),
        "lowest": min(p["lowest"] for p in parts),
        "series": series,
    }


def _point_time(at) -> str | None:
    return iso(datetime.fromisoformat(at) if isinstance(at, str) else at)


async def _figures(db, account_id: str, t0: datetime, t1: datetime, points: int) -> dict:
    """A long period from the snapshots' intervals and the two ends; an hour (or a gap) replayed whole."""
    row = None
    if (t1 - t0).total_seconds() > REPLAY_WHOLE_MAX:
        row = await _composed(db, account_id, t0, t1, points)
    return row or await replay(db, account_id, t0, t1, points)


async def analytics(db, account_id: str, raw_query) -> dict:
    """Registered devices over the period, exact from the journal: series, average uptime, peak and lowest."""
    period = query.load(AnalyticsQuery(), raw_query).get("period", "24h")
    seconds, points = PERIODS[period]
    t1 = (await db.fetch_one(queries.DB_NOW))["now"]
    t0 = t1 - timedelta(seconds=seconds)
    # The device count on a connection of its own, beside the replay (it reads a row per device).
    row, count = await asyncio.gather(
        _figures(db, account_id, t0, t1, points), db.fetch_one(queries.ACCOUNT_DEVICES, {"account_id": account_id})
    )
    devices = count["n"]
    data = [
        {
            "timestamp": _point_time(point["at"]),
            "registered": point["registered"],
            "unregistered": max(devices - point["registered"] - point["offline"], 0),
            "offline": point["offline"],
        }
        for point in row["series"]
    ]
    uptime = float(row["device_seconds"] or 0) / (devices * seconds) * 100 if devices else 0.0
    return {
        "period": period,
        "from": iso(t0),
        "to": iso(t1),
        "devices": devices,
        "data": data,
        "averageUptime": round(uptime, 2),
        "peakRegistrations": row["peak"],
        "lowestRegistrations": row["lowest"],
    }
