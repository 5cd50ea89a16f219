"""Shared test helpers: logins, tenants, envelope assertions."""

import hashlib
import secrets
from dataclasses import dataclass

ENVELOPE_KEYS = {"request_id", "node", "version", "timestamp", "status"}


def md5_credentials(user: str, password: str) -> str:
    """What Kazoo clients send as credentials."""
    return hashlib.md5(f"{user.lower()}:{password}".encode()).hexdigest()


async def login(client, user: str, password: str, **account) -> str:
    """Log in with md5 credentials; the token."""
    resp = await client.put("/v2/user_auth", json={"data": {"credentials": md5_credentials(user, password), **account}})
    body = await resp.json()
    assert resp.status == 201, body
    return body["auth_token"]


async def assert_error(resp, status: int, message: str) -> dict:
    """The response is Kazoo's error envelope with this status and message; its body."""
    assert resp.status == status, await resp.text()
    assert resp.headers["Content-Type"] == "application/json"
    body = await resp.json()
    assert body["status"] == "error"
    assert body["error"] == str(status)
    assert body["message"] == message
    assert set(body) >= ENVELOPE_KEYS
    assert "revision" not in body
    return body


async def ok(resp, status: int = 200) -> dict:
    """The response is a success envelope with this status; its body."""
    assert resp.status == status, await resp.text()
    assert resp.headers["Content-Type"] == "application/json"
    body = await resp.json()
    assert body["status"] == "success"
    return body


@dataclass
class Tenant:
    """A child account with an admin user, logged in."""

    account_id: str
    realm: str
    name: str
    token: str
    password: str

    @property
    def headers(self) -> dict:
        """Auth headers for this tenant."""
        return {"X-Auth-Token": self.token}

    def url(self, path: str = "") -> str:
        """A URL under this account."""
        return f"/v2/accounts/{self.account_id}{path}"

    @classmethod
    async def create(cls, client, parent_token: str, parent_id: str | None) -> "Tenant":
        """Create an account (under parent_id, or under the token's account) and log its admin in."""
        name = f"acct-{secrets.token_hex(5)}"
        realm = f"{name}.sip.test"
        path = f"/v2/accounts/{parent_id}" if parent_id else "/v2/accounts"
        body = await ok(
            await client.put(
                path, json={"data": {"name": name, "realm": realm}}, headers={"X-Auth-Token": parent_token}
            ),
            201,
        )
        account_id = body["data"]["id"]
        password = secrets.token_hex(8)
        user = {
            "first_name": "Ada",
            "last_name": "Admin",
            "username": "admin",
            "password": password,
            "priv_level": "admin",
        }
        await ok(
            await client.put(
                f"/v2/accounts/{account_id}/users", json={"data": user}, headers={"X-Auth-Token": parent_token}
            ),
            201,
        )
        token = await login(client, "admin", password, account_name=name)
        return cls(account_id, realm, name, token, password)

    async def create_user(self, client, **fields) -> dict:
        """Create a user through the API; its document."""
        data = {"first_name": "Test", "last_name": f"User{secrets.token_hex(2)}", **fields}
        body = await ok(await client.put(self.url("/users"), json={"data": data}, headers=self.headers), 201)
        return body["data"]

    async def create_device(self, client, **fields) -> dict:
        """Create a device through the API; its document."""
        data = {"name": f"dev-{secrets.token_hex(3)}", **fields}
        body = await ok(await client.put(self.url("/devices"), json={"data": data}, headers=self.headers), 201)
        return body["data"]
