"""Kamailio's JSON-RPC (over HTTP on loopback): only for what SQL cannot do (docs/decisions.md §18)."""

import itertools
import re

import aiohttp

STAT_LINE = re.compile(r"^\s*([\w.-]+):([\w.-]+)\s*=\s*(-?\d+)")


class KamailioError(RuntimeError):
    """Kamailio answered with an RPC error or could not be reached."""


class Kamailio:
    """A small async JSON-RPC client."""

    def __init__(self, session: aiohttp.ClientSession, url: str):
        self.session = session
        self.url = url
        self._ids = itertools.count(1)

    async def call(self, method: str, *params, timeout: float = 3.0):
        """Call one RPC method; its result, or KamailioError."""
        body = {"jsonrpc": "2.0", "method": method, "params": list(params), "id": next(self._ids)}
        try:
            async with self.session.post(self.url, json=body, timeout=aiohttp.ClientTimeout(total=timeout)) as resp:
                reply = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise KamailioError(f"{method}: {exc}") from exc
        if "error" in reply:
            raise KamailioError(f"{method}: {reply['error'].get('message')}")
        return reply.get("result")

    async def statistics(self, *groups: str) -> dict:
        """Kamailio's own counters of these groups ("registrar", "sl", ...): {(group, name): value}."""
        found = {}
        for line in await self.call("stats.get_statistics", *(f"{g}:" for g in groups)) or []:
            m = STAT_LINE.match(str(line))
            if m:
                found[(m.group(1), m.group(2))] = int(m.group(3))
        return found

    async def send_notify(
        self,
        ruri: str,
        to_aor: str,
        event: str,
        dst: str | None = None,
        content_type: str | None = None,
        body: str = "",
    ) -> None:
        """Send a NOTIFY (e.g. check-sync) from Kamailio to a contact (dst: its real address behind NAT)."""
        if any(c in value for value in (ruri, to_aor, event, dst or "", content_type or "") for c in "\r\n"):
            raise KamailioError("NOTIFY refused: a header value holds a line break")
        headers = (
            f"From: <sip:crossbar@{to_aor.split('@')[-1]}>;tag=cbpy{next(self._ids)}\r\n"
            f"To: <sip:{to_aor}>\r\nEvent: {event}\r\nSubscription-State: terminated\r\n"
        )
        if content_type:
            headers += f"Content-Type: {content_type}\r\n"
        headers += f"Content-Length: {len(body.encode())}\r\n"
        params = ["NOTIFY", ruri, dst or ".", ".", headers] + ([body] if body else [])
        await self.call("tm.t_uac_start", *params)
