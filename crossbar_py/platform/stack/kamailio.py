"""Kamailio for the stack: its -A defines, starting it in the foreground, and a blocking RPC client."""

import json
import os
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from crossbar_py.platform import bundled
from crossbar_py.platform.stack.process import (
    LOOPBACK,
    Process,
    StackError,
    clear_stale_pidfile,
    free_port,
    spawn,
    tcp_free,
    udp_free,
    wait_until,
)


@dataclass
class KamailioConfig:
    """The -A defines one Kamailio instance is started with."""

    db_host: str
    db_port: int
    db_name: str = "crossbar"
    sip_ip: str = LOOPBACK
    sip_port: int = 0
    rpc_port: int = 0
    defines: dict = field(default_factory=dict)
    rpc_ip: str = LOOPBACK
    netns: str | None = None

    def argv_defines(self) -> list:
        """The -A arguments for kamailio."""
        # A socket directory goes to libpq as PGHOST (below): Kamailio's db URL has no syntax for it.
        host = "" if self.db_host.startswith("/") else f"{self.db_host}:{self.db_port}"
        url = f"postgres://kamailio@{host}/{self.db_name}"
        values = {
            "SIP_IP": self.sip_ip,
            "SIP_PORT": self.sip_port,
            "RPC_PORT": self.rpc_port,
            "RPC_IP": self.rpc_ip,
            "DBURL": f'"{url}"',
            "SQLCON": f'"ca=>{url}"',
            **self.defines,
        }
        out = []
        for key, value in values.items():
            out += ["-A", f"{key}={value}"]
        return out


def start_kamailio(workdir: Path, cfg: KamailioConfig, cfg_file: Path | None = None) -> Process:
    """Start Kamailio in the foreground (UTC, loopback) and wait until its RPC answers."""
    binary = shutil.which("kamailio") or "/usr/sbin/kamailio"
    if not Path(binary).exists():
        raise StackError("kamailio not found (apt-get install kamailio kamailio-postgres-modules)")
    _claim_ports(cfg)
    run = workdir / "kamailio"
    run.mkdir(parents=True, exist_ok=True)
    pidfile = run / "kamailio.pid"
    clear_stale_pidfile(pidfile)
    env = {**os.environ, "TZ": "UTC"}
    if cfg.db_host.startswith("/"):
        env.update(PGHOST=cfg.db_host, PGPORT=str(cfg.db_port))
    argv = [binary, "-f", str(cfg_file or bundled.kamailio_cfg_file()), *_run_args(pidfile, run), *cfg.argv_defines()]
    proc = spawn("kamailio", argv, workdir / "kamailio.log", env=env, netns=cfg.netns)
    wait_until(lambda: rpc_call(cfg.rpc_port, "core.version", host=cfg.rpc_ip) is not None, "Kamailio", proc)
    if _kamailio_pid(cfg.rpc_port, cfg.rpc_ip) != proc.pid:
        proc.stop()
        raise StackError(f"another Kamailio answers on RPC port {cfg.rpc_port}")
    return proc


def _claim_ports(cfg: KamailioConfig) -> None:
    """Pick free SIP and RPC ports where `cfg` has none; raise if a given one is taken."""
    cfg.sip_port = cfg.sip_port or free_port(also_udp=True)
    cfg.rpc_port = cfg.rpc_port or free_port()
    # Kamailio shares a UDP port silently (SO_REUSEADDR): check both ports ourselves.
    ports_free = udp_free(cfg.sip_port) and tcp_free(cfg.sip_port) and tcp_free(cfg.rpc_port)
    if not cfg.netns and not ports_free:
        raise StackError(f"SIP port {cfg.sip_port} or RPC port {cfg.rpc_port} is taken")


def _run_args(pidfile: Path, run: Path) -> list:
    """Foreground, logging to stderr, pid file and runtime files in `run`, 128 MB shared and 16 MB private memory."""
    return ["-DD", "-E", "-P", str(pidfile), "-Y", str(run), "-w", str(run), "-m", "128", "-M", "16"]


def _kamailio_pid(rpc_port: int, host: str = LOOPBACK) -> int:
    """The pid of the Kamailio that answers on this RPC port (its main process, IDX 0)."""
    procs = rpc_call(rpc_port, "core.psx", host=host) or []
    return next((p["PID"] for p in procs if p["IDX"] == 0), 0)


def rpc_call(rpc_port: int, method: str, *params, timeout: float = 2.0, host: str = LOOPBACK):
    """A blocking JSON-RPC call to Kamailio (for harnesses; the API has its own async client)."""
    body = json.dumps({"jsonrpc": "2.0", "method": method, "params": list(params), "id": 1}).encode()
    req = urllib.request.Request(f"http://{host}:{rpc_port}/RPC", data=body, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            reply = json.loads(resp.read())
    except urllib.error.HTTPError as exc:  # Kamailio answers RPC errors with HTTP 500 and a JSON body
        reply = json.loads(exc.read() or b"{}")
    if "error" in reply:
        raise StackError(f"RPC {method}: {reply['error']}")
    return reply.get("result")
