"""crossbar-py account create: an account with an admin user, straight into the database."""

import asyncio
import secrets
import sys

from crossbar_py.platform import db
from crossbar_py.settings import SecretsMissing, Settings, check_secrets


async def ensure_account(
    settings: Settings,
    name: str,
    user: str,
    password: str,
    realm: str | None = None,
    parent_id: str | None = None,
    superduper: bool = False,
) -> tuple:
    """Create (or find, by name) an account with an admin user; return (account row, created?)."""
    from crossbar_py.accounts import service as accounts
    from crossbar_py.users import service as users

    database = await db.Database.connect(settings.database_url, 2)
    try:
        found = await accounts.find_by_name(database, name)
        if found:
            return found[0], False
        parent = await accounts.find_account(database, parent_id) if parent_id else None
        data = {"name": name, **({"realm": realm} if realm else {})}
        account = await accounts.create_account(database, data, parent, settings.realm_suffix, superduper)
        await users.create_user(
            database,
            settings,
            account,
            {
                "first_name": "Account",
                "last_name": "Admin",
                "username": user,
                "password": password,
                "priv_level": "admin",
            },
        )
        return account, True
    finally:
        await database.close()


def cmd_account_create(args) -> int:
    """Create an account and its admin user, print how to log in."""
    try:
        check_secrets(("CROSSBAR_LOGIN_PEPPER",))
    except SecretsMissing as exc:
        print(f"crossbar-py account create: {exc}", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    password = args.password or secrets.token_urlsafe(12)
    account, created = asyncio.run(
        ensure_account(settings, args.name, args.user, password, args.realm, args.parent, args.superduper)
    )
    if not created:
        print(f"account {args.name!r} exists already: id {account['id']}", file=sys.stderr)
        return 1
    print(f"account {account['name']} id {account['id']} realm {account['realm']} user {args.user} password {password}")
    return 0
