"""Failed-login limits per account+source and per source (docs/decisions.md §10): counted in Redis, so that every
API node sees them, and in process as well, so that a Redis outage does not open the door."""

import logging
import time

log = logging.getLogger(__name__)
LOCAL_MAX = 100_000


class LocalCounters:
    """Failure counters of this process, each expiring `window` seconds after its first failure."""

    def __init__(self, window: int):
        self.window = window
        self.counts: dict = {}

    def add(self, key: str) -> None:
        """One more failure under key."""
        now = time.monotonic()
        count, until = self.counts.get(key, (0, now + self.window))
        if until <= now:
            count, until = 0, now + self.window
        if len(self.counts) >= LOCAL_MAX:
            self.counts = {k: v for k, v in self.counts.items() if v[1] > now}
        self.counts[key] = (count + 1, until)

    def get(self, key: str) -> int:
        """Failures under key within its window."""
        count, until = self.counts.get(key, (0, 0.0))
        return count if until > time.monotonic() else 0


class LoginLimiter:
    """Past `per_account_ip` failures for one account from one address (or `per_ip` from one address)
    within `window` seconds, logins are refused with 429, a correct password included."""

    def __init__(self, redis, per_account_ip: int, per_ip: int, window: int):
        self.redis, self.window = redis, window
        self.limits = {"acct": per_account_ip, "ip": per_ip}
        self.local = LocalCounters(window)

    def _keys(self, account: str, ip: str) -> dict:
        return {"acct": f"crossbar:loginfail:{account}:{ip}", "ip": f"crossbar:loginfail:ip:{ip}"}

    def _over(self, counts) -> bool:
        return any(int(v or 0) >= self.limits[k] for k, v in zip(("acct", "ip"), counts, strict=True))

    async def blocked(self, account: str, ip: str) -> bool:
        """True when either counter is at its limit. Redis down: this node's own counters decide (a guesser
        spread over several nodes gets the limit on each, still far from unlimited)."""
        keys = self._keys(account, ip)
        local = [self.local.get(keys["acct"]), self.local.get(keys["ip"])]
        try:
            shared = await self.redis.mget([keys["acct"], keys["ip"]])
        except Exception as exc:  # noqa: BLE001 - Redis down: fall back, loudly
            log.warning("login limiter: Redis unavailable, using this node's counters", extra={"error": str(exc)})
            return self._over(local)
        return self._over(shared) or self._over(local)

    async def failed(self, account: str, ip: str) -> None:
        """Count one failed login, here and in Redis."""
        keys = self._keys(account, ip)
        for key in keys.values():
            self.local.add(key)
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for key in keys.values():
                    pipe.incr(key)
                    pipe.expire(key, self.window, nx=True)
                await pipe.execute()
        except Exception as exc:  # noqa: BLE001
            log.warning("login failure not counted in Redis", extra={"error": str(exc)})
