"""The account document schema (Kazoo's accounts.json, the fields clients use)."""

ACCOUNT = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 128},
        "realm": {"type": "string", "minLength": 4, "maxLength": 253, "pattern": r"^[.\w_-]+$"},
        "enabled": {"type": "boolean", "default": True},
        "language": {"type": "string", "default": "en-us"},
        "timezone": {"type": "string", "default": "America/Los_Angeles"},
        "call_restriction": {"type": "object", "default": {}},
        "caller_id": {"type": "object", "default": {}},
        "dial_plan": {"type": "object", "default": {}},
        "music_on_hold": {"type": "object", "default": {}},
        "preflow": {"type": "object", "default": {}},
        "ringtones": {"type": "object", "default": {}},
    },
}

# Sent by clients, owned by the server (docs/kazoo-compatibility.md §11.1).
IGNORED_KEYS = ("superduper_admin", "wnm_allow_additions", "billing_mode", "is_reseller", "reseller_id", "created")
