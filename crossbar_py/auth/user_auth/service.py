"""Login with md5/sha credentials: find the accounts, then the user, then issue a token."""

import base64
import binascii
import hashlib
import time

from crossbar_py.accounts import queries as account_queries
from crossbar_py.accounts.service import name_key
from crossbar_py.apps_store import service as apps_store
from crossbar_py.auth import tokens as auth
from crossbar_py.auth.user_auth.schema import USER_AUTH
from crossbar_py.http.errors import InvalidCredentials, TooManyRequests, ValidationFailed
from crossbar_py.http.validation import validate
from crossbar_py.users import queries as user_queries


async def _candidate_accounts(db, req: dict) -> list:
    realm = req.get("account_realm") or req.get("realm")
    if realm:
        row = await db.fetch_one(account_queries.FIND_BY_REALM, {"realm": realm})
        return [row] if row else []
    if req.get("account_name"):
        return await db.fetch_all(account_queries.FIND_BY_NAME_KEY, {"name_key": name_key(req["account_name"])})
    return []


async def _find_user(db, settings, account: dict, req: dict):
    md5 = req["method"] == "md5"
    query = user_queries.FIND_LOGIN_CANDIDATES_MD5 if md5 else user_queries.FIND_LOGIN_CANDIDATES_SHA
    lookup = auth.lookup_key(settings.jwt_secret, req["credentials"])
    for user in await db.fetch_all(query, {"account_id": account["id"], "lookup": lookup}):
        stored = user["md5_hash"] if md5 else user["sha1_hash"]
        if user["enabled"] and auth.check_digest(req["credentials"], user["salt"], stored, settings.scrypt_n):
            return user
    return None


async def login(db, settings, limiter, data: dict, source: str) -> tuple:
    """(token, account row, user row) for valid credentials; 401 otherwise, 400 for a disabled account,
    429 once this account and address have failed too often (a correct password included)."""
    req = validate(USER_AUTH, data)
    account_key = (
        req.get("account_realm") or req.get("realm") or req.get("account_name") or req.get("phone_number") or ""
    ).lower()
    if await limiter.blocked(account_key, source):
        raise TooManyRequests()
    for account in await _candidate_accounts(db, req):
        user = await _find_user(db, settings, account, req)
        if user is None:
            continue
        if not account["enabled"]:
            raise ValidationFailed({"account": {"disabled": {"message": "account disabled"}}})
        token = auth.issue_token(
            settings.jwt_secret, settings.token_lifetime, account["id"], user["id"], "cb_user_auth"
        )
        return token, account, user
    await limiter.failed(account_key, source)
    raise InvalidCredentials()


# Basic auth runs scrypt on every request; a verified header is remembered briefly instead.
_BASIC_CACHE: dict = {}
BASIC_CACHE_SECONDS = 30
BASIC_CACHE_MAX = 10_000


async def basic_identity(db, settings, encoded: str) -> auth.Identity:
    """`Authorization: Basic base64(account_id:md5(user:password))` (cb_basic_auth); 401 when wrong."""
    key = hashlib.sha256(encoded.encode()).hexdigest()
    cached = _BASIC_CACHE.get(key)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    try:
        account_id, _, digest = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidCredentials() from exc
    account = await db.fetch_one(account_queries.GET_ACCOUNT, {"id": account_id}) if len(account_id) == 32 else None
    user = await _find_user(db, settings, account, {"method": "md5", "credentials": digest}) if account else None
    if user is None:
        raise InvalidCredentials()
    identity = auth.Identity(account_id, user["id"], "cb_basic_auth", {"account_id": account_id})
    if len(_BASIC_CACHE) >= BASIC_CACHE_MAX:
        _BASIC_CACHE.clear()
    _BASIC_CACHE[key] = (time.monotonic() + BASIC_CACHE_SECONDS, identity)
    return identity


async def login_data_with_apps(db, account: dict, user: dict | None) -> dict:
    """login_data with `apps`: the installed apps this user may open (docs/monster-ui.md)."""
    return login_data(account, user, await apps_store.user_apps(db, account, user))


def login_data(account: dict, user: dict | None, apps: list | None = None) -> dict:
    """What Monster UI reads after a login (contract 7.2)."""
    data = {
        "account_id": account["id"],
        "account_name": account["name"],
        "language": account["doc"].get("language", "en-us"),
        "is_reseller": False,
        "is_master_account": not account["tree"],
        "apps": apps or [],
        "capabilities": {},
        "ui_config": {},
        "id": account["id"],
    }
    if user is not None:
        data["owner_id"] = user["id"]
        data["language"] = user["doc"].get("language", data["language"])
    if account["tree"]:
        data["reseller_id"] = account["tree"][0]
    return data
