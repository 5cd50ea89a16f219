"""import-kazoo from a CouchDB dump: ids, realms, owners and passwords as in Kazoo; twice changes
nothing; a dry run writes nothing; conflicts are reported and never overwritten."""

import psycopg2
import pytest

from crossbar_py.platform import stack
from tests.helpers import md5_credentials, ok
from tests.importer.conftest import import_dump
from tests.sip.sipp import register

# Refused REGISTERs come from an address of their own, whose failure count is cleared after (Kamailio
# bans a source after a few failures; the other tests' phones use 127.0.0.1).
REFUSED_SRC = "127.0.0.81"


def rows(dsn: str, query: str, params=None) -> list:
    """Rows read straight from PostgreSQL."""
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def counts(report) -> dict:
    """{type: {outcome: n}}."""
    return report.to_json()["counts"]


async def test_import_keeps_ids_tree_realms_owners_and_counts_outcomes(stack_env, cluster):
    report = await import_dump(stack_env, cluster.root)
    assert counts(report) == {
        "account": {"created": 4, "deleted": 1},
        "callflow": {"created": 1, "deleted": 1},
        "vmbox": {"created": 1},
        "media": {"created": 1},
        "metaflows": {"skipped": 1},
        "device": {"created": 3, "deleted": 1},
        "user": {"created": 2},
    }
    assert report.tally.conflicts == []
    accounts = dict(
        (r[0], r[1:])
        for r in rows(
            stack_env.dsn,
            "SELECT id, parent_id, tree, realm, api_key FROM accounts WHERE id = ANY(%s)",
            ([cluster.reseller["_id"], cluster.child["_id"], cluster.grandchild["_id"]],),
        )
    )
    r, c, g = cluster.reseller["_id"], cluster.child["_id"], cluster.grandchild["_id"]
    assert accounts[r] == (None, [], cluster.reseller["realm"], cluster.reseller["pvt_api_key"])
    assert accounts[c][:3] == (r, [r], cluster.child["realm"])
    assert accounts[g][:3] == (c, [r, c], cluster.grandchild["realm"])
    devices = {
        row[0]: row[1:]
        for row in rows(
            stack_env.dsn, "SELECT id, account_id, owner_id, sip_username, sip_realm, mac_address FROM devices"
        )
    }
    owned = cluster.owned
    assert devices[owned["_id"]] == (
        c,
        cluster.bob["_id"],
        owned["sip"]["username"],
        cluster.child["realm"],
        owned["mac_address"].replace(":", ""),
    )
    assert devices[cluster.unowned["_id"]][1] is None
    assert cluster.deleted["_id"] not in devices


async def test_imported_device_keeps_its_whole_document(client, stack_env, cluster):
    await import_dump(stack_env, cluster.root)
    token = await _login(client, "bob", cluster.passwords["bob"], cluster.child["name"])
    resp = await client.get(
        f"/v2/accounts/{cluster.child['_id']}/devices/{cluster.owned['_id']}", headers={"X-Auth-Token": token}
    )
    data = (await ok(resp))["data"]
    for key in ("name", "provision", "caller_id", "device_type", "owner_id", "enabled"):
        assert data[key] == cluster.owned[key]
    assert data["sip"]["password"] == cluster.passwords["phone"]
    assert data["media"]["audio"] == cluster.owned["media"]["audio"]


async def _login(client, user: str, password: str, account_name: str, method: str = "md5") -> str:
    import hashlib

    plain = f"{user.lower()}:{password}".encode()
    digest = md5_credentials(user, password) if method == "md5" else hashlib.sha1(plain).hexdigest()
    resp = await client.put(
        "/v2/user_auth", json={"data": {"credentials": digest, "method": method, "account_name": account_name}}
    )
    return (await ok(resp, 201))["auth_token"]


@pytest.mark.parametrize("method", ["md5", "sha"])
async def test_imported_user_logs_in_with_the_password_they_had(client, stack_env, cluster, method):
    await import_dump(stack_env, cluster.root)
    resp = await client.put(
        "/v2/user_auth",
        json={"data": {"credentials": md5_credentials("alice", "wrong"), "account_name": cluster.reseller["name"]}},
    )
    assert resp.status == 401
    token = await _login(client, "alice", cluster.passwords["alice"], cluster.reseller["name"], method)
    resp = await client.get("/v2/token_auth", headers={"X-Auth-Token": token})
    data = (await ok(resp))["data"]
    assert data["account_id"] == cluster.reseller["_id"] and data["owner_id"] == cluster.alice["_id"]
    stored = rows(stack_env.dsn, "SELECT md5_hash, md5_lookup FROM users WHERE id = %s", (cluster.alice["_id"],))
    assert cluster.alice["pvt_md5_auth"] not in (bytes(stored[0][0]).hex(), stored[0][1])


async def test_imported_phone_registers_with_its_kazoo_credentials(stack_env, cluster):
    await import_dump(stack_env, cluster.root)
    sip = cluster.owned["sip"]
    result = await register(stack_env.sip_port, sip["username"], cluster.child["realm"], sip["password"])
    assert result.ok, result.output
    wrong = await register(
        stack_env.sip_port, sip["username"], cluster.child["realm"], "not-it", final=403, src_ip=REFUSED_SRC
    )
    # failures count per (source, SIP identity): forget this one's, so later tests start clean
    stack.rpc_call(
        stack_env.rpc_port, "htable.delete", "authfail", f"{REFUSED_SRC}|{sip['username']}@{cluster.child['realm']}"
    )
    assert wrong.ok, wrong.output


def _state(dsn: str, account_ids: list) -> list:
    return rows(
        dsn,
        """SELECT 'd', id, rev, rev_hash FROM devices WHERE account_id = ANY(%(ids)s)
           UNION ALL SELECT 'u', id, rev, rev_hash FROM users WHERE account_id = ANY(%(ids)s)
           UNION ALL SELECT 'a', id, rev, rev_hash FROM accounts WHERE id = ANY(%(ids)s) ORDER BY 1, 2""",
        {"ids": account_ids},
    )


async def test_second_import_changes_nothing_and_says_so(stack_env, cluster):
    first = await import_dump(stack_env, cluster.root)
    ids = [a["_id"] for a in cluster.dump.accounts]
    before = _state(stack_env.dsn, ids)
    second = await import_dump(stack_env, cluster.root)
    assert _state(stack_env.dsn, ids) == before
    assert second.tally.changed == 0 and first.tally.changed == 12
    assert counts(second)["device"] == {"unchanged": 3, "deleted": 1}
    assert "nothing changed" in second.text()


async def test_dry_run_writes_nothing_and_shows_the_diff_of_an_update(stack_env, cluster):
    ids = [a["_id"] for a in cluster.dump.accounts]
    dry = await import_dump(stack_env, cluster.root, dry_run=True)
    assert counts(dry)["device"]["created"] == 3
    assert _state(stack_env.dsn, ids) == []
    assert rows(stack_env.dsn, "SELECT 1 FROM import_runs WHERE source = %s", (dry.source,)) == []

    await import_dump(stack_env, cluster.root)
    before = _state(stack_env.dsn, ids)
    cluster.unowned["name"] = "Lobby phone"
    cluster.write()
    dry = await import_dump(stack_env, cluster.root, dry_run=True)
    assert _state(stack_env.dsn, ids) == before
    (update,) = dry.tally.updates
    assert update["id"] == cluster.unowned["_id"]
    assert f'name: "Phone {cluster.unowned["sip"]["username"]}" -> "Lobby phone"' in update["diff"]
    assert "Lobby phone" in dry.text()

    real = await import_dump(stack_env, cluster.root)
    assert counts(real)["device"]["updated"] == 1
    name = rows(stack_env.dsn, "SELECT name, rev FROM devices WHERE id = %s", (cluster.unowned["_id"],))
    assert name == [("Lobby phone", 2)]


async def test_a_phone_edited_here_is_a_conflict_when_kazoo_changes_it_too(client, stack_env, cluster):
    await import_dump(stack_env, cluster.root)
    token = await _login(client, "bob", cluster.passwords["bob"], cluster.child["name"])
    url = f"/v2/accounts/{cluster.child['_id']}/devices/{cluster.unowned['_id']}"
    await ok(await client.patch(url, json={"data": {"name": "edited here"}}, headers={"X-Auth-Token": token}))
    cluster.unowned["name"] = "edited at kazoo"
    cluster.write()
    report = await import_dump(stack_env, cluster.root)
    conflicts = {c["id"]: c["reason"] for c in report.tally.conflicts}
    assert conflicts[cluster.unowned["_id"]] == "changed or deleted here since the last import"
    assert rows(stack_env.dsn, "SELECT name FROM devices WHERE id = %s", (cluster.unowned["_id"],)) == [
        ("edited here",)
    ]


async def test_a_phone_whose_username_is_taken_here_is_a_conflict_and_the_phone_here_stays(
    client, master_token, stack_env, cluster
):
    await import_dump(stack_env, cluster.root)
    username = cluster.clash_device["sip"]["username"]
    here = {"name": "here", "sip": {"username": username, "password": "herePass1"}}
    url = f"/v2/accounts/{cluster.clashing['_id']}/devices"
    await ok(await client.put(url, json={"data": here}, headers={"X-Auth-Token": master_token}), 201)
    cluster.add_clashing_phone()
    report = await import_dump(stack_env, cluster.root)
    (conflict,) = report.tally.conflicts
    assert conflict["id"] == cluster.clash_device["_id"] and "sip.username unique" in conflict["reason"]
    assert counts(report)["device"] == {"unchanged": 3, "conflict": 1, "deleted": 1}
    phones = rows(stack_env.dsn, "SELECT name FROM devices WHERE sip_username = %s AND NOT deleted", (username,))
    assert phones == [("here",)]


async def test_pbx_documents_come_over_in_the_document_store(client, stack_env, cluster):
    await import_dump(stack_env, cluster.root)
    token = await _login(client, "alice", cluster.passwords["alice"], cluster.reseller["name"])
    headers = {"X-Auth-Token": token}
    base = f"/v2/accounts/{cluster.reseller['_id']}"
    callflows = (await ok(await client.get(f"{base}/callflows", headers=headers)))["data"]
    assert [c["numbers"] for c in callflows] == [["100"]]
    (flow,) = [d for d in cluster.dump.docs[cluster.reseller["_id"]] if d.get("numbers") == ["100"]]
    data = (await ok(await client.get(f"{base}/callflows/{flow['_id']}", headers=headers)))["data"]
    assert data["flow"] == flow["flow"]
    boxes = (await ok(await client.get(f"{base}/vmboxes", headers=headers)))["data"]
    assert [b["mailbox"] for b in boxes] == ["100"]


async def test_a_second_import_of_the_same_source_waits_its_turn(stack_env, cluster):
    from crossbar_py.importer.runner import ImportBusy

    source = f"dump:{cluster.root.resolve()}"
    holder = psycopg2.connect(stack_env.dsn)
    try:
        with holder.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_lock(7212080, hashtext(%s))", (source,))
        with pytest.raises(ImportBusy):
            await import_dump(stack_env, cluster.root)
    finally:
        holder.close()
    assert rows(stack_env.dsn, "SELECT 1 FROM accounts WHERE id = %s", (cluster.reseller["_id"],)) == []


async def test_an_account_changed_at_kazoo_is_updated_and_a_disabled_one_stops_its_phones(stack_env, cluster):
    await import_dump(stack_env, cluster.root)
    cluster.child["name"] = cluster.child["name"] + " SAS"
    cluster.child["pvt_enabled"] = False
    cluster.write()
    report = await import_dump(stack_env, cluster.root)
    assert counts(report)["account"]["updated"] == 1
    (update,) = [u for u in report.tally.updates if u["type"] == "account"]
    assert "enabled: true -> false" in update["diff"]
    state = rows(stack_env.dsn, "SELECT name, enabled FROM accounts WHERE id = %s", (cluster.child["_id"],))
    assert state == [(cluster.child["name"], False)]
    sip = cluster.owned["sip"]
    refused = await register(
        stack_env.sip_port, sip["username"], cluster.child["realm"], sip["password"], final=403, src_ip=REFUSED_SRC
    )
    # failures count per (source, SIP identity): forget this one's, so later tests start clean
    stack.rpc_call(
        stack_env.rpc_port, "htable.delete", "authfail", f"{REFUSED_SRC}|{sip['username']}@{cluster.child['realm']}"
    )
    assert refused.ok, refused.output
