"""Journal retention is enforced (issue 4)."""

import psycopg2

from crossbar_py.platform.db import Database
from crossbar_py.registrations.journal import retention


async def test_events_older_than_the_retention_are_purged(data_env):
    conn = psycopg2.connect(data_env.dsn)
    with conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO registration_events (ts, event, username, domain) VALUES "
            "(now() - interval '40 days', 'registered', 'old-one', 'ret.test'), "
            "(now() - interval '10 days', 'registered', 'recent-one', 'ret.test')"
        )
    db = await Database.connect(data_env.dsn, 2)
    try:
        assert await retention.purge(db, 30) >= 1
    finally:
        await db.close()
    with conn, conn.cursor() as cur:
        cur.execute("SELECT username FROM registration_events WHERE domain = 'ret.test' ORDER BY username")
        assert [r[0] for r in cur.fetchall()] == ["recent-one"]
    conn.close()
