"""Limits rules: one document per account, Kazoo's defaults until one is written."""

from crossbar_py.common import documents
from crossbar_py.common.documents import public
from crossbar_py.http.validation import require_object, validate
from crossbar_py.kazoo_documents import service as store
from crossbar_py.kazoo_documents.schema import LIMITS

KIND = DOC_ID = "limits"


async def get_limits(db, account_id: str) -> dict:
    """The stored limits, or Kazoo's defaults for an account that has none."""
    row = await store.get_singleton(db, account_id, KIND, DOC_ID)
    return public(row) if row else {**validate(LIMITS, {}), "id": DOC_ID}


async def set_limits(db, account_id: str, data, if_match=None) -> dict:
    """POST: replace the limits (Kazoo lets the account and its ancestors do it; billing would charge)."""
    body = documents.strip_private(require_object(data))
    doc = validate(LIMITS, {k: v for k, v in body.items() if k != "id"})
    return public(await store.put_singleton(db, account_id, KIND, DOC_ID, doc, if_match))
