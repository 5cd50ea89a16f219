"""Failed-login limits per account+source and per source (docs/decisions.md §10), counted in Redis."""

import logging

log = logging.getLogger(__name__)


class LoginLimiter:
    """Past `per_account_ip` failures for one account from one address (or `per_ip` from one address)
    within `window` seconds, logins are refused with 429, a correct password included."""

    def __init__(self, redis, per_account_ip: int, per_ip: int, window: int):
        self.redis, self.window = redis, window
        self.limits = {"acct": per_account_ip, "ip": per_ip}

    def _keys(self, account: str, ip: str) -> dict:
        return {"acct": f"crossbar:loginfail:{account}:{ip}", "ip": f"crossbar:loginfail:ip:{ip}"}

    async def blocked(self, account: str, ip: str) -> bool:
        """True when either counter is at its limit. Redis down: not blocked (logins keep working)."""
        keys = self._keys(account, ip)
        try:
            values = await self.redis.mget([keys["acct"], keys["ip"]])
        except Exception as exc:  # noqa: BLE001 - fail open, loudly
            log.warning("login limiter unavailable", extra={"error": str(exc)})
            return False
        return any(int(v or 0) >= self.limits[k] for k, v in zip(("acct", "ip"), values, strict=True))

    async def failed(self, account: str, ip: str) -> None:
        """Count one failed login."""
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for key in self._keys(account, ip).values():
                    pipe.incr(key)
                    pipe.expire(key, self.window, nx=True)
                await pipe.execute()
        except Exception as exc:  # noqa: BLE001
            log.warning("login failure not counted", extra={"error": str(exc)})
