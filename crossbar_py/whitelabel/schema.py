"""The whitelabel document (from Kazoo's whitelabel.json); unknown keys are kept."""

WHITELABEL = {
    "type": "object",
    "properties": {
        "company_name": {"type": "string"},
        "domain": {"type": "string", "minLength": 1, "maxLength": 253},
        "fake_api_url": {"type": "string"},
        "hide_credits": {"type": "boolean", "default": False},
        "hide_powered": {"type": "boolean", "default": False},
        "hide_registration": {"type": "boolean", "default": False},
        "inbound_trunks_price": {"type": "string"},
        "outbound_trunks_price": {"type": "string"},
        "twoway_trunks_price": {"type": "string"},
        "nav": {"type": "object"},
        "port": {"type": "object"},
    },
}

# The files a whitelabel carries, and the type assumed when an upload names none.
FILES = {"logo": "image/png", "icon": "image/x-icon", "welcome": "text/html"}
