"""The cut-over: which phones are registered at Kazoo and which here, and paced check-sync NOTIFYs
(through our Kamailio) to those still at Kazoo, each one recorded in cutover_moves."""

import asyncio

import aiohttp

from crossbar_py.accounts import service as accounts
from crossbar_py.importer import queries
from crossbar_py.platform.kamailio import Kamailio
from crossbar_py.registrations.contacts import service as contacts


def _aor(reg: dict) -> str:
    return f"{reg.get('username', '')}@{reg.get('realm', '')}".lower()


async def _account_view(db, source, account_id: str) -> dict:
    at_kazoo = await source.registrations(account_id)
    account = await accounts.find_account(db, account_id)
    here = await contacts.all_registrations(db, account) if account else []
    here_aors = {_aor(r) for r in here}
    return {
        "account_id": account_id,
        "imported": account is not None,
        "at_kazoo": sorted({_aor(r) for r in at_kazoo}),
        "here": sorted(here_aors),
        "not_here": [r for r in at_kazoo if _aor(r) not in here_aors],
    }


async def compare(db, source) -> dict:
    """Per account of the source's tree: the AoRs registered at Kazoo, here, and the Kazoo ones not here."""
    views = [await _account_view(db, source, a) for a in await source.account_ids()]
    for view in views:
        view["not_here"] = sorted({_aor(r) for r in view["not_here"]})
    return {"accounts": views, "not_here": sum(len(v["not_here"]) for v in views)}


def compare_text(result: dict) -> str:
    """compare's result for a terminal."""
    lines = [f"{'account':<34} {'kazoo':>6} {'here':>6} {'to move':>8}"]
    for v in result["accounts"]:
        lines.append(f"{v['account_id']:<34} {len(v['at_kazoo']):>6} {len(v['here']):>6} {len(v['not_here']):>8}")
        lines += [f"    not here: {aor}" for aor in v["not_here"]]
    lines.append(f"{result['not_here']} phones registered at Kazoo and not here")
    return "\n".join(lines)


def _target(reg: dict) -> dict:
    """Where the phone really is: its Contact, reached at the address Kazoo saw it from (NAT)."""
    received = f"sip:{reg['source_ip']}:{reg['source_port']}" if reg.get("source_ip") else None
    return {"contact": str(reg.get("contact", "")).strip("<>"), "received": received}


async def _move_one(db, kamailio, account_id: str, reg: dict, event: str) -> bool:
    target = _target(reg)
    sent = await contacts.notify_each(kamailio, _aor(reg), [target], event) == 1
    await db.execute(
        queries.RECORD_MOVE,
        {
            "account_id": account_id,
            "device_id": reg.get("authorizing_id"),
            "username": reg.get("username", ""),
            "realm": reg.get("realm", ""),
            "event": event,
            "sent": sent,
            **target,
        },
    )
    return sent


async def move(db, settings, source, rate: float, event: str = "check-sync") -> dict:
    """check-sync every phone registered at Kazoo and not here, `rate` per second (0: no pacing)."""
    moved: list[dict] = []
    failed: list[dict] = []
    async with aiohttp.ClientSession() as session:
        kamailio = Kamailio(session, settings.kamailio_rpc_url)
        for account_id in await source.account_ids():
            view = await _account_view(db, source, account_id)
            for reg in view["not_here"]:
                ok = await _move_one(db, kamailio, account_id, reg, event)
                (moved if ok else failed).append({"account_id": account_id, "aor": _aor(reg)})
                if rate:
                    await asyncio.sleep(1 / rate)
    return {"notified": moved, "failed": failed}


def move_text(result: dict) -> str:
    """move's result for a terminal."""
    lines = [f"notified {item['aor']} (account {item['account_id']})" for item in result["notified"]]
    lines += [f"NOT notified {item['aor']} (account {item['account_id']})" for item in result["failed"]]
    lines.append(f"cutover move: {len(result['notified'])} notified, {len(result['failed'])} failed")
    return "\n".join(lines)
