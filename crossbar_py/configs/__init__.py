"""Per-account configuration documents clients keep with us (Kazoo's cb_configs), e.g. SmartPBX's kazoo_endpoint."""
