"""Whitelabel rules: one document per account, its domain claimed by one account, logo/icon/welcome files."""

from crossbar_py.common import documents
from crossbar_py.common import writes as crud
from crossbar_py.http.errors import BadIdentifier, field_error
from crossbar_py.http.validation import require_object, validate
from crossbar_py.kazoo_documents import service as store
from crossbar_py.platform.db import UniqueViolation
from crossbar_py.whitelabel.schema import WHITELABEL

KIND = DOC_ID = "whitelabel"


async def get(db, account_id: str) -> dict:
    """The account's whitelabel, or 404."""
    return await store.get_document(db, account_id, KIND, DOC_ID)


async def by_domain(db, domain: str) -> dict:
    """The whitelabel claiming a domain, or 404 naming it (Kazoo, no token needed)."""
    row = await store.whitelabel_by_domain(db, domain)
    if row is None:
        raise BadIdentifier(domain)
    return row


async def save(db, account_id: str, data: dict, patch: bool = False, must_exist: bool = False, if_match=None):
    """PUT (create or replace), POST (replace) or PATCH (merge) the account's whitelabel."""
    stored = await store.get_singleton(db, account_id, KIND, DOC_ID)
    if stored is None and must_exist:
        raise BadIdentifier(DOC_ID)
    doc = validate(WHITELABEL, crud.next_body(stored["doc"] if stored else {}, require_object(data), patch))
    try:
        return await store.put_singleton(db, account_id, KIND, DOC_ID, documents.strip_private(doc), if_match)
    except UniqueViolation as exc:
        raise field_error("domain", "unique", "Domain is already in use", cause=doc.get("domain")) from exc


async def delete(db, account_id: str, soft: bool, if_match=None) -> dict:
    """Remove the account's whitelabel (its domain is free again)."""
    return await store.delete_document(db, account_id, KIND, DOC_ID, soft, if_match)


async def put_file(db, account_id: str, name: str, content_type: str, body: bytes) -> dict:
    """Store the logo, icon or welcome page on the whitelabel; the whitelabel."""
    await store.put_attachment(db, account_id, KIND, DOC_ID, name, content_type, body)
    return await get(db, account_id)


async def get_file(db, account_id: str, name: str) -> dict:
    """A stored file (content_type, body), or 404 naming it."""
    await get(db, account_id)
    stored = await store.get_attachment(db, account_id, KIND, DOC_ID, name)
    if stored is None:
        raise BadIdentifier(name)
    return stored
