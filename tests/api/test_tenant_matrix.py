"""The tenant wall, generated from the router (it replaces the hand-kept route list of test_tenancy.py):
every route and verb, every kind of caller, foreign ids in every id position (path, owner_id and sip.realm
in bodies, start_key, filters). Exact statuses, and no answer on account A's side carries anything of B."""

import json
import re
import secrets
from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from crossbar_py.auth import tokens as auth
from tests.helpers import Tenant, login, ok
from tests.webhook_helpers import register_row

PARAM_RE = re.compile(r"\{(\w+)\}")
UNUSABLE = ("none", "bad", "forged", "expired", "revoked")
DENIED = ("child", "sibling", *UNUSABLE)
ALLOWED = ("own", "parent", "superduper")
# A minimal valid document of each stored Kazoo type (crossbar_py/kazoo_documents), so that every
# {doc_id} route names a real document of its side.
DOCUMENTS = {
    "callflows": lambda n: {"name": "m", "numbers": [n], "flow": {"module": "user", "data": {}}},
    "vmboxes": lambda n: {"name": "m", "mailbox": n},
    "groups": lambda n: {"name": "m", "endpoints": {}},
    "directories": lambda n: {"name": "m"},
    "media": lambda n: {"name": "m", "media_source": "upload"},
    "temporal_rules": lambda n: {"name": "m", "cycle": "weekly"},
    "temporal_rules_sets": lambda n: {"name": "m"},
    "menus": lambda n: {"name": "m"},
    "conferences": lambda n: {"name": "m"},
    "faxboxes": lambda n: {"name": "m"},
}
# Path parameters that name nothing a tenant owns, with the value the matrix fills in: a catalogue app, a
# screenshot index, a ledger's name, a public whitelabel domain, a config name, a bundled file of our Monster
# app; and things we never hold (calls, CDRs) or that live in Kamailio's memory (a ban, whose listing is
# walled by account in tests/sip/test_sip_bans.py). Every other parameter is one of a Side's ids, and
# test_every_path_parameter_is_covered fails for a new route whose parameter is neither.
SHARED_PARAMS = {
    "ledger": "per-minute-voip",
    "index": "0",
    "domain": "matrix.example.com",
    "name": "kazoo_endpoint",
    "file": "app.js",
}
ABSENT_PARAMS = {"cdr": "0" * 32, "call": "no-such-call", "interaction": "0" * 32, "ban": "nobody@nowhere:192.0.2.1"}


@dataclass
class Side:
    """An account with one of everything an id can name."""

    tenant: Tenant
    user_id: str
    device_id: str
    webhook_id: str
    sip_username: str
    number: str
    documents: dict
    app_id: str

    def ids(self, path: str = "") -> dict:
        """What fills each path parameter of this route (a {doc_id} is the document of the route's type)."""
        kind = next((k for k in self.documents if f"/{k}/{{doc_id}}" in path), None)
        return {
            **SHARED_PARAMS,
            **ABSENT_PARAMS,
            "account_id": self.tenant.account_id,
            "device_id": self.device_id,
            "user_id": self.user_id,
            "webhook_id": self.webhook_id,
            "username": self.sip_username,
            "number": self.number,
            "app_id": self.app_id,
            "doc_id": self.documents[kind] if kind else "0" * 32,
        }

    def secrets_of(self) -> list:
        """Strings that must never appear in an answer to another tenant."""
        ids = [self.tenant.account_id, self.user_id, self.device_id, self.webhook_id, self.sip_username]
        return [*ids, self.number, *self.documents.values()]


async def _side(client, tenant: Tenant, master_token: str) -> Side:
    user = await ok(
        await client.put(
            tenant.url("/users"), headers=tenant.headers, json={"data": {"first_name": "M", "last_name": "X"}}
        ),
        201,
    )
    sip_username = f"sip-{secrets.token_hex(5)}"
    device = await tenant.create_device(
        client, owner_id=user["data"]["id"], sip={"username": sip_username, "password": "pw-matrix-1"}
    )
    hook = {"url": "https://hooks.example.com/m", "events": ["device.registered"]}
    webhook = await ok(await client.put(tenant.url("/webhooks"), headers=tenant.headers, json={"data": hook}), 201)
    await register_row(client.server.app, sip_username, tenant.realm)
    number = "+1555" + str(secrets.randbelow(10**7)).zfill(7)
    # Only an operator (superduper) adds numbers to an account.
    await ok(await client.put(tenant.url(f"/phone_numbers/{number}"), headers={"X-Auth-Token": master_token}), 201)
    documents = {}
    for kind, body in DOCUMENTS.items():
        data = body(str(secrets.randbelow(10**6)).zfill(6))
        documents[kind] = (
            await ok(await client.put(tenant.url(f"/{kind}"), headers=tenant.headers, json={"data": data}), 201)
        )["data"]["id"]
    apps = (await ok(await client.get(tenant.url("/apps_store"), headers=tenant.headers)))["data"]
    label = {"domain": f"wl-{secrets.token_hex(4)}.example.com", "company_name": "Matrix"}
    await ok(await client.put(tenant.url("/whitelabel"), headers=tenant.headers, json={"data": label}), 201)
    return Side(
        tenant, user["data"]["id"], device["id"], webhook["data"]["id"], sip_username, number, documents, apps[0]["id"]
    )


@dataclass
class World:
    """Parent P with children A (own) and B (sibling); C is A's child; plus the superduper master."""

    own: Side
    sibling: Side
    parent: Tenant
    child: Tenant
    headers: dict


async def _revoked(client, tenant: Tenant) -> str:
    token = await login(client, "admin", tenant.password, account_name=tenant.name)
    await ok(await client.delete("/v2/token_auth", headers={"X-Auth-Token": token}))
    return token


@pytest.fixture
def settings(stack_env):
    """The matrix runs on the whole stack: the ban routes answer from Kamailio."""
    return stack_env.settings()


@pytest.fixture
async def world(client, make_tenant, master_token, data_env) -> World:
    """Every caller's headers over one set of accounts."""
    parent = await make_tenant()
    own = await _side(client, await make_tenant(parent), master_token)
    sibling = await _side(client, await make_tenant(parent), master_token)
    child = await make_tenant(own.tenant)
    secret = data_env.settings().jwt_secret
    headers = {
        "own": own.tenant.headers,
        "parent": parent.headers,
        "superduper": {"X-Auth-Token": master_token},
        "child": child.headers,
        "sibling": sibling.tenant.headers,
        "none": {},
        "bad": {"X-Auth-Token": "not-a-token"},
        "forged": {"X-Auth-Token": auth.issue_token("another-" + "y" * 32, 3600, own.tenant.account_id, None, "x")},
        "expired": {"X-Auth-Token": auth.issue_token(secret, -5, own.tenant.account_id, None, "cb_user_auth")},
        "revoked": {"X-Auth-Token": await _revoked(client, own.tenant)},
    }
    return World(own, sibling, parent, child, headers)


def _routes(app) -> list:
    """(method, path template, handler) of every route, HEAD and preflight left out."""
    return [
        (r.method, r.resource.canonical, r.handler)
        for r in app.router.routes()
        if r.method not in ("HEAD", "OPTIONS", "*")
    ]


def _fill(path: str, ids: dict) -> str:
    return PARAM_RE.sub(lambda m: ids[m[1]], path)


def _public(handler) -> bool:
    return getattr(handler, "crossbar_unauthenticated", False)


def _superduper(handler) -> bool:
    return getattr(handler, "crossbar_superduper", False)


async def _call(client, method: str, url: str, headers: dict, **kw) -> tuple:
    """(status, body text); an event stream is closed after its headers."""
    async with client.request(method, url, headers=headers, **kw) as resp:
        if resp.headers.get("Content-Type", "").startswith("text/event-stream"):
            return resp.status, ""
        return resp.status, await resp.text()


def _assert_no_leak(world: World, what: str, text: str) -> None:
    for secret in world.sibling.secrets_of():
        assert secret not in text, (what, secret, text[:500])


def _expected_denial(caller: str) -> int:
    return 401 if caller in UNUSABLE else 403


async def test_denied_callers_get_the_exact_status_on_every_route(client, world):
    """child, sibling, none, bad, expired and revoked tokens on each of A's routes: 401 or 403, nothing more."""
    for method, path, handler in _routes(client.server.app):
        if _public(handler) or ("{account_id}" not in path and not _superduper(handler)):
            continue
        url = _fill(path, world.own.ids(path))
        for caller in DENIED:
            status, text = await _call(client, method, url, world.headers[caller], json={"data": {}})
            expected = _expected_denial(caller)
            assert status == expected, (caller, method, path, text[:300])
    # Nothing of A's changed: its device, user and webhook are all still there.
    for part in (f"/devices/{world.own.device_id}", f"/users/{world.own.user_id}", f"/webhooks/{world.own.webhook_id}"):
        await ok(await client.get(world.own.tenant.url(part), headers=world.own.tenant.headers))


async def test_token_routes_refuse_unusable_tokens(client, world):
    """Account-less routes that need a token (token_auth, system-wide registrations)."""
    for method, path, handler in _routes(client.server.app):
        if _public(handler) or "{" in path:
            continue
        for caller in UNUSABLE:
            status, _ = await _call(client, method, path, world.headers[caller])
            assert status == 401, (caller, method, path)
        if _superduper(handler):
            for caller in ("own", "parent", "child", "sibling"):
                status, _ = await _call(client, method, path, world.headers[caller])
                assert status == 403, (caller, method, path)
            status, _ = await _call(client, method, path, world.headers["superduper"])
            assert status == 200, (method, path)


async def test_every_path_parameter_is_covered():
    """A new route's parameter is a Side id, or declared shared or absent above: none escapes the matrix."""
    from crossbar_py.app import create_app
    from crossbar_py.settings import Settings

    side = Side(SimpleNamespace(account_id=""), "", "", "", "", "", {k: "" for k in DOCUMENTS}, "")  # type: ignore[arg-type]
    known = set(side.ids())
    for method, path, _ in _routes(create_app(Settings())):
        for name in PARAM_RE.findall(path):
            assert name in known, (method, path, name)
        if "{doc_id}" in path:
            assert any(f"/{k}/{{doc_id}}" in path for k in side.documents), (method, path)


async def test_allowed_callers_read_every_route_and_see_nothing_foreign(client, world):
    """own, parent and superduper on every GET of A: 200 (a route naming something we never hold, or an app's
    screenshot, answers 404), and no trace of sibling B."""
    for method, path, _ in _routes(client.server.app):
        if method != "GET" or "{account_id}" not in path or path.endswith("/siblings"):
            continue
        url = _fill(path, world.own.ids(path))
        # ...and a media document without uploaded audio has no /raw (Kazoo: 404 too).
        # Stock Monster apps carry no icon here (Monster UI ships its own); no whitelabel file was uploaded.
        # The legs of an interaction we never saw are an empty list, as Kazoo's view gives.
        missing = any(f"{{{n}}}" in path for n in ("cdr", "call", "ban", "index"))
        absent = missing or path.endswith(("/raw", "/icon", "/logo", "/welcome"))
        for caller in ALLOWED:
            status, text = await _call(client, method, url, world.headers[caller])
            assert status == (404 if absent else 200), (caller, path, text[:300])
            _assert_no_leak(world, f"{caller} GET {path}", text)


async def test_foreign_ids_in_the_path_are_404_on_every_route(client, world):
    """A's token with B's device, user, webhook or SIP username in A's URL: 404, and B keeps everything."""
    for method, path, _ in _routes(client.server.app):
        foreign = world.sibling.ids(path)
        # the app catalogue is the same for every account: an app id names nobody's data
        names = [n for n in PARAM_RE.findall(path) if n not in ("account_id", "app_id", *SHARED_PARAMS, *ABSENT_PARAMS)]
        if "/classifiers/" in path:
            names.remove("number")  # classifying a number string reads no one's number
        for name in names:
            ids = {**world.own.ids(path), name: foreign[name]}
            # Only a superduper admin impersonates, so only its token reaches the user lookup there.
            caller = "superduper" if path.endswith("/user_auth") else "own"
            body = {"data": {"action": "impersonate_user" if caller == "superduper" else "notify"}}
            status, text = await _call(client, method, _fill(path, ids), world.headers[caller], json=body)
            # Only an operator adds a number: A's token is refused before any number is looked up.
            expected = 403 if method == "PUT" and path.endswith("/phone_numbers/{number}") else 404
            assert status == expected, (method, path, name, text[:300])
            _assert_no_leak(world, f"{method} {path} [{name}]", text.replace(foreign[name], ""))
    sibling = world.sibling.tenant
    for part in (f"/devices/{world.sibling.device_id}", f"/webhooks/{world.sibling.webhook_id}"):
        await ok(await client.get(sibling.url(part), headers=sibling.headers))
    count = await ok(await client.get(sibling.url("/registrations/count"), headers=sibling.headers))
    assert count["data"]["count"] == 1


def _device_writes(app) -> list:
    return [
        (m, p)
        for m, p, _ in _routes(app)
        if m in ("PUT", "POST", "PATCH") and re.search(r"/devices(/\{device_id\})?$", p)
    ]


async def test_owner_id_and_realm_of_another_tenant_are_400_on_every_device_write(client, world):
    """owner_id naming B's user, or sip.realm naming B's realm, on every device create and update."""
    own, sibling = world.own, world.sibling
    bodies = {
        "owner_id": {"name": "smuggler", "owner_id": sibling.user_id},
        "sip.realm": {
            "name": "smuggler",
            "sip": {"username": "squat", "password": "pw-1234", "realm": sibling.tenant.realm},
        },
    }
    writes = _device_writes(client.server.app)
    assert len(writes) >= 4
    for method, path in writes:
        url = _fill(path, own.ids(path))
        for field, data in bodies.items():
            if method == "PUT" and "{device_id}" in path:
                continue  # PUT /devices/{D} is the NOTIFY action: it writes no document
            status, text = await _call(client, method, url, own.tenant.headers, json={"data": data})
            assert status == 400 and field in json.loads(text)["data"], (method, path, field, text[:300])
    seed = {"name": "smuggler", "sipUsername": "squat2", "assignedUser": sibling.user_id}
    status, text = await _call(client, "POST", own.tenant.url("/devices/sip"), own.tenant.headers, json=seed)
    assert status == 400, text


async def test_start_key_and_filters_cannot_reach_another_tenant(client, world):
    """Every paginated listing of A, with B's ids as start_key and in filters: 200 and nothing of B."""
    probes = []
    for value in world.sibling.secrets_of():
        probes += [
            {"start_key": value},
            {"filter_id": value},
            {"filter_owner_id": value},
            {"filter_account_id": value},
            {"filter_sip.username": value},
        ]
    for method, path, handler in _routes(client.server.app):
        doc = getattr(handler, "crossbar_doc", None)
        # /siblings lists the other children of A's parent by design (for the parent's token only).
        if method != "GET" or "{account_id}" not in path or not (doc and doc.paginated) or "siblings" in path:
            continue
        url = _fill(path, world.own.ids(path))
        for params in probes:
            status, text = await _call(client, "GET", url, world.own.tenant.headers, params=params)
            # A start key another listing could not have issued may be refused (400); never served from B.
            assert status == 200 or (status == 400 and "start_key" in params), (path, params, text[:300])
            # Kazoo echoes the caller's own start_key: that is not B's data.
            echoed = text.replace(f'"start_key":"{params.get("start_key")}"', "")
            _assert_no_leak(world, f"GET {path} {params}", echoed)


async def test_realm_squatting_and_cross_tenant_flush_are_impossible(client, world):
    """A cannot take B's realm, see B's phones or flush them."""
    own, sibling = world.own, world.sibling
    squat = {
        "name": "squat",
        "sip": {"username": sibling.sip_username, "password": "pw-1234", "realm": sibling.tenant.realm},
    }
    status, _ = await _call(client, "PUT", own.tenant.url("/devices"), own.tenant.headers, json={"data": squat})
    assert status == 400
    listing = await ok(await client.get(own.tenant.url("/registrations"), headers=own.tenant.headers))
    assert [r["username"] for r in listing["data"]] == [own.sip_username]
    await ok(await client.delete(own.tenant.url("/registrations"), headers=own.tenant.headers))
    theirs = await ok(await client.get(sibling.tenant.url("/registrations"), headers=sibling.tenant.headers))
    assert [r["username"] for r in theirs["data"]] == [sibling.sip_username]
    # B can still create its own device with any SIP username A tried to take.
    mine = {"name": "mine", "sip": {"username": "squat", "password": "pw-1234"}}
    await ok(await client.put(sibling.tenant.url("/devices"), headers=sibling.tenant.headers, json={"data": mine}), 201)
