"""A private Redis for the stack, without persistence."""

import shutil
import socket
from pathlib import Path

from crossbar_py.platform.stack.process import LOOPBACK, StackError, free_port, spawn, tcp_free, wait_until


def start_redis(workdir: Path, port: int = 0, *, host: str = LOOPBACK, netns: str | None = None) -> tuple:
    """Start a private Redis on loopback (or on `host` inside `netns`); return (url, Process)."""
    binary = shutil.which("redis-server")
    if not binary:
        raise StackError("redis-server not found (apt-get install redis-server)")
    port = port or free_port()
    if not netns and not tcp_free(port):
        raise StackError(f"Redis port {port} is taken")
    rdir = workdir / "redis"
    rdir.mkdir(parents=True, exist_ok=True)
    proc = spawn("redis", _redis_argv(binary, port, host, rdir), workdir / "redis.log", netns=netns)
    wait_until(lambda: _redis_ready(port, host), "Redis", proc)
    return f"redis://{host}:{port}/0", proc


def _redis_argv(binary: str, port: int, host: str, rdir: Path) -> list:
    """The server's command line: no snapshots, no append-only file, in the foreground."""
    return [
        binary,
        *("--port", str(port), "--bind", host, "--save", "", "--appendonly", "no"),
        *("--dir", str(rdir), "--daemonize", "no"),
        "--protected-mode",
        # Off only inside a test's own network namespace: protected mode refuses every non-loopback client.
        "yes" if host == LOOPBACK else "no",
    ]


def _redis_ready(port: int, host: str = LOOPBACK) -> bool:
    """True once Redis answers PING."""
    with socket.create_connection((host, port), timeout=1) as s:
        s.sendall(b"PING\r\n")
        return s.recv(16).startswith(b"+PONG")
