"""An app's permission on an account (Kazoo's apps_store document: apps.{id}.allowed_users/users)."""

PERMISSION = {
    "type": "object",
    "required": ["allowed_users"],
    "properties": {
        "allowed_users": {"type": "string", "enum": ["specific", "all", "admins"]},
        "users": {
            "type": "array",
            "items": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
            "default": [],
        },
    },
}

BLACKLIST = {
    "type": "object",
    "required": ["blacklist"],
    "properties": {"blacklist": {"type": "array", "items": {"type": "string"}}},
}
