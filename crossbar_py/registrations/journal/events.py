"""One journal event as every reader shows it (logs, the live stream, webhooks): camelCase, as the
monitoring routes document (docs/monitoring.md)."""

from crossbar_py.common.sip import parse_uri
from crossbar_py.common.times import iso
from crossbar_py.http import inputs


def address(row: dict) -> tuple:
    """(ip, port) the event came from: Kamailio's source address, else the Contact."""
    source = row.get("received") or row.get("contact") or row.get("source")
    if not source:
        return None, None
    if source.startswith("sip"):
        return parse_uri(source)
    ip, _, port = source.rpartition(":")
    return (ip, inputs.ascii_int(port)) if inputs.ascii_int(port) is not None else (source, None)


def compact(data: dict) -> dict:
    """The object without its unknown (None) fields: never invented, never null."""
    return {k: v for k, v in data.items() if v is not None}


def view(row: dict) -> dict:
    """The fields every reader shares, None where the event does not know them."""
    ip, port = address(row)
    return {
        "timestamp": iso(row["ts"]),
        "deviceId": row.get("device_id"),
        "sipUsername": row.get("username"),
        "realm": row.get("domain"),
        "registrationId": row.get("ruid"),
        "contactUri": row["contact"],
        "ipAddress": ip,
        "port": port,
        "userAgent": row["user_agent"],
        "expiresAt": iso(row["expires_at"]),
        "reason": row["reason"],
        "requestId": row["request_id"],
    }
