"""Login request schemas (Kazoo's user_auth.json and api_auth.json)."""

USER_AUTH = {
    "type": "object",
    "required": ["credentials"],
    "properties": {
        "credentials": {"type": "string", "minLength": 1, "maxLength": 64},
        "method": {"type": "string", "enum": ["md5", "sha"], "default": "md5"},
        "account_name": {"type": "string"},
        "account_realm": {"type": "string", "minLength": 4, "maxLength": 253, "pattern": r"^[.\w_-]+$"},
        "realm": {"type": "string", "minLength": 4, "maxLength": 253, "pattern": r"^[.\w_-]+$"},
        "phone_number": {"type": "string"},
    },
}

API_AUTH = {
    "type": "object",
    "required": ["api_key"],
    "additionalProperties": False,
    "properties": {"api_key": {"type": "string", "minLength": 64, "maxLength": 64}},
}
