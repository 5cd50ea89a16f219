"""HTTP for /monster-apps/registrations/{file}: the app's static files, without a token (Monster UI loads them
with <script> tags and plain XHRs before any call of ours; they hold no account data)."""

from aiohttp import web

from crossbar_py.http import openapi
from crossbar_py.http.markers import unauthenticated
from crossbar_py.http.routing import path_param
from crossbar_py.monster_app import service


@unauthenticated
@openapi.documented(media="*/*")
async def get_file(request: web.Request) -> web.Response:
    """GET /monster-apps/registrations/{file}."""
    content_type, body = service.read_file(path_param(request, "file"))
    return web.Response(body=body, headers={"Content-Type": content_type, "Cache-Control": "max-age=300"})


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes."""
    router.add_get(service.PATH + "/{file:.+}", get_file)
