"""crossbar-py: run the Kazoo-compatible API, its migrations, and a whole local stack."""

import argparse
import asyncio
import dataclasses
import os
import secrets
import signal
import sys
import tempfile
from pathlib import Path

from aiohttp import web

from crossbar_py.app import create_app
from crossbar_py.http.server import ApiRunner
from crossbar_py.importer import commands as importer
from crossbar_py.platform import bundled, db, logs, stack, workers
from crossbar_py.platform.supervisor import Component, Supervisor
from crossbar_py.settings import SecretsMissing, Settings, check_secrets

DESCRIPTION = """\
A Kazoo Crossbar-compatible REST API for SIP devices and registrations, over Kamailio and PostgreSQL.

commands:
  run             start PostgreSQL, Redis, Kamailio and the API on loopback with a demo account
                  (what `make run` does) and restart any of them that dies; Ctrl-C stops
                  everything it started
  serve           serve the API against existing services (DATABASE_URL, REDIS_URL, KAMAILIO_RPC_URL)
  migrate         apply the SQL migrations shipped with the package to DATABASE_URL
  healthcheck     exit 0 when the API at HTTP_HOST:HTTP_PORT answers /healthz (container healthchecks)
  kamailio-cfg    print (or --output FILE) the Kamailio configuration to run Kamailio with
  account create  create an account with an admin user
  import-kazoo    import accounts, users and devices from a Kazoo API or CouchDB dump (resumable)
  cutover         compare registrations with Kazoo, and check-sync the phones not moved yet

environment:
  DATABASE_URL, REDIS_URL, KAMAILIO_RPC_URL   where the services are (serve, migrate, account)
  KAMAILIO_DB_PASSWORD                         migrate sets it as the kamailio role's password
  HTTP_HOST, HTTP_PORT (8000)                  where the API listens
  SIP_IP (127.0.0.1), SIP_PORT (5060)          where Kamailio listens (run)
  DEMO_ACCOUNT (demo), DEMO_USER (admin), DEMO_PASSWORD (generated, kept in the data dir)   (run)
  CROSSBAR_WORKERS                             serve's processes (default: the cores it may use)
  CROSSBAR_DATA_DIR                            run's data directory (kept between runs)
  CROSSBAR_JWT_SECRET                          token signing key (required by serve; run keeps one in the data dir)
  CROSSBAR_JWT_PREVIOUS_SECRETS                rotated-out signing keys, comma-separated: their tokens live on
  CROSSBAR_LOGIN_PEPPER                        key of the login lookup (required by serve and account create)
  CROSSBAR_LOGIN_PREVIOUS_PEPPERS              rotated-out peppers, comma-separated (docs/operations.md)
"""


def _command(sub, name: str, summary: str, description: str) -> argparse.ArgumentParser:
    """A sub-command whose --help explains what it does, not only its flags."""
    return sub.add_parser(
        name, help=summary, description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crossbar-py", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    _command(
        sub,
        "run",
        "the whole stack on loopback with a demo account",
        "Start a private PostgreSQL (migrated), Redis, Kamailio and the API on loopback, create the demo\n"
        "account and its admin, and print how to log in and point a phone at it. Data (PostgreSQL, the demo\n"
        "password, the signing key) stays in CROSSBAR_DATA_DIR between runs. Ctrl-C or SIGTERM stops\n"
        "everything it started.",
    )
    serve = _command(
        sub,
        "serve",
        "serve the API",
        "Serve the HTTP API against services that already run: DATABASE_URL (migrated), REDIS_URL and\n"
        "KAMAILIO_RPC_URL, with CROSSBAR_JWT_SECRET and CROSSBAR_LOGIN_PEPPER set (exits 2 naming a missing\n"
        "one). --workers N forks N processes on one port (default: the cores); background jobs (webhook\n"
        "delivery, the journal tailer, snapshots, retention, revocation) are correct with any number of\n"
        "workers and nodes (docs/operations.md). Stops cleanly on SIGTERM.",
    )
    serve.add_argument("--host", default=None, help="listen address (HTTP_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="listen port (HTTP_PORT, default 8000)")
    serve.add_argument(
        "--workers", type=int, default=None, help="API processes sharing the port (CROSSBAR_WORKERS, default: cores)"
    )
    _command(
        sub,
        "migrate",
        "apply SQL migrations to DATABASE_URL",
        "Apply the numbered SQL migrations shipped in the package and not applied yet to DATABASE_URL, each in\n"
        "its own transaction, under an advisory lock (several nodes may run it at once). Prints each one it\n"
        "applies. Exits 2 when the package carries no migrations, 1 when one fails. With KAMAILIO_DB_PASSWORD\n"
        "set, gives the kamailio role that password.",
    )
    health = _command(
        sub,
        "healthcheck",
        "probe the local API's /healthz",
        "Exit 0 when the API answers GET /healthz with 200 (default http://127.0.0.1:HTTP_PORT/healthz), 1\n"
        "otherwise: the container healthcheck of the API image.",
    )
    health.add_argument("--url", default=None, help="what to probe (default http://127.0.0.1:HTTP_PORT/healthz)")
    kcfg = _command(
        sub,
        "kamailio-cfg",
        "print the Kamailio configuration",
        "Print (or write with --output) the kamailio.cfg shipped in the package: run Kamailio with\n"
        "`kamailio -f FILE -A NAME=value ...` (kamailio/README.md lists the defines).",
    )
    kcfg.add_argument("--output", "-o", help="write it to this file instead of stdout")
    account = _command(
        sub, "account", "manage accounts", "Manage accounts directly in the database (no API token needed)."
    ).add_subparsers(dest="action", required=True)
    create = _command(
        account,
        "create",
        "create an account with an admin user",
        "Create an account (a top-level one, or a child of --parent) with an admin user, in DATABASE_URL.\n"
        "Prints the account id, its SIP realm and the admin's password. Exits 1 if the name is taken, 2\n"
        "without CROSSBAR_LOGIN_PEPPER.",
    )
    create.add_argument("--name", required=True, help="account name (unique)")
    create.add_argument("--realm", help="SIP realm (generated when omitted)")
    create.add_argument("--parent", help="parent account id (none: a top-level account)")
    create.add_argument("--superduper", action="store_true", help="may reach every account")
    create.add_argument("--user", default="admin", help="admin username (default admin)")
    create.add_argument("--password", help="admin password (generated and printed when omitted)")
    importer.add_arguments(sub)
    return parser


async def ensure_account(
    settings: Settings,
    name: str,
    user: str,
    password: str,
    realm: str | None = None,
    parent_id: str | None = None,
    superduper: bool = False,
) -> tuple:
    """Create (or find, by name) an account with an admin user; return (account row, created?)."""
    from crossbar_py.accounts import service as accounts
    from crossbar_py.users import service as users

    database = await db.Database.connect(settings.database_url, 2)
    try:
        found = await accounts.find_by_name(database, name)
        if found:
            return found[0], False
        parent = await accounts.find_account(database, parent_id) if parent_id else None
        data = {"name": name, **({"realm": realm} if realm else {})}
        account = await accounts.create_account(database, data, parent, settings.realm_suffix, superduper)
        await users.create_user(
            database,
            settings,
            account,
            {
                "first_name": "Account",
                "last_name": "Admin",
                "username": user,
                "password": password,
                "priv_level": "admin",
            },
        )
        return account, True
    finally:
        await database.close()


def _kept_secret(path: Path, env_value: str | None, nbytes: int = 12) -> str:
    if env_value:
        return env_value
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_urlsafe(nbytes)
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value


def _kept_keys(data: Path) -> dict:
    """run's signing key and login pepper, generated once and kept in the data directory."""
    key = _kept_secret(data / "jwt-secret", os.environ.get("CROSSBAR_JWT_SECRET"), 32)
    legacy = (data / "demo-password").exists() and not (data / "login-pepper").exists()
    keys: dict = {"jwt_secret": key, "login_pepper": _kept_secret(data / "login-pepper", None, 32)}
    keys["login_pepper"] = os.environ.get("CROSSBAR_LOGIN_PEPPER") or keys["login_pepper"]
    previous = data / "login-previous-peppers"
    if legacy:
        # A data dir from before the pepper existed: its users' lookup keys were made with the signing key,
        # and stay findable (kept in a file) until each user has logged in again.
        previous.write_text(key + "\n")
        previous.chmod(0o600)
    if previous.exists():
        keys["login_previous_peppers"] = tuple(previous.read_text().split())
    return keys


def _data_dir() -> Path:
    default = "/var/lib/crossbar-py" if os.geteuid() == 0 else str(Path.home() / ".local/state/crossbar-py")
    path = Path(os.environ.get("CROSSBAR_DATA_DIR", default))
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o755)
    return path


def _banner(settings: Settings, account: dict, user: str, password: str, sip_ip: str, sip_port: int) -> str:
    api = f"http://{settings.http_host}:{settings.http_port}"
    return f"""
crossbar_py is running.
  API        {api}/v2/   (health: {api}/readyz)
  Log in:
    curl -s -X PUT {api}/v2/user_auth -H 'Content-Type: application/json' \\
      -d '{{"data": {{"credentials": "'$(printf '%s' '{user}:{password}' | md5sum | cut -d' ' -f1)'", \\
             "account_name": "{account["name"]}"}}}}'
  Account    {account["name"]}  id {account["id"]}  user {user}  password {password}
  Phones     SIP server {sip_ip}, port {sip_port} (UDP or TCP), domain/realm {account["realm"]};
             create a device with sip.username and sip.password first (PUT /v2/accounts/{account["id"]}/devices)
Ctrl-C stops everything.
"""


async def _serve_until_signal(settings: Settings, sock=None) -> None:
    runner = ApiRunner(create_app(settings), access_log=None)
    await runner.setup()
    if sock is None:
        await web.TCPSite(runner, settings.http_host, settings.http_port).start()
    else:
        await web.SockSite(runner, sock).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


def _components(data: Path, sup: Supervisor) -> tuple:
    """Start PostgreSQL (migrated), Redis and Kamailio under the supervisor, each on a port kept
    for its restarts; (settings for the API, sip ip, sip port)."""
    pg_port, redis_port = stack.free_port(), stack.free_port()
    dsn = f"postgresql://postgres@127.0.0.1:{pg_port}/crossbar"
    sup.start(Component("postgres", lambda: stack.start_postgres(data, pg_port)[1], data / "pgdata" / "postmaster.pid"))
    db.migrate(dsn)
    sup.start(Component("redis", lambda: stack.start_redis(data, redis_port)[1]))
    sip_ip, sip_port = os.environ.get("SIP_IP", "127.0.0.1"), int(os.environ.get("SIP_PORT", "5060"))
    kcfg = stack.KamailioConfig(db_host="127.0.0.1", db_port=pg_port, sip_ip=sip_ip, sip_port=sip_port)
    sup.start(Component("kamailio", lambda: stack.start_kamailio(data, kcfg), data / "kamailio" / "kamailio.pid"))
    settings = Settings.from_env(
        **_kept_keys(data),
        database_url=dsn,
        redis_url=f"redis://127.0.0.1:{redis_port}/0",
        sip_server=sip_ip,
        sip_port=sip_port,
        kamailio_rpc_url=f"http://127.0.0.1:{kcfg.rpc_port}/RPC",
    )
    return settings, sip_ip, sip_port


def _api_env(settings: Settings) -> dict:
    """What `crossbar-py serve` reads for the settings run decided."""
    return {
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "KAMAILIO_RPC_URL": settings.kamailio_rpc_url,
        "SIP_SERVER": settings.sip_server,
        "SIP_PORT": str(settings.sip_port),
        "CROSSBAR_JWT_SECRET": settings.jwt_secret,
        "CROSSBAR_JWT_PREVIOUS_SECRETS": ",".join(settings.jwt_previous_secrets),
        "CROSSBAR_LOGIN_PEPPER": settings.login_pepper,
        "CROSSBAR_LOGIN_PREVIOUS_PEPPERS": ",".join(settings.login_previous_peppers),
    }


def cmd_run() -> int:
    """The whole stack on loopback under a supervisor that restarts what dies, until Ctrl-C or SIGTERM."""
    data = _data_dir()
    sup = Supervisor()
    # SIGTERM must still reach the finally below, which stops what was started.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        settings, sip_ip, sip_port = _components(data, sup)
        user = os.environ.get("DEMO_USER", "admin")
        password = _kept_secret(data / "demo-password", os.environ.get("DEMO_PASSWORD"))
        account, _ = asyncio.run(
            ensure_account(settings, os.environ.get("DEMO_ACCOUNT", "demo"), user, password, superduper=True)
        )
        api = (settings.http_host, settings.http_port)
        sup.start(Component("api", lambda: stack.start_api(data, _api_env(settings), *api)))
        print(_banner(settings, account, user, password, sip_ip, sip_port), flush=True)
        sup.run(lambda: False)
        return 0
    except stack.StackError as exc:
        print(f"crossbar-py run: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        sup.stop_all()


def cmd_importer(args) -> int:
    """import-kazoo (users' lookup keys need the API's login pepper) and cutover."""
    if args.command == "import-kazoo":
        try:
            check_secrets(("CROSSBAR_LOGIN_PEPPER",))
        except SecretsMissing as exc:
            print(f"crossbar-py import-kazoo: {exc}", file=sys.stderr)
            return 2
    return importer.main(Settings.from_env(), args)


def cmd_account_create(args) -> int:
    """Create an account and its admin user, print how to log in."""
    try:
        check_secrets(("CROSSBAR_LOGIN_PEPPER",))
    except SecretsMissing as exc:
        print(f"crossbar-py account create: {exc}", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    password = args.password or secrets.token_urlsafe(12)
    account, created = asyncio.run(
        ensure_account(settings, args.name, args.user, password, args.realm, args.parent, args.superduper)
    )
    if not created:
        print(f"account {args.name!r} exists already: id {account['id']}", file=sys.stderr)
        return 1
    print(f"account {account['name']} id {account['id']} realm {account['realm']} user {args.user} password {password}")
    return 0


def cmd_serve(args) -> int:
    """Serve the API; refuses to start without its secrets."""
    try:
        check_secrets()
    except SecretsMissing as exc:
        print(f"crossbar-py serve: {exc}", file=sys.stderr)
        return 2
    overrides = {k: v for k, v in (("http_host", args.host), ("http_port", args.port)) if v is not None}
    settings = Settings.from_env(**overrides)
    count = args.workers or workers.default_workers()
    if count <= 1:
        asyncio.run(_serve_until_signal(settings))
        return 0
    sock = workers.listen(settings.http_host, settings.http_port)
    with tempfile.TemporaryDirectory(prefix="crossbar-metrics-") as shared:
        settings = dataclasses.replace(settings, metrics_dir=shared)
        return workers.Supervisor(lambda s: asyncio.run(_serve_until_signal(settings, s)), sock, count).run()


def cmd_migrate() -> int:
    """Apply the migrations; non-zero with the reason when there are none or one fails."""
    dsn = Settings.from_env().database_url
    try:
        applied = db.migrate(dsn)
        if os.environ.get("KAMAILIO_DB_PASSWORD"):
            db.set_kamailio_password(dsn, os.environ["KAMAILIO_DB_PASSWORD"])
    except db.MigrationError as exc:
        print(f"crossbar-py migrate: {exc}", file=sys.stderr)
        return 2
    except db.DatabaseError as exc:
        print(f"crossbar-py migrate: failed: {exc}".rstrip(), file=sys.stderr)
        return 1
    print(f"migrate: {len(applied)} applied, schema up to date")
    return 0


def cmd_healthcheck(url: str | None) -> int:
    """0 when the API answers 200, 1 otherwise (no curl in the image: Python is there)."""
    import urllib.request

    url = url or f"http://127.0.0.1:{os.environ.get('HTTP_PORT', '8000')}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=3) as resp:
            return 0 if resp.status == 200 else 1
    except OSError as exc:
        print(f"crossbar-py healthcheck: {url}: {exc}", file=sys.stderr)
        return 1


def cmd_kamailio_cfg(output: str | None) -> int:
    """Print the shipped Kamailio configuration, or write it to `output`."""
    text = bundled.kamailio_cfg()
    if output:
        Path(output).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


def main(argv=None) -> int:
    """Entry point of the crossbar-py command."""
    args = _parser().parse_args(argv)
    logs.setup(os.environ.get("LOG_LEVEL", "INFO"))
    if args.command == "migrate":
        return cmd_migrate()
    if args.command == "healthcheck":
        return cmd_healthcheck(args.url)
    if args.command == "kamailio-cfg":
        return cmd_kamailio_cfg(args.output)
    if args.command == "serve":
        return cmd_serve(args)
    if args.command == "account":
        return cmd_account_create(args)
    if args.command in ("import-kazoo", "cutover"):
        return cmd_importer(args)
    return cmd_run()


if __name__ == "__main__":
    sys.exit(main())
