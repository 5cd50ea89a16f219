"""The user document schema (Kazoo's users.json, the fields clients use)."""

USER = {
    "type": "object",
    "required": ["first_name", "last_name"],
    "properties": {
        "first_name": {"type": "string", "minLength": 1, "maxLength": 128},
        "last_name": {"type": "string", "minLength": 1, "maxLength": 128},
        "username": {"type": "string", "minLength": 1, "maxLength": 256, "pattern": r"^([+@.\w_-]+)$"},
        "password": {"type": "string"},
        "email": {"type": "string", "minLength": 3, "maxLength": 254, "format": "email"},
        "priv_level": {"type": "string", "enum": ["admin", "user"], "default": "user"},
        "enabled": {"type": "boolean", "default": True},
        "language": {"type": "string"},
        "timezone": {"type": "string"},
    },
}

SUMMARY_KEYS = (
    "first_name",
    "last_name",
    "username",
    "email",
    "priv_level",
    "presence_id",
    "timezone",
    "feature_level",
    "call_recording",
    "service",
)
