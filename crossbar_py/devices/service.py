"""Device rules (docs/kazoo-compatibility.md §8.4): MAC normalisation, realm, SIP credential uniqueness,
HA1 on write."""

import contextlib
import ipaddress
import json
import re

from crossbar_py.auth import tokens as auth
from crossbar_py.common import documents
from crossbar_py.common import writes as crud
from crossbar_py.devices import queries
from crossbar_py.devices.schema import DEVICE, DEVICES_NOTIFY, SUMMARY_OPTIONAL
from crossbar_py.http import filters
from crossbar_py.http.errors import BadIdentifier, BadRequest, Conflict, ValidationFailed, field_error
from crossbar_py.http.validation import validate
from crossbar_py.platform.db import UniqueViolation
from crossbar_py.registrations.contacts import service as contacts
from crossbar_py.users.service import find_user, get_user


def normalize(data: dict, account: dict) -> dict:
    """Kazoo's pipeline steps 1-4: MAC to bare lower hex; outbound_flags trimmed (a scalar becomes []);
    sip.realm equal to the account's dropped; null provision keys dropped."""
    doc = documents.strip_private(data)
    if isinstance(doc.get("mac_address"), str):
        doc["mac_address"] = re.sub(r"[^0-9a-fA-F]", "", doc["mac_address"]).lower()
    flags = doc.get("outbound_flags")
    if isinstance(flags, list):
        doc["outbound_flags"] = [f.strip() if isinstance(f, str) else f for f in flags]
    elif "outbound_flags" in doc and not isinstance(flags, dict):
        doc["outbound_flags"] = []
    sip = doc.get("sip")
    realm = sip.get("realm") if isinstance(sip, dict) else None
    if isinstance(sip, dict) and isinstance(realm, str) and realm.lower() == account["realm"].lower():
        doc["sip"] = {k: v for k, v in sip.items() if k != "realm"}
    provision = doc.get("provision")
    if isinstance(provision, dict):
        for keyset in ("combo_keys", "feature_keys"):
            if isinstance(provision.get(keyset), dict):
                provision[keyset] = {k: v for k, v in provision[keyset].items() if v is not None}
    return doc


def columns(doc: dict, account: dict) -> dict:
    """The queried and constrained columns derived from a device document."""
    sip = doc.get("sip", {})
    username, password = sip.get("username"), sip.get("password")
    realm = sip.get("realm") or account["realm"]
    ha1 = ha1b = None
    if username and password and sip.get("method", "password") == "password":
        ha1, ha1b = auth.sip_ha1(username, realm, password)
    return {
        "name": doc["name"],
        "sip_username": username,
        "sip_realm": realm if username else None,
        "ha1": ha1,
        "ha1b": ha1b,
        "owner_id": doc.get("owner_id"),
        "enabled": doc["enabled"],
        "device_type": doc.get("device_type"),
        "mac_address": doc.get("mac_address") or None,
    }


def summary(row: dict) -> dict:
    """The list view of a device (docs/kazoo-compatibility.md §8.8)."""
    doc = row["doc"]
    item = {
        "id": row["id"],
        "name": doc.get("name"),
        "mac_address": doc.get("mac_address", ""),
        "enabled": doc.get("enabled", True),
        "device_type": doc.get("device_type", "sip_device"),
        "flags": doc.get("flags", []),
    }
    username = doc.get("sip", {}).get("username")
    if username:
        item["username"] = username
    if doc.get("owner_id"):
        item["owner_id"] = doc["owner_id"]
    item.update({k: doc[k] for k in SUMMARY_OPTIONAL if k in doc})
    return item


def unique_error(exc: UniqueViolation, doc: dict):
    """Kazoo's 400 `unique` for a credential or MAC clash; 409 for a taken id."""
    constraint = exc.diag.constraint_name
    if constraint == "devices_sip_cred_uq":
        return field_error(
            "sip.username", "unique", "SIP credentials already in use", cause=doc.get("sip", {}).get("username")
        )
    if constraint == "devices_sip_ip_uq":
        return field_error("sip.ip", "unique", "SIP IP already in use", cause=doc.get("sip", {}).get("ip"))
    if constraint == "devices_mac_uq":
        return field_error("mac_address", "unique", "MAC address already in use", cause=doc.get("mac_address"))
    return Conflict()


async def create_device(db, account: dict, data: dict) -> dict:
    """Validate and insert a device; a client-chosen id is honoured (409 when taken)."""
    doc = validate(DEVICE, normalize(data, account))
    check_realm(doc)
    check_ip_method(doc)
    await check_owner(db, account["id"], doc)
    device_id = documents.chosen_id(doc)
    params = {
        "id": device_id,
        "account_id": account["id"],
        **crud.stored(doc),
        **columns(doc, account),
    }
    return await crud.insert(db, queries.INSERT_DEVICE, params, lambda exc: unique_error(exc, doc))


BULK_COLUMNS = (
    "id",
    "name",
    "sip_username",
    "sip_realm",
    "ha1",
    "ha1b",
    "owner_id",
    "enabled",
    "device_type",
    "mac_address",
    "doc",
    "rev_hash",
)


async def create_devices(db, account: dict, datas: list) -> list:
    """Validate and insert several devices in one statement (an import); the rows. Any clash fails the
    whole batch with create_device's error (the caller may then create them one by one)."""
    rows = []
    for data in datas:
        doc = validate(DEVICE, normalize(data, account))
        check_ip_method(doc)
        device_id = documents.chosen_id(doc)
        rows.append(
            {"id": device_id, "doc": json.dumps(doc), "rev_hash": documents.rev_hash(doc), **columns(doc, account)}
        )
    params = {column: [row[column] for row in rows] for column in BULK_COLUMNS}
    async with crud.transaction(db, lambda exc: unique_error(exc, {})) as cur:
        await cur.execute(queries.INSERT_DEVICES, {"account_id": account["id"], **params})
        return await cur.fetchall()


def _check_type_change(stored: dict, doc: dict, superduper: bool) -> None:
    if stored.get("device_type") != doc.get("device_type") and not superduper:
        raise ValidationFailed(
            {
                "device_type": {
                    "invalid": {
                        "message": "Not authorized to change type of device",
                        "cause": doc.get("device_type", ""),
                    }
                }
            }
        )


def check_realm(doc: dict) -> None:
    """A realm belongs to one account (docs/tenancy.md): normalize dropped the account's own, so any other
    sip.realm names a realm this account does not own (another tenant's, whose phones it would squat)."""
    realm = doc.get("sip", {}).get("realm")
    if realm is not None:
        raise field_error("sip.realm", "invalid", "sip.realm must be the account's realm", value=realm)


async def check_owner(db, account_id: str, doc: dict) -> None:
    """owner_id names a user of the device's own account (400 otherwise: another tenant's user included)."""
    owner_id = doc.get("owner_id")
    if owner_id is None:
        return
    if not isinstance(owner_id, str) or await find_user(db, account_id, owner_id) is None:
        raise field_error("owner_id", "invalid", "owner_id must name a user of this account", value=owner_id)


def check_ip_method(doc: dict) -> None:
    """Step 9: an IP-authenticated device needs an IPv4 sip.ip."""
    sip = doc.get("sip", {})
    if sip.get("method") != "ip":
        return
    try:
        ipaddress.IPv4Address(sip.get("ip", ""))
    except ValueError as exc:
        raise ValidationFailed(
            {"sip.ip": {"type": {"message": "Must be a valid IPv4 RFC 791", "cause": sip.get("ip", "")}}}
        ) from exc


async def save_device(
    db, account: dict, device_id: str, data: dict, superduper: bool, patch: bool, if_match=None, cache=None
) -> dict:
    """POST (replace public fields) or PATCH (merge) a device, validated as on create; with this node's
    cache given, dropped from it once committed."""
    with _changing(cache, device_id):
        async with crud.transaction(db, lambda exc: unique_error(exc, data)) as cur:
            stored = await crud.fetch_for_write(
                cur, queries.GET_DEVICE_FOR_UPDATE, {"id": device_id, "account_id": account["id"]}, device_id, if_match
            )
            doc = validate(DEVICE, normalize(crud.next_body(stored["doc"], data, patch), account))
            _check_type_change(stored["doc"], doc, superduper)
            check_realm(doc)
            check_ip_method(doc)
            await check_owner(db, account["id"], doc)
            await cur.execute(queries.UPDATE_DEVICE, {"id": device_id, **crud.stored(doc), **columns(doc, account)})
            return await cur.fetchone()


async def delete_device(db, account_id: str, device_id: str, soft: bool, if_match=None, cache=None) -> dict:
    """Soft (or hard) delete; the row as it was. Its registrations go with it (sql/005)."""
    with _changing(cache, device_id):
        return await crud.delete_document(
            db, queries.Delete, {"id": device_id, "account_id": account_id}, device_id, soft, if_match
        )


def _changing(cache, device_id: str):
    """Forget the device on this node after its change commits (or fails): a GET that read it meanwhile
    cannot keep the old row (DeviceCache.ticket), and the change's own announcement comes later."""
    return cache.changing(device_id) if cache is not None else contextlib.nullcontext()


async def get_device(db, account_id: str, device_id: str) -> dict:
    """A device of the account, or 404."""
    row = await db.fetch_one(queries.GET_DEVICE, {"id": device_id, "account_id": account_id})
    if row is None:
        raise BadIdentifier(device_id)
    return row


async def read_device(db, cache, account_id: str, device_id: str) -> dict:
    """GET's device: from this node's cache while no change to it has been announced, else read (and kept)."""
    row = cache.get(account_id, device_id)
    if row is None:
        ticket = cache.ticket()
        row = await get_device(db, account_id, device_id)
        cache.put(ticket, row)
    return row


async def list_devices(db, account_id: str, page, query) -> list:
    """Rows for one page (or all) of the account's matching devices, in ascending id order."""
    where, params = filters.build(query)
    return await db.fetch_all(
        queries.LIST_DEVICES_PAGE.format(filters=where),
        {"account_id": account_id, "start": page.start, "limit": page.limit(), **params},
    )


REGISTRABLE_TYPES = {"sip_device", "smartphone", "softphone", "fax", "ata"}


def registrable(row: dict) -> bool:
    """Monster UI's rule: a registrable type authenticated by password (docs/kazoo-compatibility.md §8.8)."""
    doc = row["doc"]
    return doc.get("device_type", "sip_device") in REGISTRABLE_TYPES and doc.get("sip", {}).get("method") != "ip"


async def user_devices(db, account_id: str, user_id: str) -> list:
    """Summaries of the devices owned by the user or hotdesked to it; 404 when the user does not exist."""
    await get_user(db, account_id, user_id)
    data = []
    for row in await db.fetch_all(queries.USER_DEVICES, {"account_id": account_id, "user_id": user_id}):
        item = {k: v for k, v in summary(row).items() if k not in ("username", "flags")}
        item["hotdesked"] = row["owner_id"] != user_id
        data.append(item)
    return data


def sync_event(doc: dict, reboot: str | None) -> str:
    """The check-sync event for a device: provision.check_sync_event, and with ?reboot= its reboot or
    reload suffix, only when the device names its own event (Kazoo 4.3's quirk, docs/kazoo-compatibility.md §8.10)."""
    provision = doc.get("provision", {})
    event = provision.get("check_sync_event", "check-sync")
    if reboot in ("true", "false") and "check_sync_event" in provision:
        suffix = provision.get("check_sync_reboot" if reboot == "true" else "check_sync_reload")
        event = f"{event};{suffix}" if suffix else event
    return event


async def sync(db, kamailio, account_id: str, device_id: str, reboot: str | None) -> dict:
    """Send the device's check-sync NOTIFY to its live contacts; the device row."""
    row = await get_device(db, account_id, device_id)
    if row["sip_username"]:
        event = sync_event(row["doc"], reboot)
        await contacts.notify_contacts(db, kamailio, row["sip_username"], row["sip_realm"], event)
    return row


def notify_request(body: dict) -> dict:
    """The NOTIFY action's event and optional body; 400 without action "notify" (docs/kazoo-compatibility.md §8.11)."""
    action = body.get("action")
    if action != "notify":
        raise BadRequest({}, message="invalid action" if action else "action required")
    data = body["data"]
    # 4.3 reads data.data.event; its docs show data.event: accept both.
    notify = validate(DEVICES_NOTIFY, data.get("data", data) if isinstance(data, dict) else {})
    extra = {"content_type": notify["body"]["content_type"], "body": notify["body"]["data"]} if "body" in notify else {}
    return {"event": notify["event"], **extra}


async def notify(db, kamailio, account_id: str, device_id: str, body: dict) -> None:
    """PUT /devices/{D} action notify: a NOTIFY with the client's event (and body) to the phone."""
    row = await get_device(db, account_id, device_id)
    request = notify_request(body)
    if row["sip_username"]:
        await contacts.notify_contacts(db, kamailio, row["sip_username"], row["sip_realm"], **request)


async def follow_account_realm(cur, account: dict) -> None:
    """In the account's write transaction: devices without a realm of their own take its new realm
    (their HA1s are recomputed, so Kamailio's credentials follow at once)."""
    await cur.execute(queries.DEVICES_ON_ACCOUNT_REALM, {"account_id": account["id"]})
    for device in await cur.fetchall():
        await cur.execute(queries.UPDATE_DEVICE_CREDENTIALS, {"id": device["id"], **columns(device["doc"], account)})


async def owned_sip_identities(db, account_id: str, pairs: list) -> set:
    """The (SIP username, realm) pairs among these that name one of the account's devices."""
    if not pairs:
        return set()
    params = {"account_id": account_id, "usernames": [u for u, _ in pairs], "realms": [r for _, r in pairs]}
    rows = await db.fetch_all(queries.OWNED_SIP_IDENTITIES, params)
    return {(r["sip_username"], r["sip_realm"]) for r in rows}


async def account_devices(db, account_id: str) -> list:
    """Every device row of the account, soft-deleted ones included."""
    return await db.fetch_all(queries.ACCOUNT_DEVICES, {"account_id": account_id})
