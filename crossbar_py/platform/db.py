"""The only module that talks to PostgreSQL: a pool, small query helpers, transactions, migrations."""

import asyncio
import contextlib
import logging

import aiopg
import psycopg2
import psycopg2.errors
import psycopg2.extras
from psycopg2 import sql

from crossbar_py.http.errors import ServiceUnavailable
from crossbar_py.platform import bundled, logs

log = logging.getLogger(__name__)
UniqueViolation = psycopg2.errors.UniqueViolation
DatabaseError = psycopg2.Error
Json = psycopg2.extras.Json
__all__ = ["Database", "DatabaseError", "Json", "MigrationError", "UniqueViolation", "migrate", "sql"]

SET_REQUEST_ID = "SELECT set_config('crossbar.request_id', %(request_id)s, true)"
MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
"""
MIGRATIONS_LOCK = "SELECT pg_advisory_xact_lock(7212001)"
TRY_LOCK = "SELECT pg_try_advisory_lock(%(key)s) AS locked"
UNLOCK = "SELECT pg_advisory_unlock(%(key)s)"
MIGRATIONS_APPLIED = "SELECT name FROM schema_migrations"
MIGRATION_RECORD = "INSERT INTO schema_migrations (name) VALUES (%(name)s)"
# psycopg2 binds client-side, so a password literal is allowed where the server takes no parameter.
KAMAILIO_ROLE_PASSWORD = "ALTER ROLE kamailio PASSWORD %(password)s"


class Database:
    """An aiopg pool with dict rows; every call maps connection loss to 503."""

    def __init__(self, pool: aiopg.Pool):
        self.pool = pool

    @classmethod
    async def connect(cls, dsn: str, maxsize: int = 10) -> "Database":
        """Open the pool."""
        # JIT compiles plans costed above its threshold: ~30 ms spent on every whole-account status query
        # that runs in ~30 ms without it (bench/monitoring). The API's queries are short; no JIT.
        pool = await aiopg.create_pool(dsn, minsize=1, maxsize=maxsize, timeout=10, options="-c jit=off")
        return cls(pool)

    async def close(self) -> None:
        """Close the pool; connections still busy after 5 s are terminated (and logged), not waited on."""
        self.pool.close()
        try:
            await asyncio.wait_for(self.pool.wait_closed(), 5)
        except TimeoutError:
            log.warning("database pool did not close in 5 s; terminating its connections")
            self.pool.terminate()
            await self.pool.wait_closed()

    @contextlib.asynccontextmanager
    async def cursor(self):
        """A dict cursor on a pooled (autocommit) connection."""
        try:
            async with self.pool.acquire() as conn, conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
                yield cur
        except (psycopg2.OperationalError, psycopg2.InterfaceError) as exc:
            log.error("database unavailable: %s", exc)
            raise ServiceUnavailable({"message": "datastore unreachable"}) from exc

    @contextlib.asynccontextmanager
    async def transaction(self):
        """A cursor inside BEGIN/COMMIT; an exception rolls everything back. The request id rides along
        (transaction-local) so that the journal can name the request behind a flush (sql/008)."""
        async with self.cursor() as cur, cur.begin():
            request_id = logs.REQUEST_ID.get()
            if request_id:
                await cur.execute(SET_REQUEST_ID, {"request_id": request_id})
            yield cur

    @contextlib.asynccontextmanager
    async def exclusive(self, key: int):
        """Yield True while this process holds the cluster-wide advisory lock `key`, False when another
        process or node holds it: a job that must run once per round runs only where it is True. The lock
        is a session lock on one pooled connection, so it dies with that connection (docs/operations.md)."""
        async with self.cursor() as cur:
            await cur.execute(TRY_LOCK, {"key": key})
            locked = (await cur.fetchone())["locked"]
            try:
                yield locked
            finally:
                if locked:
                    await cur.execute(UNLOCK, {"key": key})

    async def fetch_one(self, query: str, params: dict | None = None) -> dict | None:
        """The first row, or None."""
        async with self.cursor() as cur:
            await cur.execute(query, params)
            return await cur.fetchone()

    async def fetch_all(self, query: str, params: dict | None = None) -> list:
        """Every row."""
        async with self.cursor() as cur:
            await cur.execute(query, params)
            return await cur.fetchall()

    async def execute(self, query: str, params: dict | None = None) -> int:
        """Run one statement; the number of rows it touched."""
        async with self.cursor() as cur:
            await cur.execute(query, params)
            return cur.rowcount


class MigrationError(RuntimeError):
    """No migrations to apply: a broken install, never a silent success."""


def migrate(dsn: str, files=None, out=print) -> list:
    """Apply, in order and once each, the numbered migrations (shipped with the package unless given);
    the names applied."""
    files = bundled.migrations() if files is None else files
    if not files:
        raise MigrationError("no migrations found in the package (crossbar_py/_data/sql): a broken install")
    applied = []
    with contextlib.closing(psycopg2.connect(dsn)) as conn:
        with conn, conn.cursor() as cur:
            cur.execute(MIGRATIONS_TABLE)
        for path in files:
            with conn, conn.cursor() as cur:
                cur.execute(MIGRATIONS_LOCK)
                cur.execute(MIGRATIONS_APPLIED)
                if path.name in {row[0] for row in cur.fetchall()}:
                    continue
                out(f"migrate: applying {path.name}")
                cur.execute(path.read_text())
                cur.execute(MIGRATION_RECORD, {"name": path.name})
                applied.append(path.name)
    return applied


def set_kamailio_password(dsn: str, password: str) -> None:
    """Give the kamailio role (sql/003) a password, for Kamailio nodes that connect over the network."""
    with contextlib.closing(psycopg2.connect(dsn)) as conn, conn, conn.cursor() as cur:
        cur.execute(KAMAILIO_ROLE_PASSWORD, {"password": password})


def probe(dsn: str) -> bool:
    """True once a server accepts a connection (raises while it does not)."""
    psycopg2.connect(dsn).close()
    return True


def ensure_database(admin_dsn: str, name: str) -> None:
    """Create the database `name` unless it exists."""
    with contextlib.closing(psycopg2.connect(admin_dsn)) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %(name)s", {"name": name})
            if not cur.fetchone():
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
