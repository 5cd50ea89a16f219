"""Start and stop the components we ship against: PostgreSQL, Redis and Kamailio, on loopback."""

import contextlib
import glob
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from crossbar_py.platform import bundled, db, processes

LOOPBACK = "127.0.0.1"
NO_STATEMENT_LOGGING = "panic"


class StackError(RuntimeError):
    """A component failed to start."""


@dataclass
class Process:
    """A child process we started and must stop by pid."""

    name: str
    popen: subprocess.Popen
    log: Path
    stop_signal: int = signal.SIGTERM

    @property
    def pid(self) -> int:
        """The child's pid."""
        return self.popen.pid

    def alive(self) -> bool:
        """True while the process runs."""
        return self.popen.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        """Its stop signal (SIGTERM), then SIGKILL if it does not exit in time."""
        if not self.alive():
            return
        os.kill(self.pid, self.stop_signal)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.pid, signal.SIGKILL)
            self.popen.wait(timeout)

    def tail(self, lines: int = 30) -> str:
        """The last lines of its log, for error messages."""
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""


def free_port(kind: int = socket.SOCK_STREAM, also_udp: bool = False) -> int:
    """A loopback port free for TCP (and UDP when asked) right now."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, kind) as s:
            s.bind((LOOPBACK, 0))
            port = s.getsockname()[1]
        if not also_udp or _udp_free(port):
            return port
    raise StackError("no free loopback port")


def _udp_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def _tcp_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # As the servers themselves do: connections in TIME_WAIT from a killed instance must not
        # keep a restart off its own port; a listener still does.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def _wait(check, what: str, proc: Process, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise StackError(f"{what} exited early:\n{proc.tail()}")
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.05)
    proc.stop()
    raise StackError(f"{what} not ready after {timeout}s:\n{proc.tail()}")


LOG_MODE = 0o600


def _open_log(log: Path) -> int:
    """A log file only its owner reads: failed SQL, SIP digests and tokens are not for every local user."""
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, LOG_MODE)
    os.fchmod(fd, LOG_MODE)  # a file left by an older run keeps its mode otherwise
    return fd


def _spawn(name: str, argv: list, log: Path, env=None, user=None, netns: str | None = None) -> Process:
    if netns:
        # `ip netns exec` and setpriv both exec in place: the pid we keep is the component's own.
        switch = ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups"] if user else []
        argv, user = ["ip", "netns", "exec", netns, *switch, *argv], None
    with os.fdopen(_open_log(log), "ab") as fh:
        popen = subprocess.Popen(
            argv,
            stdout=fh,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            user=user,
            start_new_session=True,
        )
    return Process(name, popen, log)


def pg_bindir() -> Path:
    """Where initdb and postgres live (PG_BINDIR, else the newest Debian cluster version)."""
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    which = shutil.which("postgres")
    if which:
        return Path(which).parent
    raise StackError("PostgreSQL server binaries not found (apt-get install postgresql)")


def _pg_user():
    """initdb and postgres refuse to run as root: run them as the postgres user then."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError as exc:
        raise StackError("running as root needs the 'postgres' user (apt-get install postgresql)") from exc
    return "postgres"


def start_postgres(
    workdir: Path,
    port: int = 0,
    options: dict | None = None,
    *,
    host: str = LOOPBACK,
    netns: str | None = None,
    trust: str | None = None,
) -> tuple:
    """initdb (once) and start a private cluster on loopback, or on `host` inside the network namespace
    `netns` (clients from the `trust` network let in); extra server options: `options`. (dsn, Process)."""
    data, sock = workdir / "pgdata", workdir / "pgsock"
    user = _pg_user()
    for d in (data, sock):
        d.mkdir(parents=True, exist_ok=True)
        if user:
            shutil.chown(d, user, user)
    os.chmod(data, 0o700)
    bindir = pg_bindir()
    log = workdir / "postgres.log"
    if not (data / "PG_VERSION").exists():
        subprocess.run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ],
            check=True,
            user=user,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
    if trust:
        _trust_network(data / "pg_hba.conf", trust)
    port = port or free_port()
    if not netns and not _tcp_free(port):
        raise StackError(f"PostgreSQL port {port} is taken")
    stale = data / "postmaster.pid"
    if stale.exists() and not processes.alive(_read_pid(stale)):
        stale.unlink()
    proc = _spawn(
        "postgres",
        [
            str(bindir / "postgres"),
            "-D",
            str(data),
            "-p",
            str(port),
            "-k",
            str(sock),
            "-c",
            f"listen_addresses={','.join(sorted({LOOPBACK, host}))}",
            "-c",
            "max_connections=200",
            "-c",
            "shared_buffers=128MB",
            "-c",
            "timezone=UTC",
            "-c",
            "log_timezone=UTC",
            # psycopg2 sends parameters inside the statement text, and PostgreSQL logs the statement of
            # every failed one: a duplicate-username device write put its SIP password and HA1 in this
            # log. Errors are still logged, their statements never (docs/secrets.md).
            "-c",
            f"log_min_error_statement={NO_STATEMENT_LOGGING}",
            *[arg for key, value in (options or {}).items() for arg in ("-c", f"{key}={value}")],
        ],
        log,
        user=user,
        netns=netns,
    )
    # SIGINT is PostgreSQL's fast shutdown; SIGTERM (smart) would wait for every client to leave.
    proc.stop_signal = signal.SIGINT
    dsn = f"postgresql://postgres@{host}:{port}/crossbar"
    admin = f"postgresql://postgres@{host}:{port}/postgres"
    _wait(lambda: db.probe(admin), "PostgreSQL", proc)
    db.ensure_database(admin, "crossbar")
    return dsn, proc


def _trust_network(hba: Path, network: str) -> None:
    line = f"host all all {network} trust\n"
    if line not in hba.read_text():
        with open(hba, "a") as fh:
            fh.write(line)


def _read_pid(path: Path) -> int:
    with contextlib.suppress(Exception):
        return int(path.read_text().split()[0])
    return 0


def start_redis(workdir: Path, port: int = 0, *, host: str = LOOPBACK, netns: str | None = None) -> tuple:
    """Start a private Redis on loopback (or on `host` inside `netns`); return (url, Process)."""
    binary = shutil.which("redis-server")
    if not binary:
        raise StackError("redis-server not found (apt-get install redis-server)")
    port = port or free_port()
    if not netns and not _tcp_free(port):
        raise StackError(f"Redis port {port} is taken")
    rdir = workdir / "redis"
    rdir.mkdir(parents=True, exist_ok=True)
    proc = _spawn(
        "redis",
        [
            binary,
            "--port",
            str(port),
            "--bind",
            host,
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(rdir),
            "--daemonize",
            "no",
            "--protected-mode",
            # Off only inside a test's own network namespace: protected mode refuses every non-loopback client.
            "yes" if host == LOOPBACK else "no",
        ],
        workdir / "redis.log",
        netns=netns,
    )
    _wait(lambda: _redis_ready(port, host), "Redis", proc)
    return f"redis://{host}:{port}/0", proc


def _redis_ready(port: int, host: str = LOOPBACK) -> bool:
    with socket.create_connection((host, port), timeout=1) as s:
        s.sendall(b"PING\r\n")
        return s.recv(16).startswith(b"+PONG")


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
    cfg.sip_port = cfg.sip_port or free_port(also_udp=True)
    cfg.rpc_port = cfg.rpc_port or free_port()
    # Kamailio shares a UDP port silently (SO_REUSEADDR): check both ports ourselves.
    ports_free = _udp_free(cfg.sip_port) and _tcp_free(cfg.sip_port) and _tcp_free(cfg.rpc_port)
    if not cfg.netns and not ports_free:
        raise StackError(f"SIP port {cfg.sip_port} or RPC port {cfg.rpc_port} is taken")
    run = workdir / "kamailio"
    run.mkdir(parents=True, exist_ok=True)
    pidfile = run / "kamailio.pid"
    if pidfile.exists() and not processes.alive(_read_pid(pidfile)):
        pidfile.unlink()
    env = {**os.environ, "TZ": "UTC"}
    if cfg.db_host.startswith("/"):
        env.update(PGHOST=cfg.db_host, PGPORT=str(cfg.db_port))
    argv = [
        binary,
        "-f",
        str(cfg_file or bundled.kamailio_cfg_file()),
        "-DD",
        "-E",
        "-P",
        str(pidfile),
        "-Y",
        str(run),
        "-w",
        str(run),
        "-m",
        "128",
        "-M",
        "16",
        *cfg.argv_defines(),
    ]
    proc = _spawn("kamailio", argv, workdir / "kamailio.log", env=env, netns=cfg.netns)
    _wait(lambda: rpc_call(cfg.rpc_port, "core.version", host=cfg.rpc_ip) is not None, "Kamailio", proc)
    if _kamailio_pid(cfg.rpc_port, cfg.rpc_ip) != proc.pid:
        proc.stop()
        raise StackError(f"another Kamailio answers on RPC port {cfg.rpc_port}")
    return proc


def _kamailio_pid(rpc_port: int, host: str = LOOPBACK) -> int:
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


def start_api(workdir: Path, env: dict, host: str, port: int) -> Process:
    """Start `crossbar-py serve` as a child (env: its settings) and wait until /healthz answers."""
    argv = [sys.executable, "-m", "crossbar_py", "serve", "--host", host, "--port", str(port)]
    proc = _spawn("api", argv, workdir / "api.log", env={**os.environ, **env})
    _wait(lambda: _http_ok(f"http://{host}:{port}/healthz"), "API", proc)
    return proc


def _http_ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=1) as resp:
        return resp.status == 200
