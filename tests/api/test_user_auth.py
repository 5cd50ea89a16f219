"""PUT /v2/user_auth (docs/kazoo-compatibility.md §7.2, docs/decisions.md §5, 7, 9)."""

import base64
import hashlib
import json

from tests.helpers import assert_error, md5_credentials, ok


def _payload(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


async def test_md5_login_by_account_name_is_201_with_jwt(client, tenant):
    resp = await client.put(
        "/v2/user_auth",
        json={
            "data": {
                "credentials": md5_credentials("admin", tenant.password),
                "account_name": tenant.name,
                "method": "md5",
            }
        },
    )
    body = await ok(resp, 201)
    data = body["data"]
    assert data["account_id"] == tenant.account_id == data["id"]
    assert len(data["owner_id"]) == 32
    assert {"apps", "language", "is_reseller", "account_name", "ui_config", "capabilities"} <= set(data)
    claims = _payload(body["auth_token"])
    assert claims["account_id"] == tenant.account_id
    assert claims["owner_id"] == data["owner_id"]
    assert claims["exp"] - claims["iat"] == 3600


async def test_sha_login_by_realm(client, tenant):
    sha = hashlib.sha1(f"admin:{tenant.password}".encode()).hexdigest()
    resp = await client.put(
        "/v2/user_auth", json={"data": {"credentials": sha, "method": "sha", "account_realm": tenant.realm}}
    )
    await ok(resp, 201)


async def test_wrong_password_is_401(client, tenant):
    resp = await client.put(
        "/v2/user_auth", json={"data": {"credentials": md5_credentials("admin", "wrong"), "account_name": tenant.name}}
    )
    await assert_error(resp, 401, "invalid_credentials")


async def test_unknown_account_is_401(client):
    resp = await client.put(
        "/v2/user_auth",
        json={"data": {"credentials": md5_credentials("admin", "x"), "account_name": "no such account"}},
    )
    await assert_error(resp, 401, "invalid_credentials")


async def test_missing_credentials_is_400_required(client, tenant):
    resp = await client.put("/v2/user_auth", json={"data": {"account_name": tenant.name}})
    body = await assert_error(resp, 400, "validation error")
    assert body["data"]["credentials"]["required"]["message"] == "Field is required but missing"


async def test_stale_token_header_does_not_block_login(client, tenant):
    resp = await client.put(
        "/v2/user_auth",
        headers={"X-Auth-Token": "undefined"},
        json={"data": {"credentials": md5_credentials("admin", tenant.password), "account_name": tenant.name}},
    )
    await ok(resp, 201)


async def test_only_slow_hashes_are_stored(client, tenant, data_env):
    import psycopg2

    conn = psycopg2.connect(data_env.dsn)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT doc::text, md5_hash, md5_lookup FROM users WHERE account_id = %s", (tenant.account_id,))
        doc, md5_hash, lookup = cur.fetchone()
    conn.close()
    digest = md5_credentials("admin", tenant.password)
    assert digest not in doc and tenant.password not in doc
    assert digest not in (lookup, bytes(md5_hash).hex())
