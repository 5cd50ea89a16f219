"""The operator's commands: serve (with workers), migrate, healthcheck, kamailio-cfg, the importer's."""

import asyncio
import dataclasses
import os
import signal
import sys
import tempfile
from pathlib import Path

from aiohttp import web

from crossbar_py.app import create_app
from crossbar_py.http.server import ApiRunner
from crossbar_py.importer import commands as importer
from crossbar_py.platform import bundled, db, workers
from crossbar_py.settings import SecretsMissing, Settings, check_secrets


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
    socks = workers.listen(settings.http_host, settings.http_port, count)
    with tempfile.TemporaryDirectory(prefix="crossbar-metrics-") as shared:
        settings = dataclasses.replace(settings, metrics_dir=shared)
        return workers.Supervisor(lambda s: asyncio.run(_serve_until_signal(settings, s)), socks).run()


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


def cmd_importer(args) -> int:
    """import-kazoo (users' lookup keys need the API's login pepper) and cutover."""
    if args.command == "import-kazoo":
        try:
            check_secrets(("CROSSBAR_LOGIN_PEPPER",))
        except SecretsMissing as exc:
            print(f"crossbar-py import-kazoo: {exc}", file=sys.stderr)
            return 2
    return importer.main(Settings.from_env(), args)
