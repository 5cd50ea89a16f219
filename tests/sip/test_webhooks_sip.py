"""A real phone (sipp through Kamailio) registers and unregisters; the customer's endpoint hears both, signed."""

import pytest
from aiohttp import web

from tests.helpers import ok
from tests.sip.sipp import register
from tests.sip.test_registration import PASSWORD
from tests.webhook_helpers import Receiver


@pytest.fixture
def settings(stack_env):
    """Deliveries polled every 0.1 s."""
    return stack_env.settings(webhook_poll_interval=0.1, webhook_timeout=2)


async def test_a_phone_registering_and_unregistering_reaches_the_webhook(client, stack_env, tenant, aiohttp_server):
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    receiver.url = str((await aiohttp_server(app)).make_url("/hook"))
    events = ["device.registered", "device.unregistered"]
    resp = await client.put(
        tenant.url("/webhooks"), headers=tenant.headers, json={"data": {"url": receiver.url, "events": events}}
    )
    hook = (await ok(resp, 201))["data"]
    username = f"whs{tenant.account_id[:9]}"
    device = await tenant.create_device(client, sip={"username": username, "password": PASSWORD})

    phone = await register(stack_env.sip_port, username, tenant.realm, PASSWORD)
    assert phone.ok, phone.output
    assert (await register(stack_env.sip_port, username, tenant.realm, PASSWORD, port=phone.port, expires=0)).ok
    calls = await receiver.wait_for(2)
    assert all(c.signed_by(hook["secret"]) for c in calls)
    registered, unregistered = calls[0].body, calls[1].body
    assert registered["event"] == "device.registered" and unregistered["event"] == "device.unregistered"
    assert registered["data"]["deviceId"] == unregistered["data"]["deviceId"] == device["id"]
    assert registered["data"]["ipAddress"] == "127.0.0.1" and registered["data"]["port"] == phone.port
    assert registered["data"]["userAgent"] == "sipp-phone/3.6" and unregistered["data"]["status"] == "unregistered"
