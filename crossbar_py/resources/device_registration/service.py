"""A device's registration state, from live contacts and the journal (registrations-plus.md)."""

from datetime import UTC, datetime, timedelta

from crossbar_py.errors import field_error
from crossbar_py.resources.device_registration import queries, view
from crossbar_py.resources.registrations.service import parse_uri

PROVISIONING_WINDOW = timedelta(hours=24)
STATUS_BY_LAST_EVENT = {
    "auth_failed": "invalid",
    "expired": "expired",
    "offline": "offline",
    "unregistered": "unregistered",
    "flushed": "unregistered",
    "registered": "expired",
    "refreshed": "expired",
    "replaced": "expired",
}


async def _disabled(db, device: dict, account: dict) -> bool:
    if not (device["enabled"] and account["enabled"]):
        return True
    if device["owner_id"]:
        owner = await db.fetch_one(queries.OWNER_ENABLED, {"owner_id": device["owner_id"]})
        return owner is not None and not owner["ok"]
    return False


async def status(db, device: dict, account: dict) -> str:
    """One of: disabled, registered, invalid, expired, offline, unregistered, provisioning."""
    if await _disabled(db, device, account):
        return "disabled"
    if device["sip_username"]:
        live = await db.fetch_one(
            queries.LIVE_CONTACTS, {"username": device["sip_username"], "realm": device["sip_realm"]}
        )
        if live["n"]:
            return "registered"
    last = await db.fetch_one(queries.LAST_EVENT, {"device_id": device["id"]})
    if last is not None:
        return STATUS_BY_LAST_EVENT[last["event"]]
    if datetime.now(UTC) - device["created"] < PROVISIONING_WINDOW:
        return "provisioning"
    return "unregistered"


def parse_lines(raw: str | None) -> int:
    """?lines=N: 1..1000, default 50."""
    if raw is None:
        return 50
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        raise field_error(
            "lines",
            "minimum" if raw.lstrip("-").isdigit() else "type",
            "lines must be an integer from 1 to 1000",
            value=raw,
            target=[1, 1000],
        )
    return int(raw)


def _iso(ts) -> str | None:
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if ts else None


async def logs(db, device_id: str, lines: int) -> list:
    """The device's journal, newest first."""
    out = []
    for row in await db.fetch_all(queries.DEVICE_LOGS, {"device_id": device_id, "lines": lines}):
        ip, port = parse_uri(row["source"]) if row["source"] and row["source"].startswith("sip") else (None, None)
        if ip is None and row["source"] and ":" in row["source"]:
            ip, _, port = row["source"].rpartition(":")
            port = int(port) if port.isdigit() else None
        entry = {
            "timestamp": _iso(row["ts"]),
            "event": row["event"],
            "contact": row["contact"],
            "ipAddress": ip,
            "port": port,
            "userAgent": row["user_agent"],
            "expires": _iso(row["expires_at"]),
            "reason": row["reason"],
            "requestId": row["request_id"],
        }
        out.append({k: v for k, v in entry.items() if v is not None})
    return out


def now_iso() -> str:
    """Now, ISO-8601 UTC."""
    return view.iso(datetime.now(UTC))


async def registration(db, device: dict, account: dict, sip_server: str) -> dict:
    """Seed 000's registration object, plus contacts, lastRegistration and diagnostics."""
    state = await status(db, device, account)
    rows = []
    if device["sip_username"]:
        rows = await db.fetch_all(
            queries.DEVICE_CONTACTS, {"username": device["sip_username"], "realm": device["sip_realm"]}
        )
    first = {}
    if rows:
        found = await db.fetch_all(
            queries.FIRST_REGISTERED, {"device_id": device["id"], "ruids": [r["ruid"] for r in rows]}
        )
        first = {f["ruid"]: f["ts"] for f in found}
    data = {
        "deviceId": device["id"],
        "status": state,
        "contacts": [view.contact(r, first.get(r["ruid"])) for r in rows],
        "diagnostics": await view.diagnostics(db, device, rows, state, sip_server),
    }
    if rows:
        latest = rows[0]
        ip, port = parse_uri(latest["received"] or latest["contact"])
        data.update(
            registeredAt=view.iso(first.get(latest["ruid"])),
            expiresAt=view.iso(latest["expires"]),
            registrationExpiry=int((latest["expires"] - latest["last_modified"]).total_seconds()),
            ipAddress=ip,
            port=port,
            transportProtocol=(latest["socket"] or "udp").split(":")[0].upper(),
            userAgent=latest["user_agent"],
            contactUri=latest["contact"],
            lastActivity=view.iso(latest["last_modified"]),
        )
    else:
        last = await db.fetch_one(queries.LAST_REGISTRATION, {"device_id": device["id"]})
        if last is not None:
            data["lastRegistration"] = {
                "registrationId": last["ruid"],
                "contactAddress": last["contact"],
                "realAddress": last["source"],
                "userAgent": last["user_agent"],
                "at": view.iso(last["ts"]),
                "expiresAt": view.iso(last["expires_at"]),
            }
    return {k: v for k, v in data.items() if v is not None}


async def flush_device(db, device: dict) -> list:
    """Delete every contact of the device in one transaction (journaled as flushed)."""
    if not device["sip_username"]:
        return []
    async with db.transaction() as cur:
        await cur.execute(queries.FLUSH_DEVICE, {"username": device["sip_username"], "realm": device["sip_realm"]})
        return [view.contact(r) for r in await cur.fetchall()]
