"""import-kazoo at cluster size (issue 11): a CouchDB dump of N accounts x M phones (default 10,000 x 10),
imported by `crossbar-py import-kazoo` into a private PostgreSQL; prints documents per second and the
importer's peak memory, next to a run on a tenth of the accounts (memory must not grow with them).
Target: >= 2,000 documents/s, memory flat.

usage: python bench/import.py [--accounts 10000] [--devices 10] [--workers 4]
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crossbar_py.platform import db, stack  # noqa: E402
from tests.importer import kazoo_dump as kz  # noqa: E402


def _rows(docs) -> str:
    return ",".join(json.dumps({"id": d["_id"], "key": d["_id"], "value": {"rev": d["_rev"]}, "doc": d}) for d in docs)


def _write_db(root: Path, account_id: str, docs: list) -> None:
    name = quote(kz.account_db(account_id), safe="") + ".json"
    (root / name).write_text(f'{{"total_rows": {len(docs)}, "offset": 0, "rows": [{_rows(docs)}]}}')


def write_dump(root: Path, accounts: int, devices: int, tag: str) -> int:
    """Write the dump one account at a time (never whole in memory); how many documents it holds."""
    root.mkdir(parents=True)
    reseller = kz.account(f"Bench {tag}", f"bench-{tag}.kazoo.test", [])
    _write_db(root, reseller["_id"], [reseller])
    total = 1
    with open(root / "accounts.json", "w") as index:
        index.write(f'{{"total_rows": {accounts + 1}, "offset": 0, "rows": [{_rows([reseller])}')
        for i in range(accounts):
            acct = kz.account(f"Cust {tag} {i}", f"c{i}-{tag}.kazoo.test", [reseller["_id"]])
            index.write("," + _rows([acct]))
            phones = [kz.device(acct["_id"], f"u{i}x{j}", f"pw{i}x{j}") for j in range(devices)]
            _write_db(root, acct["_id"], [acct, *phones])
            total += 1 + devices
        index.write("]}")
    return total


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and of the children it reaped (PostgreSQL's backends, for the postmaster)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def run_import(dsn: str, root: Path, workers: int, pg_pid: int) -> dict:
    """`crossbar-py import-kazoo` as its own process: its report, its peak RSS (MiB), and the CPU seconds
    it and PostgreSQL spent (the machine may be shared: CPU per document does not depend on its load)."""
    pg_before = cpu_seconds(pg_pid)
    report = root.parent / f"{root.name}-report.json"
    env = {**os.environ, "DATABASE_URL": dsn, "LOG_LEVEL": "WARNING", "CROSSBAR_LOGIN_PEPPER": "bench-pepper"}
    argv = [sys.executable, "-m", "crossbar_py", "import-kazoo", "--from-dump", str(root), "--report", str(report)]
    proc = subprocess.Popen(argv + ["--workers", str(workers)], env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"import-kazoo failed ({status})")
    data = json.loads(report.read_text())
    data["peak_mib"] = usage.ru_maxrss / 1024
    data["importer_cpu"] = usage.ru_utime + usage.ru_stime
    data["postgres_cpu"] = cpu_seconds(pg_pid) - pg_before
    return data


def main() -> None:
    """Build two dumps, import both, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--devices", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-import-"))
    work.chmod(0o755)
    dsn, pg = stack.start_postgres(work)
    try:
        db.migrate(dsn, out=lambda *_: None)
        results = []
        for label, accounts in (("small", max(1, args.accounts // 10)), ("full", args.accounts)):
            t0 = time.monotonic()
            docs = write_dump(work / label, accounts, args.devices, f"{label}{os.getpid()}")
            print(f"{label}: dump of {accounts} accounts, {docs} documents written in {time.monotonic() - t0:.1f} s")
            results.append((label, accounts, run_import(dsn, work / label, args.workers, pg.pid)))
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        for label, accounts, r in results:
            docs = r["documents"]
            print(
                f"{label:>5}: {accounts:>6} accounts {docs:>7} documents in {r['seconds']:7.1f} s = "
                f"{r['documents_per_second']:7.0f} documents/s, peak RSS {r['peak_mib']:.0f} MiB; CPU per document: "
                f"importer {r['importer_cpu'] / docs * 1e3:.2f} ms, PostgreSQL {r['postgres_cpu'] / docs * 1e3:.2f} ms "
                f"(two idle cores: {docs / max(r['importer_cpu'], r['postgres_cpu']):.0f} documents/s)"
            )
        print(f"bench process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    finally:
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
