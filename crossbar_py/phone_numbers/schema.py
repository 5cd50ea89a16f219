"""A phone number's public fields (from Kazoo's phone_numbers.json); unknown keys are kept."""

STATES = ["aging", "available", "deleted", "discovery", "in_service", "port_in", "port_out", "released", "reserved"]

PHONE_NUMBER = {
    "type": "object",
    "properties": {
        "carrier_name": {"type": "string", "minLength": 1, "maxLength": 30},
        "create_with_state": {"type": "string", "enum": STATES},
        "cnam": {
            "type": "object",
            "properties": {
                "display_name": {"type": "string", "minLength": 1, "maxLength": 15},
                "inbound_lookup": {"type": "boolean"},
            },
        },
        "e911": {
            "type": "object",
            "required": ["locality", "postal_code", "region", "street_address"],
            "properties": {
                "caller_name": {"type": "string", "minLength": 3},
                "locality": {"type": "string"},
                "postal_code": {"type": "string"},
                "region": {"type": "string", "minLength": 2, "maxLength": 2},
                "street_address": {"type": "string"},
                "notification_contact_emails": {"type": "array", "items": {"type": "string"}, "default": []},
            },
        },
        "porting": {"type": "object"},
    },
}
