"""HTTP for the stored Kazoo collections: /v2/accounts/{A}/<type> and /v2/accounts/{A}/<type>/{id}
(callflows, vmboxes, groups, directories, media, temporal_rules, temporal_rules_sets, menus, conferences,
faxboxes), and media audio at /media/{id}/raw."""

from aiohttp import web

from crossbar_py import keys
from crossbar_py.common import writes as crud
from crossbar_py.common.documents import public
from crossbar_py.http import conditional, envelope, openapi, uploads
from crossbar_py.http.errors import BadIdentifier
from crossbar_py.http.markers import raw_body
from crossbar_py.http.pagination import Page
from crossbar_py.http.routing import path_param, route_match
from crossbar_py.kazoo_documents import service
from crossbar_py.kazoo_documents.schema import COLLECTIONS, MEDIA_TYPES
from crossbar_py.platform.db import Database

RAW = "raw"


def _kind(request: web.Request) -> str:
    """The collection named by the matched route (/v2/accounts/{account_id}/<type>...)."""
    return route_match(request).route.resource.canonical.split("/")[4]


def _where(request: web.Request) -> tuple[Database, str, str]:
    return request.app[keys.DB], request[keys.ACCOUNT]["id"], _kind(request)


def document_response(request: web.Request, row: dict, status: int = 200) -> web.Response:
    """A single document with its revision and ETag (304 for a GET whose If-None-Match names it)."""
    return envelope.document(request, row, public(row), status=status)


@openapi.documented(paginated=True)
async def list_documents(request: web.Request) -> web.Response:
    """GET /<type>: the documents, filtered and paginated as Kazoo does."""
    page = Page.from_request(request)
    rows = await service.list_documents(*_where(request), page, request.query)
    rows, extra = page.envelope(rows, key=lambda r: r["id"])
    return envelope.listing(request, [public(r) for r in rows], extra=extra)


async def create_document(request: web.Request) -> web.Response:
    """PUT /<type>."""
    db, account_id, kind = _where(request)
    row = await service.create_document(db, account_id, kind, request[keys.BODY]["data"])
    location = f"/v2/accounts/{account_id}/{kind}/{row['id']}"
    return envelope.document(request, row, public(row), status=201, location=location)


async def get_document(request: web.Request) -> web.Response:
    """GET /<type>/{id}."""
    row = await service.get_document(*_where(request), path_param(request, "doc_id"))
    if row["type"] == "directories":
        row = {**row, "doc": await service.directory_view(request.app[keys.DB], row)}
    return document_response(request, row)


async def _save(request: web.Request, patch: bool) -> web.Response:
    db, account_id, kind = _where(request)
    data = request[keys.BODY]["data"]
    row = await service.save_document(
        db, account_id, kind, path_param(request, "doc_id"), data, patch, conditional.if_match(request)
    )
    return document_response(request, row)


async def update_document(request: web.Request) -> web.Response:
    """POST /<type>/{id}: replace."""
    return await _save(request, patch=False)


async def patch_document(request: web.Request) -> web.Response:
    """PATCH /<type>/{id}: merge, null deletes."""
    return await _save(request, patch=True)


@openapi.documented(params=openapi.SOFT_DELETE)
async def delete_document(request: web.Request) -> web.Response:
    """DELETE /<type>/{id}: soft unless ?should_soft_delete=false; the document as it was."""
    db, account_id, kind = _where(request)
    soft, if_match = crud.soft_delete_requested(request), conditional.if_match(request)
    row = await service.delete_document(db, account_id, kind, path_param(request, "doc_id"), soft, if_match)
    return envelope.deleted(request, public(row), conditional.etag(row))


@raw_body
async def upload_media(request: web.Request) -> web.Response:
    """POST /media/{id}/raw: the audio as sent (raw bytes, base64 data URL or multipart), stored on the media."""
    db, account_id, kind = _where(request)
    media_id = path_param(request, "doc_id")
    content_type, body = await uploads.read_file(request, default_type="audio/mpeg")
    await service.put_attachment(db, account_id, kind, media_id, RAW, content_type, body)
    described = {"content_length": len(body), **({"content_type": content_type} if content_type in MEDIA_TYPES else {})}
    row = await service.save_document(db, account_id, kind, media_id, described, patch=True)
    return document_response(request, row)


@openapi.documented(media="audio/*")
async def get_media_raw(request: web.Request) -> web.Response:
    """GET /media/{id}/raw: the stored audio back, byte for byte."""
    db, account_id, kind = _where(request)
    media_id = path_param(request, "doc_id")
    await service.get_document(db, account_id, kind, media_id)
    stored = await service.get_attachment(db, account_id, kind, media_id, RAW)
    if stored is None:
        raise BadIdentifier(media_id)
    return web.Response(body=bytes(stored["body"]), headers={"Content-Type": stored["content_type"]})


async def list_messages(request: web.Request) -> web.Response:
    """GET /vmboxes/{id}/messages: we record no voicemail, so a box has no messages."""
    await service.get_document(*_where(request), path_param(request, "doc_id"))
    return envelope.success(request, [])


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes of every stored collection."""
    for kind in COLLECTIONS:
        base = f"/v2/accounts/{{account_id}}/{kind}"
        router.add_get(base, list_documents)
        router.add_put(base, create_document)
        router.add_get(f"{base}/{{doc_id}}", get_document)
        router.add_post(f"{base}/{{doc_id}}", update_document)
        router.add_patch(f"{base}/{{doc_id}}", patch_document)
        router.add_delete(f"{base}/{{doc_id}}", delete_document)
    router.add_get("/v2/accounts/{account_id}/media/{doc_id}/raw", get_media_raw)
    router.add_get("/v2/accounts/{account_id}/vmboxes/{doc_id}/messages", list_messages)
    router.add_post("/v2/accounts/{account_id}/media/{doc_id}/raw", upload_media)
