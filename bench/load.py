"""Load: N concurrent HTTP clients (default 1,000) for S seconds on a device list page and single-device
GETs, while sipp refreshes registrations at a modest rate. The API runs as its own process against a
private PostgreSQL, Redis and Kamailio. Expected: no 5xx but 503 (the pool's Retry-After answer) and
no client timeout; prints counts by status and p50/p99 per route.

usage: python bench/load.py [--clients 1000] [--seconds 60] [--devices 1000] [--sip-rate 50] [--workers 1]
"""

import argparse
import asyncio
import collections
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import aiohttp
import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import register_rate  # noqa: E402

from crossbar_py.auth import tokens as auth  # noqa: E402
from crossbar_py.platform import db, stack  # noqa: E402

SECRET = "bench-load-" + "k" * 40
ACCOUNT = register_rate.ACCOUNT


def pct(values: list, p: float) -> float:
    """The p-th percentile, in ms."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] * 1000


def serve(dsn: str, redis_url: str, rpc_port: int, pool: int, workers: int) -> tuple:
    """`crossbar-py serve` on a free port: (base URL, process)."""
    port = stack.free_port()
    env = {
        **os.environ,
        "DATABASE_URL": dsn,
        "REDIS_URL": redis_url,
        "KAMAILIO_RPC_URL": f"http://127.0.0.1:{rpc_port}/RPC",
        "CROSSBAR_JWT_SECRET": SECRET,
        "CROSSBAR_LOGIN_PEPPER": "bench-load-pepper-" + "p" * 32,
        "CROSSBAR_DB_POOL_MAX": str(pool),
        "HTTP_PORT": str(port),
        "LOG_LEVEL": "WARNING",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "crossbar_py", "serve", "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return f"http://127.0.0.1:{port}", proc


async def _wait_up(api: str) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(400):
            try:
                async with session.get(f"{api}/healthz") as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError("API did not start")


async def load(api: str, ids: list, clients: int, seconds: float, timeout: float) -> dict:
    """Every client loops list/get until the deadline; (route, status) counts and latencies."""
    headers = {"X-Auth-Token": auth.issue_token(SECRET, 3600, ACCOUNT, None, "cb_api_auth")}
    counts: collections.Counter = collections.Counter()
    times: dict = collections.defaultdict(list)
    retry_after: collections.Counter = collections.Counter()
    base = f"{api}/v2/accounts/{ACCOUNT}/devices"
    deadline = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=0)
    client_timeout = aiohttp.ClientTimeout(total=timeout)

    async def client(session) -> None:
        while time.monotonic() < deadline:
            route = "list" if random.random() < 0.5 else "get"
            url = base if route == "list" else f"{base}/{random.choice(ids)}"
            start = time.perf_counter()
            try:
                async with session.get(url, headers=headers) as resp:
                    await resp.read()
                    status = resp.status
                    if status == 503:
                        retry_after[resp.headers.get("Retry-After", "none")] += 1
            except (TimeoutError, aiohttp.ClientError) as exc:
                status = type(exc).__name__
            counts[(route, status)] += 1
            if status == 200:
                times[route].append(time.perf_counter() - start)

    async with aiohttp.ClientSession(connector=connector, timeout=client_timeout) as session:
        await asyncio.gather(*(client(session) for _ in range(clients)))
    return {"counts": counts, "times": times, "retry_after": retry_after}


def sipp_background(sip_port: int, users_csv: Path, rate: int, seconds: int, workdir: Path) -> dict:
    """sipp refreshing registrations at `rate`/s for `seconds`, in a thread; its outcome lands in the dict."""
    out: dict = {}

    def run() -> None:
        out.update(register_rate.run_rate(sip_port, users_csv, rate, seconds, workdir))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    out["thread"] = thread
    return out


def _report(result: dict, sip: dict, args) -> int:
    counts, times = result["counts"], result["times"]
    total = sum(counts.values())
    print(f"load: {args.clients} clients, {args.seconds} s, {total} requests ({total / args.seconds:.0f}/s)")
    for (route, status), n in sorted(counts.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        print(f"  {route:<5} {status!s:<22} {n:>8}")
    for route, values in sorted(times.items()):
        print(f"  {route:<5} 200 latency p50 {pct(values, 50):8.1f} ms   p99 {pct(values, 99):8.1f} ms")
    if result["retry_after"]:
        print(f"  503 Retry-After values: {dict(result['retry_after'])}")
    print(
        f"  sipp during the load: {sip.get('ok', 0)} registrations ok, {sip.get('failed', 0)} failed, "
        f"{sip.get('retrans', 0)} retransmissions at {sip.get('achieved', 0)}/s of {args.sip_rate}/s"
    )
    bad = sum(n for (_, s), n in counts.items() if not isinstance(s, int) or (s >= 500 and s != 503))
    print(f"  errors (5xx other than 503, timeouts, connection errors): {bad}")
    return 0 if bad == 0 else 1


def main() -> int:
    """Start the stack, seed, serve, load, report."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("usage:")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--sip-rate", type=int, default=50, help="registrations/s sipp sends meanwhile")
    parser.add_argument("--pool", type=int, default=10, help="the API's database pool (CROSSBAR_DB_POOL_MAX)")
    parser.add_argument("--workers", type=int, default=1, help="API processes (crossbar-py serve --workers)")
    parser.add_argument("--timeout", type=float, default=30, help="client-side timeout per request (s)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    workdir.chmod(0o755)
    procs = []
    try:
        dsn, pg = stack.start_postgres(workdir)
        procs.append(pg)
        db.migrate(dsn, out=lambda *_: None)
        redis_url, rd = stack.start_redis(workdir)
        procs.append(rd)
        users_csv = register_rate.seed(dsn, args.devices, workdir)
        port = int(dsn.rsplit(":", 1)[1].split("/")[0])
        defines = {**register_rate.LOAD_DEFINES, "CHILDREN": 4}
        cfg = stack.KamailioConfig(db_host="127.0.0.1", db_port=port, defines=defines)
        procs.append(stack.start_kamailio(workdir, cfg))
        api, server = serve(dsn, redis_url, cfg.rpc_port, args.pool, args.workers)
        procs.append(stack.Process("api", server, workdir / "api.log"))
        asyncio.run(_wait_up(api))
        with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
            cur.execute("SELECT id FROM devices WHERE account_id = %s", (ACCOUNT,))
            ids = [r[0] for r in cur.fetchall()]
        sip = sipp_background(cfg.sip_port, users_csv, args.sip_rate, args.seconds, workdir)
        result = asyncio.run(load(api, ids, args.clients, args.seconds, args.timeout))
        sip["thread"].join(args.seconds * 5)
        code = _report(result, sip, args)
        medians = {route: statistics.median(v) * 1000 for route, v in result["times"].items() if v}
        print(f"  medians ms: {medians}")
        return code
    finally:
        for proc in reversed(procs):
            proc.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
