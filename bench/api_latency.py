"""API latency at growing account sizes: per-device GET, a device list page, and a device create, with
1k, 100k and 1M devices in one account. The API runs as its own process (`crossbar-py serve`) against a
private PostgreSQL and Redis; requests come one at a time for p50/p99, then 16 at a time for throughput.
The page cost ratio compares the list page p50 at the largest size with the smallest, in the same run.

usage: python bench/api_latency.py [--sizes 1000,100000,1000000] [--samples 300] [--workers 1,2]

At the first size, wrk (apt: wrk) measures GET one device beside /healthz in req/s for each --workers count,
with the device cache and without it.
"""

import argparse
import asyncio
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from bench.register_cost import cpu_seconds  # noqa: E402
from crossbar_py.cli import ensure_account  # noqa: E402
from crossbar_py.http.pagination import encode_key  # noqa: E402
from crossbar_py.platform import db, stack  # noqa: E402
from crossbar_py.settings import Settings  # noqa: E402
from tests.helpers import md5_credentials  # noqa: E402

# Seeding a million rows one trigger call at a time would take minutes: pause the trigger, then rebuild.
SEED = """
ALTER TABLE devices DISABLE TRIGGER devices_credentials;
ALTER TABLE devices DISABLE TRIGGER devices_insert_credentials;
INSERT INTO devices (id, account_id, name, device_type, enabled, doc, rev_hash)
SELECT md5('bench-' || i), %(account_id)s, 'phone ' || i, 'sip_device', true,
       jsonb_build_object('name', 'phone ' || i, 'device_type', 'sip_device', 'enabled', true,
                          'sip', jsonb_build_object('method', 'password', 'invite_format', 'contact',
                                                    'expire_seconds', 300)),
       md5(i::text)
  FROM generate_series(%(start)s, %(stop)s - 1) AS i;
ALTER TABLE devices ENABLE TRIGGER devices_credentials;
ALTER TABLE devices ENABLE TRIGGER devices_insert_credentials;
"""
IDS_SAMPLE = "SELECT id FROM devices WHERE account_id = %(account_id)s ORDER BY random() LIMIT %(n)s"


def pct(values: list, p: float) -> float:
    """The p-th percentile in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


async def timed(session, method: str, url: str, **kw) -> float:
    """One request's latency in seconds (it must succeed)."""
    start = time.perf_counter()
    async with session.request(method, url, **kw) as resp:
        await resp.read()
        assert resp.status in (200, 201), (resp.status, await resp.text())
    return time.perf_counter() - start


async def throughput(session, urls: list, seconds: float = 3, workers: int = 16) -> float:
    """GET requests per second with `workers` in flight."""
    done, deadline = 0, time.perf_counter() + seconds

    async def worker():
        nonlocal done
        while time.perf_counter() < deadline:
            await timed(session, "GET", random.choice(urls))
            done += 1

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return done / (time.perf_counter() - start)


async def measure(api: str, headers: dict, account_id: str, ids: list, samples: int) -> dict:
    """p50/p99 of GET one, list page, create; and GET throughput."""
    base = f"{api}/v2/accounts/{account_id}/devices"
    async with aiohttp.ClientSession(headers=headers) as session:
        for _ in range(100):  # warm up: connections, pool, PostgreSQL's caches
            await timed(session, "GET", f"{base}/{random.choice(ids)}")
            await timed(session, "GET", base, params={"page_size": "50", "start_key": encode_key(random.choice(ids))})
        floor = [await timed(session, "GET", f"{api}/healthz") for _ in range(samples)]
        get = [await timed(session, "GET", f"{base}/{random.choice(ids)}") for _ in range(samples)]
        page = [
            await timed(session, "GET", base, params={"page_size": "50", "start_key": encode_key(random.choice(ids))})
            for _ in range(samples)
        ]
        create = [await timed(session, "PUT", base, json={"data": {"name": f"new {i}"}}) for i in range(samples)]
        rps = await throughput(session, [f"{base}/{i}" for i in ids])
    return {"floor": floor, "get": get, "page": page, "create": create, "rps": rps}


# Enough connections that every worker gets a fair share of them: each accepts whichever it wakes for first,
# and with 16 one worker often held 10 and the other 6, which measures the split, not the workers.
CONNECTIONS = 64
ROUNDS = 3
WRK_SCRIPT = """
local paths = {%s}
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""


def wrk_run(api: str, paths: list, token: str, workdir: Path, seconds: float = 4) -> tuple:
    """(requests/s, requests) wrk (one thread, CONNECTIONS connections) gets from GETs of these paths."""
    script = workdir / "paths.lua"
    script.write_text(WRK_SCRIPT % ", ".join(f'"{p}"' for p in paths))
    argv = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "-H", f"X-Auth-Token: {token}", "-s", str(script), api]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    rps = float(next(line.split()[1] for line in out.splitlines() if line.startswith("Requests/sec:")))
    return rps, int(next(line.split()[0] for line in out.splitlines() if "requests in" in line))


def costed(api: str, paths: list, token: str, workdir: Path, pids: tuple) -> tuple:
    """One wrk run: (req/s, API, PostgreSQL and wrk CPU ms per request)."""
    before = [cpu_seconds(pid) for pid in pids] + [_children_cpu()]
    rps, done = wrk_run(api, paths, token, workdir)
    after = [cpu_seconds(pid) for pid in pids] + [_children_cpu()]
    api_ms, pg_ms, wrk_ms = ((a - b) * 1000 / max(done, 1) for a, b in zip(after, before, strict=True))
    return rps, api_ms, pg_ms, wrk_ms


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk, once it has been waited for
    return usage.ru_utime + usage.ru_stime


def workers_table(settings: Settings, account: dict, ids: list, counts: list, workdir: Path, pg_pid: int) -> list:
    """For each worker count, with the device cache (what we ship) and without it (CROSSBAR_DEVICE_CACHE_TTL=0:
    every GET reads PostgreSQL): /healthz and GET one device, req/s and CPU per request. Every server runs
    from the start and the rounds visit each in turn, so that a slow moment of the machine hits them alike."""
    servers, device = [], [f"/v2/accounts/{account['id']}/devices/{i}" for i in ids]
    try:
        for count in counts:
            for kind, cache_ttl in (("cached", None), ("uncached", 0)):
                api, server = serve(settings, workdir, count, cache_ttl)
                servers.append((count, kind, api, server))
        tokens = {api: asyncio.run(_login(api, account["name"])) for _, _, api, _ in servers}
        for _, _, api, _ in servers:
            wrk_run(api, device, tokens[api], workdir, 2)  # warm up every worker's pool (and its cache)
        runs: dict = {(count, kind): {"floor": [], "get": []} for count, kind, _, _ in servers}
        for _ in range(ROUNDS):
            for count, kind, api, server in servers:
                pids = (server.pid, pg_pid)
                runs[(count, kind)]["floor"].append(costed(api, ["/healthz"], tokens[api], workdir, pids))
                runs[(count, kind)]["get"].append(costed(api, device, tokens[api], workdir, pids))
    finally:
        for *_, server in servers:
            server.stop()
    lines = []
    for (count, kind), figures in runs.items():
        med = {k: tuple(statistics.median(r[i] for r in v) for i in range(4)) for k, v in figures.items()}
        lines.append((count, kind, med))
        floor, get = med["floor"], med["get"]
        print(
            f"api_latency: {count} worker(s), {kind}: /healthz {floor[0]:.0f} req/s ({floor[1]:.3f} ms API CPU"
            f" per request), GET one device {get[0]:.0f} req/s ({get[1]:.3f} ms API + {get[2]:.3f} ms PostgreSQL)",
            flush=True,
        )
    return lines


def _report_workers(lines: list) -> None:
    print(f"wrk: 1 thread, {CONNECTIONS} connections, median of {ROUNDS} interleaved 4 s runs per figure")
    by = {(count, kind): figures for count, kind, figures in lines}
    for (count, kind), f in by.items():
        print(
            f"{count} worker(s), {kind}: GET one device {f['get'][0]:.0f} req/s, /healthz {f['floor'][0]:.0f} req/s,"
            f" ratio {f['get'][0] / f['floor'][0]:.2f}; API CPU per request GET / healthz:"
            f" {f['get'][1] / f['floor'][1]:.2f}"
        )
    counts = sorted({count for count, _ in by})
    if len(counts) > 1:
        lo, hi = counts[0], counts[-1]
        cores = len(os.sched_getaffinity(0))
        for kind in ("cached", "uncached"):
            a, b = by[(lo, kind)], by[(hi, kind)]
            # The most this machine could serve: its cores over what a request costs everyone on it (the API,
            # PostgreSQL and wrk itself, which shares the cores), against the one-worker figure.
            ceiling = cores * 1000 / sum(b["get"][1:4]) / a["get"][0]
            print(
                f"{kind}: GET one device, {hi} workers / {lo}: {b['get'][0] / a['get'][0]:.2f}"
                f" (/healthz: {b['floor'][0] / a['floor'][0]:.2f}); CPU ms per GET with {hi} workers: API"
                f" {b['get'][1]:.3f}, PostgreSQL {b['get'][2]:.3f}, wrk {b['get'][3]:.3f}, so {cores} cores allow"
                f" at most {ceiling:.2f}"
            )


def main() -> int:
    """Seed, serve, measure each size, print the table and the page cost ratio."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("usage:")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[1000, 100000, 1000000],
        help="devices in the account at each step (rising)",
    )
    parser.add_argument("--samples", type=int, default=300, help="sequential requests per measure")
    parser.add_argument(
        "--workers",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[1, 2],
        help="worker counts for the req/s table at the first size, with wrk (default 1,2)",
    )
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-api-"))
    workdir.chmod(0o755)
    procs = []
    try:
        settings, account = database_and_account(workdir, procs)
        dsn = settings.database_url
        api, server = serve(settings, workdir)
        procs.append(server)
        token = asyncio.run(_login(api, account["name"]))
        results, seeded, table = {}, 0, []
        conn = psycopg2.connect(dsn)
        conn.autocommit = True
        for size in args.sizes:
            t = time.perf_counter()
            with conn.cursor() as cur:
                cur.execute(SEED, {"account_id": account["id"], "start": seeded, "stop": size})
                cur.execute("ANALYZE devices")
                cur.execute(IDS_SAMPLE, {"account_id": account["id"], "n": 2000})
                ids = [r[0] for r in cur.fetchall()]
            seeded = size
            print(f"api_latency: {size:>8} devices seeded ({time.perf_counter() - t:.1f} s)", flush=True)
            results[size] = asyncio.run(measure(api, {"X-Auth-Token": token}, account["id"], ids, args.samples))
            if size == args.sizes[0] and args.workers:
                table = workers_table(settings, account, ids, args.workers, workdir, procs[0].pid)
        conn.close()
    finally:
        for proc in reversed(procs):
            proc.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    _report(results)
    _report_workers(table)
    return 0


def database_and_account(workdir: Path, procs: list, options: dict | None = None, dsn: str | None = None) -> tuple:
    """A private PostgreSQL (migrated, extra server `options`; or the database at `dsn`, migrated) and Redis,
    appended to procs so the caller stops them; the API's settings and a "bench" account (admin / bench-pass)."""
    if dsn is None:
        dsn, pg = stack.start_postgres(workdir, options=options)
        procs.append(pg)
    db.migrate(dsn, out=lambda *_: None)
    redis_url, rd = stack.start_redis(workdir)
    procs.append(rd)
    settings = Settings(
        database_url=dsn, redis_url=redis_url, jwt_secret="bench-" + "k" * 40, login_pepper="pepper-" + "p" * 40
    )
    account, _ = asyncio.run(ensure_account(settings, "bench", "admin", "bench-pass"))
    return settings, account


def serve(settings: Settings, workdir: Path, workers: int = 0, device_cache_ttl: float | None = None) -> tuple:
    """`crossbar-py serve` as its own process on a free loopback port, with `workers` processes (0: one per
    core) and the device cache's TTL when given; (its base URL, the process)."""
    port = stack.free_port()
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "CROSSBAR_JWT_SECRET": settings.jwt_secret,
        "CROSSBAR_LOGIN_PEPPER": settings.login_pepper,
        "HTTP_PORT": str(port),
        # The access log on, as shipped: one JSON line per request is part of what a request costs.
        "LOG_LEVEL": "INFO",
    }
    if device_cache_ttl is not None:
        env["CROSSBAR_DEVICE_CACHE_TTL"] = str(device_cache_ttl)
    argv = [sys.executable, "-m", "crossbar_py", "serve"] + (["--workers", str(workers)] if workers else [])
    server = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return f"http://127.0.0.1:{port}", stack.Process("api", server, workdir / "api.log")


async def _login(api: str, account_name: str) -> str:
    async with aiohttp.ClientSession() as session:
        for _ in range(1200):  # a minute: workers start slowly on a busy machine
            try:
                async with session.get(f"{api}/healthz") as resp:
                    if resp.status == 200:
                        break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
        body = {"data": {"credentials": md5_credentials("admin", "bench-pass"), "account_name": account_name}}
        async with session.put(f"{api}/v2/user_auth", json=body) as resp:
            return (await resp.json())["auth_token"]


def _report(results: dict) -> None:
    print(
        f"{'devices':>9} | {'/healthz p50 (floor)':>20} | {'GET one p50/p99 ms':>19} | {'list page p50/p99 ms':>21} | "
        f"{'create p50/p99 ms':>18} | {'GET req/s (16 in flight)':>24}"
    )
    for size, r in results.items():
        cells = [f"{pct(r[k], 50):6.2f} / {pct(r[k], 99):6.2f}" for k in ("get", "page", "create")]
        print(
            f"{size:>9} | {pct(r['floor'], 50):20.2f} | {cells[0]:>19} | {cells[1]:>21} | {cells[2]:>18} | "
            f"{r['rps']:>24.0f}"
        )
    for size, r in results.items():
        floor = statistics.median(r["floor"])
        print(
            f"{size:>9} devices, p50 as a multiple of the /healthz floor: GET one "
            f"{statistics.median(r['get']) / floor:.2f}, list page {statistics.median(r['page']) / floor:.2f}, "
            f"create {statistics.median(r['create']) / floor:.2f}"
        )
    sizes = list(results)
    if len(sizes) > 1:
        ratio = statistics.median(results[sizes[-1]]["page"]) / statistics.median(results[sizes[0]]["page"])
        print(f"page cost ratio {sizes[-1]} / {sizes[0]} devices (p50): {ratio:.2f}")


if __name__ == "__main__":
    sys.exit(main())
