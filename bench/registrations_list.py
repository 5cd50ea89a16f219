"""GET /registrations at fleet size: the whole unpaged listing (what Kazoo clients ask for) against the
raw SQL behind it (the same query and parameters through psycopg2), at each size, in one run. One
account, one live contact per device; the API runs as its own process (`crossbar-py serve`).

usage: python bench/registrations_list.py [--sizes 10000,100000] [--samples 5]
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

from bench.api_latency import _login, database_and_account, serve  # noqa: E402
from crossbar_py.registrations.contacts import queries  # noqa: E402

# Devices with a document like the API writes, and one contact each; the journal trigger is paused
# (seeding 100,000 registrations one event at a time would only slow the bench down).
SEED = """
INSERT INTO devices (id, account_id, name, device_type, enabled, sip_username, sip_realm, doc, rev_hash)
SELECT md5('reg-' || i), %(account_id)s, 'phone ' || i, 'sip_device', true, 'u' || i, %(realm)s,
       jsonb_build_object('name', 'phone ' || i, 'device_type', 'sip_device', 'enabled', true,
                          'presence_id', (1000 + i)::text, 'caller_id', jsonb_build_object(
                            'internal', jsonb_build_object('name', 'Phone ' || i, 'number', (1000 + i)::text)),
                          'sip', jsonb_build_object('method', 'password', 'username', 'u' || i,
                                                    'password', md5(i::text), 'expire_seconds', 300),
                          'media', jsonb_build_object('audio', jsonb_build_object('codecs', '["PCMU","PCMA"]'::jsonb))),
       md5(i::text)
  FROM generate_series(%(start)s, %(stop)s - 1) AS i;
ALTER TABLE location DISABLE TRIGGER location_journal;
INSERT INTO location (ruid, username, domain, contact, received, expires, last_modified, callid, user_agent,
                      socket)
SELECT md5('ruid-' || i), 'u' || i, %(realm)s,
       'sip:u' || i || '@10.1.' || (i / 250) %% 250 || '.' || i %% 250 || ':5060',
       'sip:198.51.100.' || i %% 250 || ':' || (20000 + i %% 40000), (now() AT TIME ZONE 'UTC') + interval '1 hour',
       now() AT TIME ZONE 'UTC', md5('call-' || i), 'Yealink SIP-T46S 66.86.0.15', 'udp:127.0.0.1:5060'
  FROM generate_series(%(start)s, %(stop)s - 1) AS i;
ALTER TABLE location ENABLE TRIGGER location_journal;
ANALYZE devices;
ANALYZE location;
"""


def raw_sql(dsn: str, account: dict, samples: int) -> list:
    """Seconds the listing's own query takes, rows fetched."""
    conn = psycopg2.connect(dsn)
    params = {"account_id": account["id"], "limit": None}
    params.update(start_username="", start_id=0)
    times = []
    with conn.cursor() as cur:
        for _ in range(samples):
            start = time.perf_counter()
            cur.execute(queries.LIST_ACCOUNT_CONTACTS, params)
            cur.fetchall()
            times.append(time.perf_counter() - start)
    conn.close()
    return times


async def listing(api: str, headers: dict, url: str, samples: int) -> tuple:
    """Seconds each whole GET takes, and the body size of the last one."""
    times, size = [], 0
    async with aiohttp.ClientSession(headers=headers) as session:
        for _ in range(samples):
            start = time.perf_counter()
            async with session.get(f"{api}{url}") as resp:
                body = await resp.read()
                assert resp.status == 200, body[:200]
            times.append(time.perf_counter() - start)
            size = len(body)
    return times, size


def main() -> int:
    """Seed each size, time the listing and its SQL, print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.split("usage:")[0])
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[10000, 100000])
    parser.add_argument("--samples", type=int, default=5)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-reglist-"))
    workdir.chmod(0o755)
    procs, lines = [], []
    try:
        settings, account = database_and_account(workdir, procs)
        api, server = serve(settings, workdir)
        procs.append(server)
        headers = {"X-Auth-Token": asyncio.run(_login(api, account["name"]))}
        url, seeded = f"/v2/accounts/{account['id']}/registrations", 0
        conn = psycopg2.connect(settings.database_url)
        conn.autocommit = True
        for size in args.sizes:
            with conn.cursor() as cur:
                cur.execute(
                    SEED, {"account_id": account["id"], "realm": account["realm"], "start": seeded, "stop": size}
                )
            seeded = size
            asyncio.run(listing(api, headers, url, 1))  # warm the API's connections and caches
            # Alternated sample by sample, so that a slow moment of the machine hits both alike.
            api_times, sql_times, body = [], [], 0
            for _ in range(args.samples):
                times, body = asyncio.run(listing(api, headers, url, 1))
                api_times += times
                sql_times += raw_sql(settings.database_url, account, 1)
            api_ms, sql_ms = statistics.median(api_times) * 1000, statistics.median(sql_times) * 1000
            lines.append(
                f"{size:>7} contacts: GET /registrations {api_ms:7.1f} ms ({body / 1e6:.2f} MB), its SQL "
                f"{sql_ms:6.1f} ms, ratio {api_ms / sql_ms:.2f}"
            )
            print(lines[-1], flush=True)
        conn.close()
    finally:
        for proc in reversed(procs):
            proc.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
