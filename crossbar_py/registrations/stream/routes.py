"""HTTP for GET /v2/accounts/{A}/registrations/events: the account's journal as Server-Sent Events."""

import logging

from aiohttp import web

from crossbar_py import keys
from crossbar_py.http import cors, inputs, openapi
from crossbar_py.registrations.stream import hub as hubs
from crossbar_py.registrations.stream import queries

log = logging.getLogger(__name__)
REPLAY_PAGE = 500


def _last_event_id(request: web.Request) -> int | None:
    """Where a reconnecting client stopped: the Last-Event-ID header (or ?last_event_id=); junk is ignored."""
    raw = request.headers.get("Last-Event-ID") or request.query.get("last_event_id") or ""
    return inputs.ascii_int(raw)


async def _replay(request, resp: web.StreamResponse, sub: hubs.Subscription, after: int) -> None:
    """Events after `after` that the live feed will not bring, oldest first."""
    db = request.app[keys.DB]
    params = {"account_id": sub.account_id, "cursor_txid": sub.cursor[0], "cursor_id": sub.cursor[1]}
    while True:
        rows = await db.fetch_all(queries.REPLAY, {**params, "after": after, "limit": REPLAY_PAGE})
        for row in rows:
            await resp.write(hubs.message(row).encode())
        if len(rows) < REPLAY_PAGE:
            return
        after = rows[-1]["id"]


def _stream_response(request: web.Request) -> web.StreamResponse:
    resp = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",
            "X-Request-ID": request[keys.REQUEST_ID],
        }
    )
    # The CORS middleware adds its headers after the handler, too late for a stream: add them now.
    if cors.is_cors(request):
        cors.add_headers(request, resp)
    return resp


@openapi.documented(
    media="text/event-stream",
    params={"last_event_id": {"type": "integer", "minimum": 0}},
    headers={"Last-Event-ID": {"type": "string"}},
)
async def stream_events(request: web.Request) -> web.StreamResponse:
    """GET /registrations/events: `event`/`id`/`data` per journal event, heartbeats, Last-Event-ID resume."""
    hub, settings = request.app[keys.EVENTS_HUB], request.app[keys.SETTINGS]
    resp = _stream_response(request)
    with hub.subscribe(request[keys.ACCOUNT]["id"]) as sub:
        await resp.prepare(request)
        try:
            await resp.write(b"retry: 3000\n\n")
            after = _last_event_id(request)
            if after is not None:
                await _replay(request, resp, sub, after)
            while (text := await sub.next(settings.events_heartbeat)) is not hubs.CLOSED:
                await resp.write(text.encode() if text else b": heartbeat\n\n")
        except (ConnectionResetError, ConnectionError):
            log.info("event stream client left")
    return resp


def setup(router: web.UrlDispatcher) -> None:
    """Register the route (before /registrations/{username})."""
    router.add_get("/v2/accounts/{account_id}/registrations/events", stream_events)
