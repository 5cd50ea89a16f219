"""Faults on a whole `crossbar-py run` stack: components killed, the supervisor restarts them, nothing lost."""

import asyncio
import os
import signal
import time

import aiohttp

from tests.sip.sipp import Sipp

SIP_PASSWORD = "sip-pass-123"


def _gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


async def _devices(session, run, token, account_id, names) -> None:
    url = f"{run.api}/v2/accounts/{account_id}/devices"
    for chunk in range(0, len(names), 20):
        replies = await asyncio.gather(
            *(
                session.put(
                    url,
                    json={"data": {"name": n, "sip": {"username": n, "password": SIP_PASSWORD}}},
                    headers={"X-Auth-Token": token},
                )
                for n in names[chunk : chunk + 20]
            )
        )
        assert [r.status for r in replies] == [201] * len(replies)


async def _readyz_until_up(session, run, timeout: float = 30) -> list:
    """Poll /readyz every 20 ms until it says 200; every answer on the way (status, body)."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            async with session.get(f"{run.api}/readyz", timeout=aiohttp.ClientTimeout(total=3)) as resp:
                seen.append((resp.status, await resp.json()))
                if resp.status == 200 and len(seen) > 1:
                    return seen
        except (aiohttp.ClientError, TimeoutError):
            seen.append((None, None))
        await asyncio.sleep(0.02)
    raise AssertionError(f"readyz never came back: {seen[-3:]}")


async def test_kamailio_killed_during_a_registration_storm(run_stack):
    run = run_stack
    async with aiohttp.ClientSession() as session:
        token, account_id = await run.login(session)
        realm = run.sql("SELECT realm FROM accounts WHERE id = %s", (account_id,))[0][0]
        names = [f"storm{i:03d}" for i in range(120)]
        await _devices(session, run, token, account_id, names)
        old = run.pid("kamailio")
        storm = Sipp(
            run.sip_port,
            "register_logged",
            users=[(n, realm, SIP_PASSWORD) for n in names],
            calls=len(names),
            rate=60,
            trace_logs=True,
            timeout=20,
            expires=3600,
        )
        await storm.start()
        await asyncio.sleep(1.0)
        os.kill(old, signal.SIGKILL)
        seen = await _readyz_until_up(session, run)
        await storm.wait()

    # Meanwhile /readyz said Kamailio was down, in the envelope.
    down = [body for status, body in seen if status == 503]
    assert down and all(b["status"] == "error" and "kamailio" in b["data"]["down"] for b in down), seen
    # Reaped, its workers killed with it, restarted on a new pid, with a log line for each step.
    assert run.pid("kamailio") != old and _gone(old)
    died = [e for e in run.events() if e["component"] == "kamailio" and e["msg"] == "component died"]
    assert [e["pid"] for e in died] == [old]
    # Every registration Kamailio acknowledged with a 200 is still in location.
    acked = {line.split()[-1] for line in storm.logged() if "acked" in line}
    assert acked
    live = {r[0] for r in run.sql("SELECT username FROM location WHERE expires > now() AT TIME ZONE 'UTC'")}
    assert acked <= live, sorted(acked - live)
    print(f"storm: {len(acked)}/{len(names)} acknowledged, all in location; readyz 503 {len(down)} of {len(seen)}")
