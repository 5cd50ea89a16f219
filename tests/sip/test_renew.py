"""Renew: check-sync through Kamailio, then an honest answer on whether the phone re-registered."""

import time

from tests.helpers import assert_error, ok
from tests.sip.sipp import Sipp, register
from tests.sip.test_registration import PASSWORD


async def _device(client, tenant, tag: str):
    username = f"rn{tag}{tenant.account_id[:8]}"
    dev = await tenant.create_device(client, sip={"username": username, "password": PASSWORD})
    return dev, username


def _renew_url(tenant, dev):
    return tenant.url(f"/devices/{dev['id']}/registration/renew")


async def test_a_phone_that_obeys_check_sync_is_renewed(client, stack_env, tenant):
    dev, username = await _device(client, tenant, "a")
    first = await register(stack_env.sip_port, username, tenant.realm, PASSWORD, expires=600)
    assert first.ok, first.output
    phone = await Sipp(
        stack_env.sip_port,
        "resync",
        port=first.port,
        credentials=(username, tenant.realm, PASSWORD),
        event="check-sync",
        expires=900,
        timeout=15,
    ).start()
    resp = await client.post(_renew_url(tenant, dev), params={"wait": "10"}, headers=tenant.headers)
    data = (await ok(resp))["data"]
    result = await phone.wait()
    assert result.ok, result.output
    assert data["renewed"] is True and data["notifySent"] is True and data["status"] == "registered"
    assert data["deviceId"] == dev["id"] and data["message"] == "Registration renewed successfully"
    reg = await ok(await client.get(tenant.url(f"/devices/{dev['id']}/registration"), headers=tenant.headers))
    assert data["expiresAt"] == reg["data"]["expiresAt"] and reg["data"]["registrationExpiry"] == 900
    logs = (await ok(await client.get(tenant.url(f"/devices/{dev['id']}/logs"), headers=tenant.headers)))["data"]
    assert [e["event"] for e in logs] == ["refreshed", "registered"]


async def test_a_phone_that_ignores_check_sync_is_not_reported_renewed(client, stack_env, tenant):
    dev, username = await _device(client, tenant, "b")
    first = await register(stack_env.sip_port, username, tenant.realm, PASSWORD)
    assert first.ok, first.output
    # Answers the NOTIFY 200 OK, as many phones do, and never registers again.
    phone = await Sipp(stack_env.sip_port, "phone_uas", port=first.port, event="check-sync", timeout=10).start()
    started = time.monotonic()
    resp = await client.post(_renew_url(tenant, dev), params={"wait": "2"}, headers=tenant.headers)
    data = (await ok(resp))["data"]
    assert time.monotonic() - started >= 2
    assert (await phone.wait()).ok
    assert data["renewed"] is False and data["notifySent"] is True
    assert "did not re-register within 2 s" in data["message"] and "renewedAt" not in data


async def test_renew_without_a_registration_sends_nothing(client, tenant):
    dev, _ = await _device(client, tenant, "c")
    data = (await ok(await client.post(_renew_url(tenant, dev), headers=tenant.headers)))["data"]
    assert data["renewed"] is False and data["notifySent"] is False and data["status"] == "unregistered"


async def test_renew_bad_input_and_tenant_wall(client, make_tenant, tenant):
    dev, _ = await _device(client, tenant, "d")
    for bad in ("31", "-1", "abc", "1.5"):
        resp = await client.post(_renew_url(tenant, dev), params={"wait": bad}, headers=tenant.headers)
        body = await assert_error(resp, 400, "validation error")
        assert "wait" in body["data"]
    other = await make_tenant()
    await assert_error(await client.post(_renew_url(tenant, dev), headers=other.headers), 403, "forbidden")
    resp = await client.post(tenant.url("/devices/nope/registration/renew"), headers=tenant.headers)
    await assert_error(resp, 404, "bad_identifier")
