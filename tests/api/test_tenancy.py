"""The tenant wall: every route of an account answers only its own and its ancestors' tokens."""

import pytest

from tests.helpers import assert_error, ok

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
]


@pytest.fixture
async def victim(client, make_tenant):
    """An account with a device, and the device."""
    tenant = await make_tenant()
    user = await ok(
        await client.put(
            tenant.url("/users"), headers=tenant.headers, json={"data": {"first_name": "V", "last_name": "Ictim"}}
        ),
        201,
    )
    device = await tenant.create_device(
        client, owner_id=user["data"]["id"], sip={"username": "victim1", "password": "pw12345"}
    )
    return tenant, device


def _path(tenant, device, path):
    return tenant.url(path.format(device=device["id"], user=device["owner_id"], username="victim1"))


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
