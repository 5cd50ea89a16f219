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
                # Up again after having been seen down (for up to one supervisor pass after the kill,
                # Kamailio's orphaned workers still answer RPC: docs/supervisor.md).
                if resp.status == 200 and any(status != 200 for status, _ in seen):
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


class Load:
    """Writers creating devices and a reader listing them until told to stop; every answer recorded."""

    def __init__(self, session, run, token, account_id, prefix):
        self.session, self.run, self.prefix = session, run, prefix
        self.url = f"{run.api}/v2/accounts/{account_id}/devices"
        self.headers = {"X-Auth-Token": token}
        self.answers, self.created, self.sent, self.stop = [], set(), set(), False

    async def _write(self, worker: int) -> None:
        i = 0
        while not self.stop:
            name = f"{self.prefix}{worker}x{i}"
            i += 1
            self.sent.add(name)
            data = {"data": {"name": name, "sip": {"username": name, "password": SIP_PASSWORD}}}
            await self._one("put", name, json=data)

    async def _read(self) -> None:
        while not self.stop:
            await self._one("get", None)
            await asyncio.sleep(0.01)

    async def _one(self, verb: str, name, **kw) -> None:
        try:
            async with self.session.request(
                verb, self.url, headers=self.headers, timeout=aiohttp.ClientTimeout(total=10), **kw
            ) as resp:
                body = await resp.json(content_type=None)
                self.answers.append((verb, resp.status, body))
                if resp.status == 201:
                    self.created.add(name)
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.answers.append((verb, None, repr(exc)))
            await asyncio.sleep(0.05)

    async def run_for(self, seconds: float, fault, writers: int = 3) -> None:
        """Run the load, call fault() after a second, stop `seconds` later."""
        tasks = [asyncio.create_task(self._write(w)) for w in range(writers)] + [asyncio.create_task(self._read())]
        await asyncio.sleep(1)
        fault()
        await asyncio.sleep(seconds)
        self.stop = True
        await asyncio.gather(*tasks)

    def statuses(self) -> set:
        """The distinct (verb, status) seen."""
        return {(verb, status) for verb, status, _ in self.answers}


def _complete(run, account_id: str, prefix: str) -> set:
    """Names of the account's devices with this prefix; asserts each has its Kamailio credentials row."""
    rows = run.sql(
        "SELECT d.name, c.username FROM devices d LEFT JOIN kam_credentials c ON c.device_id = d.id"
        " WHERE d.account_id = %s AND d.name LIKE %s",
        (account_id, prefix + "%"),
    )
    assert [name for name, cred in rows if cred is None] == []
    return {name for name, _ in rows}


async def test_postgres_restart_answers_503_then_recovers_without_an_api_restart(run_stack):
    run = run_stack
    api = run.pid("api")
    async with aiohttp.ClientSession() as session:
        token, account_id = await run.login(session)
        load = Load(session, run, token, account_id, "pgr")
        await load.run_for(6, lambda: os.kill(run.pid("postgres"), signal.SIGKILL))
        # Recovered: the same API process answers again.
        run.wait_for(lambda: run.pid("postgres") and _complete(run, account_id, "pgr") is not None, 30, "postgres")
        async with session.get(load.url, headers=load.headers) as resp:
            assert resp.status == 200
        # Kamailio reconnects by itself: a phone registers again.
        await _devices(session, run, token, account_id, ["afterpg01"])
    realm = run.sql("SELECT realm FROM accounts WHERE id = %s", (account_id,))[0][0]
    phone = Sipp(run.sip_port, "register", users=[("afterpg01", realm, SIP_PASSWORD)], expires=600, final=200)
    result = await phone.run()
    assert result.ok, result.output
    assert run.pid("api") == api
    assert load.statuses() <= {("put", 201), ("put", 503), ("get", 200), ("get", 503)}, load.statuses()
    unavailable = [body for _, status, body in load.answers if status == 503]
    assert unavailable, "PostgreSQL came back before any request noticed"
    assert all(b["status"] == "error" and b["error"] == "503" for b in unavailable)
    # Nothing half-written: every acknowledged device is there, whole; the rest are whole or absent.
    stored = _complete(run, account_id, "pgr")
    assert load.created <= stored <= load.sent
    print(f"postgres restart: {len(load.answers)} answers, {len(unavailable)} x 503, {len(load.created)} created")


async def test_redis_down_reads_served_and_revocation_within_a_second(run_stack, aiohttp_client):
    from crossbar_py.app import create_app
    from crossbar_py.settings import Settings

    run = run_stack
    redis = run.pid("redis")
    # A second API node on the same database and Redis, in the test's process.
    other = Settings.from_env(
        database_url=run.dsn(),
        redis_url=run.redis_url(),
        kamailio_rpc_url="http://127.0.0.1:9/RPC",
        jwt_secret=(run.data / "jwt-secret").read_text().strip(),
    )
    node2 = await aiohttp_client(create_app(other))
    async with aiohttp.ClientSession() as session:
        token, account_id = await run.login(session)
        spare, _ = await run.login(session)
        path = f"/v2/accounts/{account_id}/devices"
        os.kill(redis, signal.SIGSTOP)  # down without dying: the supervisor cannot paper over it
        try:
            async with session.get(run.api + path, headers={"X-Auth-Token": token}) as resp:
                assert resp.status == 200
            assert (await node2.get(path, headers={"X-Auth-Token": spare})).status == 200
            async with session.get(f"{run.api}/readyz") as resp:
                body = await resp.json()
                assert resp.status == 503 and body["data"]["down"] == ["redis"]
            async with session.delete(f"{run.api}/v2/token_auth", headers={"X-Auth-Token": spare}) as resp:
                assert resp.status == 200, await resp.text()
            revoked = time.monotonic()
            async with session.get(run.api + path, headers={"X-Auth-Token": spare}) as resp:
                assert resp.status == 401
            # The other node learns it from PostgreSQL, without Redis, within a second.
            while (await node2.get(path, headers={"X-Auth-Token": spare})).status != 401:
                assert time.monotonic() - revoked < 1.5, "node 2 still accepts the revoked token"
                await asyncio.sleep(0.05)
            print(f"redis down: revoked token refused by the other node after {time.monotonic() - revoked:.2f} s")
        finally:
            os.kill(redis, signal.SIGCONT)


async def test_api_killed_mid_write_leaves_no_partial_document_and_webhooks_resume(run_stack, aiohttp_server):
    from aiohttp import web

    run = run_stack
    got, state = [], {"killed": False}

    async def receive(request):
        # Refused until the API that made the first attempts is dead: only its successor can deliver.
        got.append((state["killed"], await request.json()))
        return web.Response(text="ok") if state["killed"] else web.Response(status=500)

    app = web.Application()
    app.router.add_post("/hook", receive)
    receiver = await aiohttp_server(app)
    async with aiohttp.ClientSession() as session:
        token, account_id = await run.login(session)
        headers = {"X-Auth-Token": token}
        hook = {
            "data": {
                "name": "faults",
                "uri": f"http://127.0.0.1:{receiver.port}/hook",
                "hook": "device.registered",
                "retries": 10,
            }
        }
        async with session.put(f"{run.api}/v2/accounts/{account_id}/webhooks", json=hook, headers=headers) as resp:
            assert resp.status == 201, await resp.text()
        realm = run.sql("SELECT realm FROM accounts WHERE id = %s", (account_id,))[0][0]
        await _devices(session, run, token, account_id, ["hooked01"])
        phone = Sipp(run.sip_port, "register", users=[("hooked01", realm, SIP_PASSWORD)], expires=600, final=200)
        assert (await phone.run()).ok
        await run.until(lambda: len(got) >= 1, 20, "first delivery attempt")

        old = run.pid("api")
        load = Load(session, run, token, account_id, "apik")
        await load.run_for(4, lambda: (os.kill(old, signal.SIGKILL), state.update(killed=True)))
        await run.until(lambda: run.pid("api") != old, 30, "api restart")
    stored = _complete(run, account_id, "apik")
    assert load.created <= stored <= load.sent
    died = [e for e in run.events() if e["component"] == "api" and e["msg"] == "component died"]
    assert [e["pid"] for e in died] == [old]
    # The restarted API picks the delivery up where the journal says it stopped. Waiting for its recorded
    # success, not for the receiver's 200: a request the killed API had already sent can reach the
    # receiver after the kill, be answered 200 and never be recorded.
    await run.until(
        lambda: run.sql("SELECT 1 FROM webhook_attempts WHERE result = 'success'"), 30, "delivery after the restart"
    )
    assert got[-1][0]
    assert {g["data"]["sipUsername"] for _, g in got} == {"hooked01"}
    assert len({g["eventId"] for _, g in got}) == 1
    attempts = run.sql("SELECT result FROM webhook_attempts ORDER BY id")
    assert attempts[-1] == ("success",) and ("failure",) in attempts
