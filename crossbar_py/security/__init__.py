"""How logins are configured (Kazoo's cb_security, cb_multi_factor), answered read-only from what this server
really does: accepting per-account auth settings we would not enforce would lie to the operator."""
