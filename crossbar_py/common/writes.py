"""What every document write shares: lock the stored row, honour If-Match, build the next body."""

from crossbar_py.common import documents
from crossbar_py.http.errors import BadIdentifier


def merge(stored, patch):
    """Kazoo's PATCH: deep merge; null deletes; arrays and empty objects replace (contract 8.6)."""
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
