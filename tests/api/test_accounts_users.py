"""Accounts and users (docs/kazoo-compatibility.md §11): CRUD, tree routes, api_key, uniqueness."""

import asyncio
import secrets

from tests.helpers import assert_error, login, ok


async def test_account_has_computed_keys(client, tenant):
    data = (await ok(await client.get(tenant.url(), headers=tenant.headers)))["data"]
    assert data["realm"] == tenant.realm and data["superduper_admin"] is False and data["is_reseller"] is False
    assert data["billing_mode"] == "manual" and isinstance(data["created"], int) and data["created"] > 63000000000


async def test_generated_realm_carries_the_suffix(client, master_token):
    body = await ok(
        await client.put(
            "/v2/accounts",
            headers={"X-Auth-Token": master_token},
            json={"data": {"name": f"gen-{secrets.token_hex(4)}"}},
        ),
        201,
    )
    assert body["data"]["realm"].endswith(".sip.test")


async def test_realm_and_name_are_unique(client, tenant, master_token):
    headers = {"X-Auth-Token": master_token}
    resp = await client.put(
        "/v2/accounts", headers=headers, json={"data": {"name": "other", "realm": tenant.realm.upper()}}
    )
    body = await assert_error(resp, 400, "validation error")
    assert body["data"]["realm"]["unique"]["message"] == "Account realm already in use"
    resp = await client.put("/v2/accounts", headers=headers, json={"data": {"name": tenant.name}})
    body = await assert_error(resp, 400, "validation error")
    assert body["data"]["name"]["unique"]["message"] == "Account name already in use"


async def test_concurrent_account_creates_with_one_realm_have_one_winner(client, master_token):
    realm = f"race-{secrets.token_hex(4)}.sip.test"
    resps = await asyncio.gather(
        *(
            client.put(
                "/v2/accounts",
                headers={"X-Auth-Token": master_token},
                json={"data": {"name": f"race-{i}-{realm}", "realm": realm}},
            )
            for i in range(20)
        )
    )
    assert sorted(r.status for r in resps) == [201] + [400] * 19


async def test_post_and_patch_account(client, tenant):
    body = await ok(
        await client.patch(tenant.url(), headers=tenant.headers, json={"data": {"timezone": "Europe/Paris"}})
    )
    assert body["data"]["timezone"] == "Europe/Paris" and body["data"]["name"] == tenant.name
    body = await ok(
        await client.post(
            tenant.url(), headers=tenant.headers, json={"data": {"name": tenant.name, "superduper_admin": True}}
        )
    )
    assert body["data"]["superduper_admin"] is False and body["data"]["realm"] == tenant.realm
    for _ in range(3):
        await ok(await client.post(tenant.url(), headers=tenant.headers, json={"data": {"name": tenant.name}}))


async def test_only_a_parent_changes_enabled(client, tenant, master_token):
    body = await ok(await client.patch(tenant.url(), headers=tenant.headers, json={"data": {"enabled": False}}))
    assert body["data"]["enabled"] is True
    body = await ok(
        await client.patch(tenant.url(), headers={"X-Auth-Token": master_token}, json={"data": {"enabled": False}})
    )
    assert body["data"]["enabled"] is False


async def test_tree_routes(client, make_tenant, tenant):
    child = await make_tenant(tenant)
    grandchild = await make_tenant(child)
    kids = (await ok(await client.get(tenant.url("/children"), headers=tenant.headers)))["data"]
    assert [k["id"] for k in kids] == [child.account_id]
    desc = (await ok(await client.get(tenant.url("/descendants"), headers=tenant.headers)))["data"]
    assert [d["id"] for d in desc] == [child.account_id, grandchild.account_id]
    parents = (await ok(await client.get(grandchild.url("/parents"), headers=tenant.headers)))["data"]
    assert [p["id"] for p in parents][-2:] == [tenant.account_id, child.account_id]
    own_view = (await ok(await client.get(grandchild.url("/parents"), headers=grandchild.headers)))["data"]
    assert own_view == []
    sibs = (await ok(await client.get(child.url("/siblings"), headers=tenant.headers)))["data"]
    assert [s["id"] for s in sibs] == [child.account_id]
    await assert_error(await client.get(child.url("/siblings"), headers=child.headers), 403, "forbidden")


async def test_delete_account_refused_with_children_then_allowed(client, make_tenant, tenant, master_token):
    child = await make_tenant(tenant)
    master = {"X-Auth-Token": master_token}
    body = await assert_error(await client.delete(tenant.url(), headers=master), 500, "account_has_descendants")
    assert body["data"] == {"message": "account has descendants"}
    await assert_error(await client.delete(child.url(), headers=child.headers), 403, "forbidden")
    body = await ok(await client.delete(child.url(), headers=master))
    assert body["data"]["id"] == child.account_id and body["data"]["_read_only"] == {"deleted": True}
    await assert_error(await client.get(child.url(), headers=master), 404, "bad_identifier")


async def test_api_key_get_and_regenerate(client, tenant):
    key = (await ok(await client.get(tenant.url("/api_key"), headers=tenant.headers)))["data"]["api_key"]
    assert len(key) == 64
    new = (await ok(await client.put(tenant.url("/api_key"), headers=tenant.headers), 201))["data"]["api_key"]
    assert new != key and len(new) == 64


async def test_users_crud_keeps_passwords_write_only(client, tenant):
    user = {
        "first_name": "Bo",
        "last_name": "Bee",
        "username": "Bo@Example.com",
        "password": "pw-one",
        "email": "bo@example.com",
    }
    body = await ok(await client.put(tenant.url("/users"), headers=tenant.headers, json={"data": user}), 201)
    data = body["data"]
    assert data["username"] == "bo@example.com" and "password" not in data and data["priv_level"] == "user"
    url = tenant.url(f"/users/{data['id']}")
    await login(client, "bo@example.com", "pw-one", account_name=tenant.name)
    patched = await ok(await client.patch(url, headers=tenant.headers, json={"data": {"password": "pw-two"}}))
    assert "password" not in patched["data"] and patched["data"]["first_name"] == "Bo"
    await login(client, "bo@example.com", "pw-two", account_name=tenant.name)
    listing = await ok(await client.get(tenant.url("/users"), headers=tenant.headers))
    assert data["id"] in [u["id"] for u in listing["data"]] and listing["page_size"] == len(listing["data"])
    await ok(await client.delete(url, headers=tenant.headers))
    await assert_error(await client.get(url, headers=tenant.headers), 404, "bad_identifier")


async def test_user_username_unique_and_change_needs_password(client, tenant):
    await ok(
        await client.put(
            tenant.url("/users"),
            headers=tenant.headers,
            json={"data": {"first_name": "A", "last_name": "B", "username": "dup"}},
        ),
        201,
    )
    resp = await client.put(
        tenant.url("/users"),
        headers=tenant.headers,
        json={"data": {"first_name": "A", "last_name": "B", "username": "DUP"}},
    )
    body = await assert_error(resp, 400, "validation error")
    assert body["data"]["username"]["unique"]["message"] == "Username must be unique within account"
    user = (
        await ok(
            await client.put(
                tenant.url("/users"),
                headers=tenant.headers,
                json={"data": {"first_name": "C", "last_name": "D", "username": "carl", "password": "pw-1"}},
            ),
            201,
        )
    )["data"]
    resp = await client.patch(
        tenant.url(f"/users/{user['id']}"), headers=tenant.headers, json={"data": {"username": "carl2"}}
    )
    body = await assert_error(resp, 400, "validation error")
    assert "password" in body["data"]


async def test_user_validation_errors(client, tenant):
    resp = await client.put(tenant.url("/users"), headers=tenant.headers, json={"data": {"email": "x"}})
    body = await assert_error(resp, 400, "validation error")
    assert {"first_name", "last_name", "email"} <= set(body["data"])


async def test_a_deleted_account_is_gone_on_other_nodes_within_a_second(
    aiohttp_client, client, settings, tenant, make_tenant
):
    import time

    from crossbar_py.app import create_app

    child = await make_tenant(tenant)
    other_node = await aiohttp_client(create_app(settings))
    await ok(await other_node.get(child.url(), headers=tenant.headers))
    await ok(await client.delete(child.url(), headers=tenant.headers))
    start = time.monotonic()
    while (await other_node.get(child.url(), headers=tenant.headers)).status != 404:
        assert time.monotonic() - start < 1.5, "another node still serves a deleted account"
        await asyncio.sleep(0.05)
