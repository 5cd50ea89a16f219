"""Gaps a black-box run against Kazoo's contract found: list revisions, inclusive time bounds, original_contact."""

import hashlib
import json
import secrets

from crossbar_py import keys
from crossbar_py.common.documents import GREGORIAN_OFFSET, gregorian
from tests.helpers import ok

INSERT_LOCATION = """
INSERT INTO location (ruid, username, domain, contact, received, expires, last_modified, user_agent, callid,
                      instance, reg_id)
VALUES (%(ruid)s, %(username)s, %(domain)s, %(contact)s, NULL, (now() AT TIME ZONE 'UTC') + interval '600 seconds',
        now() AT TIME ZONE 'UTC', 'test-phone/1.0', %(ruid)s, %(instance)s, %(reg_id)s)
"""


def _md5(data) -> str:
    return hashlib.md5(json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()


async def test_non_empty_listings_carry_the_md5_revision_and_etag(client, tenant):
    await tenant.create_device(client)
    for path in ("/users", "/devices", "/vmboxes"):
        if path == "/vmboxes":
            data = {"data": {"name": "b", "mailbox": "1"}}
            await ok(await client.put(tenant.url(path), headers=tenant.headers, json=data), 201)
        resp = await client.get(tenant.url(path), headers=tenant.headers)
        body = await ok(resp)
        assert body["revision"] == _md5(body["data"]) and resp.headers["ETag"] == f'"{body["revision"]}"'
    resp = await client.get(tenant.url("/groups"), headers=tenant.headers)
    assert "revision" not in await ok(resp) and "ETag" not in resp.headers


async def test_created_to_and_modified_to_include_the_exact_second(client, tenant):
    device = await tenant.create_device(client)
    row = await client.app[keys.DB].fetch_one("SELECT created, modified FROM devices WHERE id = %(id)s", device)
    second = gregorian(row["created"])
    for key in ("created_to", "created_from", "modified_to"):
        value = gregorian(row["modified"]) if key.startswith("modified") else second
        body = await ok(await client.get(tenant.url(f"/devices?{key}={value}"), headers=tenant.headers))
        assert [d["id"] for d in body["data"]] == [device["id"]], key
    body = await ok(await client.get(tenant.url(f"/devices?created_to={second - 1}"), headers=tenant.headers))
    assert body["data"] == []
    body = await ok(await client.get(tenant.url(f"/devices?created_from={second + 1}"), headers=tenant.headers))
    assert body["data"] == []
    assert second > GREGORIAN_OFFSET


async def test_registrations_carry_original_contact(client, tenant):
    await tenant.create_device(client, sip={"username": "orig1", "password": "pw12345"})
    params = {
        "ruid": secrets.token_hex(8),
        "username": "orig1",
        "domain": tenant.realm,
        "contact": "sip:orig1@198.51.100.7:5070;transport=udp",
        "instance": "<urn:uuid:00000000-0000-1000-8000-000000000001>",
        "reg_id": 1,
    }
    await client.app[keys.DB].execute(INSERT_LOCATION, params)
    [reg] = (await ok(await client.get(tenant.url("/registrations"), headers=tenant.headers)))["data"]
    assert reg["contact"] == "sip:orig1@198.51.100.7:5070;transport=udp"
    assert reg["original_contact"] == (
        '<sip:orig1@198.51.100.7:5070;transport=udp>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000000000001>"'
        ";reg-id=1"
    )
    await client.app[keys.DB].execute("DELETE FROM location WHERE ruid = %(ruid)s", params)
