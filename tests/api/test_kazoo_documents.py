"""SmartPBX's stored documents (callflows, vmboxes, media, ...) replayed as monster-ui-voip sends them."""

import asyncio
import base64
import hashlib
import json

import aiohttp
import pytest

from tests.helpers import assert_error, ok

COLLECTIONS = [
    "callflows",
    "vmboxes",
    "groups",
    "directories",
    "media",
    "temporal_rules",
    "temporal_rules_sets",
    "menus",
    "conferences",
    "faxboxes",
]


async def _put(client, tenant, path, data, status=201):
    return (await ok(await client.put(tenant.url(path), headers=tenant.headers, json={"data": data}), status))["data"]


async def test_main_vmbox_is_found_by_filter_after_smartpbx_creates_it(client, tenant):
    # app.js getOrCreateMainVMBox: list filter_type=mainVMBox, then PUT when none.
    body = await ok(await client.get(tenant.url("/vmboxes?filter_type=mainVMBox"), headers=tenant.headers))
    assert body["data"] == [] and "revision" not in body
    box = {"mailbox": "0", "name": "Main Voicemail Box", "type": "mainVMBox", "delete_after_notify": True}
    created = await _put(client, tenant, "/vmboxes", {**box, "ui_metadata": {"origin": "voip", "ui": "monster-ui"}})
    assert created["type"] == "mainVMBox" and created["ui_metadata"]["origin"] == "voip"
    assert created["media_extension"] == "mp3" and len(created["id"]) == 32
    body = await ok(await client.get(tenant.url("/vmboxes?filter_type=mainVMBox"), headers=tenant.headers))
    assert [b["id"] for b in body["data"]] == [created["id"]]


async def test_list_revision_is_md5_of_data_and_the_etag(client, tenant):
    await _put(client, tenant, "/groups", {"name": "Sales", "endpoints": {}})
    resp = await client.get(tenant.url("/groups"), headers=tenant.headers)
    body = await ok(resp)
    rendered = json.dumps(body["data"], separators=(",", ":"), ensure_ascii=False).encode()
    assert body["revision"] == hashlib.md5(rendered).hexdigest()
    assert resp.headers["ETag"] == f'"{body["revision"]}"'


async def test_callflow_filters_as_smartpbx_sends_them(client, tenant):
    main = {"name": "MainCallflow", "type": "main", "numbers": ["+15555550100"], "flow": {"module": "temporal_route"}}
    main = await _put(client, tenant, "/callflows", {**main, "ui_metadata": {"origin": "voip"}})
    user_cf = {"name": "u", "type": "mainUserCallflow", "owner_id": "a" * 32, "numbers": ["1001"], "flow": {}}
    user_cf = await _put(client, tenant, "/callflows", user_cf)
    feature = await _put(client, tenant, "/callflows", {"featurecode": {"name": "park"}, "patterns": ["^\\*3$"]})
    query = (
        "/callflows?paginate=false&has_value=type&filter_type=main&key_missing=owner_id&key_missing=group_id"
        "&filter_ui_metadata.origin=voip"
    )
    body = await ok(await client.get(tenant.url(query), headers=tenant.headers))
    assert [c["id"] for c in body["data"]] == [main["id"]]
    assert body["data"][0]["numbers"] == ["+15555550100"] and "page_size" not in body
    body = await ok(await client.get(tenant.url("/callflows?has_key=featurecode"), headers=tenant.headers))
    assert [c["id"] for c in body["data"]] == [feature["id"]]
    query = f"/callflows?filter_owner_id={'a' * 32}&filter_type=mainUserCallflow"
    body = await ok(await client.get(tenant.url(query), headers=tenant.headers))
    assert [c["id"] for c in body["data"]] == [user_cf["id"]]


async def test_callflow_number_taken_is_400_unique_like_kazoo(client, tenant):
    first = await _put(client, tenant, "/callflows", {"name": "A", "numbers": ["2001"], "flow": {}})
    resp = await client.put(
        tenant.url("/callflows"), headers=tenant.headers, json={"data": {"numbers": ["2001", "2002"], "flow": {}}}
    )
    body = await assert_error(resp, 400, "validation error")
    assert body["data"]["numbers"]["unique"] == {
        "message": f"Number 2001 exists in callflow {first['id']} A",
        "cause": "2001",
    }
    # The failed write claimed nothing: 2002 is still free.
    await _put(client, tenant, "/callflows", {"numbers": ["2002"], "flow": {}})


async def test_callflow_pattern_taken_and_released_on_delete(client, tenant):
    first = await _put(client, tenant, "/callflows", {"patterns": ["^\\+1(\\d{10})$"], "flow": {}})
    resp = await client.put(
        tenant.url("/callflows"), headers=tenant.headers, json={"data": {"patterns": ["^\\+1(\\d{10})$"]}}
    )
    body = await assert_error(resp, 400, "validation error")
    assert body["data"]["patterns"]["unique"]["cause"] == "^\\+1(\\d{10})$"
    await ok(await client.delete(tenant.url(f"/callflows/{first['id']}"), headers=tenant.headers))
    await _put(client, tenant, "/callflows", {"patterns": ["^\\+1(\\d{10})$"], "flow": {}})


async def test_callflow_update_keeps_its_own_numbers_and_another_account_may_use_them(client, tenant, make_tenant):
    cf = await _put(client, tenant, "/callflows", {"name": "A", "numbers": ["3001"], "flow": {}})
    resp = await client.post(
        tenant.url(f"/callflows/{cf['id']}"), headers=tenant.headers, json={"data": {**cf, "numbers": ["3001", "3002"]}}
    )
    assert (await ok(resp))["data"]["numbers"] == ["3001", "3002"]
    other = await make_tenant()
    await _put(client, other, "/callflows", {"numbers": ["3001"], "flow": {}})


async def test_callflow_without_numbers_or_patterns_is_400(client, tenant):
    resp = await client.put(tenant.url("/callflows"), headers=tenant.headers, json={"data": {"name": "x"}})
    body = await assert_error(resp, 400, "validation error")
    assert body["data"]["numbers"]["required"]["message"] == "Callflows must be assigned at least one number or pattern"


@pytest.mark.parametrize(
    ("path", "data", "field", "validator"),
    [
        ("/vmboxes", {"name": "x"}, "mailbox", "required"),
        ("/vmboxes", {"name": "x", "mailbox": "1", "pin": "12"}, "pin", "minLength"),
        ("/groups", {"name": "g"}, "endpoints", "required"),
        ("/media", {"name": "m", "media_source": "fax"}, "media_source", "enum"),
        ("/temporal_rules", {"name": "t", "cycle": "hourly"}, "cycle", "enum"),
        ("/temporal_rules", {"name": "t", "cycle": "weekly", "wdays": ["someday"]}, "wdays.0", "enum"),
        ("/menus", {"name": "m", "retries": 99}, "retries", "maximum"),
        ("/directories", {}, "name", "required"),
        ("/temporal_rules_sets", {"name": ""}, "name", "minLength"),
        ("/conferences", {"conference_numbers": ["12a"]}, "conference_numbers.0", "pattern"),
        ("/faxboxes", {}, "name", "required"),
        ("/callflows", {"numbers": "2001"}, "numbers", "type"),
    ],
)
async def test_bad_documents_get_kazoo_validation_errors(client, tenant, path, data, field, validator):
    resp = await client.put(tenant.url(path), headers=tenant.headers, json={"data": data})
    body = await assert_error(resp, 400, "validation error")
    assert validator in body["data"][field], body["data"]


async def test_revisions_patch_soft_delete_and_id_reuse(client, tenant):
    rule = await _put(
        client, tenant, "/temporal_rules", {"name": "Lunch", "cycle": "weekly", "wdays": ["monday"], "interval": "1"}
    )
    assert rule["interval"] == 1
    resp = await client.get(tenant.url(f"/temporal_rules/{rule['id']}"), headers=tenant.headers)
    first = await ok(resp)
    assert first["revision"].startswith("1-") and resp.headers["ETag"] == f'"{first["revision"]}"'
    resp = await client.patch(
        tenant.url(f"/temporal_rules/{rule['id']}"), headers=tenant.headers, json={"data": {"time_window_start": 43200}}
    )
    patched = await ok(resp)
    assert patched["revision"].startswith("2-") and patched["data"]["wdays"] == ["monday"]
    stale = {**tenant.headers, "If-Match": f'"{first["revision"]}"'}
    resp = await client.post(tenant.url(f"/temporal_rules/{rule['id']}"), headers=stale, json={"data": rule})
    assert resp.status == 412
    gone = await ok(await client.delete(tenant.url(f"/temporal_rules/{rule['id']}"), headers=tenant.headers))
    assert gone["data"]["_read_only"]["deleted"] is True
    await assert_error(
        await client.get(tenant.url(f"/temporal_rules/{rule['id']}"), headers=tenant.headers), 404, "bad_identifier"
    )
    resp = await client.put(tenant.url("/temporal_rules"), headers=tenant.headers, json={"data": {**rule}})
    await assert_error(resp, 409, "datastore_conflict")


async def test_media_upload_as_base64_data_url_is_served_back(client, tenant):
    media = await _put(client, tenant, "/media", {"name": "Greeting", "media_source": "upload", "streamable": True})
    audio = b"ID3\x03\x00fake-mp3-bytes" * 10
    data_url = "data:audio/mp3;base64," + base64.b64encode(audio).decode()
    headers = {**tenant.headers, "Content-Type": "application/x-base64"}
    resp = await client.post(tenant.url(f"/media/{media['id']}/raw"), headers=headers, data=data_url)
    body = await ok(resp)
    assert body["data"]["content_type"] == "audio/mp3" and body["data"]["content_length"] == len(audio)
    resp = await client.get(tenant.url(f"/media/{media['id']}/raw"), headers=tenant.headers)
    assert resp.status == 200 and resp.headers["Content-Type"] == "audio/mp3"
    assert await resp.read() == audio


async def test_media_raw_upload_and_missing_audio(client, tenant):
    media = await _put(client, tenant, "/media", {"name": "Hold", "media_source": "upload"})
    await assert_error(
        await client.get(tenant.url(f"/media/{media['id']}/raw"), headers=tenant.headers), 404, "bad_identifier"
    )
    headers = {**tenant.headers, "Content-Type": "audio/wav"}
    await ok(await client.post(tenant.url(f"/media/{media['id']}/raw"), headers=headers, data=b"RIFF0000WAVE"))
    resp = await client.get(tenant.url(f"/media/{media['id']}/raw"), headers=tenant.headers)
    assert await resp.read() == b"RIFF0000WAVE"
    resp = await client.post(tenant.url(f"/media/{media['id']}/raw"), headers=headers, data=b"")
    await assert_error(resp, 400, "validation error")
    resp = await client.post(tenant.url(f"/media/{'f' * 32}/raw"), headers=headers, data=b"RIFF")
    await assert_error(resp, 404, "bad_identifier")


@pytest.mark.parametrize("kind", COLLECTIONS)
async def test_collections_are_walled(client, tenant, make_tenant, kind):
    other = await make_tenant()
    for method, path in (("GET", f"/{kind}"), ("PUT", f"/{kind}"), ("GET", f"/{kind}/{'a' * 32}")):
        await assert_error(await client.request(method, tenant.url(path), headers=other.headers), 403, "forbidden")
        await assert_error(await client.request(method, tenant.url(path)), 401, "invalid_credentials")


async def test_documents_of_one_account_are_invisible_to_another(client, tenant, make_tenant):
    box = await _put(client, tenant, "/vmboxes", {"name": "B", "mailbox": "100"})
    other = await make_tenant()
    await assert_error(
        await client.get(other.url(f"/vmboxes/{box['id']}"), headers=other.headers), 404, "bad_identifier"
    )
    assert (await ok(await client.get(other.url("/vmboxes"), headers=other.headers)))["data"] == []


async def test_smartpbx_directory_lists_the_users_that_name_it(client, tenant):
    directory = await _put(client, tenant, "/directories", {"name": "SmartPBX Directory", "confirm_match": False})
    body = await ok(await client.get(tenant.url(f"/directories/{directory['id']}"), headers=tenant.headers))
    assert body["data"]["users"] == []
    user = {"first_name": "Dee", "last_name": "Rectory", "directories": {directory["id"]: "c" * 32}}
    created = await _put(client, tenant, "/users", user)
    body = await ok(await client.get(tenant.url(f"/directories/{directory['id']}"), headers=tenant.headers))
    assert body["data"]["users"] == [{"user_id": created["id"], "callflow_id": "c" * 32}]


async def test_a_vmbox_has_no_messages(client, tenant):
    box = await _put(client, tenant, "/vmboxes", {"name": "B", "mailbox": "300"})
    body = await ok(await client.get(tenant.url(f"/vmboxes/{box['id']}/messages"), headers=tenant.headers))
    assert body["data"] == []
    resp = await client.get(tenant.url(f"/vmboxes/{'e' * 32}/messages"), headers=tenant.headers)
    await assert_error(resp, 404, "bad_identifier")


async def test_concurrent_claims_of_one_number_leave_one_winner(client, tenant):
    async def claim(n):
        data = {"data": {"name": f"c{n}", "numbers": ["4444"], "flow": {}}}
        return (await client.put(tenant.url("/callflows"), headers=tenant.headers, json=data)).status

    statuses = sorted(await asyncio.gather(*(claim(n) for n in range(6))))
    assert statuses == [201, 400, 400, 400, 400, 400]
    assert len((await ok(await client.get(tenant.url("/callflows"), headers=tenant.headers)))["data"]) == 1


async def test_documents_paginate_with_kazoo_start_keys(client, tenant):
    ids = sorted([(await _put(client, tenant, "/menus", {"name": f"m{n}"}))["id"] for n in range(3)])
    first = await ok(await client.get(tenant.url("/menus?page_size=2"), headers=tenant.headers))
    assert [m["id"] for m in first["data"]] == ids[:2] and first["page_size"] == 2
    rest = await ok(
        await client.get(tenant.url(f"/menus?page_size=2&start_key={first['next_start_key']}"), headers=tenant.headers)
    )
    assert [m["id"] for m in rest["data"]] == ids[2:] and "next_start_key" not in rest


async def test_crossed_claims_do_not_deadlock(client, tenant):
    async def claim(numbers):
        data = {"data": {"numbers": numbers, "flow": {}}}
        return (await client.put(tenant.url("/callflows"), headers=tenant.headers, json=data)).status

    orders = (["5001", "5002", "5003"], ["5003", "5002", "5001"]) * 3
    runs = [claim(list(order)) for order in orders]
    assert sorted(await asyncio.gather(*runs)) == [201, 400, 400, 400, 400, 400]


async def test_media_upload_as_multipart_form(client, tenant):
    media = await _put(client, tenant, "/media", {"name": "Form", "media_source": "upload"})
    form = aiohttp.FormData()
    form.add_field("file", b"OggS-form-bytes", filename="x.ogg", content_type="audio/ogg")
    resp = await client.post(tenant.url(f"/media/{media['id']}/raw"), headers=tenant.headers, data=form)
    assert (await ok(resp))["data"]["content_type"] == "audio/ogg"
    resp = await client.get(tenant.url(f"/media/{media['id']}/raw"), headers=tenant.headers)
    assert await resp.read() == b"OggS-form-bytes"
