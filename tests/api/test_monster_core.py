"""What Monster UI's core, auth and Accounts apps call around a login, replayed as they send it."""

import base64

import pytest

from crossbar_py.apps_store.catalogue import APPS
from tests.helpers import assert_error, login, ok

VOIP = next(a["id"] for a in APPS if a["name"] == "voip")
ACCOUNTS = next(a["id"] for a in APPS if a["name"] == "accounts")


async def test_apps_store_lists_the_catalogue_in_kazoos_shape(client, tenant):
    body = await ok(await client.get(tenant.url("/apps_store"), headers=tenant.headers))
    names = {a["name"]: a for a in body["data"]}
    assert {"voip", "accounts", "callflows", "numbers", "webhooks"} <= set(names)
    voip = names["voip"]
    assert voip["id"] == VOIP and voip["i18n"]["en-US"]["label"] == "Smart PBX"
    assert voip["masqueradable"] is True and voip["phase"] == "gold"
    assert "allowed_users" not in voip and "source_url" not in voip
    assert len(body["revision"]) == 32


async def test_install_update_uninstall_and_login_apps(client, tenant):
    url = tenant.url(f"/apps_store/{VOIP}")
    installed = await ok(
        await client.put(url, headers=tenant.headers, json={"data": {"allowed_users": "specific", "users": []}}), 201
    )
    assert installed["data"] == {"allowed_users": "specific", "users": [], "name": "voip"}
    body = await ok(await client.get(tenant.url("/apps_store"), headers=tenant.headers))
    voip = next(a for a in body["data"] if a["id"] == VOIP)
    assert voip["allowed_users"] == "specific" and voip["users"] == []
    token = await login(client, "admin", tenant.password, account_name=tenant.name)
    resp = await client.get("/v2/token_auth", headers={"X-Auth-Token": token})
    assert (await ok(resp))["data"]["apps"] == []
    await ok(await client.post(url, headers=tenant.headers, json={"data": {"allowed_users": "admins"}}))
    resp = await client.put(
        "/v2/user_auth",
        json={"data": {"credentials": _creds(tenant), "account_name": tenant.name}},
    )
    apps = (await ok(resp, 201))["data"]["apps"]
    assert apps == [{"id": VOIP, "name": "voip", "label": "Smart PBX"}]
    await ok(await client.delete(url, headers=tenant.headers))
    body = await ok(await client.get(url, headers=tenant.headers))
    assert body["data"]["name"] == "voip" and "allowed_users" not in body["data"]


def _creds(tenant) -> str:
    from tests.helpers import md5_credentials

    return md5_credentials("admin", tenant.password)


async def test_apps_store_errors_in_kazoos_envelope(client, tenant):
    url = tenant.url(f"/apps_store/{ACCOUNTS}")
    resp = await client.post(url, headers=tenant.headers, json={"data": {"allowed_users": "all"}})
    body = await assert_error(resp, 400, "Application is not installed")
    assert body["data"] == {}
    await assert_error(await client.delete(url, headers=tenant.headers), 400, "Application is not installed")
    resp = await client.put(url, headers=tenant.headers, json={"data": {"allowed_users": "everyone"}})
    body = await assert_error(resp, 400, "validation error")
    assert "enum" in body["data"]["allowed_users"]
    await ok(await client.put(url, headers=tenant.headers, json={"data": {"allowed_users": "all"}}), 201)
    resp = await client.put(url, headers=tenant.headers, json={"data": {"allowed_users": "all"}})
    await assert_error(resp, 400, "Application already installed")
    unknown = tenant.url(f"/apps_store/{'0' * 32}")
    await assert_error(await client.get(unknown, headers=tenant.headers), 404, "bad_identifier")
    resp = await client.put(unknown, headers=tenant.headers, json={"data": {"allowed_users": "all"}})
    await assert_error(resp, 403, "forbidden")


async def test_blacklist_hides_an_app(client, tenant, master_token):
    master = {"X-Auth-Token": master_token}
    url = tenant.url("/apps_store/blacklist")
    body = await ok(await client.post(url, headers=master, json={"data": {"blacklist": [VOIP]}}))
    assert body["data"] == {"blacklist": [VOIP]}
    listed = await ok(await client.get(tenant.url("/apps_store"), headers=tenant.headers))
    assert VOIP not in {a["id"] for a in listed["data"]}
    await assert_error(
        await client.get(tenant.url(f"/apps_store/{VOIP}"), headers=tenant.headers), 404, "bad_identifier"
    )
    resp = await client.post(url, headers=master, json={"data": {"blacklist": "voip"}})
    await assert_error(resp, 400, "validation error")


async def test_app_icon_and_screenshot_need_no_token_and_answer_404(client, tenant):
    resp = await client.get(tenant.url(f"/apps_store/{VOIP}/icon"))
    body = await assert_error(resp, 404, "bad_identifier")
    assert body["data"]["cause"] == "voip.png"
    await assert_error(await client.get(tenant.url(f"/apps_store/{VOIP}/screenshot/0")), 404, "bad_identifier")


async def test_whitelabel_by_domain_is_404_without_a_token_when_none(client):
    for path in ("", "/logo", "/icon"):
        body = await assert_error(await client.get(f"/v2/whitelabel/ui.example.com{path}"), 404, "bad_identifier")
        assert body["data"]["cause"] == "ui.example.com" or path


async def test_whitelabel_crud_with_logo_and_icon(client, tenant, make_tenant):
    url = tenant.url("/whitelabel")
    await assert_error(await client.get(url, headers=tenant.headers), 404, "bad_identifier")
    data = {"domain": "PBX.Acme.test", "company_name": "Acme", "hide_powered": True}
    created = await ok(await client.put(url, headers=tenant.headers, json={"data": data}), 201)
    assert created["data"]["company_name"] == "Acme" and created["revision"].startswith("1-")
    public = await ok(await client.get("/v2/whitelabel/pbx.acme.test"))
    assert public["data"]["company_name"] == "Acme" and "auth_token" not in public
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 40
    headers = {**tenant.headers, "Content-Type": "application/x-base64"}
    payload = "data:image/png;base64," + base64.b64encode(png).decode()
    await ok(await client.post(f"{url}/logo", headers=headers, data=payload))
    resp = await client.get("/v2/whitelabel/pbx.acme.test/logo")
    assert resp.status == 200 and resp.headers["Content-Type"] == "image/png" and await resp.read() == png
    await assert_error(await client.get("/v2/whitelabel/pbx.acme.test/icon"), 404, "bad_identifier")
    ico = {**tenant.headers, "Content-Type": "image/x-icon"}
    await ok(await client.post(f"{url}/icon", headers=ico, data=b"\x00\x00\x01\x00icon"))
    assert await (await client.get(f"{url}/icon", headers=tenant.headers)).read() == b"\x00\x00\x01\x00icon"
    other = await make_tenant()
    resp = await client.put(other.url("/whitelabel"), headers=other.headers, json={"data": {"domain": "pbx.acme.test"}})
    body = await assert_error(resp, 400, "validation error")
    assert body["data"]["domain"]["unique"]["cause"] == "pbx.acme.test"
    patched = await ok(await client.patch(url, headers=tenant.headers, json={"data": {"company_name": "Acme 2"}}))
    assert patched["data"]["domain"] == "PBX.Acme.test"
    await ok(await client.delete(url, headers=tenant.headers))
    await assert_error(await client.get("/v2/whitelabel/pbx.acme.test"), 404, "bad_identifier")


async def test_whitelabel_bad_input(client, tenant):
    url = tenant.url("/whitelabel")
    resp = await client.put(url, headers=tenant.headers, json={"data": {"hide_powered": "maybe"}})
    await assert_error(resp, 400, "validation error")
    await assert_error(
        await client.post(url, headers=tenant.headers, json={"data": {"company_name": "x"}}), 404, "bad_identifier"
    )
    headers = {**tenant.headers, "Content-Type": "image/png"}
    await assert_error(await client.post(f"{url}/logo", headers=headers, data=b"png"), 404, "bad_identifier")
    await ok(await client.put(url, headers=tenant.headers, json={"data": {"company_name": "x"}}), 201)
    await assert_error(await client.post(f"{url}/logo", headers=headers, data=b""), 400, "validation error")
    bad64 = {**tenant.headers, "Content-Type": "application/x-base64"}
    await assert_error(
        await client.post(f"{url}/logo", headers=bad64, data="data:image/png;base64,@@@"), 400, "validation error"
    )


async def test_alerts_are_the_empty_list(client, tenant):
    body = await ok(await client.get(tenant.url("/alerts"), headers=tenant.headers))
    assert body["data"] == []


WALLED = [
    ("GET", "/apps_store"),
    ("GET", f"/apps_store/{VOIP}"),
    ("PUT", f"/apps_store/{VOIP}"),
    ("POST", f"/apps_store/{VOIP}"),
    ("DELETE", f"/apps_store/{VOIP}"),
    ("GET", "/apps_store/blacklist"),
    ("POST", "/apps_store/blacklist"),
    ("GET", "/whitelabel"),
    ("PUT", "/whitelabel"),
    ("POST", "/whitelabel"),
    ("PATCH", "/whitelabel"),
    ("DELETE", "/whitelabel"),
    ("GET", "/whitelabel/logo"),
    ("POST", "/whitelabel/logo"),
    ("GET", "/alerts"),
]


@pytest.mark.parametrize(("method", "path"), WALLED)
async def test_core_routes_are_walled(client, tenant, make_tenant, method, path):
    other = await make_tenant()
    resp = await client.request(method, tenant.url(path), headers=other.headers, json={"data": {}})
    await assert_error(resp, 403, "forbidden")
    await assert_error(await client.request(method, tenant.url(path), json={"data": {}}), 401, "invalid_credentials")


REGISTRATIONS = next(a["id"] for a in APPS if a["name"] == "registrations")


async def test_our_registrations_app_is_served_and_installable(client, tenant):
    body = await ok(await client.get(tenant.url("/apps_store"), headers=tenant.headers))
    ours = next(a for a in body["data"] if a["name"] == "registrations")
    assert ours["source_url"] == f"http://{client.server.host}:{client.server.port}/monster-apps/registrations"
    assert "source_path" not in ours
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "api.example.com", **tenant.headers}
    app = await ok(await client.get(tenant.url(f"/apps_store/{REGISTRATIONS}"), headers=headers))
    assert app["data"]["source_url"] == "https://api.example.com/monster-apps/registrations"
    for name, ctype in (
        ("app.js", "application/javascript"),
        ("views/app.html", "text/html"),
        ("views/device.html", "text/html"),
        ("i18n/en-US.json", "application/json"),
        ("style/app.css", "text/css"),
        ("VERSION", "text/plain"),
    ):
        resp = await client.get(f"/monster-apps/registrations/{name}", headers={"Origin": "http://ui.example.com"})
        assert resp.status == 200 and resp.headers["Content-Type"] == ctype, name
        assert resp.headers["Access-Control-Allow-Origin"] == "*"
    text = await (await client.get("/monster-apps/registrations/app.js")).text()
    assert "devices/registration/status" in text and "name: 'registrations'" in text
    await assert_error(await client.get("/monster-apps/registrations/nothing.js"), 404, "bad_identifier")
    for bad in ("../service.py", "views/../../service.py", "%2e%2e/__init__.py", "%2e%2e/routes.py"):
        resp = await client.get(f"/monster-apps/registrations/{bad}")
        assert resp.status in (401, 404) and b"import" not in await resp.read(), bad
    icon = await client.get(tenant.url(f"/apps_store/{REGISTRATIONS}/icon"))
    assert icon.status == 200 and icon.headers["Content-Type"] == "image/svg+xml"
    url = tenant.url(f"/apps_store/{REGISTRATIONS}")
    await ok(await client.put(url, headers=tenant.headers, json={"data": {"allowed_users": "admins"}}), 201)
    token = await login(client, "admin", tenant.password, account_name=tenant.name)
    me = await ok(await client.get("/v2/token_auth", headers={"X-Auth-Token": token}))
    assert [a["name"] for a in me["data"]["apps"]] == ["registrations"]
