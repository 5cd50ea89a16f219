"""Envelope, headers, errors and check order of the request pipeline (docs/kazoo-compatibility.md §2-6)."""

import json

import pytest

from crossbar_py.app import create_app
from crossbar_py.platform.stack import free_port
from tests.helpers import ENVELOPE_KEYS, assert_error, ok


async def test_success_envelope_has_kazoo_keys_and_exact_content_type(client, tenant):
    body = await ok(await client.get(tenant.url(), headers=tenant.headers))
    assert ENVELOPE_KEYS | {"auth_token", "data", "revision"} <= set(body)
    assert body["auth_token"] == tenant.token
    assert body["timestamp"].endswith("Z")
    assert body["revision"].startswith("1-") and len(body["revision"]) == 34


async def test_request_id_is_echoed_or_generated(client, tenant):
    resp = await client.get(tenant.url(), headers={**tenant.headers, "X-Request-ID": "abc-123"})
    assert resp.headers["X-Request-ID"] == "abc-123"
    assert (await resp.json())["request_id"] == "abc-123"
    resp = await client.get(tenant.url(), headers=tenant.headers)
    assert len(resp.headers["X-Request-ID"]) == 32


async def test_malformed_json_is_400_before_auth(client, tenant):
    resp = await client.put(tenant.url("/devices"), data=b"{not json", headers={"Content-Type": "application/json"})
    body = await assert_error(resp, 400, "validation error")
    assert body["data"]["json"]["invalid"]["target"] == "body"
    assert "auth_token" not in body


@pytest.mark.parametrize("payload", [b"[1, 2]", b'"text"', b"42"])
async def test_body_that_is_not_an_object_is_400(client, tenant, payload):
    resp = await client.put(tenant.url("/devices"), data=payload, headers=tenant.headers)
    await assert_error(resp, 400, "validation error")


async def test_data_that_is_not_object_or_array_is_400_type(client, tenant):
    resp = await client.put(tenant.url("/devices"), json={"data": "x"}, headers=tenant.headers)
    body = await assert_error(resp, 400, "validation error")
    assert body["data"]["data"]["type"]["value"] == "x"


async def test_wrong_method_is_405_even_without_token(client, tenant):
    await assert_error(await client.post(tenant.url("/registrations")), 405, "invalid_method")
    await assert_error(await client.get(tenant.url("/registrations/someone")), 405, "invalid_method")


async def test_unknown_trailing_segment_is_404_without_token(client, tenant):
    body = await assert_error(await client.get(tenant.url("/nonsense")), 404, "not_found")
    assert body["data"] == {"message": "not found"}


async def test_unknown_first_noun_is_401_without_token_and_404_with(client, tenant):
    await assert_error(await client.get("/v2/nonsense"), 401, "invalid_credentials")
    await assert_error(await client.get("/v2/nonsense", headers=tenant.headers), 404, "not_found")


async def test_short_account_id_is_404_before_auth(client):
    body = await assert_error(await client.get("/v2/accounts/abc/devices"), 404, "bad identifier")
    assert body["data"] == {"message": "invalid account_id 'abc'"}


async def test_unknown_account_is_404_before_auth(client):
    body = await assert_error(await client.get(f"/v2/accounts/{'0' * 32}/devices"), 404, "bad_identifier")
    assert body["data"] == {"cause": "0" * 32, "message": "bad identifier"}


async def test_no_token_is_401(client, tenant):
    body = await assert_error(await client.get(tenant.url("/devices")), 401, "invalid_credentials")
    assert body["data"] == {"message": "invalid credentials"}


@pytest.mark.parametrize("token", ["undefined", "garbage", "a.b.c"])
async def test_bad_token_is_401(client, tenant, token):
    await assert_error(
        await client.get(tenant.url("/devices"), headers={"X-Auth-Token": token}), 401, "invalid_credentials"
    )


async def test_token_in_query_string_and_body_authenticates(client, tenant):
    await ok(await client.get(tenant.url("/devices"), params={"auth_token": tenant.token}))
    payload = json.dumps({"auth_token": tenant.token, "data": {"name": "by body token"}})
    resp = await client.put(tenant.url("/devices"), data=payload, headers={"Content-Type": "application/json"})
    await ok(resp, 201)


async def test_cors_preflight_is_200_without_auth_on_any_path(client, tenant):
    for path in (tenant.url("/devices"), "/v2/nonsense/deeper"):
        resp = await client.options(path, headers={"Origin": "http://ui", "Access-Control-Request-Method": "PUT"})
        assert resp.status == 200
        assert resp.headers["Access-Control-Allow-Origin"] == "*"
        assert "PUT" in resp.headers["Access-Control-Allow-Methods"]
        assert "x-auth-token" in resp.headers["Access-Control-Allow-Headers"]


async def test_errors_carry_cors_headers(client, tenant):
    resp = await client.get(tenant.url("/devices"))
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert resp.headers["Access-Control-Max-Age"] == "86400"


async def test_health_endpoints(stack_env, client):
    assert (await client.get("/healthz")).status == 200
    resp = await client.get("/readyz")
    assert resp.status == 200
    assert (await resp.json())["checks"] == {"postgres": "ok", "redis": "ok", "kamailio": "ok"}
    text = await (await client.get("/metrics")).text()
    assert "crossbar_requests_total" in text


async def test_readyz_names_what_is_down(aiohttp_client, data_env):
    dead = data_env.settings(kamailio_rpc_url=f"http://127.0.0.1:{free_port()}/RPC")
    resp = await (await aiohttp_client(create_app(dead))).get("/readyz")
    assert resp.status == 503
    checks = (await resp.json())["checks"]
    assert checks["postgres"] == checks["redis"] == "ok" and checks["kamailio"] != "ok"
