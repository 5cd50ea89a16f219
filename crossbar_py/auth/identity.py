"""Who the caller is: a token (header, query or body) or Basic auth; revoked tokens are refused.

The pipeline calls `identify`; Basic auth needs the users domain, so app.py hands its verifier in
through `keys.BASIC_AUTH` and nothing here imports a domain."""

from aiohttp import web

from crossbar_py import keys
from crossbar_py.auth.tokens import Identity, verify_token
from crossbar_py.http.errors import InvalidCredentials


def raw_token(request: web.Request) -> str:
    """The token the request carries (header, query string or body), or ''."""
    token = (
        request.headers.get("X-Auth-Token")
        or request.query.get("auth_token")
        or request.get(keys.BODY, {}).get("auth_token")
        or ""
    )
    # Monster UI sends the literal "undefined" before login.
    return "" if token in ("undefined", "null") else str(token)


async def identify(request: web.Request) -> Identity | None:
    """Who the request's credentials say (a token, or Basic auth); None without credentials."""
    header = request.headers.get("Authorization", "")
    if header[:6].lower() == "basic ":
        return await request.app[keys.BASIC_AUTH](request.app[keys.DB], request.app[keys.SETTINGS], header[6:])
    token = raw_token(request)
    if not token:
        return None
    identity = verify_token(request.app[keys.SETTINGS].verify_keys, token)
    if request.app[keys.REVOCATIONS].is_revoked(identity.claims.get("jti")):
        raise InvalidCredentials()
    request[keys.RAW_TOKEN] = token
    return identity
