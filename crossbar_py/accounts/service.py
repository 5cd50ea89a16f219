"""Account rules: realms, names, the tree, and the rendered document."""

import re
import secrets

from crossbar_py.accounts import queries
from crossbar_py.accounts.schema import ACCOUNT, IGNORED_KEYS
from crossbar_py.common import documents
from crossbar_py.common import writes as crud
from crossbar_py.devices import service as devices
from crossbar_py.http.access import may_access
from crossbar_py.http.errors import ApiError, Conflict, Forbidden, field_error
from crossbar_py.http.validation import validate


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
    account_id = documents.chosen_id(doc)
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
        **crud.stored(doc),
    }
    return await crud.insert(db, queries.INSERT_ACCOUNT, params, lambda exc: _unique_error(exc, doc))


def _unique_error(exc, doc: dict):
    constraint = exc.diag.constraint_name
    if constraint == "accounts_realm_uq":
        return field_error("realm", "unique", "Account realm already in use", cause=doc.get("realm"))
    if constraint == "accounts_name_uq":
        return field_error("name", "unique", "Account name already in use", cause=doc.get("name"))
    return Conflict()


def summary(row: dict) -> dict:
    """An account in the tree listings."""
    return {"id": row["id"], "name": row["name"], "realm": row["realm"]}


async def save_account(
    db, cache, account: dict, data: dict, patch: bool, caller: dict, realm_suffix: str, if_match=None
) -> dict:
    """POST or PATCH an account; only a parent changes `enabled`; devices follow a realm change."""
    row = await _save(db, account, data, patch, caller["id"] == account["id"], realm_suffix, if_match)
    cache.invalidate(account["id"])
    return row


async def _save(db, account: dict, data: dict, patch: bool, by_self: bool, realm_suffix: str, if_match) -> dict:
    async with crud.transaction(db, lambda exc: _unique_error(exc, data)) as cur:
        stored = await crud.fetch_for_write(
            cur, queries.GET_ACCOUNT_FOR_UPDATE, {"id": account["id"]}, account["id"], if_match
        )
        body = {k: v for k, v in crud.next_body(stored["doc"], data, patch).items() if k not in IGNORED_KEYS}
        if by_self:
            body["enabled"] = stored["enabled"]
        body.setdefault("realm", stored["realm"])
        doc = _prepare(body, realm_suffix)
        names = {"name": doc["name"], "name_key": name_key(doc["name"]), "realm": doc["realm"]}
        await cur.execute(
            queries.UPDATE_ACCOUNT, {"id": stored["id"], "enabled": doc["enabled"], **names, **crud.stored(doc)}
        )
        row = await cur.fetchone()
        if row["realm"] != stored["realm"]:
            await devices.follow_account_realm(cur, row)
        return row


async def delete_account(db, cache, account: dict, caller: dict, if_match=None) -> dict:
    """Soft delete; never the caller's own account (403), refused while the account has children
    (Kazoo: 500 account_has_descendants)."""
    if caller["id"] == account["id"]:
        raise Forbidden()
    row = await _delete(db, account, if_match)
    cache.invalidate(account["id"])
    return row


async def _delete(db, account: dict, if_match) -> dict:
    async with db.transaction() as cur:
        stored = await crud.fetch_for_write(
            cur, queries.GET_ACCOUNT_FOR_UPDATE, {"id": account["id"]}, account["id"], if_match
        )
        await cur.execute(queries.HAS_CHILDREN, {"id": stored["id"]})
        if await cur.fetchone():
            raise ApiError({"message": "account has descendants"}, message="account_has_descendants")
        await cur.execute(queries.SOFT_DELETE_ACCOUNT, {"id": stored["id"]})
        return stored


async def regenerate_api_key(db, cache, account: dict) -> str:
    """A new api key for the account; the old one stops working."""
    key = secrets.token_hex(32)
    await db.execute(queries.SET_API_KEY, {"id": account["id"], "api_key": key})
    cache.invalidate(account["id"])
    return key


async def find_account(db, account_id: str) -> dict | None:
    """The non-deleted account with this id, or None."""
    return await db.fetch_one(queries.GET_ACCOUNT, {"id": account_id})


async def find_by_realm(db, realm: str) -> dict | None:
    """The account whose realm this is (case-insensitive), or None."""
    return await db.fetch_one(queries.FIND_BY_REALM, {"realm": realm})


async def find_by_name(db, name: str) -> list:
    """The accounts whose normalized name matches."""
    return await db.fetch_all(queries.FIND_BY_NAME_KEY, {"name_key": name_key(name)})


async def find_by_api_key(db, api_key: str) -> dict | None:
    """The account this api key belongs to, or None."""
    return await db.fetch_one(queries.FIND_BY_API_KEY, {"api_key": api_key})


async def children(db, account: dict) -> list:
    """The account's children, as tree summaries."""
    return [summary(r) for r in await db.fetch_all(queries.CHILDREN, {"id": account["id"]})]


async def descendants(db, account: dict) -> list:
    """Every account below this one, nearest first, as tree summaries."""
    return [summary(r) for r in await db.fetch_all(queries.DESCENDANTS, {"id": account["id"]})]


async def siblings(db, account: dict, auth_account: dict) -> list:
    """The parent's children, for a caller that may see the parent; 403 otherwise."""
    parent = await find_account(db, account["parent_id"]) if account["parent_id"] else None
    if parent is None or not may_access(auth_account, parent):
        raise Forbidden()
    return await children(db, parent)


async def parents(db, account: dict, auth_account: dict) -> list:
    """The ancestors the caller may see, root first."""
    rows = await db.fetch_all(queries.ACCOUNTS_BY_IDS, {"ids": account["tree"]})
    by_id = {r["id"]: r for r in rows if may_access(auth_account, r)}
    return [{"id": i, "name": by_id[i]["name"]} for i in account["tree"] if i in by_id]
