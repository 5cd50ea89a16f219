"""GET /registrations/events: the account's journal as Server-Sent Events, live, resumable, walled."""

import asyncio
import json
import secrets

import pytest

from tests.helpers import assert_error
from tests.webhook_helpers import register_row, unregister_row


@pytest.fixture
def settings(data_env):
    """A fast tailer and a heartbeat every half second."""
    return data_env.settings(events_poll_interval=0.1, events_heartbeat=0.5)


async def _next_message(resp, timeout: float = 5) -> dict:
    """The next event of the stream (comments and retry lines skipped) as {event, id, data}."""
    message = {}
    while True:
        line = (await asyncio.wait_for(resp.content.readline(), timeout)).decode().rstrip("\n")
        if line == "" and message:
            return message
        if line and not line.startswith(":") and not line.startswith("retry:"):
            name, _, value = line.partition(": ")
            message[name] = json.loads(value) if name == "data" else value


async def _phone(client, tenant) -> str:
    username = f"se{secrets.token_hex(4)}"
    await tenant.create_device(client, sip={"username": username, "password": "pw-123456"})
    return username


async def test_live_events_then_resume_with_last_event_id(client, make_tenant):
    tenant, other = await make_tenant(), await make_tenant()
    username, foreign = await _phone(client, tenant), await _phone(client, other)
    resp = await client.get(tenant.url("/registrations/events"), headers=tenant.headers)
    assert resp.status == 200 and resp.headers["Content-Type"] == "text/event-stream"
    await register_row(client.app, foreign, other.realm)
    ruid = await register_row(client.app, username, tenant.realm)
    first = await _next_message(resp)
    assert first["event"] == "registered" and first["data"]["sipUsername"] == username
    assert first["id"] == str(first["data"]["id"]) and first["data"]["accountId"] == tenant.account_id
    assert first["data"]["ipAddress"] == "203.0.113.50" and first["data"]["registrationId"] == ruid
    resp.close()

    await unregister_row(client.app, ruid)
    await register_row(client.app, username, tenant.realm, ip="203.0.113.7")
    resumed = await client.get(
        tenant.url("/registrations/events"), headers={**tenant.headers, "Last-Event-ID": first["id"]}
    )
    missed = [await _next_message(resumed), await _next_message(resumed)]
    assert [m["event"] for m in missed] == ["unregistered", "registered"]
    assert int(missed[0]["id"]) > int(first["id"]) and missed[1]["data"]["ipAddress"] == "203.0.113.7"
    await register_row(client.app, username, tenant.realm, ip="203.0.113.8")
    live = await _next_message(resumed)
    assert live["data"]["ipAddress"] == "203.0.113.8"
    resumed.close()


async def test_heartbeats_keep_a_quiet_stream_open(client, tenant):
    resp = await client.get(tenant.url("/registrations/events"), headers=tenant.headers)
    lines = [(await asyncio.wait_for(resp.content.readline(), 3)).decode() for _ in range(4)]
    assert lines[0] == "retry: 3000\n" and ": heartbeat\n" in lines
    resp.close()


async def test_the_stream_is_walled(client, make_tenant):
    tenant, other = await make_tenant(), await make_tenant()
    url = tenant.url("/registrations/events")
    await assert_error(await client.get(url, headers=other.headers), 403, "forbidden")
    await assert_error(await client.get(url), 401, "invalid_credentials")


async def test_an_open_stream_does_not_hold_up_shutdown(aiohttp_client, data_env, tenant, client):
    from crossbar_py.app import create_app

    node = await aiohttp_client(create_app(data_env.settings(events_heartbeat=30)))
    resp = await node.get(tenant.url("/registrations/events"), headers=tenant.headers)
    assert resp.status == 200
    await asyncio.wait_for(node.close(), 10)
