"""Account rules: realms, names, the tree, and the rendered document."""

import re
import secrets

from psycopg2.extras import Json

from crossbar_py import documents
from crossbar_py.db import UniqueViolation
from crossbar_py.errors import Conflict, field_error
from crossbar_py.resources.accounts import queries
from crossbar_py.resources.accounts.schema import ACCOUNT, IGNORED_KEYS
from crossbar_py.validation import validate


def name_key(name: str) -> str:
    """Kazoo's normalized account name: lower-cased, alphanumerics only."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def render(row: dict) -> dict:
    """The account as clients see it: the document plus computed keys."""
    doc = documents.public(row)
    doc.update(
        realm=row["realm"],
        name=row["name"],
        enabled=row["enabled"],
        created=documents.gregorian(row["created"]),
        superduper_admin=row["superduper"],
        wnm_allow_additions=False,
        is_reseller=False,
        billing_mode="manual",
    )
    if row["tree"]:
        doc["reseller_id"] = row["tree"][0]
    return doc


def _prepare(data: dict, realm_suffix: str) -> dict:
    data = {k: v for k, v in documents.strip_private(data).items() if k not in IGNORED_KEYS}
    if isinstance(data.get("realm"), str):
        data["realm"] = data["realm"].replace(" ", "")
    doc = validate(ACCOUNT, data)
    doc.setdefault("realm", f"{secrets.token_hex(3)}.{realm_suffix}")
    return doc


async def create_account(db, data: dict, parent: dict | None, realm_suffix: str, superduper: bool = False) -> dict:
    """Create an account (a child of parent); unique realm and name."""
    doc = _prepare(data, realm_suffix)
    account_id = doc.pop("id", None) or documents.new_id()
    params = {
        "id": account_id,
        "parent_id": parent["id"] if parent else None,
        "tree": [*parent["tree"], parent["id"]] if parent else [],
        "name": doc["name"],
        "name_key": name_key(doc["name"]),
        "realm": doc["realm"],
        "enabled": doc["enabled"],
        "superduper": superduper,
        "api_key": secrets.token_hex(32),
        "doc": Json(doc),
        "rev_hash": documents.rev_hash(doc),
    }
    try:
        async with db.transaction() as cur:
            await cur.execute(queries.INSERT_ACCOUNT, params)
            return await cur.fetchone()
    except UniqueViolation as exc:
        raise _unique_error(exc, doc) from exc


def _unique_error(exc, doc: dict):
    constraint = exc.diag.constraint_name
    if constraint == "accounts_realm_uq":
        return field_error("realm", "unique", "Account realm already in use", cause=doc["realm"])
    if constraint == "accounts_name_uq":
        return field_error("name", "unique", "Account name already in use", cause=doc["name"])
    return Conflict()
