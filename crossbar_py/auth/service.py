"""Logins (user credentials, api keys, Basic auth, impersonation) and what a token says."""

import base64
import binascii
import hashlib
import time

from crossbar_py.accounts import service as accounts
from crossbar_py.apps_store import service as apps_store
from crossbar_py.auth import tokens
from crossbar_py.auth.schema import API_AUTH, USER_AUTH
from crossbar_py.auth.tokens import Identity
from crossbar_py.common.documents import ID_RE
from crossbar_py.http.errors import (
    BadRequest,
    Forbidden,
    InvalidCredentials,
    TooManyRequests,
    UnknownIdentifier,
    ValidationFailed,
)
from crossbar_py.http.validation import validate
from crossbar_py.users import service as users

ACCOUNT_DISABLED = {"account": {"disabled": {"message": "account disabled"}}}


async def _candidate_accounts(db, req: dict) -> list:
    realm = req.get("account_realm") or req.get("realm")
    if realm:
        row = await accounts.find_by_realm(db, realm)
        return [row] if row else []
    if req.get("account_name"):
        return await accounts.find_by_name(db, req["account_name"])
    return []


async def _find_user(db, settings, account: dict, req: dict):
    for user in await users.login_candidates(db, settings, account["id"], req["method"], req["credentials"]):
        stored = user["md5_hash"] if req["method"] == "md5" else user["sha1_hash"]
        if user["enabled"] and tokens.check_digest(req["credentials"], user["salt"], stored, settings.scrypt_n):
            return user
    return None


def _issue(settings, account_id: str, owner_id: str | None, method: str, acting_as: dict | None = None) -> str:
    return tokens.issue_token(settings.jwt_secret, settings.token_lifetime, account_id, owner_id, method, acting_as)


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
            raise ValidationFailed(ACCOUNT_DISABLED)
        return _issue(settings, account["id"], user["id"], "cb_user_auth"), account, user
    await limiter.failed(account_key, source)
    raise InvalidCredentials()


async def api_login(db, settings, data) -> tuple:
    """(token, account row) for an account's api key (cb_api_auth); 404 naming an unknown key."""
    if not isinstance(data, dict) or not data.get("api_key"):
        raise InvalidCredentials()
    key = validate(API_AUTH, data)["api_key"]
    account = await accounts.find_by_api_key(db, key)
    if account is None:
        raise UnknownIdentifier(key)
    if not account["enabled"]:
        raise ValidationFailed(ACCOUNT_DISABLED)
    return _issue(settings, account["id"], None, "cb_api_auth"), account


async def impersonate(db, settings, identity: Identity, auth_account: dict, account: dict, user_id: str, body):
    """(token, user row) acting as a user of account, for admins of a superduper account only
    (docs/kazoo-compatibility.md §7.2)."""
    data = body["data"] if isinstance(body["data"], dict) else {}
    if (body.get("action") or data.get("action")) != "impersonate_user":
        raise BadRequest({}, message="invalid action")
    admin = await users.get_user(db, auth_account["id"], identity.owner_id) if identity.owner_id else None
    if not (auth_account["superduper"] and admin and admin["doc"].get("priv_level") == "admin"):
        raise Forbidden()
    user = await users.get_user(db, account["id"], user_id)
    acting_as = {"account_id": auth_account["id"], "owner_id": admin["id"]}
    return _issue(settings, account["id"], user["id"], "cb_user_auth", acting_as), user


# Basic auth runs scrypt on every request; a verified header is remembered briefly instead.
_BASIC_CACHE: dict = {}
BASIC_CACHE_SECONDS = 30
BASIC_CACHE_MAX = 10_000


async def basic_identity(db, settings, encoded: str) -> Identity:
    """`Authorization: Basic base64(account_id:md5(user:password))` (cb_basic_auth); 401 when wrong."""
    if not encoded.isascii():
        raise InvalidCredentials()  # base64 is ASCII; aiohttp hands other header bytes over as surrogates
    key = hashlib.sha256(encoded.encode()).hexdigest()
    cached = _BASIC_CACHE.get(key)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    try:
        account_id, _, digest = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidCredentials() from exc
    if not ID_RE.match(account_id) or not digest.isascii() or "\x00" in digest:
        raise InvalidCredentials()
    account = await accounts.find_account(db, account_id)
    user = await _find_user(db, settings, account, {"method": "md5", "credentials": digest}) if account else None
    if user is None:
        raise InvalidCredentials()
    identity = Identity(account_id, user["id"], "cb_basic_auth", {"account_id": account_id})
    if len(_BASIC_CACHE) >= BASIC_CACHE_MAX:
        _BASIC_CACHE.clear()
    _BASIC_CACHE[key] = (time.monotonic() + BASIC_CACHE_SECONDS, identity)
    return identity


async def describe(db, identity: Identity) -> dict:
    """What a token says: its claims plus the login data of its account and user (cb_token_auth)."""
    account = await accounts.find_account(db, identity.account_id)
    user = await users.find_user(db, identity.account_id, identity.owner_id) if identity.owner_id else None
    claims = {k: v for k, v in identity.claims.items() if not k.startswith(("_", "pvt_"))}
    return {**claims, **(await login_data_with_apps(db, account, user))} if account else claims


async def login_data_with_apps(db, account: dict, user: dict | None) -> dict:
    """login_data with `apps`: the installed apps this user may open (docs/monster-ui.md)."""
    return login_data(account, user, await apps_store.user_apps(db, account, user))


def login_data(account: dict, user: dict | None, apps: list | None = None) -> dict:
    """What Monster UI reads after a login (docs/kazoo-compatibility.md §7.2)."""
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
