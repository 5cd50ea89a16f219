"""Reset-password on the real stack: the old password is refused at once, the phone's registration is
flushed in the API's transaction, the phone gets a check-sync at its real address, the new one registers."""

import asyncio

import pytest

from tests.helpers import ok
from tests.sip.sipp import Sipp, forget_failures, register
from tests.sip.test_device_lifecycle import assert_gone_from_kamailio

OLD_PASSWORD_SRC = "127.0.0.53"


@pytest.fixture
async def seed_device(client, tenant):
    """A device made through POST /devices/sip: (tenant, its id, username, generated password)."""
    username = f"rp{tenant.account_id[:10]}"
    resp = await client.post(
        tenant.url("/devices/sip"), headers=tenant.headers, json={"name": "Desk", "sipUsername": username}
    )
    data = (await ok(resp, 201))["data"]
    return tenant, data["id"], username, data["credentials"]["sipPassword"]


@pytest.mark.parametrize(("route", "contact"), [("/devices/sip/{d}", None), ("/devices/{d}", "192.0.2.10:5062")])
async def test_reset_password_flushes_notifies_and_swaps_the_password(client, stack_env, seed_device, route, contact):
    tenant, device_id, username, password = seed_device
    extra = {"contact": contact} if contact else {}
    registered = await register(stack_env.sip_port, username, tenant.realm, password, **extra)
    assert registered.ok, registered.output
    seen = (await ok(await client.get(tenant.url(f"/devices/sip/{device_id}"), headers=tenant.headers)))["data"]
    assert seen["registrationStatus"] == "registered" and seen["ipAddress"] == "127.0.0.1"
    # The phone listens where it really is; behind NAT its Contact (192.0.2.10) is unreachable.
    phone = await Sipp(stack_env.sip_port, "phone_uas", port=registered.port, event="check-sync").start()
    await asyncio.sleep(0.3)

    resp = await client.post(tenant.url(f"{route.format(d=device_id)}/reset-password"), headers=tenant.headers)
    body = await ok(resp)
    new_password = body["data"]["sipPassword"]
    assert new_password != password
    assert body["data"]["registrationsFlushed"] == 1 and body["data"]["notifySent"] == 1

    notified = await phone.wait()
    assert notified.ok, notified.output
    assert_gone_from_kamailio(stack_env, username, tenant.realm)
    logs = (await ok(await client.get(tenant.url(f"/devices/{device_id}/logs"), headers=tenant.headers)))["data"]
    assert logs[0]["event"] == "flushed" and logs[0]["requestId"] == body["request_id"]

    refused = await register(stack_env.sip_port, username, tenant.realm, password, final=403, src_ip=OLD_PASSWORD_SRC)
    assert refused.ok, refused.output
    forget_failures(stack_env.rpc_port, OLD_PASSWORD_SRC)
    again = await register(stack_env.sip_port, username, tenant.realm, new_password)
    assert again.ok, again.output
    seen = (await ok(await client.get(tenant.url(f"/devices/sip/{device_id}"), headers=tenant.headers)))["data"]
    assert seen["registrationStatus"] == "registered"
