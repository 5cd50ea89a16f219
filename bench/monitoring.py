"""Registration monitoring at fleet size: bulk status pages, the dashboard and analytics with 10,000
devices in one account and 1,000,000 journal events spread over 30 days (issue 4; target p50 <= 50 ms).
The API runs as its own process (`crossbar-py serve`) against a private PostgreSQL and Redis; requests
come one at a time. /healthz is measured in the same run as the floor each figure is compared with.

usage: python bench/monitoring.py [--devices 10000] [--events 1000000] [--live 0.8] [--samples 200]
                                [--snapshot-hours 744] [--seed-only | --database URL]
(100,000 devices and 10M events seed in about 10 minutes on 2 cores, most of it the month of snapshots.)
"""

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.api_latency import _login, database_and_account, pct, serve, timed  # noqa: E402
from crossbar_py.platform.db import Database  # noqa: E402
from crossbar_py.registrations.journal import snapshots  # noqa: E402

SEED_DEVICES = """
ALTER TABLE devices DISABLE TRIGGER devices_credentials;
ALTER TABLE devices DISABLE TRIGGER devices_insert_credentials;
INSERT INTO devices (id, account_id, name, device_type, enabled, sip_username, sip_realm, doc, rev_hash)
SELECT md5('mon-' || i), %(account_id)s, 'phone ' || i, CASE WHEN i %% 5 = 0 THEN 'softphone' ELSE 'sip_device' END,
       true, 'mon' || i, %(realm)s,
       jsonb_build_object('name', 'phone ' || i, 'sip', jsonb_build_object('username', 'mon' || i)), md5(i::text)
  FROM generate_series(1, %(devices)s) AS i;
ALTER TABLE devices ENABLE TRIGGER devices_credentials;
ALTER TABLE devices ENABLE TRIGGER devices_insert_credentials;
"""
# Live contacts for a share of the fleet, as Kamailio writes them (the journal trigger records each).
SEED_LOCATION = """
INSERT INTO location (ruid, username, domain, contact, received, expires, last_modified, user_agent, server_id)
SELECT 'mon-ruid-' || i, 'mon' || i, %(realm)s, 'sip:mon' || i || '@10.0.' || (i / 250) || '.' || (i %% 250) || ':5060',
       'sip:198.51.100.' || (i %% 250) || ':' || (20000 + i), (now() AT TIME ZONE 'UTC') + interval '50 minutes',
       now() AT TIME ZONE 'UTC', 'bench-phone/1.0', 99
  FROM generate_series(1, %(live)s) AS i;
-- Those phones registered at some time in the month, not all in the last second.
UPDATE registration_events SET ts = now() - random() * interval '30 days' WHERE ruid LIKE 'mon-ruid-%%';
"""
# History: per device, registrations and their ends alternate, with refreshes and auth failures mixed in,
# evenly up to now (the last hour is as busy as any other: analytics 1h replays it).
SEED_EVENTS = """
INSERT INTO registration_events (ts, event, username, domain, device_id, account_id, ruid, contact, expires_at, source)
SELECT now() - interval '30 days' + (i::float / %(events)s) * interval '30 days',
       CASE WHEN i %% 13 = 0 THEN 'auth_failed' WHEN i %% 7 = 0 THEN 'refreshed'
            WHEN (i / %(devices)s) %% 2 = 0 THEN 'registered'
            WHEN i %% 3 = 0 THEN 'expired' ELSE 'unregistered' END,
       'mon' || d, %(realm)s, md5('mon-' || d), %(account_id)s, 'hist-' || d || '-' || (i / %(devices)s / 2),
       'sip:mon' || d || '@10.1.1.1:5060',
       now() - interval '30 days' + (i::float / %(events)s) * interval '30 days' + interval '1 hour',
       '198.51.100.7:5060'
  FROM generate_series(0, %(events)s - 1) AS i, LATERAL (SELECT i %% %(devices)s + 1 AS d) dd;
"""
# The journal is bulk-loaded without the per-event summary trigger and secondary indexes (rebuilt after,
# from their own definitions); the summary and the stored statuses are then what that trigger would have
# left (sql/012, sql/050, sql/091).
JOURNAL_INDEXES = """
SELECT indexname, indexdef FROM pg_indexes
 WHERE tablename = 'registration_events' AND indexname <> 'registration_events_pkey'
"""
SUMMARY_TRIGGER = "ALTER TABLE registration_events {} TRIGGER registration_events_summary"
SEED_SUMMARY = """
TRUNCATE device_registration_summary;
ALTER TABLE device_registration_summary DISABLE TRIGGER device_registration_summary_status;
INSERT INTO device_registration_summary (device_id, last_event, last_event_id, registered_at)
SELECT e.device_id, e.event, e.id, agg.registered_at
  FROM (SELECT device_id, max(id) FILTER (WHERE event NOT IN ('banned', 'ban_lifted')) AS last_id,
               max(ts) FILTER (WHERE event = 'registered') AS registered_at
          FROM registration_events WHERE device_id IS NOT NULL GROUP BY device_id) agg
  JOIN registration_events e ON e.id = agg.last_id;
ALTER TABLE device_registration_summary ENABLE TRIGGER device_registration_summary_status;
SELECT rebuild_device_registration_status();
"""


async def measure(api: str, headers: dict, account_id: str, samples: int) -> dict:
    """p50/p99 of each monitoring route, and the /healthz floor."""
    base = f"{api}/v2/accounts/{account_id}/devices/registration"
    routes = {
        "bulk status page (50)": (f"{base}/status", {"limit": "50", "offset": "5000"}),
        "bulk status ?status=registered": (f"{base}/status", {"status": "registered", "limit": "50"}),
        "dashboard": (f"{base}/dashboard", {}),
        "analytics 1h": (f"{base}/analytics", {"period": "1h"}),
        "analytics 24h": (f"{base}/analytics", {"period": "24h"}),
        "analytics 30d": (f"{base}/analytics", {"period": "30d"}),
    }
    out = {}
    async with aiohttp.ClientSession(headers=headers) as session:
        for url, params in routes.values():  # warm up: connections, pool, PostgreSQL's caches
            for _ in range(5):
                await timed(session, "GET", url, params=params)
        out["/healthz (floor)"] = [await timed(session, "GET", f"{api}/healthz") for _ in range(samples)]
        for name, (url, params) in routes.items():
            out[name] = [await timed(session, "GET", url, params=params) for _ in range(samples)]
    return out


def seed(dsn: str, account: dict, args) -> None:
    """Devices, a month of journal, live contacts, then each device's summary as the journal's trigger keeps it."""
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    values = {"account_id": account["id"], "realm": account["realm"], "devices": args.devices}
    with conn.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '512MB'")
        cur.execute(JOURNAL_INDEXES)
        indexes = cur.fetchall()
        cur.execute(SUMMARY_TRIGGER.format("DISABLE"))
        for name, _ in indexes:
            cur.execute(f"DROP INDEX {name}")
        steps = [
            ("devices", SEED_DEVICES, {}),
            ("events", SEED_EVENTS, {"events": args.events}),
            ("live contacts", SEED_LOCATION, {"live": int(args.devices * args.live)}),
            ("journal indexes", ";".join(d for _, d in indexes), {}),
            ("summaries", SEED_SUMMARY, {}),
        ]
        try:
            for name, text, extra in steps:
                t = time.perf_counter()
                cur.execute(text, {**values, **extra} if "%(" in text else None)
                print(f"monitoring: seeded {name} ({time.perf_counter() - t:.1f} s)", flush=True)
        finally:
            cur.execute(SUMMARY_TRIGGER.format("ENABLE"))
        for table in (
            "devices",
            "registration_events",
            "location",
            "device_registration_summary",
            "device_registration_status",
        ):
            cur.execute(f"VACUUM ANALYZE {table}")
        cur.execute("SELECT count(*) FROM registration_events")
        print(f"monitoring: journal holds {cur.fetchone()[0]} events", flush=True)
    conn.close()


SNAPSHOT_CHAIN = """
INSERT INTO registration_snapshots (account_id, slot, taken_at, live_devices, live_contacts, offline_devices,
                                    registered, offline)
SELECT s.account_id, now() - make_interval(hours => h), now() - make_interval(hours => h),
       s.live_devices, s.live_contacts, s.offline_devices, s.registered, s.offline
  FROM registration_snapshots s, generate_series(1, %(hours)s) AS h
"""


async def snapshot(dsn: str, hours: int = 31 * 24) -> None:
    """A month of hourly snapshots, as the API's loop leaves them: the current one copied back an hour at a
    time (their contents only shape the cost), each interval's aggregates replayed by the loop's own code."""
    # The API's pool gives up on a statement after 10 s; a seeding replay stalled that long on a shared machine.
    pool = await Database.connect(dsn, 1, timeout=600)
    t = time.perf_counter()
    try:
        await snapshots.take(pool, snapshots.current_slot(60))
        # A month of 100,000-device snapshots outlasts the pool's statement timeout: copied without one.
        conn = psycopg2.connect(dsn)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(SNAPSHOT_CHAIN, {"hours": hours})
            cur.execute("DELETE FROM registration_snapshots WHERE taken_at > now() - interval '30 minutes'")
            cur.execute("VACUUM ANALYZE registration_snapshots")
        conn.close()
        rows = await pool.fetch_all("SELECT account_id, slot, taken_at FROM registration_snapshots ORDER BY taken_at")
        print(f"monitoring: {len(rows)} hourly snapshots copied ({time.perf_counter() - t:.1f} s)", flush=True)
        for prev, row in zip(rows, rows[1:], strict=False):
            await snapshots._record_interval(pool, row["account_id"], row["slot"], prev["taken_at"], row["taken_at"])
        # As the loop keeps it each round: the changes up to five minutes ago, the journal replayed after.
        await snapshots.checkpoint(pool, window=31 * 86400)
        # Each interval's record rewrote its snapshot row: measured after autovacuum would have run.
        conn = psycopg2.connect(dsn)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("VACUUM ANALYZE registration_snapshots")
        conn.close()
    finally:
        await pool.close()
    print(f"monitoring: {len(rows)} hourly snapshots with replayed intervals ({time.perf_counter() - t:.1f} s)")


def _await_first_round(dsn: str, timeout: float = 120) -> None:
    """Wait for the API's snapshot loop to take this slot's snapshot: its first round reads every device,
    and a figure should not include it."""
    slot = snapshots.current_slot(60)
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    deadline = time.monotonic() + timeout
    try:
        with conn.cursor() as cur:
            while time.monotonic() < deadline:
                cur.execute("SELECT 1 FROM registration_snapshots WHERE slot = %s", (slot,))
                if cur.fetchone():
                    return
                time.sleep(0.5)
    finally:
        conn.close()


def main() -> int:
    """Seed, serve, measure, print p50/p99 and the multiple of the floor."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("usage:")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--devices", type=int, default=10000, help="devices in the account")
    parser.add_argument("--events", type=int, default=1000000, help="journal events over 30 days")
    parser.add_argument("--live", type=float, default=0.8, help="share of devices with a live contact")
    parser.add_argument("--samples", type=int, default=200, help="sequential requests per route")
    parser.add_argument(
        "--snapshot-hours",
        type=int,
        default=31 * 24,
        help="hourly snapshots seeded (744: a month, as analytics over 30d expects)",
    )
    parser.add_argument("--seed-only", action="store_true", help="seed, print the database URL and leave it running")
    parser.add_argument(
        "--database", metavar="URL", help="measure a database seeded earlier with --seed-only (migrated first)"
    )
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-monitoring-"))
    workdir.chmod(0o755)
    procs = []
    try:
        # Seeding writes gigabytes of WAL: checkpoints by time, not every gigabyte (reads are unaffected).
        settings, account = database_and_account(workdir, procs, {"max_wal_size": "8GB"}, dsn=args.database)
        dsn = settings.database_url
        if not args.database:
            seed(dsn, account, args)
            asyncio.run(snapshot(dsn, args.snapshot_hours))
        if args.seed_only:
            pids = " ".join(str(p.pid) for p in procs)
            print(f"monitoring: seeded database left running: {dsn} (account {account['id']}); stop it: kill {pids}")
            procs.clear()
            return 0
        api, server = serve(settings, workdir)
        procs.append(server)
        token = asyncio.run(_login(api, account["name"]))
        _await_first_round(dsn)
        results = asyncio.run(measure(api, {"X-Auth-Token": token}, account["id"], args.samples))
    finally:
        for proc in reversed(procs):
            proc.stop()
        if procs:  # a database left running for --seed-only keeps its directory
            shutil.rmtree(workdir, ignore_errors=True)
    floor = statistics.median(results["/healthz (floor)"])
    if args.database:
        print(f"database {args.database} (account {account['id']})")
    else:
        print(f"{args.devices} devices, {args.events} journal events, {args.live:.0%} registered")
    print(f"{'route':>32} | {'p50 ms':>8} | {'p99 ms':>8} | {'p50 / floor':>11} | target p50 <= 50 ms")
    for name, values in results.items():
        p50 = pct(values, 50)
        verdict = "" if name.startswith("/healthz") else ("met" if p50 <= 50 else "MISSED")
        print(
            f"{name:>32} | {p50:8.2f} | {pct(values, 99):8.2f} | {statistics.median(values) / floor:11.1f} | {verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
