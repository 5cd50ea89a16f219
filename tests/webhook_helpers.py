"""Test helpers for webhooks and the event stream: a customer's receiver, journal events written fast."""

import asyncio
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field

from aiohttp import web

from crossbar_py import keys

INSERT_LOCATION = """
INSERT INTO location (ruid, username, domain, contact, received, expires, last_modified, user_agent, callid)
VALUES (%(ruid)s, %(username)s, %(domain)s, %(contact)s, %(received)s,
        (now() AT TIME ZONE 'UTC') + interval '600 seconds', now() AT TIME ZONE 'UTC', 'test-phone/1.0', %(ruid)s)
"""
DELETE_LOCATION = "DELETE FROM location WHERE ruid = %(ruid)s"


async def register_row(app, username: str, realm: str, ip: str = "203.0.113.50", port: int = 52415) -> str:
    """A registration written straight into `location` (the trigger journals it); its ruid."""
    ruid = secrets.token_hex(8)
    params = {
        "ruid": ruid,
        "username": username,
        "domain": realm,
        "contact": f"sip:{username}@10.0.0.5:5060",
        "received": f"sip:{ip}:{port}",
    }
    await app[keys.DB].execute(INSERT_LOCATION, params)
    return ruid


async def unregister_row(app, ruid: str) -> None:
    """The phone's own unregister (journaled as `unregistered`)."""
    await app[keys.DB].execute(DELETE_LOCATION, {"ruid": ruid})


@dataclass
class Call:
    """One request the receiver got."""

    method: str
    headers: dict
    raw: bytes
    query: dict

    @property
    def body(self) -> dict:
        """The JSON delivered (GET carries it in ?payload=)."""
        return json.loads(self.query["payload"] if self.method == "GET" else self.raw)

    def signed_by(self, secret: str) -> bool:
        """The signature header is the HMAC-SHA256 of exactly what was delivered."""
        raw = self.query["payload"].encode() if self.method == "GET" else self.raw
        expected = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        return hmac.compare_digest(self.headers["X-Crossbar-Signature"], expected)


@dataclass
class Receiver:
    """The customer's endpoint: records every request, answers the queued statuses, then 200."""

    url: str = ""
    calls: list = field(default_factory=list)
    statuses: list = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        """Record and answer."""
        raw = await request.read()
        self.calls.append(Call(request.method, dict(request.headers), raw, dict(request.query)))
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200, text="ok")

    async def wait_for(self, n: int, timeout: float = 10) -> list:
        """The calls, once there are at least n (fails after timeout)."""
        for _ in range(int(timeout * 20)):
            if len(self.calls) >= n:
                return self.calls
            await asyncio.sleep(0.05)
        raise AssertionError(f"expected {n} calls, got {len(self.calls)}")
