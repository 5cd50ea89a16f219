"""Webhooks (docs/monitoring.md): CRUD in both shapes, validation, signed at-least-once delivery from the
journal with retries, restarts and tenant walls. The receiver is a real HTTP server on loopback."""

import asyncio
import secrets

import pytest
from aiohttp import web

from crossbar_py.app import create_app
from crossbar_py.platform import stack
from tests.helpers import assert_error, ok
from tests.webhook_helpers import Receiver, register_row, unregister_row

FAST = {"webhook_poll_interval": 0.1, "webhook_backoff_base": 0.2, "webhook_timeout": 2, "events_poll_interval": 0.1}
ALL_EVENTS = ["device.registered", "device.unregistered", "device.expired", "device.offline", "device.auth_failed"]


@pytest.fixture
def settings(data_env, request):
    """Fast delivery; a test asking for `no_delivery` gets a client whose app does not deliver."""
    concurrency = 0 if "no_delivery" in request.fixturenames else 10
    return data_env.settings(**FAST, webhook_concurrency=concurrency)


@pytest.fixture
def no_delivery():
    """Marks a test whose client app delivers nothing (see `settings`)."""


@pytest.fixture
async def make_receiver(aiohttp_server):
    """A factory of customer endpoints."""

    async def make() -> Receiver:
        receiver = Receiver()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", receiver.handle)
        server = await aiohttp_server(app)
        receiver.url = str(server.make_url("/hooks/devices"))
        return receiver

    return make


async def _phone(client, tenant) -> tuple:
    username = f"wh{secrets.token_hex(4)}"
    device = await tenant.create_device(client, sip={"username": username, "password": "pw-123456"})
    return device, username


async def _hook(client, tenant, **data) -> dict:
    body = await ok(await client.put(tenant.url("/webhooks"), headers=tenant.headers, json={"data": data}), 201)
    return body["data"]


async def test_kazoo_and_seed_shapes_are_one_document(client, tenant):
    kazoo = await _hook(
        client,
        tenant,
        name="Regs",
        uri="https://hooks.example.com/regs",
        http_verb="POST",
        hook="device.registered",
        retries=3,
        custom_data={"team": "ops"},
    )
    assert kazoo["secret"].startswith("whsec_") and len(kazoo["id"]) == 32
    assert kazoo["url"] == kazoo["uri"] == "https://hooks.example.com/regs"
    assert kazoo["events"] == ["device.registered"] and kazoo["http_verb"] == "post" and kazoo["enabled"] is True
    resp = await client.post(
        tenant.url("/webhooks"),
        headers=tenant.headers,
        json={
            "data": {
                "url": "https://yourserver.com/webhooks/devices",
                "events": ["device.offline", "device.registered"],
            }
        },
    )
    seed = (await ok(resp))["data"]
    assert resp.headers["Location"] == tenant.url(f"/webhooks/{seed['id']}")
    assert seed["hook"] == "device.registered,device.offline" and seed["events"] == [
        "device.registered",
        "device.offline",
    ]
    assert seed["name"] == "yourserver.com" and seed["retries"] == 2 and seed["http_verb"] == "post"

    listed = (await ok(await client.get(tenant.url("/webhooks"), headers=tenant.headers)))["data"]
    assert sorted(h["id"] for h in listed) == sorted([kazoo["id"], seed["id"]])
    assert all("secret" not in h for h in listed)
    one = (await ok(await client.get(tenant.url(f"/webhooks/{seed['id']}"), headers=tenant.headers)))["data"]
    assert "secret" not in one and one["url"] == seed["url"]

    url = tenant.url(f"/webhooks/{seed['id']}")
    patched = await ok(await client.patch(url, headers=tenant.headers, json={"data": {"url": "http://b.example/x"}}))
    assert patched["data"]["uri"] == "http://b.example/x" and patched["revision"].startswith("2-")
    patched = (await ok(await client.patch(url, headers=tenant.headers, json={"data": {"hook": "all"}})))["data"]
    assert patched["events"] == ALL_EVENTS and patched["hook"] == "all"
    # Monster UI's edit: the GET's object sent back with one field changed, the alias left as it was.
    echoed = {**patched, "uri": "http://c.example/y"}
    replaced = (await ok(await client.post(url, headers=tenant.headers, json={"data": echoed})))["data"]
    assert replaced["uri"] == replaced["url"] == "http://c.example/y"

    rotated = (await ok(await client.post(f"{url}/secret", headers=tenant.headers, json={})))["data"]
    assert (
        rotated["id"] == seed["id"] and rotated["secret"].startswith("whsec_") and rotated["secret"] != seed["secret"]
    )
    deleted = (await ok(await client.delete(url, headers=tenant.headers)))["data"]
    assert deleted["_read_only"] == {"deleted": True}
    await assert_error(await client.get(url, headers=tenant.headers), 404, "bad_identifier")


@pytest.mark.parametrize(
    ("data", "field", "validator"),
    [
        ({"url": "ftp://files.example.com/x", "events": ["device.registered"]}, "url", "wrong_format"),
        ({"url": "/relative/path", "events": ["device.registered"]}, "url", "wrong_format"),
        ({"url": "not a url", "events": ["device.registered"]}, "url", "wrong_format"),
        ({"uri": "http:///nohost", "hook": "all", "name": "x"}, "uri", "wrong_format"),
        ({"url": "https://a.example", "events": ["device.exploded"]}, "events.0", "enum"),
        ({"uri": "https://a.example", "hook": "device.exploded", "name": "x"}, "hook", "enum"),
        ({"url": "https://a.example", "events": []}, "events", "minItems"),
        ({"url": "https://a.example", "events": ["device.registered"], "retries": -1}, "retries", "minimum"),
        ({"url": "https://a.example", "events": ["device.registered"], "retries": 11}, "retries", "maximum"),
        ({"url": "https://a.example", "events": ["device.registered"], "http_verb": "delete"}, "http_verb", "enum"),
        ({"events": ["device.registered"]}, "url", "required"),
        ({"uri": "https://a.example", "name": "x"}, "hook", "required"),
        ({"url": 42, "events": ["device.registered"]}, "url", "type"),
    ],
)
async def test_invalid_webhooks_are_400_per_field(client, tenant, data, field, validator):
    resp = await client.put(tenant.url("/webhooks"), headers=tenant.headers, json={"data": data})
    body = await assert_error(resp, 400, "validation error")
    assert validator in body["data"][field], body["data"]


async def test_every_error_is_reported_at_once_and_updates_validate_too(client, tenant):
    data = {"url": "gopher://x", "events": ["nope"], "retries": -3}
    body = await assert_error(
        await client.put(tenant.url("/webhooks"), headers=tenant.headers, json={"data": data}), 400, "validation error"
    )
    assert set(body["data"]) == {"url", "events.0", "retries"}
    hook = await _hook(client, tenant, url="https://a.example", events=["device.registered"])
    url = tenant.url(f"/webhooks/{hook['id']}")
    resp = await client.patch(url, headers=tenant.headers, json={"data": {"retries": "many"}})
    assert "type" in (await assert_error(resp, 400, "validation error"))["data"]["retries"]
    resp = await client.patch(
        url, headers=tenant.headers, json={"data": {"url": "https://b.example", "uri": "https://c.example"}}
    )
    assert "invalid" in (await assert_error(resp, 400, "validation error"))["data"]["url"]


async def test_unknown_or_foreign_webhook_is_404(client, make_tenant):
    tenant, other = await make_tenant(), await make_tenant()
    foreign = await _hook(client, other, url="https://a.example", events=["device.registered"])
    for ident in ("nope", foreign["id"]):
        base = tenant.url(f"/webhooks/{ident}")
        for method, path in [
            ("GET", ""),
            ("POST", ""),
            ("PATCH", ""),
            ("DELETE", ""),
            ("GET", "/attempts"),
            ("GET", "/deliveries"),
            ("POST", "/secret"),
        ]:
            resp = await client.request(method, base + path, headers=tenant.headers, json={"data": {"hook": "all"}})
            body = await assert_error(resp, 404, "bad_identifier")
            assert body["data"] == {"cause": ident, "message": "bad identifier"}


async def test_events_are_delivered_signed_in_seed_shape(client, tenant, make_receiver):
    receiver = await make_receiver()
    hook = await _hook(
        client, tenant, url=receiver.url, events=["device.registered", "device.unregistered"], custom_data={"k": "v"}
    )
    device, username = await _phone(client, tenant)
    ruid = await register_row(client.app, username, tenant.realm)
    await unregister_row(client.app, ruid)
    calls = await receiver.wait_for(2)
    assert [c.method for c in calls] == ["POST", "POST"]
    assert all(c.signed_by(hook["secret"]) for c in calls)
    first, second = calls[0].body, calls[1].body
    assert first["event"] == "device.registered" and second["event"] == "device.unregistered"
    assert first["eventId"] < second["eventId"] and first["accountId"] == tenant.account_id
    assert first["data"]["deviceId"] == device["id"] and first["data"]["status"] == "registered"
    assert first["data"]["ipAddress"] == "203.0.113.50" and first["data"]["port"] == 52415
    assert first["data"]["registeredAt"] == first["timestamp"] and first["custom_data"] == {"k": "v"}
    assert second["data"]["status"] == "unregistered" and "unregisteredAt" in second["data"]
    headers = calls[0].headers
    assert headers["X-Crossbar-Event-Id"] == str(first["eventId"]) and headers["X-Crossbar-Webhook-Id"] == hook["id"]
    assert headers["X-Crossbar-Event"] == "device.registered" and headers["X-Crossbar-Timestamp"].isdigit()
    assert not calls[0].signed_by("another-secret")
    log = (await ok(await client.get(tenant.url(f"/webhooks/{hook['id']}/attempts"), headers=tenant.headers)))["data"]
    assert [(a["event_id"], a["result"], a["response_code"], a["attempt"]) for a in log] == [
        (second["eventId"], "success", 200, 1),
        (first["eventId"], "success", 200, 1),
    ]


async def test_get_webhooks_carry_the_signed_body_in_the_query(client, tenant, make_receiver):
    receiver = await make_receiver()
    hook = await _hook(client, tenant, name="g", uri=receiver.url, hook="device.registered", http_verb="get")
    _, username = await _phone(client, tenant)
    await register_row(client.app, username, tenant.realm)
    (call,) = await receiver.wait_for(1)
    assert call.method == "GET" and call.body["event"] == "device.registered" and call.signed_by(hook["secret"])


async def _attempts(client, tenant, hook: dict, n: int, route: str = "attempts") -> list:
    """The webhook's attempts log once it holds n entries: the receiver answers before the worker writes
    the attempt down, so the log may lag the last call by a moment."""
    url = tenant.url(f"/webhooks/{hook['id']}/{route}")
    for _ in range(50):
        log = (await ok(await client.get(url, headers=tenant.headers)))["data"]
        if len(log) >= n:
            return log
        await asyncio.sleep(0.1)
    return log


async def test_a_failing_receiver_is_retried_with_backoff_and_logged(client, tenant, make_receiver):
    receiver = await make_receiver()
    receiver.statuses = [500]
    hook = await _hook(client, tenant, url=receiver.url, events=["device.registered"])
    _, username = await _phone(client, tenant)
    await register_row(client.app, username, tenant.realm)
    calls = await receiver.wait_for(2)
    assert calls[0].body == calls[1].body
    assert [c.headers["X-Crossbar-Attempt"] for c in calls] == ["1", "2"]
    log = await _attempts(client, tenant, hook, 2, "deliveries")
    assert [(a["attempt"], a["result"], a["response_code"]) for a in log] == [(2, "success", 200), (1, "failure", 500)]
    assert log[1]["reason"].startswith("HTTP 500") and all(a["hook_id"] == hook["id"] for a in log)
    everything = (await ok(await client.get(tenant.url("/webhooks/attempts"), headers=tenant.headers)))["data"]
    assert [a["id"] for a in everything] == [a["id"] for a in log]


async def test_after_its_retries_an_event_is_given_up_and_the_next_one_goes(client, tenant, make_receiver):
    receiver = await make_receiver()
    receiver.statuses = [503, 503]
    hook = await _hook(client, tenant, url=receiver.url, events=["device.registered", "device.unregistered"], retries=1)
    _, username = await _phone(client, tenant)
    ruid = await register_row(client.app, username, tenant.realm)
    await unregister_row(client.app, ruid)
    calls = await receiver.wait_for(3)
    assert [c.body["event"] for c in calls] == ["device.registered", "device.registered", "device.unregistered"]
    log = await _attempts(client, tenant, hook, 3)
    assert [(a["result"], a["gave_up"]) for a in reversed(log)] == [
        ("failure", False),
        ("failure", True),
        ("success", False),
    ]


async def test_unreachable_receiver_is_logged_as_a_client_error(client, tenant):
    url = f"http://127.0.0.1:{stack.free_port()}/nothing-listens"
    hook = await _hook(client, tenant, url=url, events=["device.registered"], retries=0)
    _, username = await _phone(client, tenant)
    await register_row(client.app, username, tenant.realm)
    url = tenant.url(f"/webhooks/{hook['id']}/attempts")
    for _ in range(100):
        log = (await ok(await client.get(url, headers=tenant.headers)))["data"]
        if log:
            break
        await asyncio.sleep(0.05)
    assert log[0]["result"] == "failure" and log[0]["gave_up"] is True and "response_code" not in log[0]
    assert "Connect" in log[0]["reason"]


async def test_a_disabled_webhook_delivers_nothing(client, tenant, make_receiver):
    off, on = await make_receiver(), await make_receiver()
    disabled = await _hook(client, tenant, url=off.url, events=["device.registered"], enabled=False)
    await _hook(client, tenant, url=on.url, events=["device.registered"])
    _, username = await _phone(client, tenant)
    await register_row(client.app, username, tenant.realm)
    await on.wait_for(1)
    await asyncio.sleep(0.5)
    assert off.calls == []
    # Enabled again, it starts from now: what happened while it was off is not replayed.
    url = tenant.url(f"/webhooks/{disabled['id']}")
    await ok(await client.patch(url, headers=tenant.headers, json={"data": {"enabled": True}}))
    await register_row(client.app, username, tenant.realm)
    (call,) = await off.wait_for(1)
    assert call.body["eventId"] == (await on.wait_for(2))[1].body["eventId"]


async def test_new_webhooks_do_not_replay_history(client, tenant, make_receiver):
    _, username = await _phone(client, tenant)
    await register_row(client.app, username, tenant.realm)
    receiver = await make_receiver()
    await _hook(client, tenant, url=receiver.url, events=["device.registered"])
    await register_row(client.app, username, tenant.realm, ip="203.0.113.9")
    (call,) = await receiver.wait_for(1)
    await asyncio.sleep(0.3)
    assert len(receiver.calls) == 1 and call.body["data"]["ipAddress"] == "203.0.113.9"


async def test_an_account_never_receives_another_accounts_events(client, make_tenant, make_receiver):
    alice, bob = await make_tenant(), await make_tenant()
    to_alice, to_bob = await make_receiver(), await make_receiver()
    await _hook(client, alice, url=to_alice.url, hook="all", name="a", uri=to_alice.url)
    await _hook(client, bob, url=to_bob.url, events=ALL_EVENTS)
    _, username = await _phone(client, alice)
    ruid = await register_row(client.app, username, alice.realm)
    await unregister_row(client.app, ruid)
    await to_alice.wait_for(2)
    await asyncio.sleep(0.5)
    assert to_bob.calls == []
    assert all(c.body["accountId"] == alice.account_id for c in to_alice.calls)


async def test_nothing_is_lost_across_a_restart_and_two_nodes_share_the_work(
    no_delivery, client, tenant, make_receiver, aiohttp_client, data_env
):
    receiver = await make_receiver()
    hook = await _hook(client, tenant, url=receiver.url, events=["device.registered"])
    _, username = await _phone(client, tenant)
    node = await aiohttp_client(create_app(data_env.settings(**FAST)))
    await register_row(client.app, username, tenant.realm, ip="203.0.113.1")
    await receiver.wait_for(1)
    await node.close()
    for n in range(2, 12):
        await register_row(client.app, username, tenant.realm, ip=f"203.0.113.{n}")
    await asyncio.sleep(0.5)
    assert len(receiver.calls) == 1
    await aiohttp_client(create_app(data_env.settings(**FAST)))
    await aiohttp_client(create_app(data_env.settings(**FAST)))
    calls = await receiver.wait_for(11)
    await asyncio.sleep(0.3)
    ips = [c.body["data"]["ipAddress"] for c in receiver.calls]
    assert ips == [f"203.0.113.{n}" for n in range(1, 12)]
    assert all(c.signed_by(hook["secret"]) for c in calls)


async def test_private_addresses_are_refused_unless_allowed(
    aiohttp_client, data_env, no_delivery, make_tenant, make_receiver
):
    guarded = await aiohttp_client(create_app(data_env.settings(**FAST, webhook_allow_private=False)))
    receiver = await make_receiver()
    tenant = await make_tenant()
    by_name = receiver.url.replace("127.0.0.1", "localhost")
    hooks = [
        await _hook(guarded, tenant, url=u, events=["device.registered"], retries=0) for u in (receiver.url, by_name)
    ]
    _, username = await _phone(guarded, tenant)
    await register_row(guarded.app, username, tenant.realm)
    reasons = []
    for hook in hooks:
        url = tenant.url(f"/webhooks/{hook['id']}/attempts")
        for _ in range(100):
            log = (await ok(await guarded.get(url, headers=tenant.headers)))["data"]
            if log:
                break
            await asyncio.sleep(0.05)
        reasons.append(log[0]["reason"])
    assert reasons[0] == "refused: 127.0.0.1 is not a public address"
    assert "refused: localhost resolves to no public address" in reasons[1]
    assert receiver.calls == []
