"""Secrets: the signing key and the login pepper apart, key rotation, pepper migration, serve refusing to
start without them."""

import os
import secrets
import subprocess
import sys

import psycopg2

from crossbar_py.app import create_app
from crossbar_py.auth import tokens as auth
from crossbar_py.cli import ensure_account
from tests.helpers import assert_error, login, md5_credentials, ok


def _token(key: str, tenant, lifetime: int = 300) -> dict:
    return {"X-Auth-Token": auth.issue_token(key, lifetime, tenant.account_id, None, "cb_api_auth")}


async def test_token_signed_with_a_previous_key_stays_valid_until_it_expires(aiohttp_client, stack_env, tenant):
    old = stack_env.jwt_secret
    rotated = await aiohttp_client(create_app(stack_env.settings(jwt_secret="n" * 64, jwt_previous_secrets=(old,))))
    await ok(await rotated.get(tenant.url(), headers=_token(old, tenant)))
    await ok(await rotated.get(tenant.url(), headers=_token("n" * 64, tenant)))
    await assert_error(await rotated.get(tenant.url(), headers=_token(old, tenant, -5)), 401, "invalid_credentials")
    await assert_error(await rotated.get(tenant.url(), headers=_token("x" * 64, tenant)), 401, "invalid_credentials")


async def test_token_of_a_key_no_longer_listed_is_refused(aiohttp_client, stack_env, tenant):
    dropped = await aiohttp_client(create_app(stack_env.settings(jwt_secret="n" * 64)))
    await assert_error(
        await dropped.get(tenant.url(), headers=_token(stack_env.jwt_secret, tenant)), 401, "invalid_credentials"
    )


async def test_login_survives_a_signing_key_change(aiohttp_client, stack_env):
    name, password = f"key-{secrets.token_hex(4)}", secrets.token_hex(8)
    await ensure_account(stack_env.settings(jwt_secret="a" * 64), name, "admin", password)
    other = await aiohttp_client(create_app(stack_env.settings(jwt_secret="b" * 64)))
    token = await login(other, "admin", password, account_name=name)
    assert auth.verify_token("b" * 64, token).account_id


def _lookup(stack_env, username: str, account_id: str) -> tuple:
    with psycopg2.connect(stack_env.dsn) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT md5_lookup, sha1_lookup FROM users WHERE account_id = %(a)s AND username = %(u)s",
            {"a": account_id, "u": username},
        )
        return cur.fetchone()


async def test_users_keyed_with_a_previous_pepper_log_in_and_are_rekeyed(aiohttp_client, stack_env):
    name, password, old, new = f"pep-{secrets.token_hex(4)}", secrets.token_hex(8), "o" * 64, "p" * 64
    account, _ = await ensure_account(stack_env.settings(login_pepper=old), name, "admin", password)
    migrating = await aiohttp_client(create_app(stack_env.settings(login_pepper=new, login_previous_peppers=(old,))))
    await login(migrating, "admin", password, account_name=name)
    md5_lookup, sha1_lookup = _lookup(stack_env, "admin", account["id"])
    assert md5_lookup == auth.lookup_key(new, md5_credentials("admin", password))
    assert sha1_lookup == auth.lookup_key(old, auth.credential_digests("admin", password)["sha"])
    done = await aiohttp_client(create_app(stack_env.settings(login_pepper=new)))
    await login(done, "admin", password, account_name=name)


async def test_users_keyed_with_an_unknown_pepper_cannot_log_in(aiohttp_client, stack_env):
    name, password = f"pep-{secrets.token_hex(4)}", secrets.token_hex(8)
    await ensure_account(stack_env.settings(login_pepper="o" * 64), name, "admin", password)
    client = await aiohttp_client(create_app(stack_env.settings(login_pepper="p" * 64)))
    payload = {"data": {"credentials": md5_credentials("admin", password), "account_name": name}}
    await assert_error(await client.put("/v2/user_auth", json=payload), 401, "invalid_credentials")


def _cli(*args, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CROSSBAR_")}
    return subprocess.run(
        [sys.executable, "-m", "crossbar_py", *args], env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def test_serve_without_the_signing_key_names_it_and_exits_2():
    done = _cli("serve", CROSSBAR_LOGIN_PEPPER="p" * 64)
    assert done.returncode == 2
    assert "CROSSBAR_JWT_SECRET is not set" in done.stderr and "CROSSBAR_LOGIN_PEPPER" not in done.stderr


def test_serve_without_the_pepper_names_it_and_exits_2():
    done = _cli("serve", CROSSBAR_JWT_SECRET="k" * 64)
    assert done.returncode == 2 and "CROSSBAR_LOGIN_PEPPER is not set" in done.stderr


def test_serve_refuses_a_pepper_equal_to_the_signing_key():
    done = _cli("serve", CROSSBAR_JWT_SECRET="k" * 64, CROSSBAR_LOGIN_PEPPER="k" * 64)
    assert done.returncode == 2 and "must differ" in done.stderr


def test_account_create_without_the_pepper_exits_2():
    done = _cli("account", "create", "--name", "nopepper")
    assert done.returncode == 2 and "CROSSBAR_LOGIN_PEPPER is not set" in done.stderr


def test_previous_keys_are_read_comma_separated(monkeypatch):
    from crossbar_py.settings import Settings

    monkeypatch.setenv("CROSSBAR_JWT_SECRET", "k1")
    monkeypatch.setenv("CROSSBAR_JWT_PREVIOUS_SECRETS", " k0 , k-1,")
    monkeypatch.setenv("CROSSBAR_LOGIN_PEPPER", "p1")
    settings = Settings.from_env()
    assert settings.verify_keys == ("k1", "k0", "k-1") and settings.login_peppers == ("p1",)


def test_run_keeps_its_key_and_pepper_and_reads_an_old_data_dir(tmp_path, monkeypatch):
    from crossbar_py.cli.local import kept_keys as _kept_keys

    monkeypatch.delenv("CROSSBAR_JWT_SECRET", raising=False)
    monkeypatch.delenv("CROSSBAR_LOGIN_PEPPER", raising=False)
    (tmp_path / "jwt-secret").write_text("old-key\n")
    (tmp_path / "demo-password").write_text("pw\n")
    first = _kept_keys(tmp_path)
    assert first["jwt_secret"] == "old-key" and first["login_previous_peppers"] == ("old-key",)
    assert first["login_pepper"] not in ("", "old-key")
    again = _kept_keys(tmp_path)
    assert again == {**first, "login_previous_peppers": ("old-key",)}
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    assert "login_previous_peppers" not in _kept_keys(fresh)
