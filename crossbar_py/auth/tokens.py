"""Tokens (JWT, docs/decisions.md §7) and user credential hashing (docs/decisions.md §9)."""

import hashlib
import hmac
import re
import secrets
import time
import uuid
from dataclasses import dataclass

import jwt

from crossbar_py.http.errors import InvalidCredentials

ALGORITHM = "HS256"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
VERIFIED_MAX = 50_000
_VERIFIED: dict = {}


@dataclass(frozen=True)
class Identity:
    """Who a valid token says the caller is."""

    account_id: str
    owner_id: str | None
    method: str
    claims: dict


def issue_token(
    secret: str, lifetime: int, account_id: str, owner_id: str | None, method: str, acting_as: dict | None = None
) -> str:
    """A signed JWT with the claims Monster UI decodes; `original_*` name the impersonator, if any."""
    now = int(time.time())
    claims = {
        "account_id": account_id,
        "method": method,
        "iss": "kazoo",
        "iat": now,
        "exp": now + lifetime,
        "jti": uuid.uuid4().hex,
    }
    if owner_id:
        claims["owner_id"] = owner_id
    if acting_as:
        claims.update(original_account_id=acting_as["account_id"], original_owner_id=acting_as["owner_id"])
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def _decode(keys: tuple, token: str) -> dict:
    """The claims of a token signed with any of `keys` (rotation keeps old tokens until they expire)."""
    for key in keys:
        try:
            return jwt.decode(token, key, algorithms=[ALGORITHM], options={"require": ["exp", "account_id"]})
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError as exc:
            raise InvalidCredentials() from exc
    raise InvalidCredentials()


def verify_token(keys: tuple | str, token: str) -> Identity:
    """The identity in a token signed with one of `keys` (current first); InvalidCredentials when it is
    malformed, forged or expired. Verifying costs about 0.4 ms (bench/api_latency), as much as a database
    query: a verified token is remembered until it expires (revocation is checked by the caller on every request)."""
    if not isinstance(token, str) or not TOKEN_RE.match(token):
        raise InvalidCredentials()  # a JWT is three base64url parts: anything else cannot be one
    keys = (keys,) if isinstance(keys, str) else tuple(keys)
    key = (keys, token)
    cached = _VERIFIED.get(key)
    if cached is not None and cached.claims["exp"] > time.time():
        return cached
    claims = _decode(keys, token)
    identity = Identity(claims["account_id"], claims.get("owner_id"), claims.get("method", ""), claims)
    if len(_VERIFIED) >= VERIFIED_MAX:
        _VERIFIED.clear()
    _VERIFIED[key] = identity
    return identity


def credential_digests(username: str, password: str) -> dict:
    """The md5 and sha1 hex digests of 'username:password' that Kazoo clients send."""
    plain = f"{username.lower()}:{password}".encode()
    return {"md5": hashlib.md5(plain).hexdigest(), "sha": hashlib.sha1(plain).hexdigest()}


def lookup_key(pepper: str, digest: str) -> str:
    """A keyed (CROSSBAR_LOGIN_PEPPER), unsalted index of a credential digest, so a login finds its user
    without trying all."""
    return hmac.new(pepper.encode(), digest.lower().encode(), hashlib.sha256).hexdigest()


def slow_hash(digest: str, salt: bytes, n: int) -> bytes:
    """scrypt of a credential digest; only this is stored."""
    return hashlib.scrypt(digest.lower().encode(), salt=salt, n=n, r=8, p=1, maxmem=64 * 1024 * 1024)


def hash_credentials(pepper: str, username: str, password: str, n: int) -> dict:
    """The columns a user row stores for its password."""
    salt = secrets.token_bytes(16)
    digests = credential_digests(username, password)
    return {
        "salt": salt,
        "md5_lookup": lookup_key(pepper, digests["md5"]),
        "md5_hash": slow_hash(digests["md5"], salt, n),
        "sha1_lookup": lookup_key(pepper, digests["sha"]),
        "sha1_hash": slow_hash(digests["sha"], salt, n),
    }


def check_digest(digest: str, salt: bytes, stored: bytes, n: int) -> bool:
    """True when digest hashes to the stored value (constant time)."""
    return hmac.compare_digest(slow_hash(digest, bytes(salt), n), bytes(stored))


def sip_ha1(username: str, realm: str, password: str) -> tuple:
    """HA1 and HA1B for Kamailio's auth_db (Kamailio never reads the clear password)."""
    ha1 = hashlib.md5(f"{username}:{realm}:{password}".encode()).hexdigest()
    ha1b = hashlib.md5(f"{username}@{realm}:{realm}:{password}".encode()).hexdigest()
    return ha1, ha1b
