"""The device document schema (Kazoo 4.3 devices.json; unknown keys are kept)."""

_STR = {"type": "string"}
# A SIP event package (RFC 6665 token, with Kazoo's ";reboot=true" style parameters): a header value.
_EVENT = {"type": "string", "pattern": r"^[A-Za-z0-9!%*_+`'~.=;-]*$"}
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

AUDIO_CODECS = [
    "OPUS",
    "CELT@32000h",
    "G7221@32000h",
    "G7221@16000h",
    "G722",
    "speex@32000h",
    "speex@16000h",
    "PCMU",
    "PCMA",
    "G729",
    "GSM",
    "CELT@48000h",
    "CELT@64000h",
    "G722_16",
    "G722_32",
    "CELT_48",
    "CELT_64",
    "Speex",
    "speex",
]
_NAME_NUMBER = {
    "type": "object",
    "properties": {"name": {"type": "string", "maxLength": 35}, "number": {"type": "string", "maxLength": 35}},
}
_ENABLED = {"type": "object", "properties": {"enabled": _BOOL}}

MEDIA = {
    "type": "object",
    "properties": {
        "audio": {
            "type": "object",
            "default": {},
            "properties": {"codecs": {"type": "array", "items": {"type": "string", "enum": AUDIO_CODECS}}},
        },
        "video": {
            "type": "object",
            "default": {"codecs": []},
            "properties": {
                "codecs": {"type": "array", "items": {"type": "string", "enum": ["H261", "H263", "H264", "VP8"]}}
            },
        },
        "encryption": {
            "type": "object",
            "default": {"enforce_security": False, "methods": []},
            "properties": {
                "enforce_security": {"type": "boolean", "default": False},
                "methods": {"type": "array", "default": [], "items": {"type": "string", "enum": ["zrtp", "srtp"]}},
            },
        },
        "bypass_media": {"type": ["boolean", "string"], "enum": [True, False, "true", "false", "auto"]},
        "fax_option": _BOOL,
        "ignore_early_media": _BOOL,
        "progress_timeout": {"type": "integer"},
    },
}

CALL_FORWARD = {
    "type": "object",
    "properties": {
        **{k: {"type": "boolean", "default": False} for k in ("enabled", "failover", "direct_calls_only")},
        **{
            k: {"type": "boolean", "default": True}
            for k in ("require_keypress", "keep_caller_id", "substitute", "ignore_early_media")
        },
        "number": {"type": "string", "maxLength": 35},
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
        "media": MEDIA,
        "call_forward": CALL_FORWARD,
        "caller_id": {
            "type": "object",
            "properties": {
                "internal": _NAME_NUMBER,
                "external": _NAME_NUMBER,
                "emergency": _NAME_NUMBER,
                "asserted": _NAME_NUMBER,
            },
        },
        "caller_id_options": {
            "type": "object",
            "properties": {"outbound_privacy": {"type": "string", "enum": ["full", "name", "number", "none"]}},
        },
        "call_waiting": _ENABLED,
        "do_not_disturb": _ENABLED,
        "hotdesk": {"type": "object", "properties": {"users": {"type": "object"}}},
        "outbound_flags": {"type": ["array", "object"]},
        "provision": {
            "type": "object",
            "properties": {
                **{k: _STR for k in ("endpoint_brand", "endpoint_family", "endpoint_model")},
                **{k: _EVENT for k in ("check_sync_event", "check_sync_reboot", "check_sync_reload")},
            },
        },
        "mobile": {"type": "object", "properties": {"mdn": _STR}},
    },
}

SUMMARY_OPTIONAL = ("mobile", "call_recording")

# devices_notify.json: the NOTIFY action's payload. The event and content type become SIP header values:
# beyond Kazoo, they must be SIP tokens, so no CR/LF can inject a header.
DEVICES_NOTIFY = {
    "type": "object",
    "required": ["event"],
    "properties": {
        "event": {**_EVENT, "minLength": 1},
        "body": {
            "type": "object",
            "required": ["content_type", "data"],
            "properties": {
                "content_type": {"type": "string", "pattern": r"^[\w.+-]+/[\w.+-]+(; ?[\w.+-]+=[\w.+-]+)*$"},
                "data": {"type": "string"},
            },
        },
    },
}

# access_lists.json (frontier): stored on the device under access_lists.
ACCESS_LISTS = {
    "type": "object",
    "required": ["order", "cidrs"],
    "properties": {
        "order": {"type": "string", "enum": ["allow,deny", "deny,allow"]},
        "cidrs": {"type": "array", "items": {"type": "string"}},
        "user_agent": {"type": "string"},
    },
}
