"""The API itself as a child of the stack."""

import os
import sys
import urllib.request
from pathlib import Path

from crossbar_py.platform.stack.process import Process, spawn, wait_until


def start_api(workdir: Path, env: dict, host: str, port: int) -> Process:
    """Start `crossbar-py serve` as a child (env: its settings) and wait until /healthz answers."""
    argv = [sys.executable, "-m", "crossbar_py", "serve", "--host", host, "--port", str(port)]
    proc = spawn("api", argv, workdir / "api.log", env={**os.environ, **env})
    wait_until(lambda: _http_ok(f"http://{host}:{port}/healthz"), "API", proc)
    return proc


def _http_ok(url: str) -> bool:
    """True if `url` answers 200."""
    with urllib.request.urlopen(url, timeout=1) as resp:
        return resp.status == 200
