"""Timestamps as clients see them: ISO-8601 UTC with Z (docs/decisions.md §15)."""

import functools
import time
from datetime import UTC, datetime


def iso(ts: datetime | None) -> str | None:
    """ISO-8601 UTC with Z; naive timestamps (usrloc's) hold UTC."""
    if ts is None:
        return None
    ts = ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


@functools.lru_cache(maxsize=2)
def _second_iso(now: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))


def now_iso() -> str:
    """Now, ISO-8601 UTC with Z."""
    # Every response carries it: formatted once a second, not once a request (docs/performance.md).
    return _second_iso(int(time.time()))
