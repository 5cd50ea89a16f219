"""Seed 001's SIP-device API over ordinary Kazoo devices: /devices/sip, credentials, reset-password."""

import pytest

from crossbar_py.app import create_app
from tests.helpers import assert_error, ok

SEED_DEVICE = {
    "name": "Desk Phone - John Doe",
    "model": "Yealink T46S",
    "manufacturer": "Yealink",
    "macAddress": "00:15:65:00:00:01",
    "sipUsername": "john.doe",
    "displayName": "John Doe",
}


async def _user(client, tenant) -> str:
    body = await tenant.create_user(client, first_name="John", last_name="Doe")
    return body["id"]


async def _create(client, tenant, **fields) -> dict:
    resp = await client.post(
        tenant.url("/devices/sip"), headers=tenant.headers, json={"data": {**SEED_DEVICE, **fields}}
    )
    return (await ok(resp, 201))["data"]


async def _kazoo(client, tenant, device_id: str) -> dict:
    return (await ok(await client.get(tenant.url(f"/devices/{device_id}"), headers=tenant.headers)))["data"]


async def _sip(client, tenant, device_id: str) -> dict:
    return (await ok(await client.get(tenant.url(f"/devices/sip/{device_id}"), headers=tenant.headers)))["data"]


async def test_seed_create_with_a_bare_body_is_a_kazoo_sip_device(client, tenant):
    user_id = await _user(client, tenant)
    resp = await client.post(
        tenant.url("/devices/sip"), headers=tenant.headers, json={**SEED_DEVICE, "assignedUser": user_id}
    )
    body = await ok(resp, 201)
    data = body["data"]
    assert resp.headers["Location"] == tenant.url(f"/devices/sip/{data['id']}")
    assert body["revision"].startswith("1-")
    password = data["credentials"]["sipPassword"]
    assert len(password) == 24 and password.replace("-", "").replace("_", "").isalnum()
    assert {k: v for k, v in data.items() if k not in ("id", "credentials", "createdAt", "updatedAt")} == {
        **SEED_DEVICE,
        "accountId": tenant.account_id,
        "type": "sip",
        "sipDomain": tenant.realm,
        "assignedUser": user_id,
        "status": "active",
        "registrationStatus": "provisioning",
    }
    assert data["createdAt"].endswith("Z")
    doc = await _kazoo(client, tenant, data["id"])
    assert doc["device_type"] == "sip_device" and doc["enabled"] is True
    assert doc["mac_address"] == "001565000001" and doc["owner_id"] == user_id
    assert doc["sip"]["username"] == "john.doe" and doc["sip"]["password"] == password
    assert doc["caller_id"]["internal"]["name"] == "John Doe"
    assert doc["provision"] == {"endpoint_brand": "Yealink", "endpoint_model": "Yealink T46S"}


async def test_client_password_is_kept_and_shown_only_on_create(client, tenant):
    data = await _create(client, tenant, sipPassword="my-own-pw-1")
    assert data["credentials"] == {"sipPassword": "my-own-pw-1"}
    again = await _sip(client, tenant, data["id"])
    assert "credentials" not in again and "sipPassword" not in again
    assert (await _kazoo(client, tenant, data["id"]))["sip"]["password"] == "my-own-pw-1"


async def test_generated_passwords_differ(client, tenant):
    first = await _create(client, tenant, sipUsername="gen1", macAddress=None)
    second = await _create(client, tenant, sipUsername="gen2", macAddress=None)
    assert first["credentials"]["sipPassword"] != second["credentials"]["sipPassword"]


async def test_kazoo_device_reads_in_the_seed_shape(client, tenant):
    dev = await tenant.create_device(
        client,
        name="Lobby",
        mac_address="AA-BB-CC-DD-EE-FF",
        enabled=False,
        sip={"username": "lobby1", "password": "pw12345"},
        caller_id={"internal": {"name": "Lobby", "number": "100"}},
        provision={"endpoint_brand": "polycom", "endpoint_model": "vvx400"},
    )
    data = await _sip(client, tenant, dev["id"])
    assert data["type"] == "sip" and data["name"] == "Lobby"
    assert data["macAddress"] == "aa:bb:cc:dd:ee:ff" and data["sipUsername"] == "lobby1"
    assert data["displayName"] == "Lobby" and data["manufacturer"] == "polycom" and data["model"] == "vvx400"
    assert data["status"] == "inactive" and data["registrationStatus"] == "disabled"
    assert "assignedUser" not in data and "ipAddress" not in data


async def test_other_device_types_keep_their_type(client, tenant):
    dev = await tenant.create_device(client, device_type="softphone")
    assert (await _sip(client, tenant, dev["id"]))["type"] == "softphone"


async def test_seed_patch_lands_in_the_kazoo_document_and_keeps_other_keys(client, tenant):
    data = await _create(client, tenant)
    await ok(
        await client.patch(
            tenant.url(f"/devices/{data['id']}"), headers=tenant.headers, json={"data": {"ui_metadata": {"a": 1}}}
        )
    )
    resp = await client.patch(
        tenant.url(f"/devices/sip/{data['id']}"),
        headers=tenant.headers,
        json={"displayName": "John Doe - Main Desk", "status": "inactive", "model": None},
    )
    patched = (await ok(resp))["data"]
    assert patched["displayName"] == "John Doe - Main Desk" and patched["status"] == "inactive"
    assert "model" not in patched and patched["manufacturer"] == "Yealink"
    doc = await _kazoo(client, tenant, data["id"])
    assert doc["caller_id"]["internal"]["name"] == "John Doe - Main Desk" and doc["enabled"] is False
    assert doc["provision"] == {"endpoint_brand": "Yealink"} and doc["ui_metadata"] == {"a": 1}
    assert doc["sip"]["password"] == data["credentials"]["sipPassword"]


async def test_kazoo_patch_shows_in_the_seed_shape(client, tenant):
    data = await _create(client, tenant)
    user_id = await _user(client, tenant)
    change = {"owner_id": user_id, "name": "Renamed", "mac_address": "00:15:65:00:00:02"}
    await ok(await client.patch(tenant.url(f"/devices/{data['id']}"), headers=tenant.headers, json={"data": change}))
    seen = await _sip(client, tenant, data["id"])
    assert seen["assignedUser"] == user_id and seen["name"] == "Renamed"
    assert seen["macAddress"] == "00:15:65:00:00:02"


async def test_unassigning_the_user_with_null(client, tenant):
    data = await _create(client, tenant, assignedUser=await _user(client, tenant))
    resp = await client.patch(
        tenant.url(f"/devices/sip/{data['id']}"), headers=tenant.headers, json={"data": {"assignedUser": None}}
    )
    assert "assignedUser" not in (await ok(resp))["data"]
    assert "owner_id" not in await _kazoo(client, tenant, data["id"])


async def test_delete_is_seen_by_both_routes(client, tenant):
    data = await _create(client, tenant)
    body = await ok(await client.delete(tenant.url(f"/devices/sip/{data['id']}"), headers=tenant.headers))
    assert body["data"]["_read_only"] == {"deleted": True} and body["data"]["sipUsername"] == "john.doe"
    await assert_error(
        await client.get(tenant.url(f"/devices/{data['id']}"), headers=tenant.headers), 404, "bad_identifier"
    )
    resp = await client.get(tenant.url(f"/devices/sip/{data['id']}"), headers=tenant.headers)
    await assert_error(resp, 404, "bad_identifier")
    # Soft-deleted: the SIP username is free again.
    await _create(client, tenant)


async def test_bad_mac_is_400_pattern(client, tenant):
    resp = await client.post(
        tenant.url("/devices/sip"), headers=tenant.headers, json={**SEED_DEVICE, "macAddress": "00:15:65:zz:00:01"}
    )
    body = await assert_error(resp, 400, "validation error")
    assert set(body["data"]) == {"macAddress"} and "pattern" in body["data"]["macAddress"]


async def test_missing_and_wrongly_typed_fields_are_reported_together(client, tenant):
    resp = await client.post(
        tenant.url("/devices/sip"), headers=tenant.headers, json={"data": {"model": 46, "status": "broken"}}
    )
    body = await assert_error(resp, 400, "validation error")
    assert body["data"]["name"]["required"]["value"] == "name"
    assert body["data"]["sipUsername"]["required"]["value"] == "sipUsername"
    assert body["data"]["model"]["type"]["value"] == 46
    assert body["data"]["status"]["enum"]["target"] == ["active", "inactive"]


@pytest.mark.parametrize(
    ("field", "value", "validator"),
    [
        ("sipUsername", ["x"], "type"),
        ("sipUsername", "x", "minLength"),
        ("sipPassword", "abc", "minLength"),
        ("displayName", "n" * 36, "maxLength"),
        ("name", "", "minLength"),
        ("assignedUser", 7, "type"),
    ],
)
async def test_bad_field_is_400_under_its_seed_name(client, tenant, field, value, validator):
    resp = await client.post(tenant.url("/devices/sip"), headers=tenant.headers, json={**SEED_DEVICE, field: value})
    body = await assert_error(resp, 400, "validation error")
    assert list(body["data"]) == [field] and validator in body["data"][field]


async def test_body_that_is_not_an_object_is_400(client, tenant):
    resp = await client.post(tenant.url("/devices/sip"), headers=tenant.headers, json={"data": ["name"]})
    await assert_error(resp, 400, "validation error")


async def test_duplicate_sip_username_and_mac_are_400_unique_under_seed_names(client, tenant):
    await tenant.create_device(client, sip={"username": "John.Doe", "password": "pw12345"})
    resp = await client.post(tenant.url("/devices/sip"), headers=tenant.headers, json=SEED_DEVICE)
    body = await assert_error(resp, 400, "validation error")
    assert body["data"] == {
        "sipUsername": {"unique": {"message": "SIP credentials already in use", "cause": "john.doe"}}
    }
    resp = await client.post(
        tenant.url("/devices/sip"), headers=tenant.headers, json={**SEED_DEVICE, "sipUsername": "other"}
    )
    await ok(resp, 201)
    resp = await client.post(
        tenant.url("/devices/sip"), headers=tenant.headers, json={**SEED_DEVICE, "sipUsername": "third"}
    )
    body = await assert_error(resp, 400, "validation error")
    assert body["data"]["macAddress"]["unique"]["message"] == "MAC address already in use"


async def test_unknown_or_foreign_assigned_user_is_400_not_found(client, make_tenant):
    tenant, other = await make_tenant(), await make_tenant()
    foreign = await _user(client, other)
    for user_id in ("user_123456", foreign):
        resp = await client.post(
            tenant.url("/devices/sip"), headers=tenant.headers, json={**SEED_DEVICE, "assignedUser": user_id}
        )
        body = await assert_error(resp, 400, "validation error")
        assert body["data"]["assignedUser"]["not_found"]["cause"] == user_id
    data = await _create(client, tenant)
    resp = await client.patch(
        tenant.url(f"/devices/sip/{data['id']}"), headers=tenant.headers, json={"assignedUser": foreign}
    )
    await assert_error(resp, 400, "validation error")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/devices/sip/{d}"),
        ("PATCH", "/devices/sip/{d}"),
        ("DELETE", "/devices/sip/{d}"),
        ("GET", "/devices/sip/{d}/credentials"),
        ("GET", "/devices/{d}/credentials"),
        ("POST", "/devices/sip/{d}/reset-password"),
        ("POST", "/devices/{d}/reset-password"),
    ],
)
async def test_unknown_device_is_404_bad_identifier(client, tenant, method, path):
    resp = await client.request(
        method, tenant.url(path.format(d="f" * 32)), headers=tenant.headers, json={"data": {"name": "x"}}
    )
    body = await assert_error(resp, 404, "bad_identifier")
    assert body["data"] == {"cause": "f" * 32, "message": "bad identifier"}


async def test_device_of_another_account_is_404(client, make_tenant):
    owner, other = await make_tenant(), await make_tenant()
    data = await _create(client, owner)
    resp = await client.get(other.url(f"/devices/sip/{data['id']}"), headers=other.headers)
    await assert_error(resp, 404, "bad_identifier")


async def test_stale_if_match_is_412(client, tenant):
    data = await _create(client, tenant)
    resp = await client.patch(
        tenant.url(f"/devices/sip/{data['id']}"),
        headers={**tenant.headers, "If-Match": '"1-00000000000000000000000000000000"'},
        json={"name": "late"},
    )
    assert resp.status == 412


async def test_credentials_on_both_routes(client, tenant, data_env):
    data = await _create(client, tenant)
    expected = {
        "sipServer": "127.0.0.1",
        "sipPort": data_env.sip_port,
        "sipUsername": "john.doe",
        "sipPassword": data["credentials"]["sipPassword"],
        "sipDomain": tenant.realm,
        "outboundProxy": f"127.0.0.1:{data_env.sip_port}",
        "transportProtocol": "UDP",
    }
    for path in (f"/devices/{data['id']}/credentials", f"/devices/sip/{data['id']}/credentials"):
        assert (await ok(await client.get(tenant.url(path), headers=tenant.headers)))["data"] == expected


async def test_credentials_follow_the_deployment_settings(aiohttp_client, data_env, tenant, client):
    dev = await tenant.create_device(client, sip={"username": "cfg1", "password": "pw12345"})
    settings = data_env.settings(
        sip_server="sip.example.net", outbound_proxy="edge.example.net:5080", sip_transport="TCP"
    )
    other = await aiohttp_client(create_app(settings))
    data = (await ok(await other.get(tenant.url(f"/devices/{dev['id']}/credentials"), headers=tenant.headers)))["data"]
    assert data["sipServer"] == "sip.example.net" and data["sipDomain"] == tenant.realm
    assert data["outboundProxy"] == "edge.example.net:5080" and data["transportProtocol"] == "TCP"


@pytest.mark.parametrize(
    "fields",
    [{}, {"sip": {"username": "nopass1"}}, {"sip": {"method": "ip", "ip": "198.51.100.91", "username": "ipdev1"}}],
)
async def test_device_without_sip_credentials_has_no_credentials(client, tenant, fields):
    dev = await tenant.create_device(client, **fields)
    resp = await client.get(tenant.url(f"/devices/{dev['id']}/credentials"), headers=tenant.headers)
    body = await assert_error(resp, 400, "validation error")
    assert body["data"]["sip"]["required"]["cause"] == dev["id"]


async def test_reset_password_replaces_it_everywhere(client, tenant):
    data = await _create(client, tenant)
    old = data["credentials"]["sipPassword"]
    body = await ok(await client.post(tenant.url(f"/devices/sip/{data['id']}/reset-password"), headers=tenant.headers))
    new = body["data"]["sipPassword"]
    assert new != old and len(new) == 24
    assert body["data"] == {
        "sipPassword": new,
        "message": "Password reset successfully",
        "registrationsFlushed": 0,
        "notifySent": 0,
    }
    doc = await _kazoo(client, tenant, data["id"])
    assert doc["sip"]["password"] == new and doc["name"] == SEED_DEVICE["name"]
    creds = await ok(await client.get(tenant.url(f"/devices/{data['id']}/credentials"), headers=tenant.headers))
    assert creds["data"]["sipPassword"] == new
    again = await ok(await client.post(tenant.url(f"/devices/{data['id']}/reset-password"), headers=tenant.headers))
    assert again["data"]["sipPassword"] not in (old, new)


async def test_reset_password_needs_a_sip_username(client, tenant):
    dev = await tenant.create_device(client)
    resp = await client.post(tenant.url(f"/devices/{dev['id']}/reset-password"), headers=tenant.headers)
    body = await assert_error(resp, 400, "validation error")
    assert body["data"]["sip"]["required"]["message"] == "The device has no SIP username and password"
    assert "password" not in (await _kazoo(client, tenant, dev["id"]))["sip"]


async def test_wrong_verbs_are_405(client, tenant):
    data = await _create(client, tenant)
    resp = await client.post(tenant.url(f"/devices/sip/{data['id']}"), headers=tenant.headers, json={})
    await assert_error(resp, 405, "invalid_method")
    resp = await client.get(tenant.url(f"/devices/sip/{data['id']}/reset-password"), headers=tenant.headers)
    await assert_error(resp, 405, "invalid_method")


async def test_patch_without_seed_fields_changes_nothing(client, tenant):
    data = await _create(client, tenant)
    resp = await client.patch(tenant.url(f"/devices/sip/{data['id']}"), headers=tenant.headers, json={"type": "sip"})
    body = await ok(resp)
    # Saved as Kazoo saves an empty PATCH (a new revision), with nothing in it changed.
    assert {k: v for k, v in body["data"].items() if k != "updatedAt"} == {
        k: v for k, v in data.items() if k not in ("updatedAt", "credentials")
    }
