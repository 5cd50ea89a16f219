"""The webhook document: Kazoo's webhooks.json fields, and seed 000's `{url, events}` as aliases."""

# Each webhook event and the journal events (sql/008) behind it.
EVENT_KINDS = {
    "device.registered": ("registered",),
    "device.unregistered": ("unregistered", "flushed"),
    "device.expired": ("expired",),
    "device.offline": ("offline",),
    "device.auth_failed": ("auth_failed",),
}
EVENTS = list(EVENT_KINDS)
KIND_EVENTS = {kind: event for event, kinds in EVENT_KINDS.items() for kind in kinds}
HTTP_VERBS = ["post", "put", "get"]
# Kazoo caps retries at 4; a wider range is a superset its clients never notice.
MAX_RETRIES = 10

WEBHOOK = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 128},
        "uri": {"type": "string", "minLength": 1, "maxLength": 2048},
        "url": {"type": "string", "minLength": 1, "maxLength": 2048},
        "http_verb": {"type": "string", "enum": HTTP_VERBS, "default": "post"},
        "hook": {"type": "string", "minLength": 1},
        "events": {"type": "array", "items": {"type": "string", "enum": EVENTS}, "minItems": 1, "uniqueItems": True},
        "retries": {"type": "integer", "minimum": 0, "maximum": MAX_RETRIES, "default": 2},
        "custom_data": {"type": "object", "additionalProperties": {"type": "string"}},
        "enabled": {"type": "boolean", "default": True},
    },
}
