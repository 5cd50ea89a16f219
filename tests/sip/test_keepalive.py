"""Offline detection: Kamailio's keepalive OPTIONS, answered and then not (issue 4)."""

import asyncio
import re

import pytest

from crossbar_py.platform import stack
from tests.helpers import ok
from tests.sip.sipp import Sipp, register
from tests.sip.test_registration import PASSWORD

KA_MAX_FAILS = 2


@pytest.fixture(scope="module")
def ka_kamailio(stack_env):
    """A Kamailio node of its own (SERVER_ID 7) pinging every second (pages of 40), 1 s reply timeout."""
    port = int(stack_env.dsn.rsplit(":", 1)[1].split("/")[0])
    defines = {
        "KA_INTERVAL": 1,
        "KA_MAX_FAILS": KA_MAX_FAILS,
        "KA_BATCH": 40,
        "FR_TIMER": 1000,
        "SERVER_ID": 7,
        "CHILDREN": 2,
        # The fleet below registers from one address at 200/s: not a flood here.
        "PIKE_DENSITY": 0,
    }
    cfg = stack.KamailioConfig(db_host="127.0.0.1", db_port=port, defines=defines)
    proc = stack.start_kamailio(stack_env.workdir / "ka-kamailio", cfg)
    yield cfg
    proc.stop()


async def _status(client, tenant, dev) -> str:
    resp = await client.get(tenant.url(f"/devices/{dev['id']}/status"), headers=tenant.headers)
    return (await ok(resp))["data"]["status"]


async def test_a_phone_that_stops_answering_keepalives_goes_offline(client, ka_kamailio, tenant):
    username = f"ka{tenant.account_id[:10]}"
    dev = await tenant.create_device(client, name="Lobby phone", sip={"username": username, "password": PASSWORD})
    first = await register(ka_kamailio.sip_port, username, tenant.realm, PASSWORD, expires=3600)
    assert first.ok, first.output
    phone = await Sipp(ka_kamailio.sip_port, "answer_options", port=first.port, calls=1000, timeout=60).start()
    try:
        # Two unanswered rounds would remove the contact within about three seconds; answered, it stays.
        await asyncio.sleep(4)
        assert await _status(client, tenant, dev) == "registered"
    finally:
        phone.proc.terminate()
        await phone.proc.wait()

    for _ in range(100):
        if await _status(client, tenant, dev) == "offline":
            break
        await asyncio.sleep(0.1)
    assert await _status(client, tenant, dev) == "offline"
    logs = (await ok(await client.get(tenant.url(f"/devices/{dev['id']}/logs"), headers=tenant.headers)))["data"]
    assert [e["event"] for e in logs] == ["offline", "registered"]
    assert logs[0]["reason"] == f"{KA_MAX_FAILS} keepalives unanswered"
    assert logs[0]["ipAddress"] == "127.0.0.1" and logs[0]["port"] == first.port

    resp = await client.get(tenant.url("/devices/registration/status"), headers=tenant.headers)
    body = await ok(resp)
    assert body["pagination"]["offline"] == 1 and body["pagination"]["registered"] == 0
    assert [(d["deviceId"], d["status"]) for d in body["data"]] == [(dev["id"], "offline")]

    dash = (await ok(await client.get(tenant.url("/devices/registration/dashboard"), headers=tenant.headers)))["data"]
    assert dash["summary"]["offline"] == 1
    assert [(a["type"], a["deviceId"], a["message"]) for a in dash["alerts"]] == [
        ("offline", dev["id"], "Device offline: Lobby phone")
    ]


def _node_contacts(dsn: str, server_id: int) -> int:
    import psycopg2

    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM location WHERE server_id = %s", (server_id,))
        return cur.fetchone()[0]


async def test_every_contact_is_pinged_each_round_past_the_loop_cap(client, ka_kamailio, tenant, stack_env):
    """140 dead and 10 answering contacts (past Kamailio's 100-iteration while cap): the dead go within two rounds."""
    prefix = f"kb{tenant.account_id[:8]}"
    names = [f"{prefix}{i:03d}" for i in range(150)]
    for chunk in range(0, len(names), 25):
        await asyncio.gather(
            *(
                tenant.create_device(client, sip={"username": n, "password": PASSWORD})
                for n in names[chunk : chunk + 25]
            )
        )
    users = [(n, tenant.realm, PASSWORD) for n in names]
    live = Sipp(ka_kamailio.sip_port, "register", users=users[:10], calls=10, rate=50, expires=3600, final=200)
    dead = Sipp(ka_kamailio.sip_port, "register", users=users[10:], calls=140, rate=200, expires=3600, final=200)
    assert (await live.run()).ok
    phone = await Sipp(ka_kamailio.sip_port, "answer_options", port=live.port, calls=100000, timeout=60).start()
    try:
        registered = await dead.run()
        assert registered.ok, registered.output
        assert _node_contacts(stack_env.dsn, 7) == 150
        started = asyncio.get_running_loop().time()
        # Rounds every second, a keepalive times out after 1 s: two rounds end within about 3 s.
        while _node_contacts(stack_env.dsn, 7) > 10 and asyncio.get_running_loop().time() - started < 8:
            await asyncio.sleep(0.2)
        elapsed = asyncio.get_running_loop().time() - started
        assert _node_contacts(stack_env.dsn, 7) == 10
        print(f"150 contacts, 140 dead: cleared in {elapsed:.1f} s")
        # Two 1 s rounds, the 1 s reply timeout, the 250 ms removal pass; slack for a loaded machine.
        assert elapsed < 6, elapsed
        # One round reached all 150 (the cap used to stop a round at 100).
        rounds = re.findall(
            r"round sent (\d+) OPTIONS", (stack_env.workdir / "ka-kamailio" / "kamailio.log").read_text()
        )
        assert max(int(n) for n in rounds) == 150
        await asyncio.sleep(2)
        assert _node_contacts(stack_env.dsn, 7) == 10
    finally:
        phone.proc.terminate()
        await phone.proc.wait()
