"""The device document schema (Kazoo 4.3 devices.json; unknown keys are kept)."""

_STR = {"type": "string"}
_BOOL = {"type": "boolean"}

SIP = {
    "type": "object",
    "default": {},
    "properties": {
        "username": {"type": "string", "minLength": 2, "maxLength": 32},
        "password": {"type": "string", "minLength": 5, "maxLength": 32},
        "method": {"type": "string", "enum": ["password", "ip"], "default": "password"},
        "invite_format": {
            "type": "string",
            "default": "contact",
            "enum": ["username", "npan", "1npan", "e164", "route", "contact"],
        },
        "expire_seconds": {"type": "integer", "default": 300},
        "ip": _STR,
        "realm": {"type": "string", "minLength": 4, "maxLength": 253, "pattern": r"^[.\w_-]+$"},
        "number": _STR,
        "route": _STR,
        "static_route": _STR,
        "ignore_completed_elsewhere": _BOOL,
        "custom_sip_headers": {"type": "object"},
    },
}

DEVICE = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 128},
        "enabled": {"type": "boolean", "default": True},
        "device_type": _STR,
        "owner_id": {"type": "string", "minLength": 32, "maxLength": 32},
        "mac_address": _STR,
        "language": _STR,
        "timezone": _STR,
        "presence_id": _STR,
        "flags": {"type": "array", "items": _STR},
        "exclude_from_queues": {"type": "boolean", "default": False},
        "mwi_unsolicited_updates": {"type": "boolean", "default": True},
        "register_overwrite_notify": {"type": "boolean", "default": False},
        "suppress_unregister_notifications": {"type": "boolean", "default": False},
        "call_restriction": {"type": "object", "default": {}},
        "contact_list": {"type": "object", "default": {}, "properties": {"exclude": _BOOL}},
        "music_on_hold": {
            "type": "object",
            "default": {},
            "properties": {"media_id": {"type": "string", "maxLength": 2048}},
        },
        "ringtones": {
            "type": "object",
            "default": {},
            "properties": {
                "internal": {"type": "string", "maxLength": 256},
                "external": {"type": "string", "maxLength": 256},
            },
        },
        "sip": SIP,
    },
}

SUMMARY_OPTIONAL = ("mobile", "call_recording")

# devices_notify.json: the NOTIFY action's payload.
DEVICES_NOTIFY = {
    "type": "object",
    "required": ["event"],
    "properties": {
        "event": {"type": "string", "minLength": 1},
        "body": {
            "type": "object",
            "required": ["content_type", "data"],
            "properties": {"content_type": {"type": "string"}, "data": {"type": "string"}},
        },
    },
}
