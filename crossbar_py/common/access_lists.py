"""Kazoo's access_lists.json (frontier): the CIDR allow/deny lists a device or an account carries."""

# Stored under `access_lists` on the device or account document.
ACCESS_LISTS = {
    "type": "object",
    "required": ["order", "cidrs"],
    "properties": {
        "order": {"type": "string", "enum": ["allow,deny", "deny,allow"]},
        "cidrs": {"type": "array", "items": {"type": "string"}},
        "user_agent": {"type": "string"},
    },
}
