"""Device POST, PATCH, DELETE, revisions and conditional requests (docs/kazoo-compatibility.md §8.6, 8.7, 12)."""

import asyncio

from tests.helpers import assert_error, ok


async def test_post_replaces_public_fields_and_bumps_revision(client, tenant):
    dev = await tenant.create_device(client, device_type="sip_device", extra={"keep": False}, language="fr-fr")
    resp = await client.post(
        tenant.url(f"/devices/{dev['id']}"),
        headers=tenant.headers,
        json={"data": {"name": "renamed", "device_type": "sip_device"}},
    )
    body = await ok(resp)
    assert body["data"]["name"] == "renamed" and "extra" not in body["data"] and "language" not in body["data"]
    assert body["data"]["sip"]["method"] == "password"
    assert body["revision"].startswith("2-")


async def test_post_ignores_a_different_id_in_the_body(client, tenant):
    dev = await tenant.create_device(client)
    body = await ok(
        await client.post(
            tenant.url(f"/devices/{dev['id']}"), headers=tenant.headers, json={"data": {"name": "x", "id": "f" * 32}}
        )
    )
    assert body["data"]["id"] == dev["id"]


async def test_patch_merges_deeply_and_null_deletes(client, tenant):
    dev = await tenant.create_device(client, sip={"username": "patchme", "password": "pw12345"}, language="en-us")
    body = await ok(
        await client.patch(
            tenant.url(f"/devices/{dev['id']}"),
            headers=tenant.headers,
            json={"data": {"sip": {"username": "patched"}, "language": None, "custom": "value"}},
        )
    )
    data = body["data"]
    assert data["sip"]["username"] == "patched" and data["sip"]["password"] == "pw12345"
    assert "language" not in data and data["custom"] == "value" and data["name"] == dev["name"]


async def test_patch_with_empty_object_replaces_it(client, tenant):
    dev = await tenant.create_device(client, sip={"username": "wipeme", "password": "pw12345"})
    body = await ok(
        await client.patch(tenant.url(f"/devices/{dev['id']}"), headers=tenant.headers, json={"data": {"sip": {}}})
    )
    assert "username" not in body["data"]["sip"]


async def test_patch_with_empty_data_changes_nothing(client, tenant):
    dev = await tenant.create_device(client, name="Keep me", sip={"username": "keepme", "password": "pw12345"})
    url = tenant.url(f"/devices/{dev['id']}")
    body = await ok(await client.patch(url, headers=tenant.headers, json={"data": {}}))
    assert body["data"]["name"] == "Keep me" and body["data"]["sip"]["username"] == "keepme"


async def test_patch_is_validated_like_a_create(client, tenant):
    dev = await tenant.create_device(client)
    resp = await client.patch(
        tenant.url(f"/devices/{dev['id']}"),
        headers=tenant.headers,
        json={"data": {"name": "", "sip": {"password": "x"}}},
    )
    body = await assert_error(resp, 400, "validation error")
    assert set(body["data"]) == {"name", "sip.password"}


async def test_changing_device_type_needs_superduper(client, tenant, master_token):
    dev = await tenant.create_device(client, device_type="softphone")
    resp = await client.post(tenant.url(f"/devices/{dev['id']}"), headers=tenant.headers, json={"data": {"name": "n"}})
    body = await assert_error(resp, 400, "validation error")
    assert body["data"]["device_type"]["invalid"]["message"] == "Not authorized to change type of device"
    await ok(
        await client.post(
            tenant.url(f"/devices/{dev['id']}"),
            headers={"X-Auth-Token": master_token},
            json={"data": {"name": "n", "device_type": "fax"}},
        )
    )


async def test_username_taken_on_update_is_400_unique(client, tenant):
    await tenant.create_device(client, sip={"username": "taken1", "password": "pw12345"})
    dev = await tenant.create_device(client, sip={"username": "free01", "password": "pw12345"})
    resp = await client.patch(
        tenant.url(f"/devices/{dev['id']}"), headers=tenant.headers, json={"data": {"sip": {"username": "TAKEN1"}}}
    )
    body = await assert_error(resp, 400, "validation error")
    assert body["data"]["sip.username"]["unique"]["cause"] == "TAKEN1"


async def test_mac_is_normalized_and_unique_per_account(client, tenant):
    dev = await tenant.create_device(client, mac_address="00:04:F2:AB:7E:FD")
    assert dev["mac_address"] == "0004f2ab7efd"
    resp = await client.put(
        tenant.url("/devices"), headers=tenant.headers, json={"data": {"name": "dup", "mac_address": "0004.f2ab.7efd"}}
    )
    body = await assert_error(resp, 400, "validation error")
    assert body["data"]["mac_address"]["unique"] == {"message": "MAC address already in use", "cause": "0004f2ab7efd"}


async def test_concurrent_creates_with_one_mac_have_one_winner(client, tenant):
    payload = {"data": {"name": "mac race", "mac_address": "aa:bb:cc:dd:ee:01"}}
    resps = await asyncio.gather(
        *(client.put(tenant.url("/devices"), json=payload, headers=tenant.headers) for _ in range(20))
    )
    assert sorted(r.status for r in resps) == [201] + [400] * 19


async def test_soft_delete_returns_the_device_and_hides_it(client, tenant):
    dev = await tenant.create_device(client)
    body = await ok(await client.delete(tenant.url(f"/devices/{dev['id']}"), headers=tenant.headers))
    assert body["data"]["_read_only"] == {"deleted": True} and body["data"]["id"] == dev["id"]
    assert body["revision"].startswith("1-")
    await assert_error(
        await client.get(tenant.url(f"/devices/{dev['id']}"), headers=tenant.headers), 404, "bad_identifier"
    )
    listing = await ok(await client.get(tenant.url("/devices"), headers=tenant.headers))
    assert dev["id"] not in [d["id"] for d in listing["data"]]
    resp = await client.put(
        tenant.url("/devices"), headers=tenant.headers, json={"data": {"name": "x", "id": dev["id"]}}
    )
    await assert_error(resp, 409, "datastore_conflict")


async def test_hard_delete_frees_the_id(client, tenant):
    dev = await tenant.create_device(client)
    await ok(
        await client.delete(
            tenant.url(f"/devices/{dev['id']}"), params={"should_soft_delete": "false"}, headers=tenant.headers
        )
    )
    await ok(
        await client.put(tenant.url("/devices"), headers=tenant.headers, json={"data": {"name": "x", "id": dev["id"]}}),
        201,
    )


async def test_if_match_with_a_stale_revision_is_412_and_changes_nothing(client, tenant):
    dev = await tenant.create_device(client)
    url = tenant.url(f"/devices/{dev['id']}")
    resp = await client.patch(url, headers={**tenant.headers, "If-Match": '"1-0000"'}, json={"data": {"name": "no"}})
    assert resp.status == 412 and await resp.read() == b""
    body = await ok(await client.get(url, headers=tenant.headers))
    assert body["data"]["name"] == dev["name"]
    rev = body["revision"]
    await ok(
        await client.patch(url, headers={**tenant.headers, "If-Match": f'"{rev}"'}, json={"data": {"name": "yes"}})
    )


async def test_if_none_match_on_the_current_revision_is_304(client, tenant):
    dev = await tenant.create_device(client)
    url = tenant.url(f"/devices/{dev['id']}")
    etag = (await client.get(url, headers=tenant.headers)).headers["ETag"]
    resp = await client.get(url, headers={**tenant.headers, "If-None-Match": etag})
    assert resp.status == 304


async def test_four_identical_posts_never_conflict(client, tenant):
    dev = await tenant.create_device(client)
    for _ in range(4):
        await ok(
            await client.post(
                tenant.url(f"/devices/{dev['id']}"), headers=tenant.headers, json={"data": {"name": "same"}}
            )
        )


async def test_action_put_needs_a_known_action(client, tenant):
    dev = await tenant.create_device(client)
    url = tenant.url(f"/devices/{dev['id']}")
    await assert_error(await client.put(url, headers=tenant.headers, json={"data": {}}), 400, "action required")
    await assert_error(
        await client.put(url, headers=tenant.headers, json={"action": "reboot", "data": {}}), 400, "invalid action"
    )
    body = await assert_error(
        await client.put(url, headers=tenant.headers, json={"action": "notify", "data": {}}), 400, "validation error"
    )
    assert "event" in body["data"]


async def test_sync_is_200_and_only_post(client, tenant):
    dev = await tenant.create_device(client)
    body = await ok(await client.post(tenant.url(f"/devices/{dev['id']}/sync"), headers=tenant.headers))
    assert body["data"] == "sync request sent"
    await assert_error(
        await client.get(tenant.url(f"/devices/{dev['id']}/sync"), headers=tenant.headers), 405, "invalid_method"
    )
    await assert_error(
        await client.post(tenant.url("/devices/nope/sync"), headers=tenant.headers), 404, "bad_identifier"
    )


async def test_user_devices_marks_hotdesked(client, tenant):
    user = await tenant.create_user(client, first_name="H", last_name="D")
    owned = await tenant.create_device(client, owner_id=user["id"])
    desk = await tenant.create_device(client, hotdesk={"users": {user["id"]: {}}})
    await tenant.create_device(client)
    body = await ok(await client.get(tenant.url(f"/users/{user['id']}/devices"), headers=tenant.headers))
    assert {(d["id"], d["hotdesked"]) for d in body["data"]} == {(owned["id"], False), (desk["id"], True)}
    await assert_error(
        await client.get(tenant.url(f"/users/{'0' * 32}/devices"), headers=tenant.headers), 404, "bad_identifier"
    )


async def test_access_lists_round_trip(client, tenant):
    dev = await tenant.create_device(client, name="acl")
    url = tenant.url(f"/devices/{dev['id']}/access_lists")
    assert (await ok(await client.get(url, headers=tenant.headers)))["data"] == {}
    acl = {"order": "allow,deny", "cidrs": ["10.0.0.0/8"], "user_agent": "Yealink.*"}
    assert (await ok(await client.post(url, headers=tenant.headers, json={"data": acl})))["data"] == acl
    assert (await ok(await client.get(url, headers=tenant.headers)))["data"] == acl
    device = (await ok(await client.get(tenant.url(f"/devices/{dev['id']}"), headers=tenant.headers)))["data"]
    assert device["access_lists"] == acl
    body = await assert_error(
        await client.post(url, headers=tenant.headers, json={"data": {"order": "maybe"}}), 400, "validation error"
    )
    assert {"order", "cidrs"} <= set(body["data"])
    assert (await ok(await client.delete(url, headers=tenant.headers)))["data"] == {}
    assert (await ok(await client.get(url, headers=tenant.headers)))["data"] == {}


async def test_notify_event_with_a_line_break_is_400_not_a_header(client, tenant):
    dev = await tenant.create_device(client, sip={"username": "crlf1", "password": "pw12345"})
    for data in (
        {"event": "check-sync\r\nX-Evil: 1"},
        {"event": "ok", "body": {"content_type": "a/b\r\nX: 1", "data": ""}},
    ):
        resp = await client.put(
            tenant.url(f"/devices/{dev['id']}"), headers=tenant.headers, json={"action": "notify", "data": data}
        )
        await assert_error(resp, 400, "validation error")


async def test_check_sync_event_with_a_line_break_is_refused_on_write(client, tenant):
    resp = await client.put(
        tenant.url("/devices"),
        headers=tenant.headers,
        json={"data": {"name": "crlf", "provision": {"check_sync_event": "check-sync\r\nX-Evil: 1"}}},
    )
    body = await assert_error(resp, 400, "validation error")
    assert "provision.check_sync_event" in body["data"]
