"""Kazoo's system alerts for an account (cb_alerts)."""
