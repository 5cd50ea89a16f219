"""What every document write shares: lock the stored row, honour If-Match, build the next body."""

import contextlib

from crossbar_py.common import documents
from crossbar_py.http.errors import BadIdentifier
from crossbar_py.platform.db import Json, UniqueViolation


def merge(stored, patch):
    """Kazoo's PATCH: deep merge; null deletes; arrays and empty objects replace (docs/kazoo-compatibility.md §8.6)."""
    if not isinstance(stored, dict) or not isinstance(patch, dict) or patch == {}:
        return patch
    merged = dict(stored)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge(stored.get(key), value)
    return merged


def next_body(stored_doc: dict, data: dict, patch: bool) -> dict:
    """The body to validate: the request merged into the stored document (PATCH) or alone (POST)."""
    data = documents.strip_private(data)
    # The empty-object quirk is for nested objects: a PATCH of {} changes nothing, as in Kazoo.
    body = (merge(stored_doc, data) if data else dict(stored_doc)) if patch else data
    return {k: v for k, v in body.items() if k != "id"}


async def fetch_for_write(cur, query: str, params: dict, ident: str, if_match=None) -> dict:
    """The stored row, locked for this transaction; 404 when absent, 412 when If-Match is stale."""
    await cur.execute(query, params)
    row = await cur.fetchone()
    if row is None:
        raise BadIdentifier(ident)
    if if_match:
        if_match(row)
    return row


async def delete_document(db, queries, key: dict, ident: str, soft: bool, if_match=None) -> dict:
    """Soft (deleted = true) or hard delete of a locked document; the row as it was. `queries` names
    the resource's FOR_UPDATE, SOFT_DELETE and HARD_DELETE statements."""
    async with db.transaction() as cur:
        stored = await fetch_for_write(cur, queries.FOR_UPDATE, key, ident, if_match)
        await cur.execute(queries.SOFT_DELETE if soft else queries.HARD_DELETE, {"id": stored["id"]})
        return stored


def soft_delete_requested(request) -> bool:
    """Kazoo deletes softly unless ?should_soft_delete=false."""
    return request.query.get("should_soft_delete", "true") != "false"


def stored(doc: dict) -> dict:
    """The parameters every document row stores: the JSONB body and its revision hash."""
    return {"doc": Json(doc), "rev_hash": documents.rev_hash(doc)}


@contextlib.asynccontextmanager
async def transaction(db, unique):
    """A write transaction in which a unique index's violation becomes the resource's error, unique(exc)
    (docs/decisions.md §12: the index decides, so two concurrent writes cannot both win)."""
    try:
        async with db.transaction() as cur:
            yield cur
    except UniqueViolation as exc:
        raise unique(exc) from exc


async def insert(db, query: str, params: dict, unique) -> dict:
    """Insert one document row in its own transaction; the row as stored."""
    async with transaction(db, unique) as cur:
        await cur.execute(query, params)
        return await cur.fetchone()
