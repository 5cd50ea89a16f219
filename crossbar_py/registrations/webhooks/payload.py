"""What a receiver gets: seed 000's "Webhook Event Example" body, signed with the webhook's secret."""

import hashlib
import hmac
import json
import time

from crossbar_py.common.times import iso
from crossbar_py.registrations.journal import events
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


def event_data(row: dict) -> dict:
    """The `data` object for one journal event (camelCase, as the seed): the moment is named for the status."""
    status, moment = STATUS[row["event"]]
    data = events.view(row)
    data[moment] = data.pop("timestamp")
    if row["event"] != "registered":
        data["expiresAt"] = None
    data["reason"] = data["reason"] or ("flushed" if row["event"] == "flushed" else None)
    return events.compact({"deviceId": data.pop("deviceId"), "status": status, **data})


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
