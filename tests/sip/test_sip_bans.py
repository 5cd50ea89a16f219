"""SIP bans: per (username, address) for stale passwords, per address for scanners; listed and lifted."""

import asyncio

import psycopg2
import pytest

from crossbar_py.app import create_app
from crossbar_py.platform import stack
from tests.conftest import AUTHFAIL_LIMIT, SCANNER_LIMIT
from tests.helpers import assert_error, ok
from tests.sip.sipp import Sipp, register
from tests.sip.test_registration import PASSWORD


def _live(dsn: str, username: str) -> int:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM location WHERE username = %s", (username,))
        return cur.fetchone()[0]


@pytest.fixture
async def office(client, tenant):
    """Two phones of one account behind one office address: one works, one has a stale password."""
    good, stale = f"og{tenant.account_id[:10]}", f"os{tenant.account_id[:10]}"
    devs = {}
    for name in (good, stale):
        devs[name] = await tenant.create_device(client, sip={"username": name, "password": PASSWORD})
    return tenant, good, stale, devs


async def test_a_stale_password_bans_that_phone_not_its_neighbour(client, stack_env, office, make_tenant, master_token):
    tenant, good, stale, devs = office
    src, port = "127.0.0.41", stack_env.sip_port
    assert (await register(port, good, tenant.realm, PASSWORD, src_ip=src)).ok
    for _ in range(AUTHFAIL_LIMIT):
        assert (await register(port, stale, tenant.realm, "old-password", final=403, src_ip=src)).ok
    refused = await Sipp(port, "register_banned", credentials=(stale, tenant.realm, PASSWORD), src_ip=src).run()
    assert refused.ok, refused.output
    # The neighbour behind the same address refreshes as before.
    assert (await register(port, good, tenant.realm, PASSWORD, src_ip=src)).ok
    assert _live(stack_env.dsn, good) >= 1 and _live(stack_env.dsn, stale) == 0

    bans = (await ok(await client.get(tenant.url("/sip_bans"), headers=tenant.headers)))["data"]
    assert [(b["type"], b["username"], b["realm"], b["ip"]) for b in bans] == [
        ("credentials", stale, tenant.realm, src)
    ]
    assert 0 < bans[0]["expiresIn"] <= 300 and bans[0]["bannedUntil"].endswith("Z")

    url = tenant.url(f"/devices/{devs[stale]['id']}/registration")
    diag = (await ok(await client.get(url, headers=tenant.headers)))["data"]["diagnostics"]
    assert diag["bannedUntil"] == bans[0]["bannedUntil"]
    assert diag["hint"].startswith(f"Banned until {bans[0]['bannedUntil']} from {src}")
    url = tenant.url(f"/devices/{devs[good]['id']}/registration")
    assert "bannedUntil" not in (await ok(await client.get(url, headers=tenant.headers)))["data"]["diagnostics"]
    logs_url = tenant.url(f"/devices/{devs[stale]['id']}/logs")
    logs = (await ok(await client.get(logs_url, headers=tenant.headers)))["data"]
    assert logs[0]["event"] == "banned" and logs[0]["reason"] == "credentials" and logs[0]["ipAddress"] == src

    # Walled: another account neither sees nor lifts it; the system-wide list is for superduper only.
    other = await make_tenant()
    assert (await ok(await client.get(other.url("/sip_bans"), headers=other.headers)))["data"] == []
    await assert_error(
        await client.delete(other.url(f"/sip_bans/{bans[0]['id']}"), headers=other.headers), 404, "bad_identifier"
    )
    await assert_error(await client.get("/v2/sip_bans", headers=tenant.headers), 403, "forbidden")
    everything = (await ok(await client.get("/v2/sip_bans", headers={"X-Auth-Token": master_token})))["data"]
    assert bans[0]["id"] in [b["id"] for b in everything]

    lifted = await ok(await client.delete(tenant.url(f"/sip_bans/{bans[0]['id']}"), headers=tenant.headers))
    assert lifted["data"]["id"] == bans[0]["id"] and lifted["data"]["_read_only"] == {"deleted": True}
    assert (await ok(await client.get(tenant.url("/sip_bans"), headers=tenant.headers)))["data"] == []
    logs = (await ok(await client.get(logs_url, headers=tenant.headers)))["data"]
    assert logs[0]["event"] == "ban_lifted" and logs[0]["requestId"] == lifted["request_id"]
    assert (await register(port, stale, tenant.realm, PASSWORD, src_ip=src)).ok
    await assert_error(
        await client.delete(tenant.url(f"/sip_bans/{bans[0]['id']}"), headers=tenant.headers), 404, "bad_identifier"
    )


async def test_an_address_trying_many_usernames_is_banned_as_a_scanner(client, stack_env, office, master_token):
    tenant, good, _, _ = office
    src, port = "127.0.0.42", stack_env.sip_port
    for i in range(SCANNER_LIMIT):
        assert (await register(port, f"guess{i}", tenant.realm, "123456", final=403, src_ip=src)).ok
    # Dropped without an answer, whoever it claims to be.
    assert not (await register(port, good, tenant.realm, PASSWORD, src_ip=src, timeout=2)).ok
    assert _live(stack_env.dsn, good) == 0
    master = {"X-Auth-Token": master_token}
    bans = [b for b in (await ok(await client.get("/v2/sip_bans", headers=master)))["data"] if b["ip"] == src]
    assert [(b["type"], "username" in b) for b in bans] == [("scanner", False)]
    # An address ban belongs to no account: the account does not list it.
    assert (await ok(await client.get(tenant.url("/sip_bans"), headers=tenant.headers)))["data"] == []
    await ok(await client.delete(f"/v2/sip_bans/{bans[0]['id']}", headers=master))
    assert (await register(port, good, tenant.realm, PASSWORD, src_ip=src)).ok


@pytest.mark.parametrize("ban_id", ["zz", "abc", "61757468", "61757468626e3a"])
async def test_a_ban_id_we_never_handed_out_is_404(client, tenant, ban_id):
    await assert_error(
        await client.delete(tenant.url(f"/sip_bans/{ban_id}"), headers=tenant.headers), 404, "bad_identifier"
    )


@pytest.fixture(scope="module")
def flood_node(stack_env):
    """A Kamailio node of its own whose pike bans more than 10 requests from one address in 2 s (but 127.0.0.45)."""
    port = int(stack_env.dsn.rsplit(":", 1)[1].split("/")[0])
    defines = {
        "PIKE_DENSITY": 10,
        "PIKE_UNIT": 2,
        "TRUSTED_SOURCES": '"^127\\.0\\.0\\.45$"',
        "KA_INTERVAL": 0,
        "CHILDREN": 2,
    }
    cfg = stack.KamailioConfig(db_host="127.0.0.1", db_port=port, defines=defines)
    proc = stack.start_kamailio(stack_env.workdir / "flood-kamailio", cfg)
    yield cfg
    proc.stop()


async def test_a_flood_is_banned_by_address_dropped_and_lifted(aiohttp_client, stack_env, flood_node, master_token):
    src = "127.0.0.44"
    flood = Sipp(flood_node.sip_port, "message", src_ip=src, user="x", realm="not-ours.example", final=403, timeout=3)
    flood.argv += ["-m", "40", "-r", "100"]
    await flood.run()
    # Banned: dropped without an answer.
    quiet = Sipp(flood_node.sip_port, "message", src_ip=src, user="x", realm="not-ours.example", final=403, timeout=2)
    assert not (await quiet.run()).ok
    client = await aiohttp_client(
        create_app(stack_env.settings(kamailio_rpc_url=f"http://127.0.0.1:{flood_node.rpc_port}/RPC"))
    )
    master = {"X-Auth-Token": master_token}
    bans = [b for b in (await ok(await client.get("/v2/sip_bans", headers=master)))["data"] if b["ip"] == src]
    assert [b["type"] for b in bans] == ["flood"]
    with psycopg2.connect(stack_env.dsn) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT reason, username FROM registration_events WHERE event = 'banned' AND source LIKE %s", (src + ":%",)
        )
        assert cur.fetchall() == [("flood", "")]
    await asyncio.sleep(4.5)  # pike forgets the address once it is quiet
    await ok(await client.delete(f"/v2/sip_bans/{bans[0]['id']}", headers=master))
    assert (
        await Sipp(flood_node.sip_port, "message", src_ip=src, user="x", realm="not-ours.example", final=403).run()
    ).ok


async def test_bans_answer_503_in_the_envelope_when_kamailio_is_unreachable(aiohttp_client, stack_env, tenant):
    dead = f"http://127.0.0.1:{stack.free_port()}/RPC"
    client = await aiohttp_client(create_app(stack_env.settings(kamailio_rpc_url=dead)))
    await assert_error(await client.get(tenant.url("/sip_bans"), headers=tenant.headers), 503, "kamailio_unreachable")


async def test_a_trusted_source_is_never_banned_as_a_flood(flood_node):
    flood = Sipp(flood_node.sip_port, "message", src_ip="127.0.0.45", user="x", realm="not-ours.example", final=403)
    flood.argv += ["-m", "40", "-r", "100"]
    result = await flood.run()
    assert result.ok, result.output
