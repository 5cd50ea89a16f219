"""Token revocation that every node honours within a second, with or without Redis (docs/decisions.md §8)."""

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime

from crossbar_py.platform import periodic

log = logging.getLogger(__name__)
CHANNEL = "crossbar:revoked"
POLL_SECONDS = 0.5

INSERT_REVOKED = """
INSERT INTO revoked_tokens (jti, expires_at) VALUES (%(jti)s, to_timestamp(%(exp)s))
ON CONFLICT (jti) DO NOTHING
"""
REVOKED_SINCE = """
SELECT jti, extract(epoch FROM expires_at)::bigint AS exp, revoked_at FROM revoked_tokens
 WHERE revoked_at > %(since)s AND expires_at > now() ORDER BY revoked_at
"""
PURGE_EXPIRED = "DELETE FROM revoked_tokens WHERE expires_at < now() - interval '1 hour'"


class Revocations:
    """The revoked token ids this node knows, with their expiry (checked with no I/O)."""

    def __init__(self):
        self.revoked: dict[str, int] = {}
        self.since = datetime.fromtimestamp(0, UTC)

    def is_revoked(self, jti: str | None) -> bool:
        """True when this token id was revoked."""
        return jti is not None and jti in self.revoked

    def add(self, jti: str, exp: int) -> None:
        """Remember a revocation until the token would have expired anyway."""
        if exp > time.time():
            self.revoked[jti] = exp

    def prune(self) -> None:
        """Forget revocations of tokens that have expired."""
        now = time.time()
        self.revoked = {j: e for j, e in self.revoked.items() if e > now}

    async def revoke(self, db, redis, jti: str, exp: int) -> None:
        """Revoke a token: stored first, then announced."""
        await db.execute(INSERT_REVOKED, {"jti": jti, "exp": exp})
        self.add(jti, exp)
        try:
            await redis.publish(CHANNEL, f"{jti} {exp}")
        except Exception as exc:  # noqa: BLE001 - the poll delivers it anyway
            log.warning("revocation not published to Redis", extra={"error": str(exc)})

    async def poll(self, db) -> None:
        """Read revocations newer than the last seen (the safety net)."""
        for row in await db.fetch_all(REVOKED_SINCE, {"since": self.since}):
            self.add(row["jti"], row["exp"])
            self.since = max(self.since, row["revoked_at"])

    async def poll_forever(self, db, stop: asyncio.Event) -> None:
        """Poll every POLL_SECONDS until stop is set; purge expired rows now and then. It is stopped,
        never cancelled: a query cancelled half-way can keep its pooled connection from coming back."""
        rounds = 0
        while not stop.is_set():
            try:
                await self.poll(db)
                rounds += 1
                if rounds % 7200 == 0:
                    self.prune()
                    await db.execute(PURGE_EXPIRED)
            except Exception as exc:  # noqa: BLE001 - keep polling through outages
                log.warning("revocation poll failed", extra={"error": str(exc)})
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), POLL_SECONDS)

    async def listen_forever(self, redis, stop: asyncio.Event) -> None:
        """Take revocations pushed through Redis until stop is set; reconnect after an outage. Stopped, not
        cancelled: a cancelled `pubsub.listen()` can stay blocked forever (seen with redis-py 8)."""
        while not stop.is_set():
            try:
                async with redis.pubsub() as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    while not stop.is_set():
                        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
                        if message and message.get("type") == "message":
                            jti, _, exp = message["data"].decode().partition(" ")
                            self.add(jti, int(exp))
            except Exception as exc:  # noqa: BLE001 - Redis down: the poll covers, retry later
                log.warning("revocation listener lost Redis", extra={"error": str(exc)})
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), 1)


@contextlib.asynccontextmanager
async def running(revocations: Revocations, db, redis):
    """Load what is revoked, then keep listening and polling until the app stops."""
    with contextlib.suppress(Exception):
        await revocations.poll(db)
    async with periodic.stoppable(
        "token revocation",
        lambda stop: revocations.poll_forever(db, stop),
        lambda stop: revocations.listen_forever(redis, stop),
    ):
        yield
