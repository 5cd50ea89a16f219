"""The HTTP server: aiohttp's, except that what it answers by itself (a request its parser refused, an
error that escaped the pipeline) comes in Kazoo's error envelope instead of text/plain."""

import json
import uuid
from datetime import UTC, datetime
from http import HTTPStatus

from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_server import Server

from crossbar_py import keys


def error_response(settings, status: int, detail: str | None) -> web.Response:
    """Kazoo's error envelope when there is no request to build it from."""
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "error"
    body = {
        "request_id": uuid.uuid4().hex,
        "node": getattr(settings, "node", ""),
        "version": getattr(settings, "version", ""),
        "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "status": "error",
        "error": str(status),
        "message": "unspecified_fault" if status >= 500 else phrase.lower().replace(" ", "_"),
        "data": {"message": (detail or phrase) if status < 500 else "unspecified fault"},
    }
    resp = web.Response(status=status, body=json.dumps(body).encode())
    resp.headers["Content-Type"] = "application/json"
    resp.headers["X-Request-ID"] = str(body["request_id"])
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.force_close()
    return resp


class EnvelopeRequestHandler(RequestHandler):
    """aiohttp's connection handler whose own error pages are envelopes."""

    def handle_error(self, request, status: int = 500, exc=None, message=None) -> web.StreamResponse:
        """Log as aiohttp does, then answer with the envelope (never a traceback)."""
        super().handle_error(request, status, exc, message)
        settings = getattr(self._manager, "settings", None)
        return error_response(settings, status, message if status < 500 else None)


class EnvelopeServer(Server):
    """A Server whose connections use EnvelopeRequestHandler."""

    settings: object = None

    def __call__(self) -> RequestHandler:
        """One connection's handler."""
        return EnvelopeRequestHandler(self, loop=self._loop, **self._kwargs)


class ApiRunner(web.AppRunner):
    """AppRunner for the API (cli run, tests, benches)."""

    async def _make_server(self) -> Server:
        server = await super()._make_server()
        # Application builds its Server itself; only the connection factory differs, so adopt that one.
        server.__class__ = EnvelopeServer
        server.settings = self.app[keys.SETTINGS]  # type: ignore[attr-defined]
        return server
