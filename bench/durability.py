"""What a PostgreSQL crash loses: phones register (new contacts, usrloc DB-only) at a fixed rate, every
200 OK is logged by sipp with its username, PostgreSQL is killed with SIGKILL mid-storm (every process
of the cluster at once, as a power cut would), restarted (crash recovery), and the acknowledged
registrations missing from `location` are counted. Run for the shipped setting and for
synchronous_commit=off on Kamailio's role.

usage: python bench/durability.py [--users 20000] [--rate 500] [--kill-after 8] [--async-commit]
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from string import Template

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.register_rate import LOAD_DEFINES, seed  # noqa: E402
from crossbar_py.platform import db, stack  # noqa: E402

SCENARIO = Path(__file__).resolve().parent.parent / "tests/sip/scenarios/register.xml"


def descendants(leader: int) -> list:
    """leader and every process below it."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    parents[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    found, todo = [], [leader]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += [child for child, parent in parents.items() if parent == pid]
    return found


def scenario(workdir: Path, port: int) -> Path:
    """The tests' REGISTER scenario; each 200 OK logs its username (sipp -trace_logs)."""
    text = Template(SCENARIO.read_text()).substitute(
        contact=f"127.0.0.1:{port}", expires=3600, final=200, user_agent="sipp-durability"
    )
    ok = '<recv response="200">\n    <action><log message="OK [field0]"/></action>\n  </recv>'
    path = workdir / "durability.xml"
    path.write_text(text.replace('<recv response="200"/>', ok))
    return path


def storm(kam_port: int, users_csv: Path, args, workdir: Path) -> subprocess.Popen:
    """sipp registering every device once, at the rate, in the background."""
    port = stack.free_port(also_udp=True)
    argv = ["sipp", f"127.0.0.1:{kam_port}", "-sf", str(scenario(workdir, port)), "-inf", str(users_csv)]
    argv += ["-i", "127.0.0.1", "-p", str(port), "-m", str(args.users), "-r", str(args.rate)]
    argv += ["-l", str(args.rate * 4), "-nostdin", "-trace_logs", "-recv_timeout", "3000", "-timeout", "120s"]
    return subprocess.Popen(argv, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def acknowledged(workdir: Path) -> set:
    """Usernames sipp saw a 200 OK for."""
    names = set()
    for path in workdir.glob("durability_*_logs.log"):
        names |= {line.split()[1] for line in path.read_text().splitlines() if line.startswith("OK ")}
    return names


def main() -> int:
    """One storm, one crash, one count."""
    parser = argparse.ArgumentParser(description=__doc__.split("usage:")[0])
    parser.add_argument("--users", type=int, default=20000)
    parser.add_argument("--rate", type=int, default=500, help="registrations/s (500)")
    parser.add_argument("--kill-after", type=float, default=8.0, help="seconds into the storm (8)")
    parser.add_argument("--async-commit", action="store_true", help="synchronous_commit=off for role kamailio")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-durability-"))
    workdir.chmod(0o755)
    dsn, pg = stack.start_postgres(workdir)
    port = int(dsn.rsplit(":", 1)[1].split("/")[0])
    kam = None
    try:
        db.migrate(dsn, out=lambda *_: None)
        users_csv = seed(dsn, args.users, workdir)
        setting = "off" if args.async_commit else "on"
        with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
            cur.execute("ALTER ROLE kamailio SET synchronous_commit = %s", (setting,))
        cfg = stack.KamailioConfig(
            db_host="127.0.0.1",
            db_port=port,
            defines={**LOAD_DEFINES, "UL_DB_MODE": 3},
        )
        kam = stack.start_kamailio(workdir / "kam", cfg)
        sipp = storm(cfg.sip_port, users_csv, args, workdir)
        time.sleep(args.kill_after)
        for pid in descendants(pg.pid):
            os.kill(pid, signal.SIGKILL)
        killed_at = time.monotonic()
        pg.popen.wait()
        time.sleep(2)
        sipp.send_signal(signal.SIGUSR1)  # sipp's own way to stop: it finishes its logs
        try:
            sipp.wait(30)
        except subprocess.TimeoutExpired:
            sipp.kill()
        acked = acknowledged(workdir)
        # The old port may linger in TIME_WAIT: the recovered cluster listens on a new one.
        dsn, pg = stack.start_postgres(workdir)
        with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
            cur.execute("SELECT username FROM location")
            stored = {row[0] for row in cur.fetchall()}
        missing = acked - stored
        print(
            f"durability: synchronous_commit={setting} for kamailio, {args.rate} registrations/s, "
            f"PostgreSQL killed {args.kill_after:.0f} s in; acknowledged {len(acked)}, "
            f"in location after recovery {len(stored)}, acknowledged but lost {len(missing)} "
            f"(recovered {time.monotonic() - killed_at:.1f} s after the kill)"
        )
    finally:
        if kam:
            kam.stop()
        pg.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
