"""A whole `crossbar-py run` stack (supervisor, PostgreSQL, Redis, Kamailio, API) per module, for faults."""

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import psycopg2
import pytest

from crossbar_py.platform import stack
from tests.helpers import md5_credentials

PASSWORD = "demo-pass-" + "x" * 8


@dataclass
class RunStack:
    """Where a `crossbar-py run` listens, and the pids its supervisor reports."""

    proc: subprocess.Popen
    data: Path
    api: str
    sip_port: int
    log: Path

    def events(self) -> list:
        """The supervisor's JSON log lines (component started / died / restarted)."""
        out = []
        for line in self.log.read_text(errors="replace").splitlines():
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if entry.get("component"):
                    out.append(entry)
        return out

    def pid(self, component: str) -> int:
        """The component's current pid, as the supervisor last started it."""
        started = [e for e in self.events() if e["component"] == component and "pid" in e and "returncode" not in e]
        return started[-1]["pid"]

    def dsn(self) -> str:
        """The database, on the port PostgreSQL's pid file names."""
        port = int((self.data / "pgdata" / "postmaster.pid").read_text().splitlines()[3])
        return f"postgresql://postgres@127.0.0.1:{port}/crossbar"

    def redis_url(self) -> str:
        """Redis, on the port its process title names ("redis-server 127.0.0.1:PORT")."""
        title = Path(f"/proc/{self.pid('redis')}/cmdline").read_bytes().split(b"\0")[0].decode()
        return f"redis://127.0.0.1:{title.rpartition(':')[2].strip()}/0"

    def sql(self, query: str, params=None) -> list:
        """Rows of one query, on a connection of its own."""
        with contextlib.closing(psycopg2.connect(self.dsn())) as conn, conn, conn.cursor() as cur:
            cur.execute(query, params)
            return cur.fetchall()

    async def login(self, session: aiohttp.ClientSession) -> tuple:
        """(token, account id) of the demo admin."""
        body = {"data": {"credentials": md5_credentials("admin", PASSWORD), "account_name": "demo"}}
        async with session.put(f"{self.api}/v2/user_auth", json=body) as resp:
            reply = await resp.json()
            assert resp.status == 201, reply
            return reply["auth_token"], reply["data"]["account_id"]

    def wait_for(self, check, timeout: float = 30.0, what: str = "condition") -> None:
        """Poll until check() is true."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                if check():
                    return
            time.sleep(0.05)
        raise AssertionError(f"{what} not met after {timeout}s; supervisor log:\n{self.log.read_text()[-3000:]}")

    async def until(self, check, timeout: float = 30.0, what: str = "condition") -> None:
        """wait_for without blocking the test's event loop (a receiver may be serving on it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"{what} not met after {timeout}s")


@pytest.fixture(scope="module")
def run_stack():
    """`python -m crossbar_py run` in a data directory of its own, on free ports; stopped with SIGTERM."""
    data = Path(tempfile.mkdtemp(prefix="crossbar-run-"))
    data.chmod(0o755)
    http_port, sip_port = stack.free_port(), stack.free_port(also_udp=True)
    env = {
        **os.environ,
        "CROSSBAR_DATA_DIR": str(data),
        "HTTP_PORT": str(http_port),
        "SIP_PORT": str(sip_port),
        "DEMO_PASSWORD": PASSWORD,
        "CROSSBAR_WEBHOOK_ALLOW_PRIVATE": "1",
        "CROSSBAR_WEBHOOK_BACKOFF_BASE": "0.5",
        "CROSSBAR_WEBHOOK_POLL_INTERVAL": "0.2",
    }
    log = data / "run.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "crossbar_py", "run"],
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    run = RunStack(proc, data, f"http://127.0.0.1:{http_port}", sip_port, log)
    try:
        run.wait_for(lambda: "crossbar_py is running." in log.read_text(), 90, "stack start")
        yield run
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        if not os.environ.get("CROSSBAR_KEEP_TEST_DIR"):
            shutil.rmtree(data, ignore_errors=True)
