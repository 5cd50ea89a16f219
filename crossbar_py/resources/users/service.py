"""User rules: lower-cased unique usernames, write-only passwords."""

from psycopg2.extras import Json

from crossbar_py import auth, documents
from crossbar_py.db import UniqueViolation
from crossbar_py.errors import BadIdentifier, Conflict, field_error
from crossbar_py.resources.users import queries
from crossbar_py.resources.users.schema import SUMMARY_KEYS, USER
from crossbar_py.validation import validate

NO_PASSWORD = {"salt": None, "md5_lookup": None, "md5_hash": None, "sha1_lookup": None, "sha1_hash": None}


def summary(row: dict) -> dict:
    """The list view of a user."""
    doc = row["doc"]
    item = {"id": row["id"], **{k: doc[k] for k in SUMMARY_KEYS if k in doc}}
    item.update(features=doc.get("features", []), flags=doc.get("flags", []))
    return item


async def create_user(db, settings, account: dict, data: dict) -> dict:
    """Create a user; the password is hashed and never stored or returned."""
    doc = validate(USER, documents.strip_private(data))
    user_id = doc.pop("id", None) or documents.new_id()
    password = doc.pop("password", None)
    if "username" in doc:
        doc["username"] = doc["username"].lower()
    hashes = NO_PASSWORD
    if password and doc.get("username"):
        hashes = auth.hash_credentials(settings.jwt_secret, doc["username"], password, settings.scrypt_n)
    params = {
        "id": user_id,
        "account_id": account["id"],
        "username": doc.get("username"),
        "enabled": doc["enabled"],
        "doc": Json(doc),
        "rev_hash": documents.rev_hash(doc),
        **hashes,
    }
    try:
        async with db.transaction() as cur:
            await cur.execute(queries.INSERT_USER, params)
            return await cur.fetchone()
    except UniqueViolation as exc:
        if exc.diag.constraint_name == "users_username_uq":
            raise field_error(
                "username", "unique", "Username must be unique within account", cause=doc["username"]
            ) from exc
        raise Conflict() from exc


async def get_user(db, account_id: str, user_id: str) -> dict:
    """A user of the account, or 404."""
    row = await db.fetch_one(queries.GET_USER, {"id": user_id, "account_id": account_id})
    if row is None:
        raise BadIdentifier(user_id)
    return row
