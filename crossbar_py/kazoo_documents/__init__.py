"""Kazoo documents we store and serve but never execute: callflows, vmboxes, media, groups, and per-account
singletons (limits, configs, whitelabel, apps_store)."""
