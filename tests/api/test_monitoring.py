"""Dashboard and analytics over a scripted journal: events written at known times (issue 4)."""

import secrets
from datetime import UTC, datetime, timedelta

import psycopg2
import pytest

from crossbar_py.platform.db import Database
from crossbar_py.registrations.journal import snapshots
from crossbar_py.registrations.state import monitoring
from tests.helpers import assert_error, ok


def _script(dsn: str, tenant, events: list) -> None:
    """Write journal events (minutes before now, event, device, ruid, minutes-before-now of expiry)."""
    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        for ago, event, device, ruid, *expires in events:
            cur.execute(
                "INSERT INTO registration_events (ts, event, username, domain, device_id, account_id, ruid,"
                " expires_at, source, reason) VALUES (now() - make_interval(mins => %s), %s, %s, %s, %s, %s, %s,"
                " now() - make_interval(mins => %s), '192.0.2.9:5060', %s)",
                (
                    ago,
                    event,
                    device["sip"]["username"],
                    tenant.realm,
                    device["id"],
                    tenant.account_id,
                    ruid,
                    expires[0] if expires else -60,
                    "wrong password" if event == "auth_failed" else None,
                ),
            )
    conn.close()


@pytest.fixture
async def fleet(client, tenant):
    """Four devices: three phones and a softphone."""
    devices = []
    for i, kind in enumerate(("sip_device", "sip_device", "sip_device", "softphone")):
        devices.append(
            await tenant.create_device(
                client,
                name=f"Phone {i + 1}",
                device_type=kind,
                sip={"username": f"mon{i}{secrets.token_hex(4)}", "password": "pw12345678"},
            )
        )
    return tenant, devices


async def _analytics(client, tenant, period: str) -> dict:
    resp = await client.get(
        tenant.url("/devices/registration/analytics"), params={"period": period}, headers=tenant.headers
    )
    return (await ok(resp))["data"]


async def test_analytics_over_a_scripted_hour_are_exact(client, data_env, fleet):
    tenant, (d1, d2, d3, d4) = fleet
    _script(
        data_env.dsn,
        tenant,
        [
            (90, "registered", d4, "r0"),  # before the hour: changes nothing in it
            (70, "unregistered", d4, "r0"),
            (50, "registered", d1, "r1"),
            (40, "registered", d2, "r2"),
            (35, "registered", d2, "r3"),  # a second contact: still one device
            (25, "expired", d2, "r2", 30),  # expired at -30, swept at -25; r3 keeps d2 registered
            (30, "registered", d3, "r4"),
            (20, "unregistered", d1, "r1"),
            (15, "offline", d3, "r4"),
            (10, "flushed", d2, "r3"),
        ],
    )
    data = await _analytics(client, tenant, "1h")
    # Registered devices: 1 for 10 min, 2 for 10, 3 for 10, 2 for 5, 1 for 5 = 75 device-minutes of 4 x 60.
    assert data["averageUptime"] == 31.25
    assert data["peakRegistrations"] == 3 and data["lowestRegistrations"] == 0
    assert data["period"] == "1h" and data["devices"] == 4 and len(data["data"]) == 12
    registered = [p["registered"] for p in data["data"]]
    offline = [p["offline"] for p in data["data"]]
    assert registered == [0, 1, 1, 2, 2, 3, 3, 2, 1, 0, 0, 0]
    assert offline == [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]
    assert all(p["registered"] + p["unregistered"] + p["offline"] == 4 for p in data["data"])
    assert data["data"][-1]["timestamp"] == data["to"]

    day = await _analytics(client, tenant, "24h")
    # The same 75 device-minutes over a day; the 20 minutes of d4 before the hour count here too.
    assert day["averageUptime"] == round(95 / (4 * 1440) * 100, 2)
    assert day["peakRegistrations"] == 3 and day["lowestRegistrations"] == 0 and len(day["data"]) == 24


async def test_analytics_replay_from_a_snapshot(client, data_env, fleet):
    tenant, (d1, *_) = fleet
    # d1 registered long ago (its event is gone, as retention would have it); a snapshot knows it.
    conn = psycopg2.connect(data_env.dsn)
    with conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO registration_snapshots (account_id, slot, taken_at, live_devices, live_contacts, registered)"
            " VALUES (%s, now() - interval '2 hours', now() - interval '2 hours', %s, %s, 1)",
            (tenant.account_id, [d1["id"]], [1]),
        )
    conn.close()
    _script(data_env.dsn, tenant, [(30, "unregistered", d1, "old")])
    data = await _analytics(client, tenant, "1h")
    assert data["peakRegistrations"] == 1 and data["lowestRegistrations"] == 0
    assert data["averageUptime"] == round(30 / (4 * 60) * 100, 2)


async def test_snapshots_are_taken_once_per_slot(data_env, fleet):
    tenant, (d1, d2, *_) = fleet
    conn = psycopg2.connect(data_env.dsn)
    with conn, conn.cursor() as cur:
        # Two live contacts of d1, as Kamailio writes them (server_id 99: no node pings them).
        for n in (1, 2):
            cur.execute(
                "INSERT INTO location (ruid, username, domain, contact, expires, server_id)"
                " VALUES (%s, %s, %s, %s, (now() AT TIME ZONE 'UTC') + interval '10 minutes', 99)",
                (f"snap-{secrets.token_hex(4)}", d1["sip"]["username"], tenant.realm, f"sip:x@192.0.2.{n}:5060"),
            )
    conn.close()
    _script(data_env.dsn, tenant, [(5, "registered", d2, "s2"), (4, "offline", d2, "s2")])
    slot = datetime.now(UTC).replace(year=2001, microsecond=secrets.randbelow(10**6))
    db = await Database.connect(data_env.dsn, 2)
    try:
        assert await snapshots.take(db, slot) is True
        assert await snapshots.take(db, slot) is False
        row = await db.fetch_one(
            "SELECT * FROM registration_snapshots WHERE account_id = %(a)s AND slot = %(s)s",
            {"a": tenant.account_id, "s": slot},
        )
    finally:
        await db.close()
    assert row["live_devices"] == [d1["id"]] and row["live_contacts"] == [2]
    assert row["offline_devices"] == [d2["id"]]
    assert row["registered"] == 1 and row["offline"] == 1


async def test_dashboard_counts_and_alerts(client, data_env, fleet):
    tenant, (d1, d2, d3, d4) = fleet
    events = [(50 - i, "registered", d2, f"f{i}") for i in range(6)]  # six fresh registrations: flapping
    events += [(40 - i, "unregistered", d2, f"f{i}") for i in range(6)]
    events += [(20, "registered", d3, "o1"), (5, "offline", d3, "o1")]
    events += [(3 - i, "auth_failed", d1, None) for i in range(3)]
    _script(data_env.dsn, tenant, events)
    await ok(
        await client.patch(
            tenant.url(f"/devices/{d4['id']}"), headers=tenant.headers, json={"data": {"enabled": False}}
        )
    )
    data = (await ok(await client.get(tenant.url("/devices/registration/dashboard"), headers=tenant.headers)))["data"]
    assert data["summary"] == {
        "total": 4,
        "registered": 0,
        "unregistered": 2,
        "offline": 1,
        "provisioning": 0,
        "disabled": 1,
    }
    assert data["byStatus"] == {"invalid": 1, "unregistered": 1, "offline": 1, "disabled": 1}
    assert data["byType"]["sip"]["total"] == 3 and data["byType"]["softphone"]["disabled"] == 1
    alerts = [(a["severity"], a["type"], a["deviceId"]) for a in data["alerts"]]
    assert alerts == [
        ("critical", "auth_failures", d1["id"]),
        ("warning", "flapping", d2["id"]),
        ("warning", "offline", d3["id"]),
    ]
    assert data["alertsTotal"] == 3 and "192.0.2.9:5060" in data["alerts"][0]["message"]
    assert data["alerts"][2]["message"] == "Device offline: Phone 3"


async def test_monitoring_bad_input_and_tenant_wall(client, make_tenant, fleet):
    tenant, _ = fleet
    for bad in ("2h", "", "24H", "1d"):
        resp = await client.get(
            tenant.url("/devices/registration/analytics"), params={"period": bad}, headers=tenant.headers
        )
        body = await assert_error(resp, 400, "validation error")
        assert "period" in body["data"]
    other = await make_tenant()
    for path in ("dashboard", "analytics", "status"):
        url = tenant.url(f"/devices/registration/{path}")
        await assert_error(await client.get(url), 401, "invalid_credentials")
        await assert_error(await client.get(url, headers=other.headers), 403, "forbidden")


async def test_long_periods_add_up_snapshot_intervals_to_the_same_answer(client, data_env, fleet):
    tenant, (d1, d2, d3, _) = fleet
    _script(
        data_env.dsn,
        tenant,
        [
            (170, "registered", d1, "a"),
            (150, "registered", d2, "b"),
            (100, "unregistered", d1, "a"),
            (90, "registered", d3, "c"),
            (30, "offline", d2, "b"),
            (19, "expired", d3, "c", 20),
        ],
    )
    # Hourly snapshots at -180, -120 and -60 minutes, as the loop would have taken them.
    snaps = [(180, [], []), (120, [d1["id"], d2["id"]], [1, 1]), (60, [d2["id"], d3["id"]], [1, 1])]
    conn = psycopg2.connect(data_env.dsn)
    with conn, conn.cursor() as cur:
        for ago, live, counts in snaps:
            cur.execute(
                "INSERT INTO registration_snapshots (account_id, slot, taken_at, live_devices, live_contacts,"
                " registered) VALUES (%s, now() - make_interval(mins => %s), now() - make_interval(mins => %s),"
                " %s, %s, %s)",
                (tenant.account_id, ago, ago, sorted(live), counts, len(live)),
            )
    conn.close()
    db = await Database.connect(data_env.dsn, 2)
    try:
        t1 = (await db.fetch_one("SELECT now() AS now"))["now"]
        t0 = t1 - timedelta(days=7)
        spans = [(t0, t1, 28), (t1 - timedelta(minutes=150), t1 - timedelta(minutes=30), 12)]
        journal_only = [await monitoring.replay(db, tenant.account_id, *span) for span in spans]
        kept = (
            "SELECT changes_at IS NOT NULL AS kept FROM registration_snapshots"
            " WHERE account_id = %(a)s ORDER BY taken_at"
        )
        # The newest interval closed an hour ago: recorded only once its grace has passed too.
        await snapshots.record_intervals(db, grace=3700, limit=1000)
        assert [r["kept"] for r in await db.fetch_all(kept, {"a": tenant.account_id})] == [False, True, False]
        await snapshots.record_intervals(db, grace=0, limit=1000)
        assert [r["kept"] for r in await db.fetch_all(kept, {"a": tenant.account_id})] == [False, True, True]
        # The same answers from the kept changes of the recorded intervals and the journal after them.
        assert [await monitoring.replay(db, tenant.account_id, *span) for span in spans] == journal_only
        # And with a checkpoint a minute ago: kept changes, the checkpoint's, then the journal after it.
        recent = (t1 - timedelta(minutes=100), t1 + timedelta(seconds=1), 10)
        before = await monitoring.replay(db, tenant.account_id, *recent)
        await snapshots.checkpoint(db, grace=60, window=3 * 3600, min_events=1)
        cp = "SELECT * FROM registration_checkpoints WHERE account_id = %(a)s"
        row = await db.fetch_one(cp, {"a": tenant.account_id})
        # It continues the snapshot at -60: d2 went offline and d3 expired since.
        states = dict(zip(row["devices"], zip(row["contacts"], row["offline"], strict=True), strict=True))
        assert states == {d2["id"]: (0, True), d3["id"]: (0, False)}
        assert await monitoring.replay(db, tenant.account_id, *recent) == before
        await db.execute(
            "UPDATE registration_checkpoints SET changes_reg = array_fill(0, ARRAY[cardinality(changes_reg)])"
            " WHERE account_id = %(a)s",
            {"a": tenant.account_id},
        )
        assert (await monitoring.replay(db, tenant.account_id, *recent))["series"] != before["series"]
        await db.execute("DELETE FROM registration_checkpoints WHERE account_id = %(a)s", {"a": tenant.account_id})
        composed = await monitoring._composed(db, tenant.account_id, t0, t1, 28)
        whole = await monitoring.replay(db, tenant.account_id, t0, t1, 28)
    finally:
        await db.close()
    assert composed is not None
    # d1 70 minutes, d2 120, d3 70 (it expired at -20, swept a minute later).
    assert round(composed["device_seconds"]) == round(float(whole["device_seconds"])) == 260 * 60
    assert composed["peak"] == whole["peak"] == 2 and composed["lowest"] == whole["lowest"] == 0
    assert composed["series"][-1]["registered"] == 0 and composed["series"][-1]["offline"] == 1

    data = await _analytics(client, tenant, "7d")
    assert data["averageUptime"] == round(260 * 60 / (4 * 7 * 86400) * 100, 2) and data["peakRegistrations"] == 2
    assert len(data["data"]) == 28 and data["data"][-1]["offline"] == 1


async def test_an_account_without_devices_has_empty_monitoring(client, tenant):
    dash = (await ok(await client.get(tenant.url("/devices/registration/dashboard"), headers=tenant.headers)))["data"]
    assert dash["summary"]["total"] == 0 and dash["alerts"] == [] and dash["byType"] == {}
    for period in ("1h", "30d"):
        data = await _analytics(client, tenant, period)
        assert data["devices"] == 0 and data["averageUptime"] == 0.0
        assert data["peakRegistrations"] == 0 and data["lowestRegistrations"] == 0
        assert all(p["registered"] == 0 for p in data["data"])
