"""What one registration costs, at a fixed offered rate: CPU of Kamailio and of PostgreSQL (their own
/proc counters, children included), statements, commits, WAL and fsyncs, and sipp's latency, for
first registrations (every contact new: INSERTs) and true refreshes (the same contacts again, from one
fixed sipp port: UPDATEs). Three configs in one run, interleaved repeat by repeat so that a noisy
neighbour hits them alike:
  ours-db    our kamailio.cfg and schema, usrloc DB-only (db_mode 3), what we ship
  ours-mem   the same with usrloc in memory only (db_mode 0), the ceiling
  stock-db   the same cfg, DB-only, over Debian's Kamailio schema (auth_db over a plain view of a
             devices table, no journal, no triggers) in a database of its own
One registration = REGISTER, 401, REGISTER with digest, 200 (two REGISTERs). The capacity ratio is
memory-only CPU / DB-only CPU per registration, weighted as a fleet sends them: one first registration
per twenty refreshes. Rates are a weak ruler on a shared machine; CPU per registration is steady.

  unix-db    (asked for with --configs) ours-db with Kamailio reaching PostgreSQL by its Unix socket
  async-db   (asked for with --configs) ours-db with synchronous_commit=off for Kamailio's role, in a
             copy of the database (the durability trade, kamailio/README.md)
  before-db  (with --before 071) DB-only over a database migrated only with sql/ files below 071: one
             change's before and after in the same run

usage: python bench/register_cost.py [--users 5000] [--rate 500] [--repeats 3] [--configs ours-db,...]
       [--before 071] [--children 8] [--track-all] [--role-setting synchronous_commit=off]
"""

import argparse
import csv
import glob
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from string import Template

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.register_rate import LOAD_DEFINES, REALM, seed  # noqa: E402
from crossbar_py.platform import bundled, db, stack  # noqa: E402

SCENARIO = Path(__file__).resolve().parent.parent / "tests/sip/scenarios/register.xml"
KAMAILIO_SCHEMA = Path("/usr/share/kamailio/postgres")
CLK_TCK = os.sysconf("SC_CLK_TCK")
REFRESH_WEIGHT = 20
CONFIGS = {
    "ours-db": ("crossbar", 3),
    "ours-mem": ("crossbar", 0),
    "stock-db": ("stock", 3),
    "unix-db": ("crossbar", 3),
}

STOCK_SCHEMA = """
CREATE TABLE devices (id text PRIMARY KEY, sip_username varchar(64) NOT NULL, sip_realm varchar(64) NOT NULL,
                      ha1 text NOT NULL, ha1b text NOT NULL, enabled boolean NOT NULL DEFAULT true,
                      UNIQUE (sip_username, sip_realm));
CREATE VIEW kam_credentials AS
SELECT sip_username AS username, sip_realm AS domain, ha1, ha1b, id AS device_id FROM devices WHERE enabled;
CREATE VIEW kam_domains AS SELECT DISTINCT lower(sip_realm) AS domain FROM devices;
GRANT SELECT ON version, kam_credentials, kam_domains TO kamailio;
GRANT SELECT, INSERT, UPDATE, DELETE ON location, location_attrs TO kamailio;
GRANT USAGE, SELECT ON SEQUENCE location_id_seq, location_attrs_id_seq TO kamailio;
"""
PG_COUNTERS = """
SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint,
       pg_current_wal_lsn() - '0/0'::pg_lsn,
       (SELECT wal_sync FROM pg_stat_wal),
       (SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid
         WHERE r.rolname = 'kamailio' AND s.toplevel)
"""
PG_COUNTERS_NO_PGSS = PG_COUNTERS.split(",\n       (SELECT coalesce")[0] + ", 0"
TOP_STATEMENTS = """
SELECT s.calls, s.total_exec_time, s.total_plan_time, s.toplevel, left(regexp_replace(s.query, '\\s+', ' ', 'g'), 90)
  FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid
 WHERE r.rolname IN ('kamailio', 'postgres') AND s.dbid = (SELECT oid FROM pg_database WHERE datname = %(db)s)
   AND s.query NOT ILIKE '%%pg_stat%%'
 ORDER BY s.total_exec_time + s.total_plan_time DESC LIMIT %(n)s
"""


def cpu_seconds(leader: int) -> float:
    """CPU (user + system) of leader and every live descendant, with the children each reaped."""
    procs = {}
    for path in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(path) as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        procs[int(path.split("/")[2])] = (int(fields[1]), sum(int(v) for v in fields[11:15]))
    # PostgreSQL's backends start sessions of their own: follow parents, not the session id.
    total = 0
    for pid, (ppid, ticks) in procs.items():
        while pid != leader and ppid in procs:
            pid, ppid = ppid, procs[ppid][0]
        if pid == leader:
            total += ticks
    return total / CLK_TCK


def seed_stock(admin_dsn: str, users_csv: Path) -> None:
    """Database `stock`: Debian's Kamailio tables, a devices table with the same credentials, a view."""
    conn = psycopg2.connect(admin_dsn.rsplit("/", 1)[0] + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP DATABASE IF EXISTS stock")
        cur.execute("CREATE DATABASE stock")
    conn.close()
    conn = psycopg2.connect(admin_dsn.rsplit("/", 1)[0] + "/stock")
    with conn, conn.cursor() as cur:
        for name in ("standard-create.sql", "usrloc-create.sql"):
            cur.execute((KAMAILIO_SCHEMA / name).read_text())
        cur.execute(STOCK_SCHEMA)
        cur.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        src = psycopg2.connect(admin_dsn)
        with src, src.cursor() as scur:
            scur.execute("SELECT id, sip_username, sip_realm, ha1, ha1b FROM devices WHERE sip_realm = %s", (REALM,))
            rows = scur.fetchall()
        src.close()
        cur.executemany("INSERT INTO devices VALUES (%s, %s, %s, %s, %s)", rows)
        cur.execute("ANALYZE")
    conn.close()


def seed_before(dsn: str, before: str, users: int, workdir: Path) -> str:
    """Database `before`: our migrations numbered below `before` only, the same devices; its name."""
    conn = psycopg2.connect(dsn.rsplit("/", 1)[0] + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP DATABASE IF EXISTS before")
        cur.execute("CREATE DATABASE before")
    conn.close()
    before_dsn = dsn.rsplit("/", 1)[0] + "/before"
    db.migrate(before_dsn, [path for path in bundled.migrations() if path.name < before], out=lambda *_: None)
    seed(before_dsn, users, workdir)
    conn = psycopg2.connect(before_dsn)
    with conn, conn.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    conn.close()
    return "before"


def seed_async(dsn: str) -> str:
    """Database `async`: a copy of ours where Kamailio's role commits without waiting for the WAL flush."""
    conn = psycopg2.connect(dsn.rsplit("/", 1)[0] + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP DATABASE IF EXISTS async")
        cur.execute("CREATE DATABASE async TEMPLATE crossbar")
        cur.execute("ALTER ROLE kamailio IN DATABASE async SET synchronous_commit = off")
    conn.close()
    return "async"


def scenario(workdir: Path, port: int) -> Path:
    """The tests' REGISTER scenario, its Contact on the one fixed port, timed from first send to 200."""
    text = Template(SCENARIO.read_text()).substitute(
        contact=f"127.0.0.1:{port}", expires=3600, final=200, user_agent="sipp-bench"
    )
    text = text.replace('<send retrans="500">', '<send retrans="500" start_rtd="1">', 1)
    text = text.replace('<recv response="200"/>', '<recv response="200" rtd="1"/>')
    path = workdir / "register-cost.xml"
    path.write_text(text)
    return path


def run_sipp(sip_port: int, local_port: int, users_csv: Path, calls: int, rate: int, workdir: Path) -> dict:
    """`calls` registrations at `rate`/s from one local port; outcome and latencies in ms."""
    sf = scenario(workdir, local_port)
    for old in glob.glob(str(workdir / "register-cost_*")):
        os.unlink(old)
    stat = workdir / "stat.csv"
    stat.unlink(missing_ok=True)
    argv = ["sipp", f"127.0.0.1:{sip_port}", "-sf", str(sf), "-inf", str(users_csv), "-i", "127.0.0.1"]
    argv += ["-p", str(local_port), "-m", str(calls), "-r", str(rate), "-l", str(rate * 2), "-max_retrans", "4"]
    argv += ["-nostdin", "-timeout", f"{calls // rate * 4 + 10}s", "-trace_stat", "-stf", str(stat), "-fd", "1"]
    argv += ["-trace_rtt", "-rtt_freq", "1"]
    subprocess.run(argv, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    with open(stat) as fh:
        last = list(csv.DictReader(fh, delimiter=";"))[-1]
    rtts = []
    for path in glob.glob(str(workdir / "register-cost_*_rtt.csv")):
        with open(path) as fh:
            rtts += [
                float(row["response_time_ms"])
                for row in csv.DictReader(fh, delimiter=";")
                if row.get("response_time_ms")
            ]
    rtts.sort()
    return {
        "ok": int(last["SuccessfulCall(C)"]),
        "failed": int(last["FailedCall(C)"]),
        "retrans": int(last["Retransmissions(C)"]),
        "p50": rtts[len(rtts) // 2] if rtts else float("nan"),
        "p99": rtts[int(len(rtts) * 0.99)] if rtts else float("nan"),
    }


def pg_counters(admin_dsn: str, pgss: bool = True) -> tuple:
    """(next transaction id, WAL position in bytes, WAL fsyncs, Kamailio's top-level statements or 0)."""
    conn = psycopg2.connect(admin_dsn)
    with conn, conn.cursor() as cur:
        cur.execute(PG_COUNTERS if pgss else PG_COUNTERS_NO_PGSS)
        row = cur.fetchone()
    conn.close()
    return tuple(float(v) for v in row)


def phase(ctx: dict, kam: stack.Process, cfg: stack.KamailioConfig, local_port: int) -> dict:
    """One sipp run of every device at the fixed rate, with what it cost."""
    before = (cpu_seconds(kam.pid), cpu_seconds(ctx["pg"].pid), pg_counters(ctx["dsn"], not ctx["args"].no_pgss))
    res = run_sipp(cfg.sip_port, local_port, ctx["csv"], ctx["args"].users, ctx["args"].rate, ctx["workdir"])
    cpu = (cpu_seconds(kam.pid), cpu_seconds(ctx["pg"].pid))
    # Transaction ids, WAL positions and pg_stat_statements are exact at once; pg_stat_wal's fsync count
    # lags (a backend reports it at most once a second, an idle one after up to ten): approximate.
    time.sleep(1.5)
    after = (*cpu, pg_counters(ctx["dsn"], not ctx["args"].no_pgss))
    n = max(res["ok"], 1)
    counters = [(a - b) / n for a, b in zip(after[2], before[2], strict=True)]
    res.update(kam=(after[0] - before[0]) * 1000 / n, pg=(after[1] - before[1]) * 1000 / n)
    res.update(xacts=counters[0], wal=counters[1], syncs=counters[2], stmts=counters[3])
    return res


def start_config(ctx: dict, name: str) -> tuple:
    """A fresh Kamailio for one config, its location table empty."""
    dbname, mode = ctx["configs"][name]
    conn = psycopg2.connect(ctx["dsn"].rsplit("/", 1)[0] + "/" + dbname)
    with conn, conn.cursor() as cur:
        cur.execute("TRUNCATE location")
    conn.close()
    defines = {**LOAD_DEFINES, "UL_DB_MODE": mode, "CHILDREN": ctx["args"].children}
    host = str(ctx["workdir"] / "pgsock") if name == "unix-db" else "127.0.0.1"
    cfg = stack.KamailioConfig(db_host=host, db_port=ctx["port"], db_name=dbname, defines=defines)
    return stack.start_kamailio(ctx["workdir"] / f"kam-{name}", cfg), cfg


def measure(ctx: dict, name: str) -> dict:
    """First registrations, then refreshes of the same contacts, on a fresh Kamailio."""
    kam, cfg = start_config(ctx, name)
    try:
        local_port = stack.free_port(also_udp=True)
        time.sleep(1)
        first = phase(ctx, kam, cfg, local_port)
        time.sleep(1)
        refresh = phase(ctx, kam, cfg, local_port)
    finally:
        kam.stop()
    return {"first": first, "refresh": refresh}


def weighted(run: dict) -> float:
    """CPU ms per registration, one first registration per REFRESH_WEIGHT refreshes."""
    first = run["first"]["kam"] + run["first"]["pg"]
    refresh = run["refresh"]["kam"] + run["refresh"]["pg"]
    return (first + REFRESH_WEIGHT * refresh) / (1 + REFRESH_WEIGHT)


def spread(values: list, fmt: str = "{:.3f}") -> str:
    """Median (min-max) of the repeats."""
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def report(runs: dict) -> None:
    """One line per config and phase, medians over the repeats with their range."""
    print("CPU ms per registration, median (min-max); stmts = Kamailio's statements, wr-tx = writing")
    print("transactions, WAL bytes and fsyncs (approximate), per registration; sipp latency in whole ms")
    print(
        f"{'config':<9} {'phase':<8} {'kamailio ms':<20} {'postgres ms':<20} {'total ms':<20} "
        f"{'stmts':>5} {'wr-tx':>6} {'WAL B':>6} {'fsync':>5} {'p50 ms':>7} {'p99 ms':>7} {'failed':>6}"
    )
    for name, reps in runs.items():
        for ph in ("first", "refresh"):
            rs = [r[ph] for r in reps]
            med = {k: statistics.median(r[k] for r in rs) for k in ("stmts", "xacts", "wal", "syncs", "p50", "p99")}
            print(
                f"{name:<9} {ph:<8} {spread([r['kam'] for r in rs]):<20} {spread([r['pg'] for r in rs]):<20} "
                f"{spread([r['kam'] + r['pg'] for r in rs]):<20} {med['stmts']:>5.2f} {med['xacts']:>6.2f} "
                f"{med['wal']:>6.0f} {med['syncs']:>5.2f} {med['p50']:>7.2f} {med['p99']:>7.2f} "
                f"{sum(r['failed'] for r in rs):>6}",
                flush=True,
            )
    cpu = {name: [weighted(r) for r in reps] for name, reps in runs.items()}
    for name, values in cpu.items():
        print(f"weighted CPU ms per registration (1 first : {REFRESH_WEIGHT} refreshes), {name}: {spread(values)}")
    if "ours-mem" not in cpu:
        return
    mem = statistics.median(cpu["ours-mem"])
    if "stock-db" in cpu:
        print(f"capacity ratio stock DB-only / memory-only: {mem / statistics.median(cpu['stock-db']):.2f}")
    if "unix-db" in cpu:
        print(f"capacity ratio unix-db / memory-only: {mem / statistics.median(cpu['unix-db']):.2f}")
    if "async-db" in cpu:
        print(f"capacity ratio async-db / memory-only: {mem / statistics.median(cpu['async-db']):.2f}")
    if "before-db" in cpu:
        print(f"capacity ratio before-db / memory-only: {mem / statistics.median(cpu['before-db']):.2f}")
    if "ours-db" in cpu:
        print(f"capacity ratio DB-only / memory-only: {mem / statistics.median(cpu['ours-db']):.2f}")


def top_statements(dsn: str, n: int = 12) -> None:
    """Where PostgreSQL's time went in our database, per statement (with --track-all, nested ones too)."""
    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute(TOP_STATEMENTS, {"db": "crossbar", "n": n})
        rows = cur.fetchall()
    conn.close()
    print("statements in crossbar (ours-db), mean exec + plan ms per call:")
    for calls, exec_ms, plan_ms, top, query in rows:
        print(
            f"  {calls:>7} calls  {exec_ms / calls:.4f} + {plan_ms / calls:.4f} {'top' if top else 'nested'}  {query}"
        )


def main() -> int:
    """Measure every config, repeat by repeat, and print costs and the capacity ratio."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("usage:")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=5000, help="devices, and registrations per phase (5000)")
    parser.add_argument("--rate", type=int, default=500, help="offered registrations/s (500)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--children", type=int, default=8, help="Kamailio UDP workers (8)")
    parser.add_argument(
        "--configs",
        type=lambda s: s.split(","),
        default=["ours-db", "ours-mem", "stock-db"],
        help="of " + ", ".join(CONFIGS),
    )
    parser.add_argument(
        "--before", help="also measure config before-db: DB-only over a database migrated only below this file name"
    )
    parser.add_argument(
        "--no-pgss", action="store_true", help="without pg_stat_statements (its own cost out; no statement counts)"
    )
    parser.add_argument("--track-all", action="store_true", help="pg_stat_statements of nested statements too")
    parser.add_argument("--role-setting", action="append", default=[], help="ALTER ROLE kamailio SET k=v")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-cost-"))
    workdir.chmod(0o755)
    track = "all" if args.track_all else "top"
    options = {"shared_preload_libraries": "pg_stat_statements", "pg_stat_statements.track": track}
    if args.no_pgss:
        options = {}
    if args.track_all:
        options["pg_stat_statements.track_planning"] = "on"
    dsn, pg = stack.start_postgres(workdir, options=options)
    try:
        db.migrate(dsn, out=lambda *_: None)
        ctx = {"dsn": dsn, "pg": pg, "workdir": workdir, "args": args, "port": int(dsn.rsplit(":", 1)[1].split("/")[0])}
        ctx["csv"] = seed(dsn, args.users, workdir)
        conn = psycopg2.connect(dsn)
        with conn, conn.cursor() as cur:
            cur.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            for setting in args.role_setting:
                key, value = setting.split("=", 1)
                cur.execute(f"ALTER ROLE kamailio SET {key} = %s", (value,))
            cur.execute("ANALYZE")
        conn.close()
        ctx["configs"] = dict(CONFIGS)
        if "stock-db" in args.configs:
            seed_stock(dsn, ctx["csv"])
        if "async-db" in args.configs:
            ctx["configs"]["async-db"] = (seed_async(dsn), 3)
        if args.before:
            ctx["configs"]["before-db"] = (seed_before(dsn, args.before, args.users, workdir), 3)
            args.configs.insert(1, "before-db")
        print(
            f"register_cost: {args.users} devices, {args.rate} registrations/s, "
            f"{args.users / args.rate:.0f} s per phase, {args.repeats} repeats, configs {args.configs}",
            flush=True,
        )
        runs = {name: [] for name in args.configs}
        for _ in range(args.repeats):
            for name in args.configs:
                runs[name].append(measure(ctx, name))
        if "ours-db" in args.configs and not args.no_pgss:
            top_statements(dsn)
        report(runs)
    finally:
        pg.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
