"""Typed keys for the application and request state, declared in one place.

Types come from TYPE_CHECKING imports so that importing the keys (every layer does) imports no domain."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    import redis.asyncio as aioredis

    from crossbar_py.accounts.cache import AccountCache
    from crossbar_py.auth.limits import LoginLimiter
    from crossbar_py.auth.revocation import Revocations
    from crossbar_py.auth.tokens import Identity
    from crossbar_py.devices.cache import DeviceCache
    from crossbar_py.platform.db import Database
    from crossbar_py.platform.kamailio import Kamailio
    from crossbar_py.platform.metrics import Metrics
    from crossbar_py.registrations.stream.hub import Hub
    from crossbar_py.settings import Settings

    BasicVerifier = Callable[[Database, Settings, LoginLimiter, str, str], Awaitable[Identity]]

SETTINGS: web.AppKey[Settings] = web.AppKey("settings")
DB: web.AppKey[Database] = web.AppKey("db")
REDIS: web.AppKey[aioredis.Redis] = web.AppKey("redis")
KAMAILIO: web.AppKey[Kamailio] = web.AppKey("kamailio")
METRICS: web.AppKey[Metrics] = web.AppKey("metrics")
REVOCATIONS: web.AppKey[Revocations] = web.AppKey("revocations")
ACCOUNT_CACHE: web.AppKey[AccountCache] = web.AppKey("account_cache")
DEVICE_CACHE: web.AppKey[DeviceCache] = web.AppKey("device_cache")
LOGIN_LIMITER: web.AppKey[LoginLimiter] = web.AppKey("login_limiter")
EVENTS_HUB: web.AppKey[Hub] = web.AppKey("events_hub")
BASIC_AUTH: web.AppKey[BasicVerifier] = web.AppKey("basic_auth")
OPENAPI: web.AppKey[dict] = web.AppKey("openapi")

REQUEST_ID: web.RequestKey[str] = web.RequestKey("request_id")
RAW_TOKEN: web.RequestKey[str] = web.RequestKey("raw_token")
BODY: web.RequestKey[dict[str, Any]] = web.RequestKey("body")
AUTH: web.RequestKey[tuple[Identity, dict[str, Any]]] = web.RequestKey("auth")
ACCOUNT: web.RequestKey[dict[str, Any]] = web.RequestKey("account")
MATCH: web.RequestKey[web.UrlMappingMatchInfo] = web.RequestKey("match")
VERSION: web.RequestKey[int] = web.RequestKey("version")
