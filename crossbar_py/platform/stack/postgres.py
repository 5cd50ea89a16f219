"""A private PostgreSQL cluster for the stack: initdb once, start, wait, create the database."""

import glob
import os
import pwd
import shutil
import signal
import subprocess
from pathlib import Path

from crossbar_py.platform import db
from crossbar_py.platform.stack.process import (
    LOOPBACK,
    Process,
    StackError,
    clear_stale_pidfile,
    free_port,
    spawn,
    tcp_free,
    wait_until,
)

NO_STATEMENT_LOGGING = "panic"
INITDB_ARGS = ("-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8")
SETTINGS = {
    "max_connections": 200,
    "shared_buffers": "128MB",
    "timezone": "UTC",
    "log_timezone": "UTC",
    # psycopg2 sends parameters inside the statement text, and PostgreSQL logs the statement of
    # every failed one: a duplicate-username device write put its SIP password and HA1 in this
    # log. Errors are still logged, their statements never (docs/secrets.md).
    "log_min_error_statement": NO_STATEMENT_LOGGING,
}


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
    _make_dirs(data, sock, user)
    bindir = pg_bindir()
    _initdb(bindir, data, user)
    if trust:
        _trust_network(data / "pg_hba.conf", trust)
    port = port or free_port()
    if not netns and not tcp_free(port):
        raise StackError(f"PostgreSQL port {port} is taken")
    clear_stale_pidfile(data / "postmaster.pid")
    argv = _postgres_argv(bindir, data, sock, port, host, options or {})
    proc = _spawn_postgres(argv, workdir / "postgres.log", user, netns)
    admin = f"postgresql://postgres@{host}:{port}/postgres"
    wait_until(lambda: db.probe(admin), "PostgreSQL", proc)
    db.ensure_database(admin, "crossbar")
    return f"postgresql://postgres@{host}:{port}/crossbar", proc


def _pg_user():
    """initdb and postgres refuse to run as root: run them as the postgres user then."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError as exc:
        raise StackError("running as root needs the 'postgres' user (apt-get install postgresql)") from exc
    return "postgres"


def _make_dirs(data: Path, sock: Path, user: str | None) -> None:
    """The data and socket directories, owned by `user`; the data one private, as postgres demands."""
    for d in (data, sock):
        d.mkdir(parents=True, exist_ok=True)
        if user:
            shutil.chown(d, user, user)
    os.chmod(data, 0o700)


def _initdb(bindir: Path, data: Path, user: str | None) -> None:
    """Create the cluster in `data` unless one is there already."""
    if (data / "PG_VERSION").exists():
        return
    subprocess.run(
        [str(bindir / "initdb"), "-D", str(data), *INITDB_ARGS],
        check=True,
        user=user,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _trust_network(hba: Path, network: str) -> None:
    """Let clients from `network` in without a password (once)."""
    line = f"host all all {network} trust\n"
    if line not in hba.read_text():
        with open(hba, "a") as fh:
            fh.write(line)


def _postgres_argv(bindir: Path, data: Path, sock: Path, port: int, host: str, options: dict) -> list:
    """The server's command line: our settings, then the caller's `options`."""
    listen = {"listen_addresses": ",".join(sorted({LOOPBACK, host}))}
    server = [str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(sock)]
    return server + _settings_args({**listen, **SETTINGS}) + _settings_args(options)


def _settings_args(settings: dict) -> list:
    """`-c key=value` for each setting."""
    return [arg for key, value in settings.items() for arg in ("-c", f"{key}={value}")]


def _spawn_postgres(argv: list, log: Path, user: str | None, netns: str | None) -> Process:
    """Start the server, to be stopped with a fast shutdown."""
    proc = spawn("postgres", argv, log, user=user, netns=netns)
    # SIGINT is PostgreSQL's fast shutdown; SIGTERM (smart) would wait for every client to leave.
    proc.stop_signal = signal.SIGINT
    return proc
