"""Highest clean REGISTER rate of our Kamailio config: usrloc DB-only (db_mode 3) against memory-only
(db_mode 0), same config, same machine, same run. Clean = no failed call, no retransmission, at least
90 % of the target rate. One registration = REGISTER, 401, REGISTER with digest, 200. Every device
registers once first (INSERTs); the steps then measure refreshes (UPDATEs), what phones mostly send:
every run of a mode sends from the same sipp port, so each REGISTER refreshes the contact it made
before instead of adding one (a new port per run piled contacts up to max_contacts).
For CPU per registration at a fixed rate, steadier than rates on a shared machine: register_cost.py.

usage: python bench/register_rate.py [--users 5000] [--seconds 8] [--rates 1000,1500,...] [--modes 3,0]
       [--children 8] [--unix-socket] [--async-commit] [--commit-delay US]
"""

import argparse
import csv
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from string import Template

import psycopg2
import psycopg2.extras

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crossbar_py.auth import tokens as auth  # noqa: E402
from crossbar_py.platform import db, stack  # noqa: E402

SCENARIO = Path(__file__).resolve().parent.parent / "tests/sip/scenarios/register.xml"
REALM = "bench.sip.test"
ACCOUNT = "b" * 32


def seed(dsn: str, users: int, workdir: Path) -> Path:
    """An account with `users` devices, and the sipp CSV of their credentials."""
    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute("TRUNCATE location")
        cur.execute("DELETE FROM devices WHERE account_id = %s", (ACCOUNT,))
        cur.execute("DELETE FROM accounts WHERE id = %s", (ACCOUNT,))
        cur.execute(
            "INSERT INTO accounts (id, name, name_key, realm, doc, rev_hash) "
            "VALUES (%s, 'bench', 'bench', %s, '{}', 'x')",
            (ACCOUNT, REALM),
        )
        rows = []
        for i in range(users):
            user = f"bench{i:06d}"
            ha1, ha1b = auth.sip_ha1(user, REALM, "pw-" + user)
            rows.append((f"{i:032x}", ACCOUNT, user, user, REALM, ha1, ha1b))
        psycopg2.extras.execute_values(
            cur,
            "INSERT INTO devices (id, account_id, name, sip_username, sip_realm, ha1, ha1b, doc, rev_hash) VALUES %s",
            rows,
            template="(%s, %s, %s, %s, %s, %s, %s, '{}', 'x')",
            page_size=1000,
        )
    conn.close()
    path = workdir / "users.csv"
    with open(path, "w") as fh:
        fh.write("SEQUENTIAL\n")
        for i in range(users):
            user = f"bench{i:06d}"
            fh.write(f"{user};{REALM};[authentication username={user} password=pw-{user}]\n")
    return path


def run_rate(sip_port: int, local_port: int, users_csv: Path, rate: int, seconds: int, workdir: Path) -> dict:
    """One sipp run at `rate` registrations/s from `local_port`; its outcome."""
    scenario = workdir / "register.xml"
    scenario.write_text(
        Template(SCENARIO.read_text()).substitute(
            contact=f"127.0.0.1:{local_port}", expires=3600, final=200, user_agent="sipp-bench"
        )
    )
    stat = workdir / f"stat-{rate}.csv"
    stat.unlink(missing_ok=True)
    calls = rate * seconds
    start = time.monotonic()
    subprocess.run(
        [
            "sipp",
            f"127.0.0.1:{sip_port}",
            "-sf",
            str(scenario),
            "-inf",
            str(users_csv),
            "-i",
            "127.0.0.1",
            "-p",
            str(local_port),
            "-m",
            str(calls),
            "-r",
            str(rate),
            "-l",
            str(rate * 2),
            "-max_retrans",
            "4",
            "-nostdin",
            "-timeout",
            f"{seconds * 4}s",
            "-trace_stat",
            "-stf",
            str(stat),
            "-fd",
            "1",
        ],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    elapsed = time.monotonic() - start
    with open(stat) as fh:
        last = list(csv.DictReader(fh, delimiter=";"))[-1]
    ok = int(last["SuccessfulCall(C)"])
    return {
        "rate": rate,
        "ok": ok,
        "failed": int(last["FailedCall(C)"]),
        "retrans": int(last["Retransmissions(C)"]),
        "achieved": round(ok / elapsed),
        "calls": calls,
    }


def clean(r: dict) -> bool:
    """No failures, no retransmissions, every call done at >= 90 % of the rate."""
    return r["failed"] == 0 and r["retrans"] == 0 and r["ok"] == r["calls"] and r["achieved"] >= 0.9 * r["rate"]


def _report(mode: int, result: dict, label: str) -> None:
    verdict = "clean" if clean(result) else "NOT clean"
    print(
        f"  db_mode {mode}  {label:<8} rate {result['rate']:>5}/s  achieved {result['achieved']:>5}/s  "
        f"ok {result['ok']:>6}  failed {result['failed']:>5}  retrans {result['retrans']:>6}  {verdict}",
        flush=True,
    )


# What every load bench gives Kamailio: sipp's phones do not answer OPTIONS (keepalives would remove them
# mid-run and cost CPU of their own), and thousands of phones on loopback are the point, not a flood
# or a password guesser to ban.
LOAD_DEFINES = {"LOG_LEVEL": 1, "AUTHFAIL_LIMIT": 1000000, "KA_INTERVAL": 0, "PIKE_DENSITY": 0}


def measure_mode(workdir: Path, dsn: str, port: int, mode: int, users_csv: Path, args) -> int:
    """Highest clean refresh rate of one usrloc db_mode, after every device registered once."""
    cfg = stack.KamailioConfig(
        db_host="127.0.0.1",
        db_port=port,
        defines={**LOAD_DEFINES, "UL_DB_MODE": mode, "CHILDREN": args.children},
    )
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("TRUNCATE location")
    kam = stack.start_kamailio(workdir / f"kam{mode}", cfg)
    best = 0
    local_port = stack.free_port(also_udp=True)
    try:
        warm = run_rate(cfg.sip_port, local_port, users_csv, 500, max(1, args.users // 500), workdir)
        _report(mode, warm, "warm-up")
        for rate in args.rates:
            # A step fails only when it fails twice: one noisy second on a shared machine is not a limit.
            for attempt in (1, 2):
                time.sleep(2)
                result = run_rate(cfg.sip_port, local_port, users_csv, rate, args.seconds, workdir)
                _report(mode, result, f"try {attempt}")
                if clean(result):
                    break
            if not clean(result):
                break
            best = rate
    finally:
        kam.stop()
    return best


def main() -> int:
    """Measure both modes and print their ratio."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("usage:")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=5000, help="distinct devices (default 5000)")
    parser.add_argument("--seconds", type=int, default=8, help="length of each rate step (default 8)")
    parser.add_argument(
        "--rates",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[1000, 1500, 2000, 2250, 2500, 2750, 3000, 3500, 4000, 5000],
    )
    parser.add_argument(
        "--modes",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[3, 0],
        help="usrloc db_modes to measure (default 3,0)",
    )
    parser.add_argument(
        "--unix-socket",
        action="store_true",
        help="Kamailio reaches PostgreSQL through its Unix socket instead of TCP loopback",
    )
    parser.add_argument("--children", type=int, default=8, help="Kamailio UDP workers (default 8)")
    parser.add_argument(
        "--async-commit",
        action="store_true",
        help="measure with synchronous_commit=off for Kamailio's role (not the shipped setting)",
    )
    parser.add_argument(
        "--commit-delay",
        type=int,
        default=None,
        help="override Kamailio's role commit_delay in microseconds (0 disables group commit)",
    )
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-reg-"))
    workdir.chmod(0o755)
    dsn, pg = stack.start_postgres(workdir)
    try:
        db.migrate(dsn, out=lambda *_: None)
        port = int(dsn.rsplit(":", 1)[1].split("/")[0])
        args.db_host = str(workdir / "pgsock") if args.unix_socket else "127.0.0.1"
        users_csv = seed(dsn, args.users, workdir)
        if args.async_commit:
            with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
                cur.execute("ALTER ROLE kamailio SET synchronous_commit = off")
        if args.commit_delay is not None:
            with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
                cur.execute("ALTER ROLE kamailio SET commit_delay = %s", (args.commit_delay,))
        print(f"register_rate: {args.users} devices, {args.seconds} s per step, rates {args.rates}", flush=True)
        best = {mode: measure_mode(workdir, dsn, port, mode, users_csv, args) for mode in args.modes}
    finally:
        pg.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    for mode, rate in best.items():
        print(f"highest clean rate, db_mode {mode}: {rate}/s")
    if 3 in best and 0 in best and best[0]:
        print(f"ratio DB-only / memory-only: {best[3] / best[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
