"""The only module that talks to PostgreSQL: a pool, small query helpers, transactions, migrations."""

import asyncio
import contextlib
import logging
import uuid

import aiopg
import psycopg2
import psycopg2.errors
import psycopg2.extensions
import psycopg2.extras
from psycopg2 import sql

from crossbar_py.http.errors import Busy, ServiceUnavailable
from crossbar_py.platform import bundled, logs

log = logging.getLogger(__name__)
# Seconds a request waits for a free connection before 503 + Retry-After; the longest statement.
ACQUIRE_WAIT = 5.0
STATEMENT_TIMEOUT = 10
# Seconds between liveness checks of a LISTEN connection, and the longest each may take.
LISTEN_PING = 2.0
PING_PREFIX = "ping "
PING = "SELECT pg_notify(%(channel)s, %(payload)s)"
UniqueViolation = psycopg2.errors.UniqueViolation
# A statement PostgreSQL refused for its data (a constraint, a bad value), not for the connection.
StatementError = (psycopg2.IntegrityError, psycopg2.DataError)
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


class DictCursor(psycopg2.extensions.cursor):
    """Rows as plain dicts, built by dict(zip()) in C. psycopg2's RealDictCursor builds each row in Python,
    one column at a time: 10,000 registrations took 500 ms to fetch, against 70 ms of SQL (docs/performance.md)."""

    def _names(self) -> list:
        return [column.name for column in self.description or ()]

    def fetchone(self):
        """The next row as a dict, or None."""
        row = super().fetchone()
        return None if row is None else dict(zip(self._names(), row, strict=True))

    def fetchmany(self, size=None):
        """Up to size rows as dicts."""
        names = self._names()
        return [dict(zip(names, row, strict=True)) for row in super().fetchmany(size or self.arraysize)]

    def fetchall(self):
        """The remaining rows as dicts."""
        names = self._names()
        return [dict(zip(names, row, strict=True)) for row in super().fetchall()]


class Database:
    """An aiopg pool with dict rows; every call maps connection loss to 503."""

    def __init__(self, pool: aiopg.Pool, maxsize: int, wait: float = ACQUIRE_WAIT):
        self.pool, self.wait = pool, wait
        # Admission in front of the pool: a request waits at most `wait` s for one of `maxsize` slots, then
        # gets 503 + Retry-After (bench/load). Cancelling a semaphore wait leaks nothing; a cancelled
        # pool.acquire() racing its own success could lose a connection for good.
        self.slots = asyncio.Semaphore(maxsize)

    @classmethod
    async def connect(
        cls, dsn: str, maxsize: int = 10, durable: bool = True, timeout: float = STATEMENT_TIMEOUT
    ) -> "Database":
        """Open the pool; durable=False: commits do not wait for the WAL flush (for work that a rerun redoes,
        such as an import whose checkpoints commit with its data); timeout: the longest statement, in s."""
        # JIT compiles plans costed above its threshold: ~30 ms spent on every whole-account status query
        # that runs in ~30 ms without it (bench/monitoring). The API's queries are short; no JIT.
        options = "-c jit=off" + ("" if durable else " -c synchronous_commit=off")
        pool = await aiopg.create_pool(dsn, minsize=1, maxsize=maxsize, timeout=timeout, options=options)
        return cls(pool, maxsize)

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
    async def _slot(self):
        try:
            async with asyncio.timeout(self.wait):
                await self.slots.acquire()
        except TimeoutError as exc:
            raise Busy() from exc
        try:
            yield
        finally:
            self.slots.release()

    @contextlib.asynccontextmanager
    async def cursor(self):
        """A dict cursor on a pooled (autocommit) connection; 503 when the database is gone or too busy."""
        async with self._slot():
            try:
                async with (
                    self.pool.acquire() as conn,
                    conn.cursor(cursor_factory=DictCursor) as cur,
                ):
                    yield cur
            except (psycopg2.OperationalError, psycopg2.InterfaceError) as exc:
                log.error("database unavailable: %s", exc)
                raise ServiceUnavailable({"message": "datastore unreachable"}) from exc
            except TimeoutError as exc:
                # aiopg's own timeout: a statement that ran STATEMENT_TIMEOUT s (it is cancelled server-side)
                log.error("database statement timed out")
                raise ServiceUnavailable({"message": "datastore timeout"}) from exc

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
    async def bound(self):
        """One transaction seen as a Database: services called with it write inside it (each of their
        transactions a savepoint), so that a caller can commit many service calls at once."""
        async with self.transaction() as cur:
            yield Bound(cur)

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


class Rollback(Exception):
    """Raised inside Bound.transaction() to undo its savepoint without failing the caller."""


class Bound:
    """A Database-shaped view of one open transaction; transaction() is a savepoint within it."""

    def __init__(self, cur):
        self.cur = cur
        self._depth = 0
        self._flat = 0

    @contextlib.asynccontextmanager
    async def all_or_nothing(self):
        """One savepoint for a whole block, in which transaction() takes none of its own (a round trip
        each saved): the first failure undoes the whole block, and the caller may retry with savepoints."""
        async with self.transaction():
            self._flat += 1
            try:
                yield self
            finally:
                self._flat -= 1

    @contextlib.asynccontextmanager
    async def transaction(self):
        """A savepoint: an exception rolls back only what was done inside it."""
        if self._flat:
            yield self.cur
            return
        self._depth += 1
        name = f"sp{self._depth}"
        await self.cur.execute(f"SAVEPOINT {name}")
        try:
            yield self.cur
        except BaseException:
            await self.cur.execute(f"ROLLBACK TO SAVEPOINT {name}")
            raise
        else:
            await self.cur.execute(f"RELEASE SAVEPOINT {name}")
        finally:
            self._depth -= 1

    @contextlib.asynccontextmanager
    async def bound(self):
        """A savepoint seen as a Database, as Database.bound() is a transaction."""
        async with self.transaction():
            yield self

    async def fetch_one(self, query: str, params: dict | None = None) -> dict | None:
        """The first row, or None."""
        await self.cur.execute(query, params)
        return await self.cur.fetchone()

    async def fetch_all(self, query: str, params: dict | None = None) -> list:
        """Every row."""
        await self.cur.execute(query, params)
        return await self.cur.fetchall()

    async def execute(self, query: str, params: dict | None = None) -> int:
        """Run one statement; the number of rows it touched."""
        await self.cur.execute(query, params)
        return self.cur.rowcount


async def listen(dsn: str, channel: str, on_notify, on_state, stop: asyncio.Event, retry: float = 1.0) -> None:
    """Until stop is set: on_notify(payload) for each NOTIFY on channel, on_state(True) once listening and
    on_state(False) when the connection is lost (what was announced meanwhile is missed); reconnects.
    Every LISTEN_PING s the connection announces a ping of its own and must hear it back before the next:
    a server gone without closing the connection, or a pooler that dropped the LISTEN, counts as lost."""
    while not stop.is_set():
        try:
            async with (
                aiopg.connect(dsn, timeout=LISTEN_PING, application_name=f"crossbar_py listen {channel}") as conn,
                conn.cursor() as cur,
            ):
                await cur.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)).as_string(conn.raw))
                await _relay(conn, cur, channel, on_notify, on_state, stop)
        except (psycopg2.Error, OSError, TimeoutError, ListenLost) as exc:
            log.warning("listening on %s failed: %s", channel, exc)
        finally:
            on_state(False)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), retry)


class ListenLost(Exception):
    """A LISTEN connection did not hear its own ping back."""


async def _relay(conn, cur, channel: str, on_notify, on_state, stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    sent, heard, deadline = "", "", 0.0
    while not stop.is_set():
        if loop.time() >= deadline:
            if sent != heard:
                raise ListenLost(f"ping {sent!r} not heard back within {LISTEN_PING} s")
            sent, deadline = f"{PING_PREFIX}{uuid.uuid4().hex}", loop.time() + LISTEN_PING
            await cur.execute(PING, {"channel": channel, "payload": sent})
        # A queue wait is safe to time out; a ping that times out closes this connection (aiopg).
        with contextlib.suppress(TimeoutError):
            payload = (await asyncio.wait_for(conn.notifies.get(), 0.5)).payload
            if not payload.startswith(PING_PREFIX):
                on_notify(payload)
            elif payload == sent:
                if not heard:
                    on_state(True)  # the first ping back: announcements reach this connection
                heard = sent


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
