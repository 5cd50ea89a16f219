"""One journal tailer per API node, fanned out to the node's stream subscribers by account.

The tailer runs one query every poll interval whatever the number of clients (none at all when nobody
listens), reading the journal in the order sql/020 makes safe, so every node sees every event without
Redis or any coordination between nodes.
"""

import asyncio
import contextlib
import json
import logging

from crossbar_py.platform import periodic
from crossbar_py.registrations.journal import events
from crossbar_py.registrations.stream import queries

log = logging.getLogger(__name__)
TAIL_BATCH = 1000
MAX_QUEUED = 1000
CLOSED = object()


def message(row: dict) -> str:
    """One Server-Sent Events message: `event: <journal event>`, `id: <journal id>`, `data: <json>`."""
    data = events.compact({"id": row["id"], "event": row["event"], "accountId": row["account_id"], **events.view(row)})
    return f"event: {row['event']}\nid: {row['id']}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


class Subscription:
    """One client's queue of messages for one account; `cursor` is where the live feed took over."""

    def __init__(self, account_id: str, cursor: tuple):
        self.account_id, self.cursor = account_id, cursor
        self.queue: asyncio.Queue = asyncio.Queue(maxsize=MAX_QUEUED)

    def offer(self, text: str) -> bool:
        """Queue a message; False when the client is too slow (it is then closed)."""
        try:
            self.queue.put_nowait(text)
            return True
        except asyncio.QueueFull:
            self.close()
            return False

    def close(self) -> None:
        """End the stream; a reconnecting client resumes from its Last-Event-ID."""
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(CLOSED)

    async def next(self, timeout: float):
        """The next message, None after `timeout` seconds of silence, or CLOSED."""
        with contextlib.suppress(TimeoutError):
            return await asyncio.wait_for(self.queue.get(), timeout)
        return None


class Hub:
    """This node's subscribers and the journal position the tailer has reached."""

    def __init__(self):
        self.subscribers: set[Subscription] = set()
        self.cursor = (0, 0)
        self.closed = False

    @contextlib.contextmanager
    def subscribe(self, account_id: str):
        """A subscription for the duration of a stream."""
        sub = Subscription(account_id, self.cursor)
        if self.closed:
            sub.close()
        self.subscribers.add(sub)
        try:
            yield sub
        finally:
            self.subscribers.discard(sub)

    def close_all(self) -> None:
        """End every stream (app shutdown)."""
        self.closed = True
        for sub in list(self.subscribers):
            sub.close()

    def publish(self, rows: list) -> None:
        """Hand each event to the subscribers of its account."""
        for row in rows:
            text = None
            for sub in list(self.subscribers):
                if sub.account_id == row["account_id"]:
                    text = text or message(row)
                    if not sub.offer(text):
                        self.subscribers.discard(sub)

    async def poll(self, db) -> None:
        """Read what is new (when someone listens) and publish it; otherwise just move to the head."""
        horizon = (await db.fetch_one(queries.HORIZON))["horizon"]
        if not self.subscribers:
            self.cursor = max(self.cursor, (horizon, 0))
            return
        params = {"cursor_txid": self.cursor[0], "cursor_id": self.cursor[1], "horizon": horizon}
        rows = await db.fetch_all(queries.TAIL, {**params, "limit": TAIL_BATCH})
        self.publish(rows)
        self.cursor = (rows[-1]["txid"], rows[-1]["id"]) if rows else max(self.cursor, (horizon, 0))

    async def lag(self, db) -> dict:
        """Journal events this tailer has not read yet, and the oldest one's age in seconds."""
        params = {"cursor_txid": self.cursor[0], "cursor_id": self.cursor[1]}
        return dict(await db.fetch_one(queries.LAG, params))

    async def tail_forever(self, db, interval: float, stop: asyncio.Event) -> None:
        """Poll until stop is set (stopped, never cancelled mid-query)."""
        while not stop.is_set():
            try:
                await self.poll(db)
            except Exception as exc:  # noqa: BLE001 - keep tailing through outages
                log.warning("registration event tail failed", extra={"error": str(exc)})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)


@contextlib.asynccontextmanager
async def running(hub: Hub, db, interval: float):
    """Tail the journal until the app stops."""
    with contextlib.suppress(Exception):
        await hub.poll(db)
    async with periodic.stoppable("journal tailer", lambda stop: hub.tail_forever(db, interval, stop)):
        try:
            yield
        finally:
            hub.close_all()
