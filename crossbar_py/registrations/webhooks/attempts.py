"""The delivery log as Kazoo's webhook attempts (hook_id, result, retries_left, timestamp), plus ours."""

from crossbar_py.common import documents
from crossbar_py.common.times import iso
from crossbar_py.http import inputs
from crossbar_py.registrations.webhooks import queries


def item(row: dict) -> dict:
    """One attempt."""
    entry = {
        "id": row["id"],
        "hook_id": row["webhook_id"],
        "event_id": row["event_id"],
        "event": row["event"],
        "attempt": row["attempt"],
        "result": "success" if row["result"] == "success" else "failure",
        "gave_up": row["result"] == "gave_up",
        "response_code": row["status_code"],
        "reason": row["error"],
        "duration_ms": row["duration_ms"],
        "timestamp": documents.gregorian(row["ts"]),
        "at": iso(row["ts"]),
    }
    return {k: v for k, v in entry.items() if v is not None}


def _start(page) -> int | None:
    return inputs.ascii_int(page.start)


async def list_attempts(db, account_id: str, webhook_id: str | None, page) -> tuple:
    """(a page of attempts, newest first; the envelope's pagination keys)."""
    params = {"account_id": account_id, "webhook_id": webhook_id, "start": _start(page), "limit": page.limit()}
    rows = await db.fetch_all(queries.LIST_ATTEMPTS, params)
    rows, extra = page.envelope(rows, key=lambda r: str(r["id"]))
    return [item(r) for r in rows], extra
