"""The registration journal and device state on the real stack (issue 4, docs/decisions.md §22)."""

import asyncio

import pytest

from crossbar_py.platform import stack
from tests.helpers import assert_error, ok
from tests.sip.sipp import register
from tests.sip.test_registration import PASSWORD


async def _state(client, tenant, dev) -> tuple:
    status = (await ok(await client.get(tenant.url(f"/devices/{dev['id']}/status"), headers=tenant.headers)))["data"]
    logs = (await ok(await client.get(tenant.url(f"/devices/{dev['id']}/logs"), headers=tenant.headers)))["data"]
    return status, logs


@pytest.fixture
async def journal_device(client, tenant):
    username = f"jr{tenant.account_id[:10]}"
    dev = await tenant.create_device(client, sip={"username": username, "password": PASSWORD})
    return tenant, dev, username


async def test_a_phones_life_in_the_journal(client, stack_env, journal_device):
    tenant, dev, username = journal_device
    status, logs = await _state(client, tenant, dev)
    assert status == {"device_id": dev["id"], "status": "provisioning", "registered": False} and logs == []

    first = await register(stack_env.sip_port, username, tenant.realm, PASSWORD)
    assert first.ok, first.output
    status, logs = await _state(client, tenant, dev)
    assert status["status"] == "registered" and status["registered"] is True
    assert [e["event"] for e in logs] == ["registered"]
    assert logs[0]["contact"].startswith(f"sip:{username}@127.0.0.1") and logs[0]["userAgent"] == "sipp-phone/3.6"

    assert (await register(stack_env.sip_port, username, tenant.realm, PASSWORD, port=first.port)).ok
    assert (await register(stack_env.sip_port, username, tenant.realm, PASSWORD, port=first.port, expires=0)).ok
    status, logs = await _state(client, tenant, dev)
    assert status["status"] == "unregistered"
    assert [e["event"] for e in logs] == ["unregistered", "refreshed", "registered"]

    assert (await register(stack_env.sip_port, username, tenant.realm, PASSWORD)).ok
    resp = await client.delete(
        tenant.url(f"/registrations/{username}"), headers={**tenant.headers, "X-Request-ID": "flush-req-1"}
    )
    await ok(resp)
    status, logs = await _state(client, tenant, dev)
    assert status["status"] == "unregistered"
    assert logs[0]["event"] == "flushed" and logs[0]["requestId"] == "flush-req-1"

    src = "127.0.0.70"
    assert (await register(stack_env.sip_port, username, tenant.realm, "wrong-pass", final=403, src_ip=src)).ok
    stack.rpc_call(stack_env.rpc_port, "htable.delete", "authfail", src)
    status, logs = await _state(client, tenant, dev)
    assert status["status"] == "invalid"
    assert logs[0]["event"] == "auth_failed" and logs[0]["reason"] == "wrong password"
    assert logs[0]["ipAddress"] == src


async def test_auth_failure_with_hostile_strings_is_journaled_verbatim(client, stack_env, journal_device):
    tenant, dev, username = journal_device
    src = "127.0.0.71"
    # A user agent trying SQL through Kamailio's report of the failure.
    result = await register(
        stack_env.sip_port,
        username,
        tenant.realm,
        "wrong-pass",
        final=403,
        src_ip=src,
        user_agent="x'); DROP TABLE devices; --",
    )
    stack.rpc_call(stack_env.rpc_port, "htable.delete", "authfail", src)
    assert result.ok, result.output
    _, logs = await _state(client, tenant, dev)
    assert logs[0]["userAgent"] == "x'); DROP TABLE devices; --"


async def test_disabled_device_status(client, journal_device):
    tenant, dev, _ = journal_device
    await ok(
        await client.patch(
            tenant.url(f"/devices/{dev['id']}"), headers=tenant.headers, json={"data": {"enabled": False}}
        )
    )
    status, _ = await _state(client, tenant, dev)
    assert status["status"] == "disabled"


async def test_logs_bad_input_and_tenant_wall(client, make_tenant, journal_device):
    tenant, dev, _ = journal_device
    for bad in ("0", "-1", "abc", "1001"):
        resp = await client.get(tenant.url(f"/devices/{dev['id']}/logs"), params={"lines": bad}, headers=tenant.headers)
        await assert_error(resp, 400, "validation error")
    other = await make_tenant()
    for path in ("status", "logs"):
        await assert_error(
            await client.get(tenant.url(f"/devices/{dev['id']}/{path}"), headers=other.headers), 403, "forbidden"
        )
        await assert_error(
            await client.get(tenant.url(f"/devices/nope/{path}"), headers=tenant.headers), 404, "bad_identifier"
        )


@pytest.fixture(scope="module")
def fast_kamailio(stack_env):
    """A second Kamailio on the same database whose contacts may live two seconds and expire at once."""
    port = int(stack_env.dsn.rsplit(":", 1)[1].split("/")[0])
    cfg = stack.KamailioConfig(
        db_host="127.0.0.1",
        db_port=port,
        defines={"MIN_EXPIRES": 1, "UL_TIMER": 1, "CHILDREN": 2, "LOG_LEVEL": 1, "KA_INTERVAL": 0, "SERVER_ID": 1},
    )
    proc = stack.start_kamailio(stack_env.workdir / "fast-kamailio", cfg)
    yield cfg
    proc.stop()


async def test_expiry_is_journaled_and_shown(client, fast_kamailio, journal_device):
    tenant, dev, username = journal_device
    assert (await register(fast_kamailio.sip_port, username, tenant.realm, PASSWORD, expires=2)).ok
    for _ in range(100):
        _, logs = await _state(client, tenant, dev)
        if logs and logs[0]["event"] == "expired":
            break
        await asyncio.sleep(0.1)
    status, logs = await _state(client, tenant, dev)
    assert [e["event"] for e in logs] == ["expired", "registered"]
    assert status["status"] == "expired"


async def test_registration_view_with_two_contacts_nat_flush_and_history(client, stack_env, journal_device):
    tenant, dev, username = journal_device
    url = tenant.url(f"/devices/{dev['id']}/registration")
    desk = await register(stack_env.sip_port, username, tenant.realm, PASSWORD)
    natted = await register(stack_env.sip_port, username, tenant.realm, PASSWORD, contact="10.1.2.3:5060")
    assert desk.ok and natted.ok
    data = (await ok(await client.get(url, headers=tenant.headers)))["data"]
    assert data["status"] == "registered" and data["deviceId"] == dev["id"]
    assert len(data["contacts"]) == 2 and len({c["registrationId"] for c in data["contacts"]}) == 2
    by_contact = {c["contactAddress"]: c for c in data["contacts"]}
    behind = by_contact[f"sip:{username}@10.1.2.3:5060"]
    assert behind["realAddress"] == f"127.0.0.1:{natted.port}" and behind["transport"] == "UDP"
    assert behind["registeredAt"] and behind["expiresAt"]
    assert data["diagnostics"]["behindNat"] is True and data["diagnostics"]["registrationsLastHour"] == 2
    assert data["registrationExpiry"] == 600 and data["ipAddress"] == "127.0.0.1" and data["contactUri"]

    resp = await client.delete(url, headers={**tenant.headers, "X-Request-ID": "unreg-1"})
    removed = (await ok(resp))["data"]
    assert removed["status"] == "unregistered" and len(removed["removed"]) == 2
    data = (await ok(await client.get(url, headers=tenant.headers)))["data"]
    assert data["status"] == "unregistered" and data["contacts"] == [] and "lastRegistration" in data
    logs = (await ok(await client.get(tenant.url(f"/devices/{dev['id']}/logs"), headers=tenant.headers)))["data"]
    assert [e["event"] for e in logs[:2]] == ["flushed", "flushed"] and logs[0]["requestId"] == "unreg-1"
    assert (await ok(await client.get(tenant.url("/registrations/count"), headers=tenant.headers)))["data"][
        "count"
    ] == 0


async def test_registration_diagnostics_explain_a_wrong_password(client, stack_env, journal_device):
    tenant, dev, username = journal_device
    src = "127.0.0.72"
    assert (await register(stack_env.sip_port, username, tenant.realm, "not-it", final=403, src_ip=src)).ok
    stack.rpc_call(stack_env.rpc_port, "htable.delete", "authfail", src)
    data = (await ok(await client.get(tenant.url(f"/devices/{dev['id']}/registration"), headers=tenant.headers)))[
        "data"
    ]
    assert data["status"] == "invalid"
    assert data["diagnostics"]["authFailures"][0]["source"].startswith(src)
    assert "password" in data["diagnostics"]["hint"]


async def test_registration_routes_wall_and_404(client, make_tenant, journal_device):
    tenant, dev, _ = journal_device
    other = await make_tenant()
    for method in ("GET", "DELETE"):
        url = tenant.url(f"/devices/{dev['id']}/registration")
        await assert_error(await client.request(method, url, headers=other.headers), 403, "forbidden")
        await assert_error(await client.request(method, url), 401, "invalid_credentials")
        await assert_error(
            await client.request(method, tenant.url("/devices/nope/registration"), headers=tenant.headers),
            404,
            "bad_identifier",
        )
    data = (await ok(await client.get(tenant.url(f"/devices/{dev['id']}/registration"), headers=tenant.headers)))[
        "data"
    ]
    assert data["status"] == "provisioning" and "hint" in data["diagnostics"]


async def test_bulk_status_counts_filters_and_rejects_bad_input(client, stack_env, make_tenant):
    tenant, other = await make_tenant(), await make_tenant()
    live = await tenant.create_device(
        client, device_type="sip_device", sip={"username": f"bk{tenant.account_id[:9]}", "password": PASSWORD}
    )
    off = await tenant.create_device(client, device_type="softphone", enabled=False)
    fresh = await tenant.create_device(client, device_type="sip_device")
    assert (await register(stack_env.sip_port, live["sip"]["username"], tenant.realm, PASSWORD)).ok
    url = tenant.url("/devices/registration/status")
    body = await ok(await client.get(url, headers=tenant.headers))
    assert body["pagination"] == {
        "total": 3,
        "registered": 1,
        "unregistered": 1,
        "offline": 0,
        "limit": 50,
        "offset": 0,
    }
    states = {d["deviceId"]: d for d in body["data"]}
    assert states[live["id"]]["status"] == "registered" and states[live["id"]]["ipAddress"] == "127.0.0.1"
    assert states[live["id"]]["registeredAt"] and states[live["id"]]["expiresAt"]
    assert states[off["id"]]["status"] == "disabled" and states[fresh["id"]]["status"] == "provisioning"
    only = await ok(await client.get(url, params={"status": "registered", "type": "sip"}, headers=tenant.headers))
    assert [d["deviceId"] for d in only["data"]] == [live["id"]] and only["pagination"]["total"] == 1
    picked = await ok(await client.get(url, params={"device_id": f"{off['id']},{fresh['id']}"}, headers=tenant.headers))
    assert {d["deviceId"] for d in picked["data"]} == {off["id"], fresh["id"]}
    page = await ok(await client.get(url, params={"limit": "1", "offset": "1"}, headers=tenant.headers))
    assert len(page["data"]) == 1 and page["pagination"]["total"] == 3
    assert page["data"][0]["deviceId"] == sorted(d["id"] for d in (live, off, fresh))[1]
    past_end = await ok(await client.get(url, params={"status": "disabled", "offset": "5"}, headers=tenant.headers))
    assert past_end["data"] == [] and past_end["pagination"]["total"] == 1

    bad = [
        ({"status": "sleeping"}, "status", "enum"),
        ({"limit": "-1"}, "limit", "minimum"),
        ({"limit": "many"}, "limit", "type"),
        ({"offset": "-5"}, "offset", "minimum"),
    ]
    for params, field, validator in bad:
        body = await assert_error(await client.get(url, params=params, headers=tenant.headers), 400, "validation error")
        assert validator in body["data"][field]
    foreign = await other.create_device(client)
    body = await assert_error(
        await client.get(url, params={"device_id": foreign["id"]}, headers=tenant.headers), 400, "validation error"
    )
    assert body["data"]["device_id"]["not_found"]["cause"] == [foreign["id"]]
    await assert_error(await client.get(url, headers=other.headers), 403, "forbidden")
    await assert_error(await client.get(url), 401, "invalid_credentials")
