"""Timestamps as clients see them: ISO-8601 UTC with Z (docs/decisions.md §15)."""

from datetime import UTC, datetime


def iso(ts: datetime | None) -> str | None:
    """ISO-8601 UTC with Z; naive timestamps (usrloc's) hold UTC."""
    if ts is None:
        return None
    ts = ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def now_iso() -> str:
    """Now, ISO-8601 UTC with Z."""
    return iso(datetime.now(UTC)) or ""
