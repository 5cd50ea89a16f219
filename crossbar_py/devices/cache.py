"""Devices as GET /devices/{D} last read them, kept while PostgreSQL announces no change to them
(docs/decisions.md §28). Every UPDATE or DELETE of devices is announced on CHANNEL when it commits
(sql/084), whichever node or tool made it; this node's own writes through the devices service drop their
entry before they answer. While the announcements cannot be heard, nothing is served from here."""

import contextlib
import time

from crossbar_py.platform import db, periodic

CHANNEL = "crossbar_devices"
MAX_ENTRIES = 50_000


class DeviceCache:
    """device id -> (deadline, row), trusted only while this node listens to CHANNEL."""

    def __init__(self, ttl: float = 60.0):
        # A safety net only (Settings.device_cache_ttl): entries go when their device changes, not with age.
        self.ttl = ttl
        self.rows: dict = {}
        self.live = False
        # Bumped by every change heard: a read that began before a change must not store what it read.
        self.epoch = 0

    def get(self, account_id: str, device_id: str) -> dict | None:
        """The account's device as last read, when it is still current; else None."""
        hit = self.rows.get(device_id) if self.live else None
        if hit is None or hit[0] < time.monotonic() or hit[1]["account_id"] != account_id:
            return None
        return hit[1]

    def ticket(self) -> int:
        """Taken before a read: put() stores the row only if nothing changed since."""
        return self.epoch

    def put(self, ticket: int, row: dict) -> None:
        """Keep a row read after ticket() unless a change was heard meanwhile."""
        if not self.live or ticket != self.epoch:
            return
        if len(self.rows) >= MAX_ENTRIES:
            self.rows.clear()
        self.rows[row["id"]] = (time.monotonic() + self.ttl, row)

    def invalidate(self, device_id: str) -> None:
        """Forget one device (it changed)."""
        self.epoch += 1
        self.rows.pop(device_id, None)

    @contextlib.contextmanager
    def changing(self, device_id: str):
        """Around this node's own write of a device: forgotten once it is over."""
        try:
            yield
        finally:
            self.invalidate(device_id)

    def changed(self, payload: str) -> None:
        """One announcement: comma-separated device ids, or '*' for all of them."""
        if payload == "*":
            self.epoch += 1
            self.rows.clear()
            return
        for device_id in payload.split(","):
            self.invalidate(device_id)

    def set_live(self, live: bool) -> None:
        """Listening (again) or not: either way what is held may have missed a change."""
        self.epoch += 1
        self.rows.clear()
        self.live = live


def running(cache: DeviceCache, dsn: str):
    """Listen for device changes until the app stops."""
    return periodic.stoppable(
        "device change listener", lambda stop: db.listen(dsn, CHANNEL, cache.changed, cache.set_live, stop)
    )
