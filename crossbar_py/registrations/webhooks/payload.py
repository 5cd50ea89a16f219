"""What a receiver gets: seed 000's "Webhook Event Example" body, signed with the webhook's secret."""

import hashlib
import hmac
import json
import time

from crossbar_py.registrations.contacts.service import parse_uri
from crossbar_py.registrations.state.view import iso
from crossbar_py.registrations.webhooks.schema import KIND_EVENTS

# The seed's status for each journal event, and the name of the moment it happened.
STATUS = {
    "registered": ("registered", "registeredAt"),
    "unregistered": ("unregistered", "unregisteredAt"),
    "flushed": ("unregistered", "unregisteredAt"),
    "expired": ("expired", "expiredAt"),
    "offline": ("offline", "offlineAt"),
    "auth_failed": ("invalid", "failedAt"),
}


def address(row: dict) -> tuple:
    """(ip, port) the event came from: Kamailio's source address, else the Contact."""
    source = row["received"] or row["contact"] or row["source"]
    if not source:
        return None, None
    if source.startswith("sip"):
        return parse_uri(source)
    ip, _, port = source.rpartition(":")
    return (ip, int(port)) if port.isdigit() else (source, None)


def event_data(row: dict) -> dict:
    """The `data` object for one journal event (camelCase, as the seed)."""
    status, moment = STATUS[row["event"]]
    ip, port = address(row)
    data = {
        "deviceId": row["device_id"],
        "status": status,
        "ipAddress": ip,
        "port": port,
        moment: iso(row["ts"]),
        "sipUsername": row["username"],
        "realm": row["domain"],
        "registrationId": row["ruid"],
        "contactUri": row["contact"],
        "userAgent": row["user_agent"],
        "expiresAt": iso(row["expires_at"]) if row["event"] == "registered" else None,
        "reason": row["reason"] or ("flushed" if row["event"] == "flushed" else None),
        "requestId": row["request_id"],
    }
    return {k: v for k, v in data.items() if v is not None}


def body(row: dict, custom_data: dict | None = None) -> bytes:
    """The delivered JSON: event, eventId (the journal id, for de-duplication), timestamp, data."""
    payload = {
        "event": KIND_EVENTS[row["event"]],
        "eventId": row["id"],
        "timestamp": iso(row["ts"]),
        "accountId": row["account_id"],
        "data": event_data(row),
    }
    if custom_data:
        payload["custom_data"] = custom_data
    return json.dumps(payload, separators=(",", ":")).encode()


def signature(secret: str, raw: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of the body>`."""
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def headers(webhook: dict, row: dict, raw: bytes, attempt: int) -> dict:
    """Signature, event id, timestamp and attempt number of one delivery."""
    return {
        "Content-Type": "application/json",
        "User-Agent": "crossbar_py-webhooks",
        "X-Crossbar-Signature": signature(webhook["secret"], raw),
        "X-Crossbar-Event": KIND_EVENTS[row["event"]],
        "X-Crossbar-Event-Id": str(row["id"]),
        "X-Crossbar-Webhook-Id": webhook["id"],
        "X-Crossbar-Timestamp": str(int(time.time())),
        "X-Crossbar-Attempt": str(attempt),
    }
