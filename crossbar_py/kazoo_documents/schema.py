"""The document types served here and their schemas, written from Kazoo's (priv/couchdb/schemas/<type>.json):
the required fields, types, bounds and defaults clients meet; unknown keys are kept, as in Kazoo."""

STRINGS = {"type": "array", "items": {"type": "string"}}
ID32 = {"type": "string", "minLength": 32, "maxLength": 32}
NAME = {"type": "string", "minLength": 1, "maxLength": 128}

CALLFLOWS = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "numbers": {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 36}, "default": []},
        "patterns": {"type": "array", "items": {"type": "string", "minLength": 1}, "default": []},
        "flow": {"type": "object"},
        "featurecode": {"type": ["object", "boolean"]},
        "flags": STRINGS,
        "ringback": {"type": "object"},
        "metaflow": {"type": "object"},
    },
}

VMBOXES = {
    "type": "object",
    "required": ["mailbox", "name"],
    "properties": {
        "name": NAME,
        "mailbox": {"type": "string", "minLength": 1, "maxLength": 30},
        "owner_id": ID32,
        "pin": {"type": "string", "minLength": 4, "maxLength": 6},
        "timezone": {"type": "string", "minLength": 5, "maxLength": 32},
        "media": {"type": "object", "default": {}},
        "media_extension": {"type": "string", "enum": ["mp3", "mp4", "wav"], "default": "mp3"},
        "notify_email_addresses": {"type": "array", "items": {"type": "string", "format": "email"}, "default": []},
        "seek_duration_ms": {"type": "integer", "minimum": 0, "default": 10000},
        "check_if_owner": {"type": "boolean", "default": True},
        "delete_after_notify": {"type": "boolean", "default": False},
        "is_setup": {"type": "boolean", "default": False},
        "require_pin": {"type": "boolean", "default": False},
        "skip_greeting": {"type": "boolean", "default": False},
        "skip_instructions": {"type": "boolean", "default": False},
        "transcribe": {"type": "boolean", "default": False},
        "announcement_only": {"type": "boolean", "default": False},
        "not_configurable": {"type": "boolean", "default": False},
        "flags": STRINGS,
    },
}

GROUPS = {
    "type": "object",
    "required": ["endpoints", "name"],
    "properties": {
        "name": NAME,
        "endpoints": {"type": "object", "default": {}},
        "music_on_hold": {"type": "object", "default": {}},
        "flags": STRINGS,
    },
}

DIRECTORIES = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "confirm_match": {"type": "boolean", "default": True},
        "max_dtmf": {"type": "integer", "minimum": 0, "default": 0},
        "min_dtmf": {"type": "integer", "minimum": 1, "default": 3},
        "search_fields": {"type": "string", "enum": ["first_name", "last_name", "both"]},
        "sort_by": {"type": "string", "enum": ["first_name", "last_name"], "default": "last_name"},
        "users": {"type": "array", "items": {"type": "string"}, "default": []},
        "flags": STRINGS,
    },
}

MEDIA_TYPES = [
    "audio/mp3",
    "audio/mpeg",
    "audio/mpeg3",
    "audio/x-wav",
    "audio/wav",
    "audio/ogg",
    "video/x-flv",
    "video/h264",
    "video/mpeg",
    "video/quicktime",
    "video/mp4",
    "video/webm",
]

MEDIA = {
    "type": "object",
    "required": ["media_source", "name"],
    "properties": {
        "name": NAME,
        "description": {"type": "string", "minLength": 1, "maxLength": 128},
        "media_source": {"type": "string", "enum": ["recording", "upload", "tts"], "default": "upload"},
        "content_type": {"type": "string", "enum": MEDIA_TYPES},
        "content_length": {"type": "integer", "minimum": 1, "maximum": 11534336},
        "language": {"type": "string", "default": "en-us"},
        "streamable": {"type": "boolean", "default": True},
        "tts": {"type": "object", "default": {}},
        "source_id": ID32,
        "prompt_id": {"type": "string"},
    },
}

WDAYS = ["monday", "tuesday", "wednesday", "wensday", "thursday", "friday", "saturday", "sunday"]

TEMPORAL_RULES = {
    "type": "object",
    "required": ["cycle", "name"],
    "properties": {
        "name": NAME,
        "cycle": {"type": "string", "enum": ["date", "daily", "weekly", "monthly", "yearly"]},
        "days": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 31}},
        "enabled": {"type": ["boolean", "null"]},
        "interval": {"type": "integer", "minimum": 1, "default": 1},
        "month": {"type": "integer", "minimum": 1, "maximum": 12},
        "ordinal": {"type": "string", "enum": ["every", "first", "second", "third", "fourth", "fifth", "last"]},
        "start_date": {"type": "integer", "default": 62586115200},
        "time_window_start": {"type": "integer", "minimum": 0, "maximum": 86400},
        "time_window_stop": {"type": "integer", "minimum": 0, "maximum": 86400},
        "wdays": {"type": "array", "items": {"type": "string", "enum": WDAYS}},
        "flags": STRINGS,
    },
}

TEMPORAL_RULES_SETS = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": NAME, "temporal_rules": STRINGS, "flags": STRINGS},
}

MENUS = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": NAME,
        "hunt": {"type": "boolean", "default": True},
        "hunt_allow": {"type": "string", "minLength": 1, "maxLength": 256},
        "hunt_deny": {"type": "string", "minLength": 1, "maxLength": 256},
        "interdigit_timeout": {"type": "integer", "minimum": 1, "maximum": 10000},
        "max_extension_length": {"type": "integer", "minimum": 1, "maximum": 6, "default": 4},
        "media": {"type": "object", "default": {}},
        "record_pin": {"type": "string", "minLength": 3, "maxLength": 6},
        "retries": {"type": "integer", "minimum": 1, "maximum": 10, "default": 3},
        "timeout": {"type": "integer", "minimum": 1, "maximum": 60000},
        "allow_record_from_offnet": {"type": "boolean", "default": False},
        "suppress_media": {"type": "boolean", "default": False},
        "flags": STRINGS,
    },
}

CONFERENCES = {
    "type": "object",
    "properties": {
        "name": NAME,
        "owner_id": ID32,
        "conference_numbers": {"type": "array", "items": {"type": "string", "pattern": "^[0-9]+$"}, "default": []},
        "member": {"type": "object", "default": {}},
        "moderator": {"type": "object", "default": {}},
        "max_participants": {"type": "integer"},
        "play_name": {"type": "boolean", "default": False},
        "flags": STRINGS,
    },
}

FAXBOXES = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": NAME,
        "caller_name": {"type": "string"},
        "caller_id": {"type": "string"},
        "fax_header": {"type": "string"},
        "fax_identity": {"type": "string"},
        "fax_timezone": {"type": "string"},
        "owner_id": ID32,
        "notifications": {"type": "object"},
        "retries": {"type": "integer", "minimum": 0, "maximum": 4, "default": 1},
        "smtp_permission_list": {"type": "array", "items": {"type": "string"}, "default": []},
    },
}

NON_NEGATIVE = {"type": "integer", "minimum": 0}

LIMITS = {
    "type": "object",
    "properties": {
        "allow_prepay": {"type": "boolean", "default": True},
        "authz_resource_types": {"type": "array", "items": {"type": "string"}, "default": []},
        "burst_trunks": NON_NEGATIVE,
        "calls": NON_NEGATIVE,
        "inbound_trunks": NON_NEGATIVE,
        "outbound_trunks": NON_NEGATIVE,
        "resource_consuming_calls": NON_NEGATIVE,
        "twoway_trunks": NON_NEGATIVE,
    },
}

# Collections at /v2/accounts/{A}/<type>, each with its schema (Kazoo module cb_<type>).
COLLECTIONS = {
    "callflows": CALLFLOWS,
    "vmboxes": VMBOXES,
    "groups": GROUPS,
    "directories": DIRECTORIES,
    "media": MEDIA,
    "temporal_rules": TEMPORAL_RULES,
    "temporal_rules_sets": TEMPORAL_RULES_SETS,
    "menus": MENUS,
    "conferences": CONFERENCES,
    "faxboxes": FAXBOXES,
}
