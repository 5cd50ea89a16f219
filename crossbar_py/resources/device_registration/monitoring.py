"""Account-wide views of registration: the dashboard with alerts and the analytics (seed 000)."""

from datetime import UTC, datetime, timedelta

from marshmallow import Schema

from crossbar_py import query
from crossbar_py.resources.device_registration import queries, view

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
    rows = await db.fetch_all(queries.DASHBOARD_COUNTS, {"account_id": account_id})
    trouble = await db.fetch_all(
        queries.DASHBOARD_TROUBLE,
        {"account_id": account_id, "flapping": view.FLAPPING_PER_HOUR, "auth_failures": AUTH_FAILURES_PER_HOUR},
    )
    summary, by_type, by_status, offline = _empty(), {}, {}, []
    for row in rows:
        bucket = SUMMARY_BUCKET[row["status"]]
        kind = by_type.setdefault(_type_key(row["device_type"]), _empty())
        for counts in (summary, kind):
            counts["total"] += row["n"]
            counts[bucket] += row["n"]
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
        offline += row["offline"] or []
    alerts = _alerts(offline, trouble)
    return {
        "timestamp": view.iso(datetime.now(UTC)),
        "summary": summary,
        "byStatus": by_status,
        "byType": by_type,
        "alerts": alerts[:MAX_ALERTS],
        "alertsTotal": len(alerts),
    }


# period: (seconds, seconds per series point)
PERIODS = {"1h": (3600, 300), "24h": (86400, 3600), "7d": (7 * 86400, 6 * 3600), "30d": (30 * 86400, 86400)}


class AnalyticsQuery(Schema):
    """?period=1h|24h|7d|30d (default 24h)."""

    period = query.one_of(list(PERIODS))


async def analytics(db, account_id: str, raw_query) -> dict:
    """Registered devices over the period, exact from the journal: series, average uptime, peak and lowest."""
    period = query.load(AnalyticsQuery(), raw_query).get("period", "24h")
    seconds, bucket = PERIODS[period]
    row = await db.fetch_one(queries.ANALYTICS, {"account_id": account_id, "seconds": seconds, "bucket": bucket})
    devices = row["devices"]
    data = [
        {
            "timestamp": view.iso(datetime.fromisoformat(point["at"])),
            "registered": point["registered"],
            "unregistered": max(devices - point["registered"] - point["offline"], 0),
            "offline": point["offline"],
        }
        for point in row["series"]
    ]
    uptime = float(row["device_seconds"] or 0) / (devices * seconds) * 100 if devices else 0.0
    return {
        "period": period,
        "from": view.iso(row["t1"] - timedelta(seconds=seconds)),
        "to": view.iso(row["t1"]),
        "devices": devices,
        "data": data,
        "averageUptime": round(uptime, 2),
        "peakRegistrations": row["peak"],
        "lowestRegistrations": row["lowest"],
    }
