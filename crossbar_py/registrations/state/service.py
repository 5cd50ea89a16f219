"""A device's registration state, from live contacts and the journal (docs/monitoring.md)."""

import asyncio
from collections import Counter

from marshmallow import Schema, fields

from crossbar_py.common.sip import parse_uri
from crossbar_py.common.times import iso, now_iso
from crossbar_py.http import inputs
from crossbar_py.http import querystring as query
from crossbar_py.http.errors import field_error
from crossbar_py.platform.db import sql as psql
from crossbar_py.registrations.contacts.service import aor_contacts, flush_device, notify_each
from crossbar_py.registrations.journal import events
from crossbar_py.registrations.state import counts, queries, view
from crossbar_py.sip_bans import service as sip_bans


async def current(db, device: dict) -> dict | None:
    """The device's state row: one of the seven statuses and its newest live contact (sql/021's view)."""
    return await db.fetch_one(queries.DEVICE_STATE, {"device_id": device["id"], "account_id": device["account_id"]})


async def status(db, device: dict) -> str:
    """One of the seven statuses (docs/monitoring.md)."""
    row = await current(db, device)
    return row["status"] if row else "unregistered"


def parse_lines(raw: str | None) -> int:
    """?lines=N: 1..1000, default 50."""
    if raw is None:
        return 50
    lines = inputs.ascii_int(raw)
    if lines is None or not 1 <= lines <= 1000:
        raise field_error(
            "lines",
            "minimum" if inputs.ascii_int(raw.lstrip("-")) is not None else "type",
            "lines must be an integer from 1 to 1000",
            value=raw,
            target=[1, 1000],
        )
    return lines


async def logs(db, device_id: str, lines: int) -> list:
    """The device's journal, newest first (the logs route names contact and expiry its own way)."""
    out = []
    for row in await db.fetch_all(queries.DEVICE_LOGS, {"device_id": device_id, "lines": lines}):
        seen = events.view(row)
        entry = {
            "timestamp": seen["timestamp"],
            "event": row["event"],
            "contact": row["contact"],
            "ipAddress": seen["ipAddress"],
            "port": seen["port"],
            "userAgent": seen["userAgent"],
            "expires": seen["expiresAt"],
            "reason": seen["reason"],
            "requestId": seen["requestId"],
        }
        out.append(events.compact(entry))
    return out


async def registration(db, kamailio, device: dict, account: dict, sip_server: str) -> dict:
    """Seed 000's registration object, plus contacts, lastRegistration and diagnostics."""
    state = await status(db, device)
    rows = []
    if device["sip_username"]:
        rows = await aor_contacts(db, device["sip_username"], device["sip_realm"])
    first = {}
    if rows:
        found = await db.fetch_all(
            queries.FIRST_REGISTERED, {"device_id": device["id"], "ruids": [r["ruid"] for r in rows]}
        )
        first = {f["ruid"]: f["ts"] for f in found}
    data = {
        "deviceId": device["id"],
        "status": state,
        "contacts": [view.contact(r, first.get(r["ruid"])) for r in rows],
        "diagnostics": await view.diagnostics(db, device, rows, state, sip_server, await _bans(kamailio, device)),
    }
    if rows:
        latest = rows[0]
        ip, port = parse_uri(latest["received"] or latest["contact"])
        data.update(
            registeredAt=iso(first.get(latest["ruid"])),
            expiresAt=iso(latest["expires"]),
            registrationExpiry=int((latest["expires"] - latest["last_modified"]).total_seconds()),
            ipAddress=ip,
            port=port,
            transportProtocol=(latest["socket"] or "udp").split(":")[0].upper(),
            userAgent=latest["user_agent"],
            contactUri=latest["contact"],
            lastActivity=iso(latest["last_modified"]),
        )
    else:
        last = await db.fetch_one(queries.LAST_REGISTRATION, {"device_id": device["id"]})
        if last is not None:
            data["lastRegistration"] = {
                "registrationId": last["ruid"],
                "contactAddress": last["contact"],
                "realAddress": last["source"],
                "userAgent": last["user_agent"],
                "at": iso(last["ts"]),
                "expiresAt": iso(last["expires_at"]),
            }
    return {k: v for k, v in data.items() if v is not None}


async def _bans(kamailio, device: dict) -> list:
    if not device["sip_username"]:
        return []
    return await sip_bans.device_bans(kamailio, device["sip_username"], device["sip_realm"])


async def unregister(db, kamailio, device: dict) -> dict:
    """Seed 000's "Unregister Device": the device flushed (check-sync, then every contact deleted and
    journaled), with the contacts removed."""
    removed = [view.contact(r) for r in await flush_device(db, kamailio, device)]
    return {
        "deviceId": device["id"],
        "status": "unregistered",
        "unregisteredAt": now_iso(),
        "removed": removed,
        "message": "Device unregistered successfully" if removed else "Device had no registration",
    }


def parse_wait(raw: str | None) -> int:
    """?wait=N for renew: 0..30 seconds, default 10."""
    if raw is None:
        return 10
    wait = inputs.ascii_int(raw)
    if wait is None or wait > 30:
        raise field_error(
            "wait",
            "maximum" if wait is not None else "type",
            "wait must be an integer from 0 to 30 (seconds)",
            value=raw,
            target=[0, 30],
        )
    return wait


def _registration_marks(rows: list) -> set:
    # A re-REGISTER changes the CSeq (or the Call-ID); a new contact brings a new ruid.
    return {(r["ruid"], r["callid"], r["cseq"]) for r in rows}


async def renew(db, kamailio, device: dict, wait: int, poll: float = 0.2) -> dict:
    """check-sync every live contact, then wait up to `wait` s for a fresh REGISTER; says which happened."""
    rows = await aor_contacts(db, device["sip_username"], device["sip_realm"]) if device["sip_username"] else []
    base = {"deviceId": device["id"], "renewed": False}
    if not rows:
        return {
            **base,
            "status": "unregistered",
            "notifySent": False,
            "message": "Device has no live registration: there is no phone to ask to renew",
        }
    before = _registration_marks(rows)
    sent = await notify_each(kamailio, f"{device['sip_username']}@{device['sip_realm']}", rows, "check-sync")
    if not sent:
        return {
            **base,
            "status": "registered",
            "notifySent": False,
            "message": "The check-sync NOTIFY could not be sent through Kamailio",
        }
    deadline = asyncio.get_running_loop().time() + wait
    while True:
        rows = await aor_contacts(db, device["sip_username"], device["sip_realm"])
        fresh = [r for r in rows if (r["ruid"], r["callid"], r["cseq"]) not in before]
        if fresh:
            latest = max(fresh, key=lambda r: r["last_modified"])
            return {
                **base,
                "renewed": True,
                "status": "registered",
                "notifySent": True,
                "renewedAt": iso(latest["last_modified"]),
                "expiresAt": iso(latest["expires"]),
                "message": "Registration renewed successfully",
            }
        if asyncio.get_running_loop().time() >= deadline:
            return {
                **base,
                "status": "registered" if rows else "unregistered",
                "notifySent": True,
                "message": f"check-sync sent to {sent} contact(s); the phone did not re-register within {wait} s",
            }
        await asyncio.sleep(poll)


STATUSES = ["registered", "unregistered", "expired", "invalid", "offline", "provisioning", "disabled"]


class BulkStatusQuery(Schema):
    """?status, ?type (sip means sip_device), ?limit, ?offset, ?device_id=a,b,c (seed 000)."""

    status = query.one_of(STATUSES)
    type = fields.String()
    limit = query.integer(1, 1000, 50)
    offset = query.integer(0, query.MAX_OFFSET, 0)
    device_id = fields.String()


UNREGISTERED = ("unregistered", "expired", "invalid", "provisioning")


def _bulk_filters(params: dict, id_column: str, type_column: str) -> tuple:
    """?type and ?device_id as SQL (values bound); the status is read from its own sources."""
    clauses: list[psql.Composable] = []
    values: dict = {}
    if "type" in params:
        clauses.append(psql.SQL("{} = %(device_type)s").format(psql.SQL(type_column)))
        values["device_type"] = "sip_device" if params["type"] == "sip" else params["type"]
    if "device_id" in params:
        clauses.append(psql.SQL("{} = ANY(%(device_ids)s)").format(psql.Identifier(id_column)))
        values["device_ids"] = [i for i in params["device_id"].split(",") if i]
    return psql.SQL("").join(psql.SQL(" AND ") + c for c in clauses), values


async def bulk_status(db, account_id: str, raw_query) -> dict:
    """Seed 000's bulk registration status: a page of devices and counts over the whole filter."""
    params = query.load(BulkStatusQuery(), raw_query)
    where, values = _bulk_filters(params, "device_id", "device_type")
    values.update(account_id=account_id, limit=params["limit"], offset=params["offset"])
    if "device_ids" in values:
        await _only_own_devices(db, account_id, values["device_ids"])
    if "device_ids" in values:  # a few named devices: their own states, not the account's counts
        unswept = await counts.unswept(db, account_id)
        named = await db.fetch_all(queries.NAMED_STATES, values)
        tally = Counter((r["status"], r["device_type"]) for r in named)
    else:
        tally, unswept = await counts.account(db, account_id)
    rows = await db.fetch_all(_page(params, where, values, unswept), values)
    items = []
    for row in rows:
        ip, port = parse_uri(row["received"] or row["contact"]) if row["contact"] else (None, None)
        item = {
            "deviceId": row["device_id"],
            "name": row["name"],
            "status": row["status"],
            "registeredAt": iso(row["registered_at"]),
            "expiresAt": iso(row["expires_at"]),
            "ipAddress": ip,
            "port": port,
        }
        items.append({k: v for k, v in item.items() if v is not None})
    summary = _summary(tally, params.get("status"), values.get("device_type"))
    return {"data": items, "pagination": {**summary, "limit": params["limit"], "offset": params["offset"]}}


def _page(params: dict, where, values: dict, unswept: list):
    """The page's query: by id from the devices index, or merged from the stored statuses (sql/091)."""
    if "status" not in params:
        return queries.BULK_PAGE_BY_ID.format(
            filters=_bulk_filters(params, "id", "coalesce(device_type, 'sip_device')")[0]
        )
    wanted = set(values.get("device_ids") or ())

    def keep(row) -> bool:
        return values.get("device_type", row["device_type"]) == row["device_type"] and (
            not wanted or row["device_id"] in wanted
        )

    page, extra = counts.page_query(params["status"], unswept, where, keep)
    values.update(unswept=[r["device_id"] for r in unswept], extra=extra, upto=params["offset"] + params["limit"])
    return page


def _summary(tally: Counter, status: str | None, device_type: str | None) -> dict:
    """total, registered, unregistered (with expired, invalid and provisioning) and offline over the filter."""
    out = {"total": 0, "registered": 0, "unregistered": 0, "offline": 0}
    for (state, kind), n in tally.items():
        if status not in (None, state) or device_type not in (None, kind):
            continue
        out["total"] += n
        bucket = "unregistered" if state in UNREGISTERED else state
        if bucket in out:
            out[bucket] += n
    return out


async def _only_own_devices(db, account_id: str, ids: list) -> None:
    rows = await db.fetch_all(queries.OWN_DEVICE_IDS, {"account_id": account_id, "ids": ids})
    foreign = sorted(set(ids) - {r["id"] for r in rows})
    if foreign:
        raise field_error("device_id", "not_found", "Devices not found in this account", cause=foreign)


async def fleet_counts(db) -> dict:
    """Every account's devices by registration state, and the live contacts (for /metrics)."""
    tally = await counts.fleet(db)
    contacts = await db.fetch_one(queries.LIVE_CONTACTS)
    by_state: Counter = Counter()
    for (state, _kind), n in tally.items():
        by_state[state] += n
    return {"by_state": dict(by_state), "contacts": contacts["n"]}
