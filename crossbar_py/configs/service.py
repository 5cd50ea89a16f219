"""Config rules: a document per (account, name), `id` = configs_<name>, empty until written; a write merges the
request into what is stored, an empty one removes it (Kazoo's maybe_save_or_delete)."""

import re

from crossbar_py.common import documents
from crossbar_py.common import writes as crud
from crossbar_py.http.errors import BadIdentifier
from crossbar_py.http.validation import require_object
from crossbar_py.kazoo_documents import service as store

KIND = "configs"
NAME_RE = re.compile(r"^[a-z0-9_.-]{1,64}$")


def _doc_id(name: str) -> str:
    if not NAME_RE.match(name):
        raise BadIdentifier(name)
    return name


def _view(name: str, doc: dict) -> dict:
    return {**doc, "id": f"configs_{name}"}


async def get_config(db, account_id: str, name: str) -> dict:
    """The stored config, or {} (Kazoo merges system defaults we do not have)."""
    row = await store.get_singleton(db, account_id, KIND, _doc_id(name))
    return _view(name, row["doc"] if row else {})


async def save_config(db, account_id: str, name: str, data) -> dict:
    """PUT/POST/PATCH: the request merged into the stored config; an empty request removes it."""
    data = documents.strip_private(require_object(data))
    data.pop("id", None)
    if not data:
        return await delete_config(db, account_id, name)
    row = await store.get_singleton(db, account_id, KIND, _doc_id(name))
    body = crud.merge(row["doc"] if row else {}, data)
    return _view(name, (await store.put_singleton(db, account_id, KIND, name, body))["doc"])


async def delete_config(db, account_id: str, name: str) -> dict:
    """DELETE: back to {}."""
    if await store.get_singleton(db, account_id, KIND, _doc_id(name)):
        await store.delete_document(db, account_id, KIND, name, soft=False)
    return _view(name, {})
