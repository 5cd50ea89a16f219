"""What a token says: its claims and the account information a login returns (cb_token_auth, cb_auth)."""

from crossbar_py.accounts import queries as account_queries
from crossbar_py.auth.tokens import Identity
from crossbar_py.auth.user_auth.service import login_data_with_apps
from crossbar_py.users import queries as user_queries


async def describe(db, identity: Identity) -> dict:
    """Claims plus the login data of the token's account and user."""
    account = await db.fetch_one(account_queries.GET_ACCOUNT, {"id": identity.account_id})
    user = None
    if identity.owner_id:
        user = await db.fetch_one(user_queries.GET_USER, {"id": identity.owner_id, "account_id": identity.account_id})
    claims = {k: v for k, v in identity.claims.items() if not k.startswith(("_", "pvt_"))}
    return {**claims, **(await login_data_with_apps(db, account, user))} if account else claims
