"""Secrets stay out of logs; logs are not world-readable; login limits hold for Basic auth and without Redis."""

import base64
import hashlib
import stat

from crossbar_py.app import create_app
from crossbar_py.platform import stack
from tests.helpers import assert_error, md5_credentials, ok


def _ha1s(username: str, realm: str, password: str) -> list:
    return [
        hashlib.md5(f"{username}:{realm}:{password}".encode()).hexdigest(),
        hashlib.md5(f"{username}@{realm}:{realm}:{password}".encode()).hexdigest(),
    ]


async def test_failed_device_writes_leave_no_secret_in_any_log(client, tenant, stack_env, caplog):
    first = await tenant.create_device(client, sip={"username": "leaky", "password": "first-Secret-9"})
    secret = "second-Secret-7"
    clash = {"name": "clash", "sip": {"username": "leaky", "password": secret}}
    for _ in range(3):
        resp = await client.put(tenant.url("/devices"), headers=tenant.headers, json={"data": clash})
        await assert_error(resp, 400, "validation error")
    other = await tenant.create_device(client, sip={"username": "leaky2", "password": "third-Secret-5"})
    resp = await client.post(tenant.url(f"/devices/{other['id']}"), headers=tenant.headers, json={"data": clash})
    await assert_error(resp, 400, "validation error")
    needles = [secret, *_ha1s("leaky", tenant.realm, secret), "first-Secret-9", tenant.token, tenant.password]
    logs = sorted(stack_env.workdir.glob("*.log"))
    assert {p.name for p in logs} >= {"postgres.log", "redis.log", "kamailio.log"}
    for path in logs:
        text = path.read_text(errors="replace")
        for needle in needles:
            assert needle not in text, (path.name, needle)
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, (path.name, oct(path.stat().st_mode))
    assert "duplicate key" in (stack_env.workdir / "postgres.log").read_text()  # the errors are still logged
    for needle in needles:
        assert needle not in caplog.text
    assert first["sip"]["password"] == "first-Secret-9"  # the API still returns it to its owner (decisions 11)


def _basic(account_id: str, digest: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{account_id}:{digest}".encode()).decode()}


async def test_basic_auth_guesses_go_through_the_login_limiter(aiohttp_client, stack_env, tenant):
    app = await aiohttp_client(create_app(stack_env.settings(login_fail_per_account_ip=3)))
    good = _basic(tenant.account_id, md5_credentials("admin", tenant.password))
    await ok(await app.get(tenant.url(), headers=good))
    wrong = _basic(tenant.account_id, md5_credentials("admin", "guess"))
    for n in range(3):
        await assert_error(await app.get(tenant.url(f"/devices?n={n}"), headers=wrong), 401, "invalid_credentials")
    await assert_error(await app.get(tenant.url("/users"), headers=wrong), 429, "too_many_requests")


async def test_failed_login_limit_holds_with_redis_down(aiohttp_client, stack_env, tenant, tmp_path):
    redis_url, redis = stack.start_redis(tmp_path)
    try:
        settings = stack_env.settings(redis_url=redis_url, login_fail_per_account_ip=5)
        app = await aiohttp_client(create_app(settings))
    finally:
        redis.stop()
    login = {"credentials": md5_credentials("admin", "wrong"), "account_name": tenant.name}
    statuses = []
    for _ in range(15):
        statuses.append((await app.put("/v2/user_auth", json={"data": login})).status)
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}, statuses
    right = {"credentials": md5_credentials("admin", tenant.password), "account_name": tenant.name}
    await assert_error(await app.put("/v2/user_auth", json={"data": right}), 429, "too_many_requests")
    # Reads with a token keep working without Redis.
    await ok(await app.get(tenant.url("/devices"), headers=tenant.headers))
