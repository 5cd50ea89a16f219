"""The stored registration statuses (sql/091) agree with the statuses computed from scratch.

Bulk status and the dashboard read the statuses the triggers keep, corrected for the clock; the
per-device view computes each status from location, the journal and the owners. Every status is
set up here the way its writer makes it (Kamailio's rows and journal, the API's writes), and the
two must agree, before and after the states move.
"""

import secrets
from collections import Counter

import psycopg2
import pytest

from crossbar_py.registrations.state.service import STATUSES
from tests.helpers import ok

CONTACT = (
    "INSERT INTO location (ruid, username, domain, contact, expires, last_modified, user_agent)"
    " VALUES (%s, %s, %s, %s, (now() AT TIME ZONE 'UTC') + make_interval(mins => %s), now() AT TIME ZONE 'UTC',"
    " 'test-phone')"
)


def _sql(dsn: str, *statements) -> list:
    conn = psycopg2.connect(dsn)
    try:
        with conn, conn.cursor() as cur:
            for text, *args in statements:
                cur.execute(text, args or None)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def _contact(dsn: str, tenant, device: dict, minutes: int) -> str:
    """A contact as Kamailio writes it, expiring `minutes` from now (negative: expired, not swept)."""
    ruid = f"ruid-{secrets.token_hex(6)}"
    user = device["sip"]["username"]
    _sql(dsn, (CONTACT, ruid, user, tenant.realm, f"sip:{user}@192.0.2.10:5060", minutes))
    return ruid


def _truth(dsn: str, account_id: str) -> dict:
    rows = _sql(dsn, ("SELECT device_id, status FROM device_registration_state WHERE account_id = %s", account_id))
    return dict(rows)


def _stored(dsn: str, account_id: str) -> list:
    return _sql(dsn, ("SELECT * FROM device_registration_status WHERE account_id = %s ORDER BY 1", account_id))


async def _enable(client, tenant, path: str, enabled: bool) -> None:
    await ok(await client.patch(tenant.url(path), json={"data": {"enabled": enabled}}, headers=tenant.headers))


async def _bulk(client, tenant, **params) -> dict:
    resp = await client.get(tenant.url("/devices/registration/status"), params=params, headers=tenant.headers)
    return await ok(resp)


async def _agree(client, data_env, tenant) -> dict:
    """Every status page, the pagination counts and the dashboard against the view; the triggers'
    rows against a rebuild from scratch."""
    truth = _truth(data_env.dsn, tenant.account_id)
    by_status = Counter(truth.values())
    for status in STATUSES:
        want = sorted(i for i, s in truth.items() if s == status)
        body = await _bulk(client, tenant, status=status, limit="1000")
        assert [d["deviceId"] for d in body["data"]] == want, status
        assert body["pagination"]["total"] == by_status[status], status
        # Pages of two: the stored ranges and the corrected devices merge across page boundaries.
        paged = []
        for offset in range(0, len(want) + 2, 2):
            page = await _bulk(client, tenant, status=status, limit="2", offset=str(offset))
            paged += [d["deviceId"] for d in page["data"]]
        assert paged == want, status
        named = want[:1] + sorted(truth)[:2]
        body = await _bulk(client, tenant, status=status, device_id=",".join(named), limit="1000")
        assert [d["deviceId"] for d in body["data"]] == sorted(set(named) & set(want)), status
        assert body["pagination"]["total"] == len(set(named) & set(want)), status
    whole = (await _bulk(client, tenant, limit="1000"))["pagination"]
    assert whole["total"] == len(truth)
    assert whole["registered"] == by_status["registered"]
    assert whole["offline"] == by_status["offline"]
    assert whole["unregistered"] == sum(by_status[s] for s in ("unregistered", "expired", "invalid", "provisioning"))
    resp = await client.get(tenant.url("/devices/registration/dashboard"), headers=tenant.headers)
    assert (await ok(resp))["data"]["byStatus"] == dict(+by_status)
    kept = _stored(data_env.dsn, tenant.account_id)
    _sql(data_env.dsn, ("SELECT rebuild_device_registration_status()",))
    assert _stored(data_env.dsn, tenant.account_id) == kept
    return truth


@pytest.fixture
async def phones(client, tenant):
    """Twelve devices, one owned by a user."""
    owner = await tenant.create_user(client)
    devices = []
    for i in range(12):
        fields = {"sip": {"username": f"st{i}{secrets.token_hex(4)}", "password": "pw12345678"}}
        if i == 8:
            fields["owner_id"] = owner["id"]
        devices.append(await tenant.create_device(client, name=f"Phone {i}", **fields))
    return owner, devices


async def test_every_status_agrees_with_the_view_as_states_move(client, data_env, tenant, phones):
    owner, d = phones
    dsn = data_env.dsn
    _contact(dsn, tenant, d[0], 60)
    _contact(dsn, tenant, d[1], -5)  # expired, Kamailio's timer not there yet
    _sql(
        dsn,
        (
            "INSERT INTO registration_events (event, username, domain, device_id, account_id, source)"
            " VALUES ('auth_failed', %s, %s, %s, %s, '192.0.2.9:5060')",
            d[2]["sip"]["username"],
            tenant.realm,
            d[2]["id"],
            tenant.account_id,
        ),
    )
    lost = _contact(dsn, tenant, d[3], 60)
    _sql(dsn, ("SET LOCAL crossbar.keepalive_lost = '3'",), ("DELETE FROM location WHERE ruid = %s", lost))
    gone = _contact(dsn, tenant, d[4], 60)
    _sql(dsn, ("DELETE FROM location WHERE ruid = %s", gone))
    _sql(dsn, ("UPDATE devices SET created = now() - interval '3 days' WHERE id = %s", d[6]["id"]))
    await _enable(client, tenant, f"/devices/{d[7]['id']}", False)
    await _enable(client, tenant, f"/users/{owner['id']}", False)
    _contact(dsn, tenant, d[9], 60)
    _contact(dsn, tenant, d[9], -5)
    _contact(dsn, tenant, d[10], -3)  # a second unswept expiry
    swept = _contact(dsn, tenant, d[11], -5)
    _sql(dsn, ("DELETE FROM location WHERE ruid = %s", swept))  # the timer swept it: stored expired

    truth = await _agree(client, data_env, tenant)
    expected = ["registered", "expired", "invalid", "offline", "unregistered", "provisioning", "unregistered"]
    assert [truth[dev["id"]] for dev in d[:7]] == expected
    assert [truth[dev["id"]] for dev in d[7:]] == ["disabled", "disabled", "registered", "expired", "expired"]

    # The states move: a device deleted, one enabled again, the owner enabled, the timer sweeps d1.
    await ok(await client.delete(tenant.url(f"/devices/{d[0]['id']}"), headers=tenant.headers))
    await _enable(client, tenant, f"/devices/{d[7]['id']}", True)
    await _enable(client, tenant, f"/users/{owner['id']}", True)
    _sql(dsn, ("DELETE FROM location WHERE username = %s", d[1]["sip"]["username"]))
    truth = await _agree(client, data_env, tenant)
    assert d[0]["id"] not in truth
    assert [truth[d[i]["id"]] for i in (1, 7, 8)] == ["expired", "provisioning", "provisioning"]

    # location emptied by hand: no row trigger fires, the statement's trigger recomputes every status
    # (in a transaction rolled back: other tests' phones share this database).
    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute("TRUNCATE location")
            cur.execute(
                "SELECT device_id, status FROM device_registration_status WHERE account_id = %s", (tenant.account_id,)
            )
            stored = dict(cur.fetchall())
        conn.rollback()
    finally:
        conn.close()
    assert stored[d[9]["id"]] == "expired" and "registered" not in stored.values()


async def test_a_disabled_account_disables_every_device_and_back(client, data_env, make_tenant, master_token):
    parent = await make_tenant()
    child = await make_tenant(parent)
    for i in range(3):
        await child.create_device(client, sip={"username": f"ac{i}{secrets.token_hex(4)}", "password": "pw12345678"})
    headers = {"X-Auth-Token": parent.token}
    url = f"/v2/accounts/{child.account_id}"
    await ok(await client.patch(url, json={"data": {"enabled": False}}, headers=headers))
    stored = _stored(data_env.dsn, child.account_id)
    assert [row[-1] for row in stored] == ["disabled"] * 3
    await ok(await client.patch(url, json={"data": {"enabled": True}}, headers=headers))
    assert {row[-1] for row in _stored(data_env.dsn, child.account_id)} == {"new"}
