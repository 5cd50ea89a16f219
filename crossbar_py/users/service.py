"""User rules: lower-cased unique usernames, write-only passwords."""

from crossbar_py.auth import tokens as auth
from crossbar_py.common import documents
from crossbar_py.common import writes as crud
from crossbar_py.http import filters
from crossbar_py.http.errors import BadIdentifier, Conflict, ValidationFailed, field_error
from crossbar_py.http.validation import validate
from crossbar_py.platform.db import UniqueViolation
from crossbar_py.users import queries
from crossbar_py.users.schema import SUMMARY_KEYS, USER

NO_PASSWORD = {"salt": None, "md5_lookup": None, "md5_hash": None, "sha1_lookup": None, "sha1_hash": None}


def summary(row: dict) -> dict:
    """The list view of a user."""
    doc = row["doc"]
    item = {"id": row["id"], **{k: doc[k] for k in SUMMARY_KEYS if k in doc}}
    item.update(features=doc.get("features", []), flags=doc.get("flags", []))
    return item


def _prepare(data: dict) -> tuple:
    doc = validate(USER, data)
    password = doc.pop("password", None)
    if "username" in doc:
        doc["username"] = doc["username"].lower()
    return doc, password


def _hashes(settings, username: str | None, password: str | None) -> dict:
    if password and username:
        return auth.hash_credentials(settings.login_pepper, username, password, settings.scrypt_n)
    return NO_PASSWORD


def _unique(exc: UniqueViolation, doc: dict):
    if exc.diag.constraint_name == "users_username_uq":
        return field_error("username", "unique", "Username must be unique within account", cause=doc.get("username"))
    return Conflict()


async def create_user(db, settings, account: dict, data: dict) -> dict:
    """Create a user; the password is hashed and never stored or returned."""
    doc, password = _prepare(documents.strip_private(data))
    user_id = documents.chosen_id(doc)
    params = {
        "id": user_id,
        "account_id": account["id"],
        "username": doc.get("username"),
        "enabled": doc["enabled"],
        **crud.stored(doc),
        **_hashes(settings, doc.get("username"), password),
    }
    return await crud.insert(db, queries.INSERT_USER, params, lambda exc: _unique(exc, doc))


async def save_user(db, settings, account_id: str, user_id: str, data: dict, patch: bool, if_match=None) -> dict:
    """POST or PATCH a user. A new password is rehashed; a new username needs the password too."""
    async with crud.transaction(db, lambda exc: _unique(exc, data)) as cur:
        stored = await crud.fetch_for_write(
            cur, queries.GET_USER_FOR_UPDATE, {"id": user_id, "account_id": account_id}, user_id, if_match
        )
        doc, password = _prepare(crud.next_body(stored["doc"], data, patch))
        if doc.get("username") != stored["username"] and not password and stored["md5_hash"]:
            raise ValidationFailed(
                {"password": {"required": {"message": "Field is required but missing", "value": "password"}}}
            )
        keep = {k: stored[k] for k in NO_PASSWORD}
        hashes = _hashes(settings, doc.get("username"), password) if password else keep
        params = {"id": user_id, "username": doc.get("username"), "enabled": doc["enabled"], **crud.stored(doc)}
        await cur.execute(queries.UPDATE_USER, {**params, **hashes})
        return await cur.fetchone()


async def delete_user(db, account_id: str, user_id: str, soft: bool, if_match=None) -> dict:
    """Soft (or hard) delete; devices it owns stop registering (sql/004 triggers)."""
    return await crud.delete_document(
        db, queries.Delete, {"id": user_id, "account_id": account_id}, user_id, soft, if_match
    )


async def find_user(db, account_id: str, user_id: str) -> dict | None:
    """A user of the account, or None."""
    return await db.fetch_one(queries.GET_USER, {"id": user_id, "account_id": account_id})


async def get_user(db, account_id: str, user_id: str) -> dict:
    """A user of the account, or 404."""
    row = await find_user(db, account_id, user_id)
    if row is None:
        raise BadIdentifier(user_id)
    return row


async def login_candidates(db, settings, account_id: str, method: str, digest: str) -> list:
    """Users of the account whose lookup key matches the digest under the current pepper, else under a
    previous one (whose keys are then re-made with the current pepper: docs/operations.md)."""
    md5 = method == "md5"
    query = queries.FIND_LOGIN_CANDIDATES_MD5 if md5 else queries.FIND_LOGIN_CANDIDATES_SHA
    current = auth.lookup_key(settings.login_pepper, digest)
    for pepper in settings.login_peppers:
        lookup = current if pepper == settings.login_pepper else auth.lookup_key(pepper, digest)
        found = await db.fetch_all(query, {"account_id": account_id, "lookup": lookup})
        if found:
            if lookup != current:
                rekey = queries.REKEY_MD5_LOOKUP if md5 else queries.REKEY_SHA1_LOOKUP
                for user in found:
                    await db.execute(rekey, {"id": user["id"], "old": lookup, "new": current})
            return found
    return []


async def list_users(db, account_id: str, page, query) -> tuple:
    """(summaries, pagination keys) for a listing with Kazoo's filters."""
    where, params = filters.build(query)
    rows = await db.fetch_all(
        queries.LIST_USERS.format(filters=where),
        {"account_id": account_id, "start": page.start, "limit": page.limit(), **params},
    )
    rows, extra = page.envelope(rows, key=lambda r: r["id"])
    return [summary(r) for r in rows], extra


async def directory_members(db, account_id: str, directory_id: str) -> list:
    """The users in a directory, each with the callflow it reaches them by (a directory's `users`)."""
    rows = await db.fetch_all(queries.DIRECTORY_MEMBERS, {"account_id": account_id, "directory_id": directory_id})
    return [{k: v for k, v in r.items() if v is not None} for r in rows]
