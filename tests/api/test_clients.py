"""The API driven the way its real clients drive it: kazoo-sdk (Python) and Monster UI
(docs/kazoo-compatibility.md §14)."""

import base64
import hashlib
import json
import time

from tests.helpers import md5_credentials


class KazooSdk:
    """What voxter/kazoo-python-sdk does: md5 login by account name, {"data": …} bodies, string errors."""

    def __init__(self, client):
        self.client, self.token = client, None

    async def call(self, method: str, path: str, data=None) -> dict:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["X-Auth-Token"] = self.token
        body = None if data is None else json.dumps({"data": data})
        resp = await self.client.request(method, path, data=body, headers=headers)
        payload = json.loads(await resp.read())  # the SDK calls response.json() after every call
        if resp.status == 500:
            assert resp.headers["X-Request-ID"]
        return payload

    async def login(self, user: str, password: str, account_name: str) -> dict:
        creds = hashlib.md5(f"{user.lower()}:{password}".encode()).hexdigest()
        payload = await self.call("PUT", "/v2/user_auth", {"credentials": creds, "account_name": account_name})
        self.token = payload.get("auth_token")
        return payload


async def test_kazoo_sdk_session(client, tenant):
    sdk = KazooSdk(client)
    bad = await sdk.login("admin", "wrong", tenant.name)
    assert bad["status"] == "error" and bad["error"] == "401"
    good = await sdk.login("Admin", tenant.password, tenant.name)
    account_id = good["data"]["account_id"]
    assert account_id == tenant.account_id and good["data"]["owner_id"]
    created = await sdk.call(
        "PUT",
        f"/v2/accounts/{account_id}/devices",
        {"name": "sdk phone", "sip": {"username": "sdk1", "password": "pw12345"}},
    )
    assert created["status"] == "success"
    device_id = created["data"]["id"]
    assert (await sdk.call("GET", f"/v2/accounts/{account_id}/devices/{device_id}"))["data"]["name"] == "sdk phone"
    invalid = await sdk.call("PUT", f"/v2/accounts/{account_id}/devices", {"sip": {"password": "x"}})
    assert invalid["error"] == "400" and invalid["message"] == "validation error"
    listing = await sdk.call("GET", f"/v2/accounts/{account_id}/devices")
    assert [d["id"] for d in listing["data"]] == [device_id]
    assert (await sdk.call("DELETE", f"/v2/accounts/{account_id}/devices/{device_id}"))["status"] == "success"
    assert (await sdk.call("GET", f"/v2/accounts/{account_id}/registrations"))["data"] == []


class MonsterUi:
    """What monster-ui's jquery.kazoosdk does: a CORS preflight before each call, JSON on every verb
    (GET and DELETE included), `_=` cache busters, ui_metadata in every body, X-Auth-Token "undefined"."""

    ORIGIN = "http://monster.example"

    def __init__(self, client):
        self.client, self.token = client, "undefined"

    async def call(self, method: str, path: str, data=None, params=None):
        preflight = await self.client.options(
            path,
            headers={
                "Origin": self.ORIGIN,
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": "content-type,x-auth-token",
            },
        )
        assert preflight.status == 200
        assert method in preflight.headers["Access-Control-Allow-Methods"]
        assert "x-auth-token" in preflight.headers["Access-Control-Allow-Headers"]
        params = dict(params or {})
        if method == "GET":
            params["_"] = str(int(time.time() * 1000))
        body = None
        if method != "GET":
            body = json.dumps(
                {"data": {**(data or {}), "ui_metadata": {"version": "4.3.0", "ui": "monster-ui", "origin": "voip"}}}
            )
        resp = await self.client.request(
            method,
            path,
            data=body,
            params=params,
            headers={"Origin": self.ORIGIN, "Content-Type": "application/json", "X-Auth-Token": self.token},
        )
        assert resp.headers["Access-Control-Allow-Origin"] == "*"
        # Monster parses error bodies only when the Content-Type is exactly application/json.
        assert resp.headers["Content-Type"] == "application/json"
        return resp.status, await resp.json()


def _jwt_payload(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


async def test_monster_ui_session(client, tenant):
    ui = MonsterUi(client)
    status, login = await ui.call(
        "PUT", "/v2/user_auth", {"credentials": md5_credentials("admin", tenant.password), "account_name": tenant.name}
    )
    assert status == 201
    ui.token = login["auth_token"]
    claims = _jwt_payload(ui.token)
    assert claims["account_id"] == tenant.account_id and claims["owner_id"] == login["data"]["owner_id"]
    base = f"/v2/accounts/{claims['account_id']}"
    status, user = await ui.call("GET", f"{base}/users/{claims['owner_id']}")
    assert status == 200 and {"first_name", "last_name", "priv_level"} <= set(user["data"])
    status, created = await ui.call(
        "PUT",
        f"{base}/devices",
        {
            "name": "Fax machine",
            "device_type": "fax",
            "enabled": True,
            "owner_id": claims["owner_id"],
            "media": {"fax_option": "false", "audio": {"codecs": ["PCMA", "PCMU"]}},
            "outbound_flags": ["fax"],
            "call_restriction": {},
            "suppress_unregister_notifications": True,
            "sip": {"username": "user_k3j9d0a1bz", "password": "x7Hq2pLm9Rt4", "realm": tenant.realm},
        },
    )
    assert status == 201
    device = created["data"]
    assert device["media"]["fax_option"] is False and "realm" not in device["sip"]
    assert device["ui_metadata"]["ui"] == "monster-ui"
    status, listing = await ui.call("GET", f"{base}/devices", params={"with_status": "true", "paginate": "false"})
    assert status == 200 and listing["data"][0]["registrable"] is True and "page_size" not in listing
    status, synced = await ui.call("POST", f"{base}/devices/{device['id']}/sync")
    assert status == 200 and synced["data"] == "sync request sent"
    status, error = await ui.call("PUT", f"{base}/devices", {"name": ""})
    assert status == 400 and error["data"]["name"]["minLength"]["message"]
    status, deleted = await ui.call("DELETE", f"{base}/devices/{device['id']}")
    assert status == 200 and deleted["data"]["_read_only"] == {"deleted": True}
    resp = await client.get("/v2/auth/tokeninfo", params={"token": ui.token})
    assert (await resp.json())["data"]["account_id"] == tenant.account_id
