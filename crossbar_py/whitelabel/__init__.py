"""An account's branding for Monster UI (Kazoo's cb_whitelabel), found by domain before login."""
