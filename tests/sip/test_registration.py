"""The registration path on the real stack: sipp → Kamailio → PostgreSQL → the API (issue 2)."""

import asyncio

import psycopg2
import pytest

from crossbar_py.platform import stack
from tests.conftest import AUTHFAIL_LIMIT
from tests.helpers import assert_error, ok
from tests.sip.sipp import Sipp, register

PASSWORD = "s3cret-pw"


def location_rows(dsn: str, username: str) -> list:
    """Rows Kamailio wrote for a username."""
    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT contact, received FROM location WHERE username = %s", (username,))
        rows = cur.fetchall()
    conn.close()
    return rows


def set_enabled(dsn: str, table: str, row_id: str, enabled: bool) -> None:
    """Disable a row directly (the enable/disable routes belong to the conformance issue)."""
    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute(f"UPDATE {table} SET enabled = %s WHERE id = %s", (enabled, row_id))  # noqa: S608 - fixed names
    conn.close()


@pytest.fixture
async def phone_device(client, tenant):
    """A device with SIP credentials, created through the API."""
    username = f"ph{tenant.account_id[:10]}"
    owner = await tenant.create_user(client, first_name="Pat", last_name="Phone")
    dev = await tenant.create_device(client, owner_id=owner["id"], sip={"username": username, "password": PASSWORD})
    return tenant, dev, username


async def test_registered_device_is_listed_at_once_with_kazoo_fields(client, stack_env, phone_device):
    tenant, dev, username = phone_device
    result = await register(stack_env.sip_port, username, tenant.realm, PASSWORD)
    assert result.ok, result.output
    body = await ok(await client.get(tenant.url("/registrations"), headers=tenant.headers))
    assert "revision" not in body and "page_size" not in body
    [reg] = body["data"]
    assert reg["username"] == username and reg["realm"] == tenant.realm
    assert reg["authorizing_id"] == dev["id"] and reg["owner_id"] == dev["owner_id"]
    assert reg["authorizing_type"] == "device" and reg["account_name"] == tenant.name
    assert reg["contact"].startswith(f"sip:{username}@127.0.0.1:")
    assert reg["contact_ip"] == "127.0.0.1" and isinstance(reg["contact_port"], int)
    assert reg["user_agent"] == "sipp-phone/3.6" and reg["call_id"]
    assert 590 <= reg["expires"] <= 600
    assert reg["proxy_port"] == stack_env.sip_port and reg["proxy_protocol"] == "udp"
    count = await ok(await client.get(tenant.url("/registrations/count"), headers=tenant.headers))
    assert count["data"] == {"count": 1}
    status = await ok(await client.get(tenant.url("/devices/status"), headers=tenant.headers))
    assert status["data"] == [{"device_id": dev["id"], "registered": True}]
    listing = await ok(await client.get(tenant.url("/devices"), params={"with_status": "true"}, headers=tenant.headers))
    assert [(d["registrable"], d["registered"]) for d in listing["data"]] == [(True, True)]


async def test_nat_source_is_recorded(client, stack_env, phone_device):
    tenant, _, username = phone_device
    result = await register(stack_env.sip_port, username, tenant.realm, PASSWORD, contact="192.0.2.10:5062")
    assert result.ok, result.output
    [reg] = (await ok(await client.get(tenant.url("/registrations"), headers=tenant.headers)))["data"]
    assert reg["contact_ip"] == "192.0.2.10" and reg["contact_port"] == 5062
    assert reg["original_contact"].startswith(f"<{reg['contact']}>")
    assert reg["source_ip"] == "127.0.0.1" and reg["source_port"] != "5062"


@pytest.mark.parametrize("case", ["wrong_password", "unknown_user", "disabled_device", "disabled_account"])
async def test_rejected_registrations_leave_no_row(client, stack_env, phone_device, case):
    tenant, dev, username = phone_device
    user, password, src = (
        username,
        PASSWORD,
        f"127.0.0.{10 + ['wrong_password', 'unknown_user', 'disabled_device', 'disabled_account'].index(case)}",
    )
    if case == "wrong_password":
        password = "not-the-password"
    elif case == "unknown_user":
        user = "nobody" + username
    elif case == "disabled_device":
        set_enabled(stack_env.dsn, "devices", dev["id"], False)
    else:
        set_enabled(stack_env.dsn, "accounts", tenant.account_id, False)
    result = await register(stack_env.sip_port, user, tenant.realm, password, final=403, src_ip=src)
    assert result.ok, result.output
    assert location_rows(stack_env.dsn, user) == []
    stack.rpc_call(stack_env.rpc_port, "htable.delete", "authfail", src)


async def test_too_brief_interval_is_423_with_min_expires(stack_env, phone_device):
    tenant, _, username = phone_device
    result = await Sipp(
        stack_env.sip_port,
        "register_brief",
        credentials=(username, tenant.realm, PASSWORD),
        expires=60,
        min_expires=300,
    ).run()
    assert result.ok, result.output
    assert location_rows(stack_env.dsn, username) == []


async def test_expires_above_max_is_capped_at_3600(client, stack_env, phone_device):
    tenant, _, username = phone_device
    assert (await register(stack_env.sip_port, username, tenant.realm, PASSWORD, expires=7200)).ok
    [reg] = (await ok(await client.get(tenant.url("/registrations"), headers=tenant.headers)))["data"]
    assert 3590 <= reg["expires"] <= 3600


async def test_expires_zero_removes_the_contact(client, stack_env, phone_device):
    tenant, _, username = phone_device
    first = await register(stack_env.sip_port, username, tenant.realm, PASSWORD)
    assert first.ok, first.output
    assert len(location_rows(stack_env.dsn, username)) == 1
    port = int(location_rows(stack_env.dsn, username)[0][0].rsplit(":", 1)[1])
    gone = await register(stack_env.sip_port, username, tenant.realm, PASSWORD, expires=0, port=port)
    assert gone.ok, gone.output
    assert location_rows(stack_env.dsn, username) == []
    count = await ok(await client.get(tenant.url("/registrations/count"), headers=tenant.headers))
    assert count["data"] == {"count": 0}


async def test_flush_one_username_removes_it_from_kamailio(client, stack_env, phone_device):
    tenant, _, username = phone_device
    registered = await register(stack_env.sip_port, username, tenant.realm, PASSWORD)
    assert registered.ok, registered.output
    aor = f"{username}@{tenant.realm}"
    phone = await Sipp(
        stack_env.sip_port, "phone_uas", port=registered.port, calls=2, timeout=20, event="check-sync"
    ).start()
    await asyncio.sleep(0.3)
    delivered = await Sipp(stack_env.sip_port, "message", user=username, realm=tenant.realm, final=200).run()
    assert delivered.ok, delivered.output
    assert stack.rpc_call(stack_env.rpc_port, "ul.lookup", "location", aor)["AoR"] == aor

    body = await ok(await client.delete(tenant.url(f"/registrations/{username.upper()}"), headers=tenant.headers))
    assert body["data"] == "ok"

    assert (await phone.wait()).ok, "the phone did not get the check-sync NOTIFY"
    refused = await Sipp(stack_env.sip_port, "message", user=username, realm=tenant.realm, final=404).run()
    assert refused.ok, refused.output
    assert (await ok(await client.get(tenant.url("/registrations"), headers=tenant.headers)))["data"] == []
    with pytest.raises(stack.StackError, match="not found"):
        stack.rpc_call(stack_env.rpc_port, "ul.lookup", "location", aor)


async def test_flush_unknown_username_is_404_with_the_name(client, tenant):
    resp = await client.delete(tenant.url("/registrations/ghost"), headers=tenant.headers)
    body = await assert_error(resp, 404, "bad identifier")
    assert body["data"] == ["ghost"]


async def test_flush_account_removes_every_contact(client, stack_env, tenant):
    names = [f"fl{i}{tenant.account_id[:8]}" for i in range(2)]
    for name in names:
        await tenant.create_device(client, sip={"username": name, "password": PASSWORD})
        assert (await register(stack_env.sip_port, name, tenant.realm, PASSWORD)).ok
    count = await ok(await client.get(tenant.url("/registrations/count"), headers=tenant.headers))
    assert count["data"] == {"count": 2}
    body = await ok(await client.delete(tenant.url("/registrations"), headers=tenant.headers))
    assert body["data"] == "ok"
    for name in names:
        assert location_rows(stack_env.dsn, name) == []


async def test_message_to_a_foreign_domain_is_refused(stack_env):
    result = await Sipp(stack_env.sip_port, "message", user="someone", realm="not-ours.example", final=403).run()
    assert result.ok, result.output


async def test_repeated_auth_failures_ban_the_source(stack_env, phone_device):
    tenant, _, username = phone_device
    src = "127.0.0.40"
    for _ in range(AUTHFAIL_LIMIT):
        assert (await register(stack_env.sip_port, username, tenant.realm, "bad-pass", final=403, src_ip=src)).ok
    banned = await register(stack_env.sip_port, username, tenant.realm, PASSWORD, src_ip=src, timeout=3)
    assert not banned.ok
    assert location_rows(stack_env.dsn, username) == []
    stack.rpc_call(stack_env.rpc_port, "htable.delete", "ipban", src)
    assert (await register(stack_env.sip_port, username, tenant.realm, PASSWORD, src_ip=src)).ok


async def test_reenabled_device_registers_again(client, stack_env, phone_device):
    tenant, dev, username = phone_device
    set_enabled(stack_env.dsn, "devices", dev["id"], False)
    assert (await register(stack_env.sip_port, username, tenant.realm, PASSWORD, final=403, src_ip="127.0.0.30")).ok
    stack.rpc_call(stack_env.rpc_port, "htable.delete", "authfail", "127.0.0.30")
    set_enabled(stack_env.dsn, "devices", dev["id"], True)
    assert (await register(stack_env.sip_port, username, tenant.realm, PASSWORD)).ok


def test_kamailio_credentials_always_equal_their_rule(stack_env):
    """The table Kamailio reads equals the view that defines who may register, after every test's writes."""
    conn = psycopg2.connect(stack_env.dsn)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM kam_credentials")
        total = cur.fetchone()[0]
        cur.execute(
            "(SELECT * FROM kam_credentials EXCEPT SELECT * FROM kam_credentials_source) UNION ALL "
            "(SELECT * FROM kam_credentials_source EXCEPT SELECT * FROM kam_credentials)"
        )
        diff = cur.fetchall()
    conn.close()
    assert total > 0
    assert diff == []
