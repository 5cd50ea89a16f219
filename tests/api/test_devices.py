"""Device create and read, as much as the registration path needs (docs/kazoo-compatibility.md §8.3, 8.5)."""

import asyncio

from tests.helpers import assert_error, ok


async def test_create_minimal_device_applies_kazoo_defaults(client, tenant):
    resp = await client.put(tenant.url("/devices"), json={"data": {"name": "Reception"}}, headers=tenant.headers)
    body = await ok(resp, 201)
    data = body["data"]
    assert resp.headers["Location"] == tenant.url(f"/devices/{data['id']}")
    assert data["sip"] == {"expire_seconds": 300, "invite_format": "contact", "method": "password"}
    assert data["enabled"] is True and data["mwi_unsolicited_updates"] is True
    assert body["revision"].startswith("1-")


async def test_get_device_returns_document_with_etag(client, tenant):
    dev = await tenant.create_device(
        client, sip={"username": "alice1", "password": "pw12345"}, ui_metadata={"ui": "monster-ui"}
    )
    resp = await client.get(tenant.url(f"/devices/{dev['id']}"), headers=tenant.headers)
    body = await ok(resp)
    assert body["data"]["sip"]["password"] == "pw12345"
    assert body["data"]["ui_metadata"] == {"ui": "monster-ui"}
    assert resp.headers["ETag"] == f'"{body["revision"]}"'


async def test_unknown_device_is_404_bad_identifier(client, tenant):
    body = await assert_error(
        await client.get(tenant.url("/devices/nope"), headers=tenant.headers), 404, "bad_identifier"
    )
    assert body["data"] == {"cause": "nope", "message": "bad identifier"}


async def test_missing_name_and_short_password_are_reported_together(client, tenant):
    resp = await client.put(tenant.url("/devices"), json={"data": {"sip": {"password": "abc"}}}, headers=tenant.headers)
    body = await assert_error(resp, 400, "validation error")
    assert body["data"]["name"]["required"]["value"] == "name"
    assert body["data"]["sip.password"]["minLength"]["target"] == 5


async def test_string_booleans_are_coerced(client, tenant):
    dev = await tenant.create_device(client, enabled="false")
    assert dev["enabled"] is False


async def test_sip_realm_equal_to_account_realm_is_dropped(client, tenant):
    dev = await tenant.create_device(client, sip={"username": "bob01", "password": "pw12345", "realm": tenant.realm})
    assert "realm" not in dev["sip"]


async def test_duplicate_sip_username_is_400_unique_case_insensitively(client, tenant):
    await tenant.create_device(client, sip={"username": "Carol", "password": "pw12345"})
    resp = await client.put(
        tenant.url("/devices"),
        headers=tenant.headers,
        json={"data": {"name": "x", "sip": {"username": "carol", "password": "pw12345"}}},
    )
    body = await assert_error(resp, 400, "validation error")
    assert body["data"]["sip.username"]["unique"] == {"message": "SIP credentials already in use", "cause": "carol"}


async def test_concurrent_creates_with_one_sip_username_have_one_winner(client, tenant):
    payload = {"data": {"name": "race", "sip": {"username": "racer", "password": "pw12345"}}}
    resps = await asyncio.gather(
        *(client.put(tenant.url("/devices"), json=payload, headers=tenant.headers) for _ in range(20))
    )
    assert sorted(r.status for r in resps) == [201] + [400] * 19


async def test_client_chosen_id_is_kept_and_reuse_is_409(client, tenant):
    dev = await tenant.create_device(client, id="a" * 32)
    assert dev["id"] == "a" * 32
    resp = await client.put(
        tenant.url("/devices"), json={"data": {"name": "again", "id": "a" * 32}}, headers=tenant.headers
    )
    await assert_error(resp, 409, "datastore_conflict")


async def test_listing_paginates_with_kazoo_start_keys(client, tenant):
    ids = sorted([(await tenant.create_device(client))["id"] for _ in range(3)])
    body = await ok(await client.get(tenant.url("/devices"), params={"page_size": "2"}, headers=tenant.headers))
    assert [d["id"] for d in body["data"]] == ids[:2]
    assert body["page_size"] == 2
    nxt = body["next_start_key"]
    body = await ok(
        await client.get(tenant.url("/devices"), params={"page_size": "2", "start_key": nxt}, headers=tenant.headers)
    )
    assert [d["id"] for d in body["data"]] == ids[2:]
    assert "next_start_key" not in body and body["start_key"] == nxt
    body = await ok(await client.get(tenant.url("/devices"), params={"paginate": "false"}, headers=tenant.headers))
    assert len(body["data"]) == 3 and "page_size" not in body


async def test_object_sub_defaults_apply_only_when_the_object_is_sent(client, tenant):
    dev = await tenant.create_device(
        client,
        media={},
        call_forward={"number": "5551234"},
        outbound_flags=[" fax ", "sales"],
        provision={"feature_keys": {"1": None, "2": {}}},
    )
    assert dev["media"]["encryption"] == {"enforce_security": False, "methods": []}
    assert dev["media"]["video"] == {"codecs": []} and dev["media"]["audio"] == {}
    assert dev["call_forward"]["enabled"] is False and dev["call_forward"]["keep_caller_id"] is True
    assert dev["outbound_flags"] == ["fax", "sales"]
    assert dev["provision"]["feature_keys"] == {"2": {}}
    plain = await tenant.create_device(client)
    assert "media" not in plain and "call_forward" not in plain
    scalar = await tenant.create_device(client, outbound_flags="fax")
    assert scalar["outbound_flags"] == []


async def test_ip_devices_need_a_unique_ipv4(client, make_tenant):
    first, second = await make_tenant(), await make_tenant()
    ip = "198.51.100.77"
    dev = await first.create_device(client, sip={"method": "ip", "ip": ip})
    assert dev["sip"]["ip"] == ip
    resp = await client.put(
        second.url("/devices"),
        headers=second.headers,
        json={"data": {"name": "clash", "sip": {"method": "ip", "ip": ip}}},
    )
    body = await assert_error(resp, 400, "validation error")
    assert body["data"]["sip.ip"]["unique"] == {"message": "SIP IP already in use", "cause": ip}
    resp = await client.put(
        second.url("/devices"),
        headers=second.headers,
        json={"data": {"name": "bad", "sip": {"method": "ip", "ip": "not-an-ip"}}},
    )
    body = await assert_error(resp, 400, "validation error")
    assert body["data"]["sip.ip"]["type"]["message"] == "Must be a valid IPv4 RFC 791"
    resp = await client.put(
        second.url("/devices"),
        headers=second.headers,
        json={"data": {"name": "m", "sip": {"method": "carrier-pigeon"}}},
    )
    body = await assert_error(resp, 400, "validation error")
    assert body["data"]["sip.method"]["enum"]["target"] == ["password", "ip"]
