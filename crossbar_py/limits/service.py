"""Limits rules: one document per account, Kazoo's defaults until one is written, set from above."""

from crossbar_py.common.documents import public
from crossbar_py.http.errors import Forbidden
from crossbar_py.http.validation import require_object, validate
from crossbar_py.kazoo_documents import service as store
from crossbar_py.kazoo_documents.schema import LIMITS

KIND = DOC_ID = "limits"


async def get_limits(db, account_id: str) -> dict:
    """The stored limits, or Kazoo's defaults for an account that has none."""
    row = await store.get_singleton(db, account_id, KIND, DOC_ID)
    return public(row) if row else {**validate(LIMITS, {}), "id": DOC_ID}


async def set_limits(db, account_id: str, data: dict, auth_account: dict, if_match=None) -> dict:
    """POST: an account's limits are set by an ancestor or a superduper admin, never by itself (Kazoo)."""
    if auth_account["id"] == account_id and not auth_account["superduper"]:
        raise Forbidden()
    doc = validate(
        LIMITS, {k: v for k, v in require_object(data).items() if k != "id" and not k.startswith(("_", "pvt_"))}
    )
    return public(await store.put_singleton(db, account_id, KIND, DOC_ID, doc, if_match))
