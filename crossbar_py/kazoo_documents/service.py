"""Rules for stored Kazoo documents: validation by type, ids, revisions, soft delete, callflow routes."""

from crossbar_py.common import documents
from crossbar_py.common import writes as crud
from crossbar_py.http import filters
from crossbar_py.http.errors import BadIdentifier, Conflict, ValidationFailed
from crossbar_py.http.validation import require_object, validate
from crossbar_py.kazoo_documents import queries
from crossbar_py.kazoo_documents.schema import COLLECTIONS
from crossbar_py.platform.db import Json
from crossbar_py.users import service as users


def _key(account_id: str, kind: str, doc_id: str) -> dict:
    return {"account_id": account_id, "type": kind, "id": doc_id}


def _prepare(kind: str, data: dict) -> dict:
    doc = validate(COLLECTIONS[kind], data)
    if kind == "callflows" and not (doc.get("numbers") or doc.get("patterns")):
        message = "Callflows must be assigned at least one number or pattern"
        raise ValidationFailed({"numbers": {"required": {"message": message}}})
    return doc


async def _claim_routes(cur, account_id: str, callflow_id: str, doc: dict) -> None:
    """Kazoo's 400 when a number or pattern already routes to another callflow of the account."""
    await cur.execute(queries.RELEASE_ROUTES, {"account_id": account_id, "callflow_id": callflow_id})
    errors = {}
    for kind, label in (("numbers", "Number"), ("patterns", "Pattern")):
        # One lock order for every writer: two callflows claiming the same numbers cannot deadlock.
        for value in sorted(set(doc.get(kind, []))):
            params = {"account_id": account_id, "kind": kind, "value": value, "callflow_id": callflow_id}
            await cur.execute(queries.CLAIM_ROUTE, params)
            if await cur.fetchone() is None:
                await cur.execute(queries.ROUTE_OWNER, params)
                owner = await cur.fetchone() or {"callflow_id": "", "name": ""}
                message = f"{label} {value} exists in callflow {owner['callflow_id']} {owner['name']}".rstrip()
                errors[kind] = {"unique": {"message": message, "cause": value}}
    if errors:
        raise ValidationFailed(errors)


async def _after_write(cur, account_id: str, kind: str, doc_id: str, doc: dict | None) -> None:
    if kind == "callflows":
        if doc is None:
            await cur.execute(queries.RELEASE_ROUTES, {"account_id": account_id, "callflow_id": doc_id})
        else:
            await _claim_routes(cur, account_id, doc_id, doc)


async def list_documents(db, account_id: str, kind: str, page, query) -> list:
    """The account's documents of a type, Kazoo's listing filters applied before pagination."""
    where, params = filters.build(query)
    base = {"account_id": account_id, "type": kind, "start": page.start, "limit": page.limit()}
    return await db.fetch_all(queries.LIST_DOCS.format(filters=where), {**base, **params})


async def get_document(db, account_id: str, kind: str, doc_id: str) -> dict:
    """A live document, or 404."""
    row = await db.fetch_one(queries.GET_DOC, _key(account_id, kind, doc_id))
    if row is None:
        raise BadIdentifier(doc_id)
    return row


async def create_document(db, account_id: str, kind: str, data: dict, prepare=None) -> dict:
    """Validate (by the type's schema, or `prepare(body, None)`) and insert; a client-supplied id is kept, one ever used
    is 409 (decisions 6)."""
    data = documents.strip_private(require_object(data))
    doc = prepare(data, None) if prepare else _prepare(kind, data)
    doc_id = str(doc.pop("id", "") or documents.new_id())
    key = _key(account_id, kind, doc_id)
    async with db.transaction() as cur:
        await cur.execute(queries.ID_TAKEN, key)
        if await cur.fetchone():
            raise Conflict()
        await _after_write(cur, account_id, kind, doc_id, doc)
        await cur.execute(queries.INSERT_DOC, {**key, "doc": Json(doc), "rev_hash": documents.rev_hash(doc)})
        return await cur.fetchone()


async def save_document(
    db, account_id: str, kind: str, doc_id: str, data: dict, patch: bool, if_match=None, prepare=None
) -> dict:
    """POST (replace) or PATCH (merge) a live document; `prepare(body, stored)` validates when given."""
    key = _key(account_id, kind, doc_id)
    async with db.transaction() as cur:
        stored = await crud.fetch_for_write(cur, queries.GET_DOC_FOR_UPDATE, key, doc_id, if_match)
        body = crud.next_body(stored["doc"], require_object(data), patch)
        doc = prepare(body, stored["doc"]) if prepare else _prepare(kind, body)
        await _after_write(cur, account_id, kind, doc_id, doc)
        await cur.execute(queries.UPDATE_DOC, {**key, "doc": Json(doc), "rev_hash": documents.rev_hash(doc)})
        return await cur.fetchone()


async def delete_document(db, account_id: str, kind: str, doc_id: str, soft: bool, if_match=None) -> dict:
    """Soft (or hard) delete; the row as it was. A deleted callflow releases its numbers and patterns."""
    key = _key(account_id, kind, doc_id)
    async with db.transaction() as cur:
        stored = await crud.fetch_for_write(cur, queries.GET_DOC_FOR_UPDATE, key, doc_id, if_match)
        await _after_write(cur, account_id, kind, doc_id, None)
        await cur.execute(queries.SOFT_DELETE if soft else queries.HARD_DELETE, key)
        return stored


async def get_singleton(db, account_id: str, kind: str, doc_id: str) -> dict | None:
    """A per-account document (limits, configs, whitelabel, apps_store), or None."""
    return await db.fetch_one(queries.GET_DOC, _key(account_id, kind, doc_id))


async def put_singleton(db, account_id: str, kind: str, doc_id: str, doc: dict, if_match=None) -> dict:
    """Create or replace a per-account document (it was validated by its owner)."""
    key = _key(account_id, kind, doc_id)
    async with db.transaction() as cur:
        await cur.execute(queries.GET_DOC_FOR_UPDATE, key)
        stored = await cur.fetchone()
        if stored is not None and if_match:
            if_match(stored)
        await cur.execute(queries.UPSERT_DOC, {**key, "doc": Json(doc), "rev_hash": documents.rev_hash(doc)})
        return await cur.fetchone()


async def put_attachment(db, account_id: str, kind: str, doc_id: str, name: str, content_type: str, body: bytes):
    """Store a file on a live document (404 when the document is not there)."""
    key = _key(account_id, kind, doc_id)
    async with db.transaction() as cur:
        await crud.fetch_for_write(cur, queries.GET_DOC_FOR_UPDATE, key, doc_id)
        await cur.execute(queries.PUT_ATTACHMENT, {**key, "name": name, "content_type": content_type, "body": body})


async def get_attachment(db, account_id: str, kind: str, doc_id: str, name: str) -> dict | None:
    """(content_type, body) of a stored file, or None."""
    return await db.fetch_one(queries.GET_ATTACHMENT, {**_key(account_id, kind, doc_id), "name": name})


async def whitelabel_by_domain(db, domain: str) -> dict | None:
    """The whitelabel document that claims a domain."""
    return await db.fetch_one(queries.WHITELABEL_BY_DOMAIN, {"domain": domain})


async def callflow_numbers(db, account_id: str) -> set:
    """The numbers the account's callflows route (a phone number's `used_by`)."""
    rows = await db.fetch_all(queries.CALLFLOW_NUMBERS, {"account_id": account_id})
    return {r["value"] for r in rows}


async def directory_view(db, row: dict) -> dict:
    """A directory as GET shows it: `users` are the account's users that list it (Kazoo's users_listing)."""
    members = await users.directory_members(db, row["account_id"], row["id"])
    return {**row["doc"], "users": members}
