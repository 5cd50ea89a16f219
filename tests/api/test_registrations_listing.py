"""GET /registrations: every contact unless the client pages (page_size / start_key), the device's
keys read without its whole document, and only the account's own devices' contacts."""

import secrets

from crossbar_py import keys
from tests.helpers import assert_error, ok
from tests.webhook_helpers import register_row

LAST_ANALYZE = "SELECT last_analyze AS at FROM pg_stat_user_tables WHERE relname = 'location'"
LIVE_IN_REALM = "SELECT count(*) AS n FROM location WHERE domain = %(realm)s"
MANY_CONTACTS = """
INSERT INTO devices (id, account_id, name, sip_username, sip_realm, doc, rev_hash)
SELECT md5(%(realm)s || 'dev' || i), %(account_id)s, 'bulk ' || i, 'bulk' || i, %(realm)s, '{}', 'x'
  FROM generate_series(1, %(n)s) AS i;
INSERT INTO location (ruid, username, domain, contact, expires)
SELECT md5(%(realm)s || i), 'bulk' || i, %(realm)s, 'sip:bulk' || i || '@192.0.2.1:5060',
       (now() AT TIME ZONE 'UTC') + interval '10 minutes'
  FROM generate_series(1, %(n)s) AS i
"""


async def _phones(client, tenant, n: int, **doc) -> list:
    """n devices with a live contact each; their SIP usernames, sorted."""
    names = []
    for _ in range(n):
        username = f"pg{secrets.token_hex(4)}"
        await tenant.create_device(client, sip={"username": username, "password": "pw-123456"}, **doc)
        await register_row(client.app, username, tenant.realm)
        names.append(username)
    return sorted(names)


async def test_without_paging_every_contact_comes_back(client, tenant):
    names = await _phones(client, tenant, 3)
    body = await ok(await client.get(tenant.url("/registrations"), headers=tenant.headers))
    assert [r["username"] for r in body["data"]] == names
    assert "next_start_key" not in body and "page_size" not in body


async def test_pages_follow_next_start_key_to_the_end(client, tenant):
    names = await _phones(client, tenant, 5)
    seen, params = [], {"page_size": "2"}
    for _ in range(5):
        body = await ok(await client.get(tenant.url("/registrations"), params=params, headers=tenant.headers))
        assert body["page_size"] == len(body["data"]) <= 2
        seen += [r["username"] for r in body["data"]]
        if "next_start_key" not in body:
            break
        params = {"page_size": "2", "start_key": body["next_start_key"]}
    assert seen == names


async def test_device_keys_come_from_the_document(client, tenant):
    [username] = await _phones(client, tenant, 1, presence_id="1001", suppress_unregister_notifications=True)
    [reg] = (await ok(await client.get(tenant.url("/registrations"), headers=tenant.headers)))["data"]
    assert reg["username"] == username and reg["authorizing_type"] == "device"
    assert reg["presence_id"] == "1001"
    assert reg["suppress_unregister_notify"] is True and reg["register_overwrite_notify"] is False


async def test_a_contact_in_the_realm_without_a_device_of_the_account_is_not_listed(client, tenant):
    mine = await _phones(client, tenant, 1)
    await register_row(client.app, f"pg{secrets.token_hex(4)}", tenant.realm)
    body = await ok(await client.get(tenant.url("/registrations"), headers=tenant.headers))
    assert [r["username"] for r in body["data"]] == mine


async def test_a_start_key_of_another_listing_is_400(client, tenant):
    resp = await client.get(tenant.url("/registrations"), params={"start_key": "not-ours"}, headers=tenant.headers)
    await assert_error(resp, 400, "validation error")


async def test_a_big_flush_refreshes_the_planner_statistics(client, tenant):
    db = client.app[keys.DB]
    before = (await db.fetch_one(LAST_ANALYZE))["at"]
    await db.execute(MANY_CONTACTS, {"realm": tenant.realm, "account_id": tenant.account_id, "n": 1000})
    await ok(await client.delete(tenant.url("/registrations"), headers=tenant.headers))
    after = (await db.fetch_one(LAST_ANALYZE))["at"]
    assert after is not None and (before is None or after > before)
    assert (await db.fetch_one(LIVE_IN_REALM, {"realm": tenant.realm}))["n"] == 0
