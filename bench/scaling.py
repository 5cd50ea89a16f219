"""Figures for docs/scaling.md: what one PostgreSQL pays for `location` at 1M contacts and for the
journal at N events, plain against partitioned, and what one API process and `--workers 2` serve.

Each table is built beside the real ones in a private, migrated PostgreSQL (no triggers: this measures
the storage layout, not the journal's capture). Query figures are the p50 of repeated executions of the
statements Kamailio and the API run; retention is one day's batch DELETE against dropping a partition.

usage: python bench/scaling.py [--contacts 1000000] [--events 5000000] [--days 90] [--seconds 5] [--skip-api]
"""

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crossbar_py.cli import ensure_account  # noqa: E402
from crossbar_py.platform import db, stack  # noqa: E402
from crossbar_py.settings import Settings  # noqa: E402
from tests.helpers import md5_credentials  # noqa: E402

REALMS = 100
PARTS = 8
NOW = "(now() AT TIME ZONE 'UTC')"

LOCATION_PLAIN = """
DROP TABLE IF EXISTS loc_plain;
CREATE TABLE loc_plain (LIKE location INCLUDING DEFAULTS) WITH (fillfactor = 70);
ALTER TABLE loc_plain ADD PRIMARY KEY (id), ADD UNIQUE (ruid);
"""
# Partitioned by username: Kamailio's lookups name one user, so they prune to one partition; a unique
# key must hold the partition key, so ruid is unique per username only.
LOCATION_HASHED = "DROP TABLE IF EXISTS loc_hashed;\n" + (
    "CREATE TABLE loc_hashed (LIKE location INCLUDING DEFAULTS) PARTITION BY HASH (username);\n"
    "ALTER TABLE loc_hashed ADD PRIMARY KEY (id, username), ADD UNIQUE (ruid, username);\n"
    + "".join(
        f"CREATE TABLE loc_hashed_{i} PARTITION OF loc_hashed FOR VALUES WITH (MODULUS {PARTS}, REMAINDER {i})"
        " WITH (fillfactor = 70);\n"
        for i in range(PARTS)
    )
)
LOCATION_FILL = f"""
INSERT INTO {{table}} (id, ruid, username, domain, contact, received, expires, callid, cseq, last_modified,
                     user_agent, socket, server_id)
SELECT i, 'ruid-' || i, 'u' || i, 'realm' || (i %% {REALMS}) || '.sip.bench',
       'sip:u' || i || '@10.' || (i %% 250) || '.0.1:5060', NULL, {NOW} + interval '1 hour', 'call-' || i, 1,
       {NOW}, 'bench/1.0', 'udp:10.0.0.1:5060', i %% 2
  FROM generate_series(1, %(n)s) AS i;
CREATE INDEX ON {{table}} (domain, username);
ANALYZE {{table}};
"""
LOCATION_QUERIES = {
    "Kamailio lookup (one AOR)": "SELECT * FROM {t} WHERE username = %(user)s AND domain = %(realm)s",
    "Kamailio refresh (UPDATE by ruid)": "UPDATE {t} SET expires = {now} + interval '1 hour', cseq = cseq + 1 "
    "WHERE ruid = %(ruid)s AND username = %(user)s",
    "API count (one account's realm)": "SELECT count(*) FROM {t} WHERE domain = %(realm)s AND expires > {now}",
    "API list page (50 of one realm)": "SELECT * FROM {t} WHERE domain = %(realm)s AND expires > {now} "
    "ORDER BY username, id LIMIT 50",
    "keepalive round selection (one node)": "SELECT count(*) FROM {t} WHERE expires > {now} AND server_id = 1",
}

JOURNAL_PLAIN = """
DROP TABLE IF EXISTS jr_plain;
CREATE TABLE jr_plain (LIKE registration_events INCLUDING DEFAULTS);
"""
JOURNAL_RANGED = "DROP TABLE IF EXISTS jr_ranged;\n" + (
    "CREATE TABLE jr_ranged (LIKE registration_events INCLUDING DEFAULTS) PARTITION BY RANGE (ts);\n"
)
JOURNAL_FILL = """
INSERT INTO {table} (id, ts, event, username, domain, device_id, account_id, ruid, contact, txid)
SELECT i, now() - (%(days)s * 86400.0 * (%(n)s - i) / %(n)s) * interval '1 second',
       (ARRAY['registered','refreshed','refreshed','refreshed','unregistered','expired'])[1 + i %% 6],
       'u' || (i %% 100000), 'realm' || (i %% 100) || '.sip.bench', md5('dev' || (i %% 100000)),
       md5('acct' || (i %% 100)), 'ruid-' || (i %% 100000), 'sip:u@10.0.0.1', i
  FROM generate_series(1, %(n)s) AS i;
"""
JOURNAL_INDEXES = """
ALTER TABLE {table} ADD PRIMARY KEY (id{pk});
CREATE INDEX ON {table} (device_id, id);
CREATE INDEX ON {table} (account_id, ts);
CREATE INDEX ON {table} (ts);
CREATE INDEX ON {table} (txid, id);
ANALYZE {table};
"""
JOURNAL_QUERIES = {
    "device logs (latest 50 of one device)": "SELECT * FROM {t} WHERE device_id = %(device)s ORDER BY id DESC LIMIT 50",
    "stream/webhook tail (1,000 after a cursor)": "SELECT * FROM {t} "
    "WHERE (txid, id) > (%(txid)s, %(txid)s) "
    "ORDER BY txid, id LIMIT 1000",
    "one account's last hour": "SELECT count(*) FROM {t} "
    "WHERE account_id = %(account)s AND ts > now() - interval '1 hour'",
}


def p50(conn, sql: str, params, rounds: int = 200) -> float:
    """Median milliseconds of one statement over `rounds` runs with fresh parameters."""
    times = []
    with conn.cursor() as cur:
        for _ in range(rounds):
            values = params()
            start = time.perf_counter()
            cur.execute(sql, values)
            if cur.description:
                cur.fetchall()
            conn.commit()
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def timed(conn, sql: str, params=None) -> float:
    """Seconds one statement (script) takes."""
    start = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute(sql, params)
    conn.commit()
    return time.perf_counter() - start


def size_mb(conn, table: str) -> float:
    """Table plus indexes, partitions included."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
            " WHERE c.relname = %(t)s OR c.relname LIKE %(p)s AND c.relkind = 'r'",
            {"t": table, "p": table + "\\_%"},
        )
        return cur.fetchone()[0] / 2**20


def bench_location(conn, n: int) -> None:
    """Load both layouts with n contacts and time Kamailio's and the API's statements."""
    print(f"\n## location with {n:,} contacts over {REALMS} realms (p50 ms)")
    built = {}
    for table, ddl in (("loc_plain", LOCATION_PLAIN), ("loc_hashed", LOCATION_HASHED)):
        timed(conn, ddl)
        built[table] = timed(conn, LOCATION_FILL.format(table=table), {"n": n})
    print(f"| statement | plain | hash x{PARTS} by username |\n| --- | --- | --- |")

    def params():
        i = random.randint(1, n)
        return {"user": f"u{i}", "realm": f"realm{i % REALMS}.sip.bench", "ruid": f"ruid-{i}"}

    for name, sql in LOCATION_QUERIES.items():
        rounds = 20 if "keepalive" in name else 200
        plain = p50(conn, sql.format(t="loc_plain", now=NOW), params, rounds)
        hashed = p50(conn, sql.format(t="loc_hashed", now=NOW), params, rounds)
        print(f"| {name} | {plain:.3f} | {hashed:.3f} |")
    print(f"| load (s) | {built['loc_plain']:.1f} | {built['loc_hashed']:.1f} |")
    print(f"| size (MB) | {size_mb(conn, 'loc_plain'):.0f} | {size_mb(conn, 'loc_hashed'):.0f} |")
    timed(conn, "DROP TABLE loc_plain; DROP TABLE loc_hashed")


def _day_partitions(days: int) -> str:
    out = []
    for d in range(days + 2, -2, -1):
        out.append(
            f"CREATE TABLE jr_ranged_{d + 2} PARTITION OF jr_ranged FOR VALUES FROM "
            f"(date_trunc('day', now()) - interval '{d} days') TO (date_trunc('day', now()) - interval '{d - 1} days');"
        )
    return "\n".join(out)


def bench_journal(conn, n: int, days: int) -> None:
    """Load both layouts with n events over `days` days and time reads, inserts and one day's retention."""
    print(f"\n## journal with {n:,} events over {days} days (p50 ms unless said)")
    timed(conn, JOURNAL_PLAIN)
    timed(conn, JOURNAL_RANGED + _day_partitions(days))
    loads = {}
    for table, pk in (("jr_plain", ""), ("jr_ranged", ", ts")):
        loads[table] = timed(conn, JOURNAL_FILL.format(table=table), {"n": n, "days": days})
        loads[table] += timed(conn, JOURNAL_INDEXES.format(table=table, pk=pk))
    print("| statement | plain | daily range partitions |\n| --- | --- | --- |")

    def params():
        i = random.randint(1, n)
        return {
            "device": _md5(f"dev{i % 100000}"),
            "txid": n - random.randint(1, 5000),
            "account": _md5(f"acct{i % 100}"),
        }

    for name, sql in JOURNAL_QUERIES.items():
        plain = p50(conn, sql.format(t="jr_plain"), params, 100)
        ranged = p50(conn, sql.format(t="jr_ranged"), params, 100)
        print(f"| {name} | {plain:.3f} | {ranged:.3f} |")
    insert = (
        "INSERT INTO {t} (id, ts, event, username, domain, txid) VALUES (%(id)s, now(), 'refreshed', 'u', 'r', %(id)s)"
    )
    ids = iter(range(n + 1, n + 10_000_000))
    ins = [p50(conn, insert.format(t=t), lambda: {"id": next(ids)}, 500) for t in ("jr_plain", "jr_ranged")]
    print(f"| insert one event (commit each) | {ins[0]:.3f} | {ins[1]:.3f} |")
    # One whole day (the partition for `full` days ago) either way: what a retention round removes.
    full = days - 2
    start, stop = (f"date_trunc('day', now()) - interval '{d} days'" for d in (full, full - 1))
    day = f"ts >= {start} AND ts < {stop}"
    with conn.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM jr_plain WHERE {day}")
        rows = cur.fetchone()[0]
    delete = timed(conn, f"DELETE FROM jr_plain WHERE {day}")
    part = f"jr_ranged_{full + 2}"
    drop = timed(conn, f"ALTER TABLE jr_ranged DETACH PARTITION {part}; DROP TABLE {part}")
    print(
        f"| retention: one day ({rows:,} events) | DELETE {delete * 1000:.0f} ms | DETACH+DROP {drop * 1000:.0f} ms |"
    )
    print(f"| load + index (s) | {loads['jr_plain']:.1f} | {loads['jr_ranged']:.1f} |")
    print(f"| size (MB) | {size_mb(conn, 'jr_plain'):.0f} | {size_mb(conn, 'jr_ranged'):.0f} |")
    timed(conn, "DROP TABLE jr_plain; DROP TABLE jr_ranged")


def _md5(text: str) -> str:
    import hashlib

    return hashlib.md5(text.encode()).hexdigest()


async def _throughput(url: str, headers: dict, seconds: float, concurrency: int = 16) -> float:
    done, stop = 0, time.monotonic() + seconds

    async def worker(session):
        nonlocal done
        while time.monotonic() < stop:
            async with session.get(url, headers=headers) as resp:
                await resp.read()
                assert resp.status == 200
            done += 1

    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return done / seconds


def bench_api(dsn: str, redis_url: str, seconds: float) -> None:
    """Authenticated GET of one account: requests/s of `serve --workers 1` and `--workers 2`."""
    settings = Settings(database_url=dsn, redis_url=redis_url, jwt_secret="s" * 40, login_pepper="p" * 40)
    account, _ = asyncio.run(ensure_account(settings, "scale", "admin", "scale-pass"))
    print(f"\n## one API machine ({os.cpu_count()} cores shared with the benchmark client and PostgreSQL)")
    print("| workers | GET /v2/accounts/{id} req/s (16 concurrent) | GET /healthz req/s |\n| --- | --- | --- |")
    for count in (1, 2):
        port = stack.free_port()
        env = {**os.environ, "DATABASE_URL": dsn, "REDIS_URL": redis_url, "CROSSBAR_JWT_SECRET": "s" * 40,
               "CROSSBAR_LOGIN_PEPPER": "p" * 40, "HTTP_PORT": str(port), "LOG_LEVEL": "WARNING"}  # fmt: skip
        proc = subprocess.Popen([sys.executable, "-m", "crossbar_py", "serve", "--workers", str(count)], env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            token = asyncio.run(_login(base))
            asyncio.run(_throughput(f"{base}/v2/accounts/{account['id']}", {"X-Auth-Token": token}, 2))
            get = asyncio.run(_throughput(f"{base}/v2/accounts/{account['id']}", {"X-Auth-Token": token}, seconds))
            health = asyncio.run(_throughput(f"{base}/healthz", {}, seconds))
            print(f"| {count} | {get:.0f} | {health:.0f} |")
        finally:
            proc.terminate()
            proc.wait(20)


async def _login(base: str) -> str:
    body = {"data": {"credentials": md5_credentials("admin", "scale-pass"), "account_name": "scale"}}
    async with aiohttp.ClientSession() as session:
        for _ in range(100):
            try:
                async with session.put(f"{base}/v2/user_auth", json=body) as resp:
                    return (await resp.json())["auth_token"]
            except aiohttp.ClientError:
                await asyncio.sleep(0.2)
    raise RuntimeError("API did not start")


def main() -> None:
    """Start a private PostgreSQL and Redis, run the chosen parts, print markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--skip-api", action="store_true")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="crossbar-scaling-"))
    workdir.chmod(0o755)
    procs = []
    try:
        dsn, pg = stack.start_postgres(workdir, options={"shared_buffers": "256MB", "max_wal_size": "4GB"})
        procs.append(pg)
        db.migrate(dsn, out=lambda *_: None)
        conn = psycopg2.connect(dsn)
        if args.contacts:
            bench_location(conn, args.contacts)
        if args.events:
            bench_journal(conn, args.events, args.days)
        conn.close()
        if not args.skip_api:
            redis_url, rd = stack.start_redis(workdir)
            procs.append(rd)
            bench_api(dsn, redis_url, args.seconds)
    finally:
        for proc in reversed(procs):
            proc.stop()
        subprocess.run(["rm", "-rf", str(workdir)], check=False)


if __name__ == "__main__":
    main()
