"""The application factory: resources opened in cleanup_ctx, routes, the middleware pipeline."""

import aiohttp
import redis.asyncio as aioredis
from aiohttp import web

from crossbar_py import keys
from crossbar_py.accounts import routes as accounts
from crossbar_py.accounts.cache import AccountCache
from crossbar_py.alerts import routes as alerts
from crossbar_py.apps_store import routes as apps_store
from crossbar_py.auth import revocation
from crossbar_py.auth import routes as auth
from crossbar_py.auth import service as auth_service
from crossbar_py.auth.limits import LoginLimiter
from crossbar_py.auth.revocation import Revocations
from crossbar_py.calls import routes as calls
from crossbar_py.configs import routes as configs
from crossbar_py.devices import cache as device_cache
from crossbar_py.devices import routes as devices
from crossbar_py.http import openapi
from crossbar_py.http.body import MAX_BODY
from crossbar_py.http.pipeline import PIPELINE
from crossbar_py.http.routing import cache_resolution
from crossbar_py.kazoo_documents import routes as kazoo_documents
from crossbar_py.ledgers import routes as ledgers
from crossbar_py.limits import routes as limits
from crossbar_py.monster_app import routes as monster_app
from crossbar_py.phone_numbers import routes as phone_numbers
from crossbar_py.platform.db import Database
from crossbar_py.platform.kamailio import Kamailio
from crossbar_py.platform.metrics import Metrics
from crossbar_py.registrations.contacts import routes as registrations
from crossbar_py.registrations.journal import retention, snapshots
from crossbar_py.registrations.state import routes as device_registration
from crossbar_py.registrations.stream import hub as events_hub
from crossbar_py.registrations.stream import routes as registration_events
from crossbar_py.registrations.webhooks import delivery as webhook_delivery
from crossbar_py.registrations.webhooks import routes as webhooks
from crossbar_py.security import routes as security
from crossbar_py.settings import Settings
from crossbar_py.sip_bans import routes as sip_bans
from crossbar_py.sip_devices import routes as sip_devices
from crossbar_py.system import routes as system
from crossbar_py.system import service as system_service
from crossbar_py.users import routes as users
from crossbar_py.whitelabel import routes as whitelabel


async def _database(app: web.Application):
    settings = app[keys.SETTINGS]
    app[keys.DB] = await Database.connect(settings.database_url, settings.db_pool_max)
    yield
    await app[keys.DB].close()


async def _redis(app: web.Application):
    settings = app[keys.SETTINGS]
    client = aioredis.from_url(settings.redis_url, socket_timeout=1, socket_connect_timeout=1)
    app[keys.REDIS] = client
    app[keys.LOGIN_LIMITER] = LoginLimiter(
        client, settings.login_fail_per_account_ip, settings.login_fail_per_ip, settings.login_fail_window
    )
    yield
    await client.aclose()


async def _revocations(app: web.Application):
    app[keys.REVOCATIONS] = Revocations()
    async with revocation.running(app[keys.REVOCATIONS], app[keys.DB], app[keys.REDIS]):
        yield


async def _device_cache(app: web.Application):
    settings = app[keys.SETTINGS]
    app[keys.DEVICE_CACHE] = device_cache.DeviceCache(settings.device_cache_ttl)
    if settings.device_cache_ttl <= 0:
        yield  # never live: every GET reads PostgreSQL
        return
    async with device_cache.running(app[keys.DEVICE_CACHE], settings.database_url):
        yield


async def _retention(app: web.Application):
    async with retention.running(app[keys.DB], app[keys.SETTINGS].journal_retention_days):
        yield


async def _snapshots(app: web.Application):
    settings = app[keys.SETTINGS]
    async with snapshots.running(app[keys.DB], settings.snapshot_minutes, settings.journal_retention_days):
        yield


async def _webhook_delivery(app: web.Application):
    async with webhook_delivery.running(app[keys.DB], app[keys.SETTINGS], app[keys.METRICS]):
        yield


async def _events_hub(app: web.Application):
    app[keys.EVENTS_HUB] = events_hub.Hub()
    async with events_hub.running(app[keys.EVENTS_HUB], app[keys.DB], app[keys.SETTINGS].events_poll_interval):
        yield


async def _metrics_sharing(app: web.Application):
    if not app[keys.SETTINGS].metrics_dir:
        yield
        return
    async with system_service.sharing(app):
        yield


async def _end_event_streams(app: web.Application) -> None:
    """Streams end before the server waits for its handlers (on_shutdown runs first)."""
    if keys.EVENTS_HUB in app:
        app[keys.EVENTS_HUB].close_all()


async def _kamailio(app: web.Application):
    session = aiohttp.ClientSession()
    app[keys.KAMAILIO] = Kamailio(session, app[keys.SETTINGS].kamailio_rpc_url)
    yield
    await session.close()


def create_app(settings: Settings | None = None) -> web.Application:
    """Build the API for these settings."""
    app = web.Application(middlewares=PIPELINE, client_max_size=MAX_BODY)
    cache_resolution(app.router)
    app[keys.SETTINGS] = settings or Settings.from_env()
    app[keys.METRICS] = Metrics(app[keys.SETTINGS].metrics_dir or None)
    app[keys.ACCOUNT_CACHE] = AccountCache()
    app[keys.BASIC_AUTH] = auth_service.basic_identity
    app.cleanup_ctx.extend(
        [
            _database,
            _redis,
            _revocations,
            _device_cache,
            _retention,
            _snapshots,
            _kamailio,
            _webhook_delivery,
            _events_hub,
            _metrics_sharing,
        ]
    )
    app.on_shutdown.append(_end_event_streams)
    for resource in (
        system,
        auth,
        accounts,
        users,
        registrations,
        sip_devices,
        device_registration,
        devices,
        webhooks,
        registration_events,
        sip_bans,
        kazoo_documents,
        apps_store,
        whitelabel,
        alerts,
        phone_numbers,
        limits,
        configs,
        calls,
        security,
        ledgers,
        monster_app,
        openapi,
    ):
        resource.setup(app.router)
    app[keys.OPENAPI] = openapi.build(app)
    return app
