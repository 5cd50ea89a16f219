"""Bans read from and lifted in Kamailio's htables over JSON-RPC; each lift journaled."""

import time

from crossbar_py.devices import service as devices
from crossbar_py.http.errors import BadIdentifier, KamailioUnavailable
from crossbar_py.platform.kamailio import KamailioError
from crossbar_py.sip_bans import queries, schema


async def _dump(kamailio, table: str, timeout: float = 3.0) -> list:
    """(key, until) of every entry of one htable."""
    try:
        slots = await kamailio.call("htable.dump", table, timeout=timeout) or []
    except KamailioError as exc:
        raise KamailioUnavailable() from exc
    return [(item["name"], int(item["value"])) for slot in slots for item in slot.get("slot", [])]


async def all_bans(kamailio, tables=tuple(schema.TYPES), timeout: float = 3.0) -> list:
    """Every ban this Kamailio holds (in these htables), soonest to end first."""
    now = int(time.time())
    bans = [
        schema.ban(table, key, until, now)
        for table in tables
        for key, until in await _dump(kamailio, table, timeout)
        if until > now
    ]
    return sorted(bans, key=lambda b: (b["bannedUntil"], b["id"]))


async def _owned(db, account: dict, bans: list) -> list:
    """The bans that name one of the account's own devices (never by realm string alone)."""
    pairs = [(b["username"], b["realm"]) for b in bans if "username" in b]
    owned = await devices.owned_sip_identities(db, account["id"], pairs)
    return [b for b in bans if (b.get("username"), b.get("realm")) in owned]


async def account_bans(db, kamailio, account: dict) -> list:
    """The credentials bans of the account's devices (address bans belong to no account)."""
    return await _owned(db, account, await all_bans(kamailio, (schema.TABLES["credentials"],)))


async def device_bans(kamailio, username: str, realm: str) -> list:
    """The bans of one SIP username@realm; empty when Kamailio cannot say within a second."""
    # Only credentials bans name a username; xhttp RPC runs in Kamailio's SIP TCP workers, so ask little.
    try:
        bans = await all_bans(kamailio, (schema.TABLES["credentials"],), timeout=1.0)
    except KamailioUnavailable:
        return []
    return [b for b in bans if b.get("username") == username and b.get("realm") == realm]


async def _current(kamailio, table: str, key: str) -> dict:
    for found_key, until in await _dump(kamailio, table):
        if found_key == key and until > time.time():
            return schema.ban(table, key, until, int(time.time()))
    raise BadIdentifier(schema.ban_id(table, key))


async def lift(db, kamailio, raw_id: str, request_id: str, account: dict | None = None) -> dict:
    """Lift one ban (an account may lift only its realms' credentials bans); the ban as it was."""
    table, key = schema.parse_ban_id(raw_id)
    ban = await _current(kamailio, table, key)
    if account is not None and not await _owned(db, account, [ban]):
        raise BadIdentifier(raw_id[:64])
    for name in (table, schema.COUNTERS[table]):
        if name:
            try:
                await kamailio.call("htable.delete", name, key)
            except KamailioError as exc:
                if name == table:
                    raise KamailioUnavailable() from exc
    params = {
        "username": ban.get("username", ""),
        "realm": ban.get("realm", ""),
        "ip": ban["ip"],
        "kind": ban["type"],
        "request_id": request_id,
    }
    await db.fetch_one(queries.JOURNAL_LIFTED, params)
    return ban
