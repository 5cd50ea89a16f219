"""Registrations read from and flushed in `location`; records shaped as Kazoo's (docs/kazoo-compatibility.md §10)."""

import json
import logging

from crossbar_py.common.sip import parse_uri
from crossbar_py.http.errors import UnknownIdentifier, field_error
from crossbar_py.http.pagination import Page
from crossbar_py.platform.kamailio import KamailioError
from crossbar_py.registrations.contacts import queries

log = logging.getLogger(__name__)


def _socket(sock: str | None) -> dict:
    parts = (sock or "").split(":")
    if len(parts) != 3:
        return {}
    return {"proxy_protocol": parts[0], "proxy_ip": parts[1], "proxy_port": int(parts[2])}


def original_contact(row: dict) -> str:
    """The Contact header as registered: usrloc keeps the URI, the instance and the reg-id
    apart (docs/kazoo-compatibility.md §10.2)."""
    header = f"<{row['contact']}>"
    if row.get("instance"):
        header += f';+sip.instance="{row["instance"]}"'
    if row.get("reg_id"):
        header += f";reg-id={row['reg_id']}"
    return header


def record(row: dict) -> dict:
    """One registration element with Kazoo's field names; unknown fields are omitted (docs/decisions.md §19)."""
    # Built for ten thousand rows a listing: the only values that can be missing are tested one by one.
    username, realm = row["username"], row["domain"]
    contact_ip, contact_port = parse_uri(row["contact"])
    source_ip, source_port = parse_uri(row["received"]) if row["received"] else (contact_ip, contact_port)
    seen = row["seen"]
    rec = {
        "username": username,
        "realm": realm,
        "from_user": username,
        "from_host": realm,
        "to_user": username,
        "to_host": realm,
        "contact": row["contact"],
        "original_contact": original_contact(row),
        "contact_ip": contact_ip,
        "contact_port": contact_port,
        "source_ip": source_ip,
        "source_port": str(source_port),
        "call_id": row["callid"],
        "user_agent": row["user_agent"],
        "expires": row["expires_in"],
        "event_timestamp": seen,
        "last_registration": seen,
    }
    if contact_ip is None:
        del rec["contact_ip"], rec["contact_port"]
    if source_ip is None:
        del rec["source_ip"]
    if row["socket"]:
        rec.update(_socket(row["socket"]))
    if row["device_id"]:
        _add_device(rec, row)
    if row["path"]:
        rec["proxy_path"] = row["path"]
    return rec


def _add_device(rec: dict, row: dict) -> None:
    rec["authorizing_id"] = row["device_id"]
    rec["authorizing_type"] = "device"
    for key in ("account_realm", "account_name", "suppress_unregister_notify", "register_overwrite_notify"):
        if row[key] is not None:
            rec[key] = row[key]
    for key in ("owner_id", "presence_id"):
        if row[key]:
            rec[key] = row[key]


def _page_key(row: dict) -> str:
    return json.dumps([row["username"], row["id"]])


def _page_start(page: Page) -> tuple:
    """(username, id) of the first contact of the page asked for."""
    if not page.start:
        return "", 0
    try:
        username, contact_id = json.loads(page.start)
    except (ValueError, TypeError) as exc:
        raise field_error("start_key", "type", "not a start key of this listing") from exc
    if not isinstance(username, str) or not isinstance(contact_id, int):
        raise field_error("start_key", "type", "not a start key of this listing")
    return username, contact_id


async def list_registrations(db, account: dict, page: Page) -> tuple:
    """A page of the live contacts of the account's devices (all of them unless paginated), ordered by
    username; (the records, the envelope's pagination keys)."""
    username, contact_id = _page_start(page)
    params = {"account_id": account["id"], "limit": page.limit(), "start_username": username, "start_id": contact_id}
    rows = await db.fetch_all(queries.LIST_ACCOUNT_CONTACTS, params)
    rows, extra = page.envelope(rows, key=_page_key)
    return [record(r) for r in rows], extra


async def all_registrations(db, account: dict) -> list:
    """Every live contact of the account's devices, as records."""
    records, _ = await list_registrations(db, account, Page.everything())
    return records


async def count_registrations(db, account: dict) -> int:
    """Live contacts of the account's devices."""
    return (await db.fetch_one(queries.COUNT_ACCOUNT_CONTACTS, {"account_id": account["id"]}))["count"]


async def list_all(db) -> list:
    """Every live contact of every account (superduper only)."""
    return [record(r) for r in await db.fetch_all(queries.LIST_ALL_CONTACTS)]


async def count_all(db) -> int:
    """Live contacts system-wide."""
    return (await db.fetch_one(queries.COUNT_ALL_CONTACTS))["count"]


async def registered_devices(db, account_id: str) -> list:
    """Kazoo's /devices/status: one element per device with a live contact."""
    rows = await db.fetch_all(queries.REGISTERED_DEVICES, {"account_id": account_id})
    return [{"device_id": r["device_id"], "registered": True} for r in rows]


async def flush_account(db, account: dict) -> int:
    """Delete every contact of the account's devices in one transaction."""
    async with db.transaction() as cur:
        await cur.execute(queries.FLUSH_ACCOUNT, {"account_id": account["id"]})
        flushed = cur.rowcount
    if flushed >= queries.BIG_FLUSH:
        await db.execute(queries.ANALYZE_LOCATION)
    return flushed


async def notify_contacts(db, kamailio, username: str, realm: str, event: str, **body) -> int:
    """Send a NOTIFY through Kamailio to every live contact of username@realm; how many were sent."""
    return await notify_each(kamailio, f"{username}@{realm}", await aor_contacts(db, username, realm), event, **body)


async def notify_each(kamailio, aor: str, contacts: list, event: str, **body) -> int:
    """Send a NOTIFY to each of these contacts of aor, at its real address; how many were sent."""
    sent = 0
    for contact in contacts:
        try:
            await kamailio.send_notify(contact["contact"], aor, event, dst=contact["received"], **body)
            sent += 1
        except KamailioError as exc:
            log.warning("NOTIFY not sent", extra={"aor": aor, "event": event, "error": str(exc)})
    return sent


async def flush_username(db, kamailio, account: dict, username: str) -> list:
    """Flush one SIP username of exactly one device; check-sync the phone first, as Kazoo does."""
    devices = await db.fetch_all(queries.DEVICES_BY_SIP_USERNAME, {"account_id": account["id"], "username": username})
    if len(devices) != 1:
        raise UnknownIdentifier(username)
    return await flush_device(db, kamailio, devices[0])


async def flush_device(db, kamailio, device: dict) -> list:
    """The one flush of a device, as Kazoo's: a check-sync NOTIFY to its live contacts, then every
    contact deleted in one transaction (journaled as flushed); the rows removed."""
    if not device["sip_username"]:
        return []
    username, realm = device["sip_username"], device["sip_realm"]
    await notify_contacts(db, kamailio, username, realm, "check-sync")
    return await flush_aor(db, username, realm)


async def aor_contacts(db, username: str, realm: str) -> list:
    """The live contacts of username@realm, newest first."""
    return await db.fetch_all(queries.AOR_CONTACTS, {"username": username, "realm": realm})


async def flush_aor(db, username: str, realm: str) -> list:
    """Delete every contact of username@realm in one transaction (journaled as flushed); the rows removed."""
    async with db.transaction() as cur:
        await cur.execute(queries.FLUSH_AOR, {"username": username, "realm": realm})
        return await cur.fetchall()
