"""crossbar-py run: the whole stack on loopback under a supervisor, with a demo account (make run)."""

import asyncio
import os
import secrets
import signal
import sys
from pathlib import Path

from crossbar_py.cli.accounts import ensure_account
from crossbar_py.platform import db, stack
from crossbar_py.platform.supervisor import Component, Supervisor
from crossbar_py.settings import Settings


def _kept_secret(path: Path, env_value: str | None, nbytes: int = 12) -> str:
    if env_value:
        return env_value
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_urlsafe(nbytes)
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value


def kept_keys(data: Path) -> dict:
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
        **kept_keys(data),
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
