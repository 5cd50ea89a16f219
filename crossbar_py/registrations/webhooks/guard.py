"""Webhooks reach only public addresses unless the operator allows private ones: a tenant must not be able
to point the API at the loopback services beside it (Kamailio's RPC, PostgreSQL, Redis) or the LAN."""

import errno
import ipaddress
import socket
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver


def is_public(ip: str) -> bool:
    """True for a globally routable address."""
    return ipaddress.ip_address(ip.split("%")[0]).is_global


def refused_literal(uri: str) -> str | None:
    """Why a URI whose host is a literal non-public address is refused; None otherwise."""
    host = urlsplit(uri).hostname or ""
    try:
        public = is_public(host)
    except ValueError:
        return None
    return None if public else f"refused: {host} is not a public address"


class PublicOnlyResolver(AbstractResolver):
    """Resolves names, keeping only public addresses; a name with none left fails to connect."""

    def __init__(self):
        self._inner = DefaultResolver()

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list:
        """The public addresses of host."""
        found: list[ResolveResult] = await self._inner.resolve(host, port, family)
        public = [r for r in found if is_public(r["host"])]
        if not public:
            # aiohttp reports the strerror of what a resolver raises.
            raise OSError(errno.EACCES, f"refused: {host} resolves to no public address")
        return public

    async def close(self) -> None:
        """Close the wrapped resolver."""
        await self._inner.close()
