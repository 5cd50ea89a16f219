"""Account rows for the request pipeline, kept one second (every request reads its account; accounts
change rarely). This node's own account writes drop the entry at once; other nodes see a change within
TTL seconds, the same bound the API keeps for token revocation."""

import time

from crossbar_py.accounts import queries

TTL = 1.0
MAX_ENTRIES = 10_000


class AccountCache:
    """id -> (deadline, row or None)."""

    def __init__(self, ttl: float = TTL):
        self.ttl = ttl
        self.rows: dict = {}

    async def get(self, db, account_id: str) -> dict | None:
        """The non-deleted account, or None."""
        hit = self.rows.get(account_id)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        row = await db.fetch_one(queries.GET_ACCOUNT, {"id": account_id})
        if len(self.rows) >= MAX_ENTRIES:
            self.rows.clear()
        self.rows[account_id] = (time.monotonic() + self.ttl, row)
        return row

    def invalidate(self, account_id: str) -> None:
        """Forget an account this node just changed."""
        self.rows.pop(account_id, None)
