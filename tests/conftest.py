"""Fixtures: a real PostgreSQL and Redis on free loopback ports, started once per session, and a real
Kamailio beside them for the tests that ask for it (`stack_env`)."""

import asyncio
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from crossbar_py.app import create_app
from crossbar_py.cli import ensure_account
from crossbar_py.http.server import ApiRunner
from crossbar_py.platform import db, stack
from crossbar_py.settings import Settings
from tests.helpers import Tenant, login

AUTHFAIL_LIMIT = 3


@dataclass
class Stack:
    """Where the session's components listen."""

    dsn: str
    redis_url: str
    sip_port: int
    rpc_port: int
    workdir: Path
    master: dict
    master_password: str
    kamailio: stack.KamailioConfig
    procs: list
    kamailio_started: bool = False
    jwt_secret: str = field(default_factory=lambda: secrets.token_hex(32))
    login_pepper: str = field(default_factory=lambda: secrets.token_hex(32))

    def settings(self, **overrides) -> Settings:
        """API settings pointed at this stack."""
        values = {
            "database_url": self.dsn,
            "redis_url": self.redis_url,
            "kamailio_rpc_url": f"http://127.0.0.1:{self.rpc_port}/RPC",
            "jwt_secret": self.jwt_secret,
            "login_pepper": self.login_pepper,
            "sip_port": self.sip_port,
            "realm_suffix": "sip.test",
            # The tests' webhook receivers listen on loopback.
            "webhook_allow_private": True,
        }
        return Settings(**{**values, **overrides})


def _journal_every_refresh(dsn: str) -> None:
    """Tests watch single refreshes: no coalescing (set before Kamailio connects)."""
    import psycopg2

    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("ALTER DATABASE crossbar SET crossbar.refresh_coalesce = '0'")
    conn.close()


@pytest.fixture(scope="session")
def data_env():
    """PostgreSQL (migrated) and Redis for the whole session, stopped by pid at the end. API tests need
    nothing more: Kamailio starts only for tests that ask for `stack_env`."""
    workdir = Path(tempfile.mkdtemp(prefix="crossbar-test-"))
    workdir.chmod(0o755)
    procs: list = []
    try:
        dsn, pg = stack.start_postgres(workdir)
        procs.append(pg)
        db.migrate(dsn, out=lambda *_: None)
        _journal_every_refresh(dsn)
        redis_url, rd = stack.start_redis(workdir)
        procs.append(rd)
        port = int(dsn.rsplit(":", 1)[1].split("/")[0])
        kcfg = stack.KamailioConfig(
            db_host="127.0.0.1",
            db_port=port,
            # No keepalives here: sipp's scripted phones would get OPTIONS they do not expect.
            # tests/sip/test_keepalive.py runs a node of its own that pings.
            defines={"AUTHFAIL_LIMIT": AUTHFAIL_LIMIT, "CHILDREN": 4, "LOG_LEVEL": 1, "KA_INTERVAL": 0},
        )
        env = Stack(dsn, redis_url, kcfg.sip_port, kcfg.rpc_port, workdir, {}, secrets.token_hex(8), kcfg, procs)
        master, _ = asyncio.run(
            ensure_account(
                env.settings(), "master", "admin", env.master_password, realm="master.sip.test", superduper=True
            )
        )
        env.master = master
        yield env
    finally:
        for proc in reversed(procs):
            proc.stop()
        if not os.environ.get("CROSSBAR_KEEP_TEST_DIR"):
            shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def stack_env(data_env):
    """The whole stack: the session's data services plus Kamailio on the reserved ports (started once)."""
    if not data_env.kamailio_started:
        # Ports are chosen now, not at session start: a long API run gives other processes time to take them.
        data_env.kamailio.sip_port = data_env.kamailio.rpc_port = 0
        data_env.procs.append(stack.start_kamailio(data_env.workdir, data_env.kamailio))
        data_env.sip_port, data_env.rpc_port = data_env.kamailio.sip_port, data_env.kamailio.rpc_port
        data_env.kamailio_started = True
    return data_env


@pytest.fixture
def settings(data_env):
    """Settings for an app on the session's stack."""
    return data_env.settings()


class ApiTestServer(TestServer):
    """aiohttp's test server with the API's runner (its own error pages are envelopes)."""

    async def _make_runner(self, **kwargs):
        return ApiRunner(self.app, **kwargs)


@pytest.fixture
async def client(aiohttp_client, settings):
    """A test client on the real app."""
    return await aiohttp_client(ApiTestServer(create_app(settings)))


@pytest.fixture
async def master_token(client, data_env):
    """A token of the superduper master account."""
    return await login(client, "admin", data_env.master_password, account_name="master")


@pytest.fixture
async def make_tenant(client, master_token):
    """A factory of fresh child accounts, each with an admin user and its token."""

    async def make(parent: Tenant | None = None) -> Tenant:
        return await Tenant.create(
            client, master_token if parent is None else parent.token, None if parent is None else parent.account_id
        )

    return make


@pytest.fixture
async def tenant(make_tenant):
    """One fresh account."""
    return await make_tenant()
