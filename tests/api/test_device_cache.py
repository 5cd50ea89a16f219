"""GET /devices/{D} from a node's memory is never staler than PostgreSQL's announcement of a change
(docs/decisions.md §28): writes through this node are seen at once, writes anywhere else within
milliseconds, and nothing is served from memory while the announcements cannot be heard."""

import asyncio
import time
from dataclasses import replace

import psycopg2
import pytest

from crossbar_py import keys
from crossbar_py.app import create_app
from crossbar_py.devices import service
from crossbar_py.devices.cache import DeviceCache
from crossbar_py.http.errors import BadIdentifier
from crossbar_py.platform.db import LISTEN_PING, Database
from tests.helpers import ok

RENAME = "UPDATE devices SET doc = doc || jsonb_build_object('name', %(name)s::text), rev = rev + 1 WHERE id = %(id)s"


def run_sql(dsn: str, query: str, params: dict | None = None) -> None:
    """One statement by another writer (a tool, a migration, psql), committed."""
    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute(query, params)
    conn.close()


async def device_name(client, tenant, device_id: str) -> str:
    return (await ok(await client.get(tenant.url(f"/devices/{device_id}"), headers=tenant.headers)))["data"]["name"]


async def until(predicate, seconds: float = 1.0) -> float:
    """Seconds until the async predicate holds; fails past `seconds`."""
    start = time.monotonic()
    while not await predicate():
        assert time.monotonic() - start < seconds, "still stale"
        await asyncio.sleep(0.005)
    return time.monotonic() - start


async def listening(app) -> None:
    start = time.monotonic()
    while not app[keys.DEVICE_CACHE].live:
        assert time.monotonic() - start < 5, "the device change listener did not start"
        await asyncio.sleep(0.01)


async def test_a_read_is_kept_and_a_write_through_this_node_is_seen_at_once(client, tenant):
    await listening(client.server.app)
    dev = await tenant.create_device(client, name="first")
    assert await device_name(client, tenant, dev["id"]) == "first"
    assert client.server.app[keys.DEVICE_CACHE].get(tenant.account_id, dev["id"]) is not None
    for name in ("second", "third"):
        resp = await client.post(
            tenant.url(f"/devices/{dev['id']}"), json={"data": {"name": name}}, headers=tenant.headers
        )
        await ok(resp)
        assert await device_name(client, tenant, dev["id"]) == name
    await ok(
        await client.patch(tenant.url(f"/devices/{dev['id']}"), json={"data": {"name": "4"}}, headers=tenant.headers)
    )
    assert await device_name(client, tenant, dev["id"]) == "4"
    await ok(await client.delete(tenant.url(f"/devices/{dev['id']}"), headers=tenant.headers))
    resp = await client.get(tenant.url(f"/devices/{dev['id']}"), headers=tenant.headers)
    assert resp.status == 404


async def test_a_change_by_another_writer_or_node_reaches_the_cache(aiohttp_client, client, settings, data_env, tenant):
    other = await aiohttp_client(create_app(settings))
    await listening(client.server.app)
    await listening(other.server.app)
    dev = await tenant.create_device(client, name="before")
    assert await device_name(other, tenant, dev["id"]) == "before"
    await ok(
        await client.post(
            tenant.url(f"/devices/{dev['id']}"), json={"data": {"name": "by node a"}}, headers=tenant.headers
        )
    )
    delay = await until(lambda: _named(other, tenant, dev["id"], "by node a"))
    run_sql(data_env.dsn, RENAME, {"id": dev["id"], "name": "by psql"})
    delay = max(delay, await until(lambda: _named(other, tenant, dev["id"], "by psql")))
    assert delay < 1.0


async def _named(client, tenant, device_id: str, name: str) -> bool:
    return await device_name(client, tenant, device_id) == name


async def test_a_bulk_change_forgets_every_device(client, data_env, tenant):
    await listening(client.server.app)
    devs = [await tenant.create_device(client, name=f"bulk {i}") for i in range(3)]
    for dev in devs:
        await device_name(client, tenant, dev["id"])
    cache = client.server.app[keys.DEVICE_CACHE]
    assert all(cache.get(tenant.account_id, d["id"]) for d in devs)
    ids = [d["id"] for d in devs] + [f"{i:032x}" for i in range(200)]
    run_sql(data_env.dsn, "UPDATE devices SET rev = rev + 1 WHERE id = ANY(%(ids)s)", {"ids": ids})

    async def forgotten():
        return not any(cache.get(tenant.account_id, d["id"]) for d in devs)

    await until(forgotten)


async def test_another_accounts_token_never_gets_a_cached_device(client, make_tenant):
    owner, stranger = await make_tenant(), await make_tenant()
    await listening(client.server.app)
    dev = await owner.create_device(client, name="private")
    assert await device_name(client, owner, dev["id"]) == "private"
    resp = await client.get(stranger.url(f"/devices/{dev['id']}"), headers=stranger.headers)
    assert resp.status == 404
    resp = await client.get(owner.url(f"/devices/{dev['id']}"), headers=stranger.headers)
    assert resp.status == 403


@pytest.mark.timeout(60)
async def test_without_the_listener_nothing_is_served_from_memory(client, data_env, tenant):
    app = client.server.app
    await listening(app)
    cache = app[keys.DEVICE_CACHE]
    dev = await tenant.create_device(client, name="cached")
    assert await device_name(client, tenant, dev["id"]) == "cached"
    run_sql(
        data_env.dsn,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %(name)s",
        {"name": "crossbar_py listen crossbar_devices"},
    )
    start = time.monotonic()
    while cache.live:
        assert time.monotonic() - start < 10, "the lost listener was not noticed"
        await asyncio.sleep(0.01)
    # Announced while nobody listened: missed, so the old row must not come back from memory.
    run_sql(data_env.dsn, RENAME, {"id": dev["id"], "name": "changed unheard"})
    assert await device_name(client, tenant, dev["id"]) == "changed unheard"
    await listening(app)
    assert await device_name(client, tenant, dev["id"]) == "changed unheard"
    run_sql(data_env.dsn, RENAME, {"id": dev["id"], "name": "heard again"})
    await until(lambda: _named(client, tenant, dev["id"], "heard again"))


async def test_a_write_through_the_service_is_seen_before_any_announcement(client, data_env, tenant):
    # No listener here: only the write's own invalidation can make the second read current.
    cache = DeviceCache()
    cache.set_live(True)
    dev = await tenant.create_device(client, name="old")
    db = await Database.connect(data_env.dsn, 2)
    try:
        account = await db.fetch_one("SELECT * FROM accounts WHERE id = %(id)s", {"id": tenant.account_id})
        assert (await service.read_device(db, cache, tenant.account_id, dev["id"]))["doc"]["name"] == "old"
        await service.save_device(db, account, dev["id"], {"name": "new"}, superduper=False, patch=True, cache=cache)
        assert (await service.read_device(db, cache, tenant.account_id, dev["id"]))["doc"]["name"] == "new"
        await service.delete_device(db, tenant.account_id, dev["id"], soft=True, cache=cache)
        with pytest.raises(BadIdentifier):
            await service.read_device(db, cache, tenant.account_id, dev["id"])
    finally:
        await db.close()


async def test_a_zero_ttl_turns_the_cache_off(aiohttp_client, settings, tenant):
    node = await aiohttp_client(create_app(replace(settings, device_cache_ttl=0)))
    dev = await tenant.create_device(node, name="uncached")
    assert await device_name(node, tenant, dev["id"]) == "uncached"
    cache = node.server.app[keys.DEVICE_CACHE]
    assert not cache.live and cache.get(tenant.account_id, dev["id"]) is None


async def test_entries_outlive_the_listeners_pings(client, tenant):
    # Each ping must come back (else the listener counts as lost and the cache empties) and must not
    # itself empty the cache.
    app = client.server.app
    await listening(app)
    dev = await tenant.create_device(client, name="kept")
    await device_name(client, tenant, dev["id"])
    await asyncio.sleep(LISTEN_PING * 2.5)
    assert app[keys.DEVICE_CACHE].get(tenant.account_id, dev["id"]) is not None
