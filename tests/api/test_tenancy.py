"""The tenant wall: every route of an account answers only its own and its ancestors' tokens."""

import pytest

from tests.helpers import assert_error, login, ok

ROUTES = [
    ("GET", ""),
    ("PUT", ""),
    ("POST", ""),
    ("PATCH", ""),
    ("DELETE", ""),
    ("GET", "/children"),
    ("GET", "/descendants"),
    ("GET", "/siblings"),
    ("GET", "/parents"),
    ("GET", "/tree"),
    ("GET", "/api_key"),
    ("PUT", "/api_key"),
    ("GET", "/devices"),
    ("PUT", "/devices"),
    ("GET", "/devices/{device}"),
    ("POST", "/devices/{device}"),
    ("PATCH", "/devices/{device}"),
    ("DELETE", "/devices/{device}"),
    ("PUT", "/devices/{device}"),
    ("POST", "/devices/{device}/sync"),
    ("GET", "/devices/status"),
    ("GET", "/users"),
    ("PUT", "/users"),
    ("GET", "/users/{user}"),
    ("POST", "/users/{user}"),
    ("PATCH", "/users/{user}"),
    ("DELETE", "/users/{user}"),
    ("GET", "/users/{user}/devices"),
    ("GET", "/registrations"),
    ("GET", "/registrations/count"),
    ("DELETE", "/registrations"),
    ("DELETE", "/registrations/{username}"),
    ("POST", "/devices/sip"),
    ("GET", "/devices/sip/{device}"),
    ("PATCH", "/devices/sip/{device}"),
    ("DELETE", "/devices/sip/{device}"),
    ("GET", "/devices/{device}/credentials"),
    ("GET", "/devices/sip/{device}/credentials"),
    ("POST", "/devices/{device}/reset-password"),
    ("POST", "/devices/sip/{device}/reset-password"),
    ("GET", "/registrations/events"),
    ("GET", "/webhooks"),
    ("PUT", "/webhooks"),
    ("POST", "/webhooks"),
    ("GET", "/webhooks/attempts"),
    ("GET", "/webhooks/{webhook}"),
    ("POST", "/webhooks/{webhook}"),
    ("PATCH", "/webhooks/{webhook}"),
    ("DELETE", "/webhooks/{webhook}"),
    ("POST", "/webhooks/{webhook}/secret"),
    ("GET", "/webhooks/{webhook}/attempts"),
    ("GET", "/webhooks/{webhook}/deliveries"),
    ("GET", "/devices/{device}/status"),
    ("GET", "/devices/{device}/logs"),
    ("GET", "/devices/{device}/registration"),
    ("DELETE", "/devices/{device}/registration"),
    ("POST", "/devices/{device}/registration/renew"),
    ("GET", "/devices/registration/status"),
    ("GET", "/devices/registration/dashboard"),
    ("GET", "/devices/registration/analytics"),
]


@pytest.fixture
async def victim(client, make_tenant):
    """An account with a device, and the device."""
    tenant = await make_tenant()
    user = await tenant.create_user(client, first_name="V", last_name="Ictim")
    device = await tenant.create_device(client, owner_id=user["id"], sip={"username": "victim1", "password": "pw12345"})
    device["webhook"] = await _webhook(client, tenant)
    return tenant, device


async def _webhook(client, tenant) -> str:
    data = {"url": "https://hooks.example.com/x", "events": ["device.registered"]}
    return (await ok(await client.put(tenant.url("/webhooks"), headers=tenant.headers, json={"data": data}), 201))[
        "data"
    ]["id"]


def _path(tenant, device, path):
    ids = {"device": device["id"], "user": device["owner_id"], "webhook": device.get("webhook")}
    return tenant.url(path.format(**ids, username="victim1"))


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_sibling_token_is_403(client, make_tenant, victim, method, path):
    tenant, device = victim
    other = await make_tenant()
    resp = await client.request(method, _path(tenant, device, path), headers=other.headers, json={"data": {}})
    await assert_error(resp, 403, "forbidden")
    # The victim's documents are untouched.
    await ok(await client.get(tenant.url(f"/devices/{device['id']}"), headers=tenant.headers))


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_no_token_is_401(client, victim, method, path):
    tenant, device = victim
    resp = await client.request(method, _path(tenant, device, path), json={"data": {}})
    await assert_error(resp, 401, "invalid_credentials")


async def test_child_token_cannot_reach_parent(client, make_tenant):
    parent = await make_tenant()
    child = await make_tenant(parent)
    await assert_error(await client.get(parent.url("/devices"), headers=child.headers), 403, "forbidden")
    await ok(await client.get(child.url("/devices"), headers=parent.headers))


async def test_system_wide_registrations_are_superduper_only(client, tenant, master_token):
    await assert_error(await client.get("/v2/registrations", headers=tenant.headers), 403, "forbidden")
    await assert_error(await client.get("/v2/registrations/count", headers=tenant.headers), 403, "forbidden")
    await ok(await client.get("/v2/registrations/count", headers={"X-Auth-Token": master_token}))


async def _tokens(client, tenant, data_env, kind: str) -> dict:
    from crossbar_py.auth import tokens as auth

    settings = data_env.settings()
    if kind == "bad":
        return {"X-Auth-Token": "not-a-token"}
    if kind == "forged":
        forged = auth.issue_token("another-secret-" + "y" * 32, 3600, tenant.account_id, None, "cb_user_auth")
        return {"X-Auth-Token": forged}
    if kind == "expired":
        return {"X-Auth-Token": auth.issue_token(settings.jwt_secret, -5, tenant.account_id, None, "cb_user_auth")}
    token = await login(client, "admin", tenant.password, account_name=tenant.name)
    await ok(await client.delete("/v2/token_auth", headers={"X-Auth-Token": token}))
    return {"X-Auth-Token": token}


@pytest.mark.parametrize("kind", ["bad", "forged", "expired", "revoked"])
async def test_unusable_tokens_are_401_on_every_route(client, data_env, victim, kind):
    tenant, device = victim
    headers = await _tokens(client, tenant, data_env, kind)
    for method, path in ROUTES:
        resp = await client.request(method, _path(tenant, device, path), headers=headers, json={"data": {}})
        await assert_error(resp, 401, "invalid_credentials")


async def test_ancestors_and_superduper_pass_the_wall_on_every_route(client, make_tenant, master_token):
    parent = await make_tenant()
    child = await make_tenant(parent)
    user = await child.create_user(client, first_name="K", last_name="Id")
    device = await child.create_device(client, owner_id=user["id"], sip={"username": "victim1", "password": "pw12345"})
    device["webhook"] = await _webhook(client, child)
    reads = [(m, p) for m, p in ROUTES if m == "GET" and p != "/siblings"]
    for headers in (parent.headers, {"X-Auth-Token": master_token}):
        for method, path in reads:
            resp = await client.request(method, _path(child, device, path), headers=headers)
            assert resp.status == 200, (method, path, await resp.text())
    resp = await client.get(child.url("/siblings"), headers=parent.headers)
    assert resp.status == 200
