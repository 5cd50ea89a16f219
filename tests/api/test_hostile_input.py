"""Regression tests for the 5xx causes of issue 10: each hostile input gets a 4xx in Kazoo's envelope."""

import asyncio
import json

import pytest

from tests.helpers import assert_error, ok

FOREIGN = "0123456789abcdef0123456789abcdef"


async def test_non_ascii_token_is_401(client, tenant):
    resp = await client.get(tenant.url("/devices"), headers={"X-Auth-Token": "eyJé.abc.def"})
    await assert_error(resp, 401, "invalid_credentials")


async def test_non_ascii_basic_auth_is_401(client, tenant):
    resp = await client.get(tenant.url("/devices"), headers={"Authorization": "Basic é=="})
    await assert_error(resp, 401, "invalid_credentials")


async def test_deeply_nested_body_is_400(client, tenant):
    deep = "[" * 100_000 + "]" * 100_000
    resp = await client.put(tenant.url("/devices"), headers=tenant.headers, data=f'{{"data": {{"x": {deep}}}}}')
    body = await assert_error(resp, 400, "validation error")
    assert "nested deeper" in json.dumps(body["data"])


async def test_body_past_the_depth_limit_is_400_even_when_python_parses_it(client, tenant):
    nested = {"name": "d"}
    for _ in range(40):
        nested = {"x": nested}
    resp = await client.put(tenant.url("/devices"), headers=tenant.headers, json={"data": nested})
    await assert_error(resp, 400, "validation error")


async def test_lone_surrogate_in_body_is_400_envelope(client, tenant):
    resp = await client.put(tenant.url("/devices"), headers=tenant.headers, data='{"data": {"name": "\\ud800"}}')
    body = await assert_error(resp, 400, "validation error")
    assert body["data"] == {
        "name": {"invalid": {"message": "lone UTF-16 surrogates are not allowed", "target": "body"}}
    }


async def test_nul_in_body_text_is_400(client, tenant):
    resp = await client.put(tenant.url("/devices"), headers=tenant.headers, json={"data": {"name": "a\x00b"}})
    await assert_error(resp, 400, "validation error")


@pytest.mark.parametrize("device_id", ["%00" * 32, "0123456789abcdef0123456789abcde%00", "ZZ" * 16, "short"])
async def test_bad_path_id_is_404_bad_identifier(client, tenant, device_id):
    resp = await client.get(tenant.url(f"/devices/{device_id}"), headers=tenant.headers)
    await assert_error(resp, 404, "bad_identifier")


async def test_nul_in_account_id_is_404(client, tenant):
    resp = await client.get("/v2/accounts/" + "%00" * 32 + "/devices", headers=tenant.headers)
    await assert_error(resp, 404, "bad_identifier")


async def test_nul_in_registration_username_is_404(client, tenant):
    resp = await client.delete(tenant.url("/registrations/a%00b"), headers=tenant.headers)
    assert resp.status == 404 and (await resp.json())["status"] == "error"


async def test_nul_in_query_is_400(client, tenant):
    resp = await client.get(tenant.url("/devices?filter_name=a%00b"), headers=tenant.headers)
    await assert_error(resp, 400, "validation error")


@pytest.mark.parametrize(
    "path", ["/devices", "/users", "/webhooks", "/devices/sip", ""], ids=["devices", "users", "webhooks", "sip", "acct"]
)
async def test_list_where_an_object_belongs_is_400(client, tenant, path):
    send = client.post if path in ("/devices/sip", "") else client.put
    resp = await send(tenant.url(path), headers=tenant.headers, json={"data": ["name", "x"]})
    await assert_error(resp, 400, "validation error")


async def test_nested_list_where_an_object_belongs_is_400(client, tenant):
    resp = await client.put(tenant.url("/devices"), headers=tenant.headers, json={"data": {"name": "d", "sip": []}})
    await assert_error(resp, 400, "validation error")


@pytest.mark.parametrize("digit", ["²", "٣", "1_0", "１"])
async def test_non_ascii_digits_in_numeric_params_are_400(client, tenant, digit):
    device = await tenant.create_device(client)
    url = tenant.url(f"/devices/{device['id']}")
    for path, param in [("/logs", "lines"), ("/registration/renew", "wait")]:
        send = client.post if path.endswith("renew") else client.get
        resp = await send(url + path, params={param: digit}, headers=tenant.headers)
        await assert_error(resp, 400, "validation error")
    resp = await client.get(
        tenant.url("/devices/registration/status"), params={"offset": digit}, headers=tenant.headers
    )
    await assert_error(resp, 400, "validation error")


@pytest.mark.parametrize("digit", ["²", "9" * 40])
async def test_odd_page_size_and_start_key_are_ignored(client, tenant, digit):
    for path in ("/devices", "/webhooks/attempts", "/users"):
        params = {"page_size": digit, "start_key": digit}
        await ok(await client.get(tenant.url(path), params=params, headers=tenant.headers))


async def test_odd_last_event_id_is_ignored(client, tenant):
    headers = {**tenant.headers, "Last-Event-ID": "²"}
    async with client.get(tenant.url("/registrations/events"), headers=headers) as resp:
        assert resp.status == 200
        await asyncio.wait_for(resp.content.readline(), 5)


@pytest.mark.parametrize(
    "params",
    [
        {"page_size": "1" + "0" * 30},
        {"created_from": "9" * 30},
        {"created_from": "99999999999999"},
        {"modified_to": "-5"},
    ],
)
async def test_huge_numbers_are_bounded_before_postgresql(client, tenant, params):
    await ok(await client.get(tenant.url("/devices"), params=params, headers=tenant.headers))


async def test_huge_offset_is_400(client, tenant):
    resp = await client.get(
        tenant.url("/devices/registration/status"), params={"offset": "9" * 30}, headers=tenant.headers
    )
    await assert_error(resp, 400, "validation error")


async def test_webhook_id_taken_by_another_tenant_is_409(client, tenant, make_tenant):
    other = await make_tenant()
    hook = {"id": FOREIGN[:-4] + "beef", "uri": "http://127.0.0.1:9/hook", "hook": "all"}
    await ok(await client.put(other.url("/webhooks"), headers=other.headers, json={"data": hook}), 201)
    resp = await client.put(tenant.url("/webhooks"), headers=tenant.headers, json={"data": hook})
    await assert_error(resp, 409, "datastore_conflict")


async def test_client_id_that_is_not_32_hex_is_400(client, tenant):
    resp = await client.put(tenant.url("/devices"), headers=tenant.headers, json={"data": {"id": "x\x01", "name": "d"}})
    body = await assert_error(resp, 400, "validation error")
    assert "pattern" in body["data"]["id"]


@pytest.mark.parametrize("token", [{"a": 1}, ["x"], 7, "not.a.jwt", "é.é.é"])
async def test_odd_tokeninfo_token_is_401(client, token):
    resp = await client.post("/v2/auth/tokeninfo", json={"data": {"token": token}})
    await assert_error(resp, 401, "invalid_credentials")


async def test_unsupported_content_type_is_415_envelope(client, tenant):
    resp = await client.put(
        tenant.url("/devices"), headers={**tenant.headers, "Content-Type": "text/csv"}, data='{"data": {}}'
    )
    body = await assert_error(resp, 415, "unsupported_media_type")
    assert body["data"]["message"]


async def test_unknown_route_and_wrong_method_are_envelopes(client, tenant):
    await assert_error(await client.get(tenant.url("/devices/x/y/z"), headers=tenant.headers), 404, "not_found")
    await assert_error(await client.patch("/v2/user_auth"), 405, "invalid_method")


async def _raw(client, payload: bytes) -> tuple:
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    writer.write(payload)
    await writer.drain()
    data = await asyncio.wait_for(reader.read(65536), 5)
    writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return head.decode(errors="replace"), body


@pytest.mark.parametrize(
    "payload",
    [
        b"GET /v2/accounts HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
        b"GET /v2/accounts HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
        b"G\x01T / HTTP/1.1\r\n\r\n",
        b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
    ],
)
async def test_parser_rejections_are_400_envelopes(client, payload):
    head, body = await _raw(client, payload)
    assert head.split(" ")[1] == "400", head
    assert "Content-Type: application/json" in head
    doc = json.loads(body)
    assert doc["status"] == "error" and doc["error"] == "400" and doc["data"]["message"]
