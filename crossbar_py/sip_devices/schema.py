"""Seed 001's SIP-device object (camelCase) and where each field lives in a Kazoo device document."""

from crossbar_py.common.sip import parse_uri
from crossbar_py.common.times import iso

# Twelve hex digits, bare or in pairs separated by ':' or '-' (the forms phones print on their labels).
MAC_PATTERN = r"^[0-9A-Fa-f]{2}([:-]?[0-9A-Fa-f]{2}){5}$"
_NULLABLE = {"type": ["string", "null"], "maxLength": 128}

# The seed's fields, as strict as devices.json is for the Kazoo field each one lands in.
SIP_DEVICE = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 128},
        "model": _NULLABLE,
        "manufacturer": _NULLABLE,
        "macAddress": {"type": ["string", "null"], "pattern": MAC_PATTERN},
        "sipUsername": {"type": "string", "minLength": 2, "maxLength": 32},
        "sipPassword": {"type": "string", "minLength": 5, "maxLength": 32},
        "displayName": {"type": ["string", "null"], "maxLength": 35},
        "assignedUser": {"type": ["string", "null"]},
        "status": {"type": "string", "enum": ["active", "inactive"]},
    },
}
SIP_DEVICE_CREATE = {**SIP_DEVICE, "required": ["name", "sipUsername"]}

# camelCase field → its path in the Kazoo device document (status is `enabled`, below).
PATHS = {
    "name": ("name",),
    "model": ("provision", "endpoint_model"),
    "manufacturer": ("provision", "endpoint_brand"),
    "macAddress": ("mac_address",),
    "sipUsername": ("sip", "username"),
    "sipPassword": ("sip", "password"),
    "displayName": ("caller_id", "internal", "name"),
    "assignedUser": ("owner_id",),
}
FIELD_OF_PATH = {".".join(path): name for name, path in PATHS.items()} | {"enabled": "status"}


def to_document(fields: dict) -> dict:
    """The Kazoo (partial) document for validated seed fields; a null stays null (PATCH deletes it)."""
    doc = {}
    for name, value in fields.items():
        if name == "status":
            doc["enabled"] = value == "active"
        elif name in PATHS:
            *parents, leaf = PATHS[name]
            node = doc
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = value
    return doc


def _mac(bare: str | None) -> str | None:
    if bare and len(bare) == 12:
        return ":".join(bare[i : i + 2] for i in range(0, 12, 2))
    return bare or None


def _registration(state: dict | None) -> dict:
    if state is None:
        return {}
    real = state["received"] or state["contact"]
    return {
        "registrationStatus": state["status"],
        "ipAddress": parse_uri(real)[0] if real else None,
        "lastRegistration": iso(state["last_modified"]),
    }


def sip_device(row: dict, account: dict, state: dict | None = None) -> dict:
    """Seed 001's object for a device row; registration fields from its device_registration_state row."""
    doc = row["doc"]
    item = {
        "id": row["id"],
        "accountId": row["account_id"],
        "type": "sip" if doc.get("device_type", "sip_device") == "sip_device" else doc["device_type"],
        "name": doc["name"],
        "model": doc.get("provision", {}).get("endpoint_model"),
        "manufacturer": doc.get("provision", {}).get("endpoint_brand"),
        "macAddress": _mac(doc.get("mac_address")),
        "sipUsername": doc.get("sip", {}).get("username"),
        "sipDomain": doc.get("sip", {}).get("realm") or account["realm"],
        "displayName": doc.get("caller_id", {}).get("internal", {}).get("name"),
        "assignedUser": doc.get("owner_id"),
        "status": "active" if doc.get("enabled", True) else "inactive",
        **_registration(state),
        "createdAt": iso(row["created"]),
        "updatedAt": iso(row["modified"]),
    }
    return {k: v for k, v in item.items() if v is not None}
