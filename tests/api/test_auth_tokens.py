"""api_auth, token_auth, tokeninfo, Basic auth, login limits and revocation
(docs/kazoo-compatibility.md §7, docs/decisions.md §8-10)."""

import asyncio
import base64
import time

import pytest

from crossbar_py.app import create_app
from crossbar_py.platform.stack import free_port
from tests.api.test_user_auth import _payload
from tests.helpers import assert_error, login, md5_credentials, ok


async def _api_key(client, tenant) -> str:
    return (await ok(await client.get(tenant.url("/api_key"), headers=tenant.headers)))["data"]["api_key"]


async def test_api_auth_issues_an_account_token(client, tenant):
    key = await _api_key(client, tenant)
    body = await ok(await client.put("/v2/api_auth", json={"data": {"api_key": key}}), 201)
    claims = _payload(body["auth_token"])
    assert claims["account_id"] == tenant.account_id and "owner_id" not in claims
    assert body["data"]["account_id"] == tenant.account_id and "owner_id" not in body["data"]
    await ok(await client.get(tenant.url("/devices"), headers={"X-Auth-Token": body["auth_token"]}))


async def test_api_auth_errors(client):
    body = await assert_error(
        await client.put("/v2/api_auth", json={"data": {"api_key": "f" * 64}}), 404, "bad identifier"
    )
    assert body["data"] == ["f" * 64]
    body = await assert_error(
        await client.put("/v2/api_auth", json={"data": {"api_key": "abc"}}), 400, "validation error"
    )
    assert body["data"]["api_key"]["minLength"]["target"] == 64
    body = await assert_error(
        await client.put("/v2/api_auth", json={"data": {"api_key": "f" * 64, "x": 1}}), 400, "validation error"
    )
    assert body["data"]["x"]["additionalProperties"]["message"].startswith("Strict checking")
    await assert_error(await client.put("/v2/api_auth", json={"data": {}}), 401, "invalid_credentials")


async def test_token_auth_describes_the_token(client, tenant):
    body = await ok(await client.get("/v2/token_auth", headers=tenant.headers))
    assert body["data"]["account_id"] == tenant.account_id and body["data"]["method"] == "cb_user_auth"
    assert body["data"]["account_name"] == tenant.name and "exp" in body["data"]
    await assert_error(await client.get("/v2/token_auth"), 401, "invalid_credentials")


async def test_tokeninfo_needs_no_auth_header(client, tenant):
    body = await ok(await client.get("/v2/auth/tokeninfo", params={"token": tenant.token}))
    assert body["auth_token"] == tenant.token and body["data"]["account_id"] == tenant.account_id
    body = await ok(await client.post("/v2/auth/tokeninfo", json={"data": {"token": tenant.token}}))
    assert body["data"]["owner_id"]
    body = await assert_error(await client.get("/v2/auth/tokeninfo"), 404, "missing token in params")
    assert body["data"] == {"message": "missing token in params"}
    await assert_error(await client.post("/v2/auth/tokeninfo", json={"data": {}}), 404, "missing token in request")
    await assert_error(await client.get("/v2/auth/tokeninfo", params={"token": "x.y.z"}), 401, "invalid_credentials")


async def test_basic_auth(client, tenant):
    good = base64.b64encode(f"{tenant.account_id}:{md5_credentials('admin', tenant.password)}".encode()).decode()
    await ok(await client.get(tenant.url("/devices"), headers={"Authorization": f"Basic {good}"}))
    bad = base64.b64encode(f"{tenant.account_id}:{md5_credentials('admin', 'nope')}".encode()).decode()
    await assert_error(
        await client.get(tenant.url("/devices"), headers={"Authorization": f"Basic {bad}"}), 401, "invalid_credentials"
    )
    await assert_error(
        await client.get(tenant.url("/devices"), headers={"Authorization": "Basic !!!"}), 401, "invalid_credentials"
    )


async def test_revoked_token_is_refused_by_every_node_within_a_second(aiohttp_client, client, settings, tenant):
    other_node = await aiohttp_client(create_app(settings))
    await ok(await other_node.get(tenant.url("/devices"), headers=tenant.headers))
    body = await ok(await client.delete("/v2/token_auth", headers=tenant.headers))
    assert "data" not in body
    await assert_error(await client.get(tenant.url("/devices"), headers=tenant.headers), 401, "invalid_credentials")
    start = time.monotonic()
    while (await other_node.get(tenant.url("/devices"), headers=tenant.headers)).status != 401:
        assert time.monotonic() - start < 1.0, "the other node still accepts the revoked token"
        await asyncio.sleep(0.05)


async def test_without_redis_reads_work_and_revocations_still_arrive(aiohttp_client, client, data_env, tenant):
    dead_redis = data_env.settings(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    node = await aiohttp_client(create_app(dead_redis))
    await ok(await node.get(tenant.url("/devices"), headers=tenant.headers))
    token = await login(node, "admin", tenant.password, account_name=tenant.name)
    await ok(await client.delete("/v2/token_auth", headers={"X-Auth-Token": token}))
    start = time.monotonic()
    while (await node.get(tenant.url("/devices"), headers={"X-Auth-Token": token})).status != 401:
        assert time.monotonic() - start < 1.0, "revocation did not reach the node without Redis"
        await asyncio.sleep(0.05)
    await ok(await node.get(tenant.url("/devices"), headers=tenant.headers))


@pytest.fixture
async def strict_client(aiohttp_client, data_env):
    """An app whose login limit is 3 failures per account and address."""
    return await aiohttp_client(create_app(data_env.settings(login_fail_per_account_ip=3, login_fail_per_ip=1000)))


async def test_failed_logins_past_the_limit_get_429_even_with_the_right_password(strict_client, make_tenant):
    tenant, other = await make_tenant(), await make_tenant()
    wrong = {"credentials": md5_credentials("admin", "wrong"), "account_name": tenant.name}
    for _ in range(3):
        await assert_error(await strict_client.put("/v2/user_auth", json={"data": wrong}), 401, "invalid_credentials")
    right = {"credentials": md5_credentials("admin", tenant.password), "account_name": tenant.name}
    body = await assert_error(await strict_client.put("/v2/user_auth", json={"data": right}), 429, "too_many_requests")
    assert body["data"] == {"message": "too many requests"}
    await login(strict_client, "admin", other.password, account_name=other.name)


async def test_successful_logins_are_not_throttled(strict_client, tenant):
    for _ in range(6):
        await login(strict_client, "admin", tenant.password, account_name=tenant.name)


async def test_superduper_admin_impersonates_a_user(client, tenant, master_token, make_tenant):
    owner = (await ok(await client.get(tenant.url("/users"), headers=tenant.headers)))["data"][0]["id"]
    url = tenant.url(f"/users/{owner}/user_auth")
    body = await ok(
        await client.put(url, headers={"X-Auth-Token": master_token}, json={"action": "impersonate_user", "data": {}}),
        201,
    )
    claims = _payload(body["auth_token"])
    assert claims["account_id"] == tenant.account_id and claims["owner_id"] == owner
    assert claims["original_account_id"] == _payload(master_token)["account_id"]
    await ok(await client.get(tenant.url("/devices"), headers={"X-Auth-Token": body["auth_token"]}))
    await assert_error(
        await client.put(url, headers=tenant.headers, json={"action": "impersonate_user"}), 403, "forbidden"
    )
    await assert_error(
        await client.put(url, headers={"X-Auth-Token": master_token}, json={"data": {}}), 400, "invalid action"
    )
    await assert_error(
        await client.put(
            tenant.url(f"/users/{'0' * 32}/user_auth"),
            json={"action": "impersonate_user"},
            headers={"X-Auth-Token": master_token},
        ),
        404,
        "bad_identifier",
    )
    other = await make_tenant()
    await assert_error(
        await client.put(url, headers=other.headers, json={"action": "impersonate_user"}), 403, "forbidden"
    )
