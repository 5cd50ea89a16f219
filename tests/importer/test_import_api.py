"""import-kazoo from a live Crossbar API (a second crossbar_py, on a database of its own, plays Kazoo),
and the cut-over: compare, then check-sync the phone still registered "at Kazoo" until it registers here."""

import asyncio
import io

import psycopg2
import pytest
from aiohttp import web

from crossbar_py.app import create_app
from crossbar_py.cli import ensure_account
from crossbar_py.importer import cutover
from crossbar_py.importer.api import ApiSource
from crossbar_py.importer.progress import Progress
from crossbar_py.importer.runner import run_import
from crossbar_py.platform import db
from tests.helpers import Tenant, login, ok
from tests.sip.sipp import Sipp, register

KAZOO_DB = "kazoo_source"


@pytest.fixture(scope="session")
def kazoo_env(stack_env):
    """A migrated database for the fake Kazoo, with a superduper master account."""
    admin = stack_env.dsn.rsplit("/", 1)[0] + "/postgres"
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (KAZOO_DB,))
        if not cur.fetchone():
            cur.execute(f"CREATE DATABASE {KAZOO_DB}")
    conn.close()
    dsn = stack_env.dsn.rsplit("/", 1)[0] + "/" + KAZOO_DB
    db.migrate(dsn, out=lambda *_: None)
    settings = stack_env.settings(database_url=dsn, jwt_secret="kazoo-secret-" + "k" * 20)
    asyncio.run(
        ensure_account(settings, "kazoo-master", "admin", "kazoo-pw", realm="kmaster.kazoo.test", superduper=True)
    )
    return settings


@pytest.fixture
async def kazoo(aiohttp_client, kazoo_env):
    """The fake Kazoo's client (its server listens on loopback) and a reseller with one customer."""
    client = await aiohttp_client(create_app(kazoo_env))
    master = await login(client, "admin", "kazoo-pw", account_name="kazoo-master")
    reseller = await Tenant.create(client, master, None)
    customer = await Tenant.create(client, reseller.token, reseller.account_id)
    user = {"first_name": "Bob", "last_name": "B", "username": "bob", "password": "bob-pw-1"}
    bob = (await ok(await client.put(customer.url("/users"), json={"data": user}, headers=customer.headers), 201))[
        "data"
    ]
    owned = await customer.create_device(
        client, sip={"username": f"k{customer.account_id[:8]}", "password": "kazooPass1"}, owner_id=bob["id"]
    )
    spare = await customer.create_device(
        client, sip={"username": f"s{customer.account_id[:8]}", "password": "spare1234"}
    )
    key = (await ok(await client.get(reseller.url("/api_key"), headers=reseller.headers)))["data"]["api_key"]
    return client, reseller, customer, bob, owned, spare, key


def _source(client, key: str) -> ApiSource:
    return ApiSource(str(client.make_url("")), api_key=key, page_size=1)


async def _import(stack_env, source):
    database = await db.Database.connect(stack_env.dsn, 5)
    try:
        return await run_import(
            database, stack_env.settings(), source, progress=Progress(0, out=io.StringIO(), tty=False)
        )
    finally:
        await source.close()
        await database.close()


def _rows(dsn: str, query: str, params) -> list:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


async def test_api_import_walks_the_tree_pages_and_keeps_ids_owners_and_phones(stack_env, kazoo):
    client, reseller, customer, bob, owned, spare, key = kazoo
    report = await _import(stack_env, _source(client, key))
    again = await _import(stack_env, _source(client, key))
    counts = report.to_json()["counts"]
    assert counts == {"account": {"created": 2}, "user": {"created": 3}, "device": {"created": 2}}
    assert again.tally.changed == 0
    tree = _rows(stack_env.dsn, "SELECT parent_id, realm, api_key FROM accounts WHERE id = %s", (customer.account_id,))
    assert tree[0][:2] == (reseller.account_id, customer.realm)
    keys = _rows(stack_env.dsn, "SELECT api_key FROM accounts WHERE id = %s", (reseller.account_id,))
    assert keys == [(key,)]
    devices = _rows(
        stack_env.dsn,
        "SELECT id, owner_id, sip_realm FROM devices WHERE account_id = %s ORDER BY id",
        (customer.account_id,),
    )
    assert sorted(devices) == sorted([(owned["id"], bob["id"], customer.realm), (spare["id"], None, customer.realm)])
    phone = await register(stack_env.sip_port, owned["sip"]["username"], customer.realm, "kazooPass1")
    assert phone.ok, phone.output


async def test_api_source_retries_5xx_and_429(aiohttp_server):
    hits = {"n": 0}

    async def flaky(request):
        hits["n"] += 1
        if hits["n"] == 1:
            return web.json_response({"status": "error"}, status=503)
        if hits["n"] == 2:
            return web.json_response({"status": "error"}, status=429, headers={"Retry-After": "0"})
        return web.json_response({"data": [{"id": "a"}], "status": "success"})

    app = web.Application()
    app.router.add_get("/v2/accounts/x/users", flaky)
    server = await aiohttp_server(app)
    source = ApiSource(str(server.make_url("")), api_key="k")
    source.token = "t"
    try:
        assert [i async for i in source.pages("/v2/accounts/x/users")] == [{"id": "a"}]
    finally:
        await source.close()
    assert hits["n"] == 3


def _registered_at_kazoo(dsn: str, username: str, realm: str, port: int) -> None:
    """What Kazoo's registrar would hold for the phone: a live contact at its address."""
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(
            """INSERT INTO location (ruid, username, domain, contact, expires, last_modified, callid, user_agent)
               VALUES (md5(random()::text), %s, %s, %s, (now() AT TIME ZONE 'UTC') + interval '10 minutes',
                       now() AT TIME ZONE 'UTC', md5(random()::text), 'kazoo-phone/1')""",
            (username, realm, f"sip:{username}@127.0.0.1:{port}"),
        )


async def test_cutover_compare_then_move_brings_the_phone_here(stack_env, kazoo):
    client, reseller, customer, bob, owned, spare, key = kazoo
    await _import(stack_env, _source(client, key))
    username = owned["sip"]["username"]
    phone = Sipp(
        stack_env.sip_port,
        "resync",
        credentials=(username, customer.realm, "kazooPass1"),
        event="check-sync",
        expires=600,
        timeout=15,
    )
    _registered_at_kazoo(
        stack_env.settings().database_url.rsplit("/", 1)[0] + "/" + KAZOO_DB, username, customer.realm, phone.port
    )
    database = await db.Database.connect(stack_env.dsn, 2)
    source = _source(client, key)
    aor = f"{username}@{customer.realm}".lower()
    try:
        before = await cutover.compare(database, source)
        view = {v["account_id"]: v for v in before["accounts"]}[customer.account_id]
        assert view["at_kazoo"] == [aor] and view["here"] == [] and view["not_here"] == [aor]
        await phone.start()
        await asyncio.sleep(0.3)
        moved = await cutover.move(database, stack_env.settings(), source, rate=5)
        assert moved["notified"] == [{"account_id": customer.account_id, "aor": aor}]
        result = await phone.wait()
        assert result.ok, result.output
        after = await cutover.compare(database, source)
    finally:
        await source.close()
        await database.close()
    view = {v["account_id"]: v for v in after["accounts"]}[customer.account_id]
    assert view["here"] == [aor] and view["not_here"] == []
    journal = _rows(
        stack_env.dsn, "SELECT username, sent, event FROM cutover_moves WHERE account_id = %s", (customer.account_id,)
    )
    assert journal == [(username, True, "check-sync")]
    assert "not here" in cutover.compare_text(before)


async def test_api_source_keeps_to_its_rate(aiohttp_server):
    async def page(request):
        return web.json_response({"data": [], "status": "success"})

    app = web.Application()
    app.router.add_get("/v2/x", page)
    server = await aiohttp_server(app)
    source = ApiSource(str(server.make_url("")), api_key="k", rate=20)
    source.token = "t"
    started = asyncio.get_running_loop().time()
    try:
        await asyncio.gather(*(source.get("/v2/x") for _ in range(6)))
    finally:
        await source.close()
    assert asyncio.get_running_loop().time() - started >= 5 / 20
