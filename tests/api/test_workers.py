"""`serve --workers N`: one port, N processes, a dead worker replaced; jobs that must run once do."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from crossbar_py.platform import periodic, workers
from crossbar_py.platform.db import Database
from crossbar_py.platform.stack import free_port
from tests.helpers import md5_credentials


def _children(pid: int) -> set:
    return {int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


def _get(url: str, token: str | None = None) -> int:
    req = urllib.request.Request(url, headers={"X-Auth-Token": token} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def _until(check, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.fixture
def served(stack_env):
    """`crossbar-py serve --workers 3` on a free port; (Popen, base URL)."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CROSSBAR_")},
        "DATABASE_URL": stack_env.dsn,
        "REDIS_URL": stack_env.redis_url,
        "KAMAILIO_RPC_URL": f"http://127.0.0.1:{stack_env.rpc_port}/RPC",
        "CROSSBAR_JWT_SECRET": stack_env.jwt_secret,
        "CROSSBAR_LOGIN_PEPPER": stack_env.login_pepper,
        "HTTP_PORT": str(port),
    }
    proc = subprocess.Popen([sys.executable, "-m", "crossbar_py", "serve", "--workers", "3"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        _until(lambda: _get(base + "/healthz") == 200 and len(_children(proc.pid)) == 3)
        yield proc, base
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(20)


def test_a_killed_worker_is_replaced_and_sigterm_stops_them_all(served):
    proc, base = served
    before = _children(proc.pid)
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    _until(lambda: len(_children(proc.pid)) == 3 and victim not in _children(proc.pid))
    assert all(_get(base + "/healthz") == 200 for _ in range(20))
    kids = _children(proc.pid)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(20) == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in kids)


def _login(base: str, stack_env) -> str:
    import json

    body = json.dumps(
        {"data": {"credentials": md5_credentials("admin", stack_env.master_password), "account_name": "master"}}
    ).encode()
    req = urllib.request.Request(base + "/v2/user_auth", data=body, method="PUT")
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())["auth_token"]


def test_a_token_revoked_through_one_worker_is_refused_by_every_worker_within_a_second(served, stack_env):
    _, base = served
    token = _login(base, stack_env)
    url = f"{base}/v2/accounts/{stack_env.master['id']}"
    assert all(_get(url, token) == 200 for _ in range(9))
    req = urllib.request.Request(base + "/v2/token_auth", method="DELETE", headers={"X-Auth-Token": token})
    urllib.request.urlopen(req, timeout=5).close()
    time.sleep(1.1)
    assert [_get(url, token) for _ in range(15)] == [401] * 15


def test_default_workers_follow_the_environment_then_the_cores(monkeypatch):
    monkeypatch.setenv("CROSSBAR_WORKERS", "5")
    assert workers.default_workers() == 5
    monkeypatch.delenv("CROSSBAR_WORKERS")
    assert workers.default_workers() == len(os.sched_getaffinity(0))


async def test_an_exclusive_lock_is_held_by_one_process_at_a_time(stack_env):
    first, second = await Database.connect(stack_env.dsn, 2), await Database.connect(stack_env.dsn, 2)
    try:
        async with first.exclusive(99001) as mine, second.exclusive(99001) as theirs:
            assert mine and not theirs
        async with second.exclusive(99001) as theirs:
            assert theirs
    finally:
        await first.close()
        await second.close()


async def test_a_once_across_nodes_round_runs_in_one_of_many_processes(stack_env):
    nodes = [await Database.connect(stack_env.dsn, 2) for _ in range(4)]
    ran = []

    async def job():
        ran.append(1)
        await asyncio.sleep(0.3)

    try:
        results = await asyncio.gather(*(periodic.once_across_nodes(db, 99002, job) for db in nodes))
    finally:
        for db in nodes:
            await db.close()
    assert ran == [1] and sorted(results) == [False, False, False, True]


def test_metrics_of_any_worker_count_the_requests_of_all(served):
    _, base = served
    for _ in range(30):
        assert _get(base + "/healthz") == 200
    time.sleep(1.5)
    text = urllib.request.urlopen(base + "/metrics", timeout=10).read().decode()
    line = next(x for x in text.splitlines() if x.startswith('crossbar_requests_total{method="GET",route="/healthz"'))
    assert float(line.rsplit(" ", 1)[1]) >= 30


def _established(pid: int, port: int) -> int:
    """How many established connections to `port` the process holds."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd) if fd.is_symlink() else ""
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01" and fields[9] in inodes:
                count += 1
    return count


def test_a_burst_of_connections_is_spread_over_every_worker(served):
    proc, base = served
    port = int(base.rsplit(":", 1)[1])
    conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(30)]
    try:
        for conn in conns:
            conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        for conn in conns:
            assert conn.recv(4096).startswith(b"HTTP/1.1 200")
        held = sorted(_established(pid, port) for pid in _children(proc.pid))
        assert sum(held) == 30 and held[0] >= 3, held
    finally:
        for conn in conns:
            conn.close()
