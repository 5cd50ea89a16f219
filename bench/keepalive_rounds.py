"""Keepalive rounds at fleet size: N contacts of one Kamailio node, all dead, seeded into `location`;
how long until the node has removed them all (KA_MAX_FAILS unanswered rounds each), and how many
OPTIONS each round sent. Before paging, a round stopped after 100 contacts (max_while_loops).

usage: python bench/keepalive_rounds.py [--contacts 5000] [--interval 2] [--batch 500]
"""

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crossbar_py.platform import db, stack  # noqa: E402

SERVER_ID = 5
# Dead phones: the discard port of loopback addresses nobody listens on.
SEED = """
INSERT INTO location (ruid, username, domain, contact, expires, last_modified, user_agent, server_id, socket)
SELECT 'ka-ruid-' || i, 'ka' || i, 'bench.sip.test', 'sip:ka' || i || '@127.0.9.' || (i %% 250 + 1) || ':9',
       (now() AT TIME ZONE 'UTC') + interval '50 minutes', now() AT TIME ZONE 'UTC', 'bench-phone/1.0',
       %(server_id)s, NULL
  FROM generate_series(1, %(n)s) AS i
"""


def _count(dsn: str) -> int:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM location WHERE server_id = %s", (SERVER_ID,))
        return cur.fetchone()[0]


def main() -> int:
    """Seed, start the node, time the clean-up, print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=5000)
    parser.add_argument("--interval", type=int, default=2)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="ka-bench-"))
    workdir.chmod(0o755)
    procs = []
    try:
        dsn, pg = stack.start_postgres(workdir)
        procs.append(pg)
        db.migrate(dsn, out=lambda *_: None)
        with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
            cur.execute(SEED, {"n": args.contacts, "server_id": SERVER_ID})
        port = int(dsn.rsplit(":", 1)[1].split("/")[0])
        defines = {
            "KA_INTERVAL": args.interval,
            "KA_MAX_FAILS": 2,
            "KA_BATCH": args.batch,
            "FR_TIMER": 1000,
            "SERVER_ID": SERVER_ID,
            "PIKE_DENSITY": 0,
            "CHILDREN": 2,
        }
        started = time.monotonic()
        procs.append(stack.start_kamailio(workdir, stack.KamailioConfig("127.0.0.1", port, defines=defines)))
        while _count(dsn) and time.monotonic() - started < 600:
            time.sleep(0.1)
        elapsed = time.monotonic() - started
        rounds = [int(n) for n in re.findall(r"round sent (\d+) OPTIONS", (workdir / "kamailio.log").read_text())]
        print(f"contacts {args.contacts}, rounds every {args.interval} s, pages of {args.batch}, 2 unanswered rounds")
        print(f"left: {_count(dsn)}; all removed after {elapsed:.1f} s; OPTIONS per round: {rounds}")
        return 0
    finally:
        for proc in reversed(procs):
            proc.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
