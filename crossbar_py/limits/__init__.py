"""An account's trunk and call limits document (Kazoo's cb_limits): stored, enforced by nothing here."""
