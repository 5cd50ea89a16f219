"""The per-device registration object (seed 000 "Check Device Registration", seed 003's contacts)."""

from crossbar_py.common.sip import parse_uri
from crossbar_py.common.times import iso
from crossbar_py.registrations.state import queries

FLAPPING_PER_HOUR = 6
HINTS = {
    "wrong password": "The phone answers the challenge with the wrong password: check sip.password on the phone.",
    "unknown username": "The phone's username is unknown in this realm: check its SIP username and domain.",
    "username mismatch": "The phone authenticates as a different user than it registers: check its auth name.",
}


def _transport(row: dict) -> str:
    return (row.get("socket") or "udp:").split(":")[0].upper()


def contact(row: dict, registered_at=None) -> dict:
    """One live contact: its usrloc ruid, the Contact, and where the phone really is."""
    real = row["received"] or row["contact"]
    ip, port = parse_uri(real)
    item = {
        "registrationId": row["ruid"],
        "contactAddress": row["contact"],
        "realAddress": f"{ip}:{port}",
        "expiresAt": iso(row["expires"]),
        "userAgent": row["user_agent"],
        "transport": _transport(row),
        "registrar": row.get("socket"),
        "registeredAt": iso(registered_at),
    }
    return {k: v for k, v in item.items() if v is not None}


async def diagnostics(db, device: dict, contacts: list, state: str, sip_server: str) -> dict:
    """Last auth failures, NAT, flapping, and a one-line hint for the usual causes."""
    failures = await db.fetch_all(queries.AUTH_FAILURES, {"device_id": device["id"]})
    per_hour = (await db.fetch_one(queries.REGISTRATIONS_LAST_HOUR, {"device_id": device["id"]}))["n"]
    nat = any(c["received"] and parse_uri(c["received"]) != parse_uri(c["contact"]) for c in contacts)
    hint = None
    if state == "disabled":
        hint = "The device, its owner or its account is disabled: it cannot register."
    elif state == "invalid" and failures:
        hint = HINTS.get(failures[0]["reason"], "The phone fails digest authentication.")
    elif state == "provisioning":
        hint = f"No REGISTER yet: point the phone at {sip_server} with domain {device['sip_realm']}."
    elif per_hour >= FLAPPING_PER_HOUR:
        hint = "The phone re-registers from scratch repeatedly (flapping): check its network and NAT keepalives."
    return {
        "authFailures": [
            {"timestamp": iso(f["ts"]), "source": f["source"], "reason": f["reason"], "userAgent": f["user_agent"]}
            for f in failures
        ],
        "behindNat": nat,
        "registrationsLastHour": per_hour,
        "flapping": per_hour >= FLAPPING_PER_HOUR,
        **({"hint": hint} if hint else {}),
    }
