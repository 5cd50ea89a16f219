"""Kazoo's routing and content quirks: /v1, /v2/account/, trailing slashes, verb tunnelling, `_=`,
JSONP, pretty print, Content-Type handling (docs/kazoo-compatibility.md §1-3)."""

from tests.helpers import assert_error, ok


async def test_v1_serves_the_same_routes_without_pagination(client, tenant):
    await tenant.create_device(client)
    body = await ok(await client.get(f"/v1/accounts/{tenant.account_id}/devices", headers=tenant.headers))
    assert len(body["data"]) == 1 and "page_size" not in body
    dev = body["data"][0]
    resp = await client.patch(
        f"/v1/accounts/{tenant.account_id}/devices/{dev['id']}", headers=tenant.headers, json={"data": {"name": "x"}}
    )
    await assert_error(resp, 405, "invalid_method")


async def test_account_alias_uses_the_tokens_account(client, tenant):
    dev = await tenant.create_device(client)
    body = await ok(await client.get("/v2/account/devices", headers=tenant.headers))
    assert [d["id"] for d in body["data"]] == [dev["id"]]
    body = await ok(await client.get("/v2/account", headers=tenant.headers))
    assert body["data"]["id"] == tenant.account_id
    body = await assert_error(await client.get("/v2/account/devices"), 401, "invalid credentials")
    assert body["data"] == {}


async def test_trailing_slash_and_cache_buster_are_ignored(client, tenant):
    await ok(await client.get(tenant.url("/devices/"), params={"_": "1700000000000"}, headers=tenant.headers))


async def test_verb_tunnelling_through_post(client, tenant):
    created = await ok(
        await client.post(
            tenant.url("/devices"), headers=tenant.headers, json={"verb": "put", "data": {"name": "tunnelled"}}
        ),
        201,
    )
    dev_url = tenant.url(f"/devices/{created['data']['id']}")
    await ok(
        await client.post(
            dev_url, params={"verb": "PATCH"}, headers=tenant.headers, json={"data": {"language": "de-de"}}
        )
    )
    body = await ok(await client.post(dev_url, headers=tenant.headers, json={"data": {"verb": "DELETE"}}))
    assert body["data"]["_read_only"] == {"deleted": True}
    await assert_error(await client.get(dev_url, headers=tenant.headers), 404, "bad_identifier")
    resp = await client.post(tenant.url("/registrations/x"), headers=tenant.headers, json={"verb": "GET"})
    await assert_error(resp, 405, "invalid_method")


async def test_jsonp_wraps_success_and_errors(client, tenant):
    resp = await client.get(tenant.url(), params={"jsonp": "cb"}, headers=tenant.headers)
    assert resp.headers["Content-Type"] == "application/javascript"
    text = await resp.text()
    assert text.startswith("cb({") and text.endswith("});")
    resp = await client.get(tenant.url("/devices"), params={"jsonp": "cb"})
    assert resp.status == 401 and (await resp.text()).startswith("cb(")
    resp = await client.get(tenant.url(), params={"jsonp": "alert(1)//"}, headers=tenant.headers)
    assert resp.headers["Content-Type"] == "application/json"


async def test_pretty_print(client, tenant):
    resp = await client.get(tenant.url(), params={"pretty_print": "true"}, headers=tenant.headers)
    assert "\n  " in await resp.text()
    resp = await client.get(tenant.url(), headers={**tenant.headers, "X-Pretty-Print": "true"})
    assert "\n  " in await resp.text()


async def test_missing_content_type_is_json_with_kazoos_nudge(client, tenant):
    resp = await client.put(
        tenant.url("/devices"),
        data=b'{"data": {"name": "no ctype"}}',
        headers=tenant.headers,
        skip_auto_headers=["Content-Type"],
    )
    await ok(resp, 201)
    assert resp.headers["X-RFC2616"] == "Section 14.17 (Try it, you'll like it)"


async def test_unsupported_content_type_is_415_in_the_envelope(client, tenant):
    resp = await client.put(
        tenant.url("/devices"),
        data=b'{"data": {"name": "x"}}',
        headers={**tenant.headers, "Content-Type": "text/plain"},
    )
    await assert_error(resp, 415, "unsupported_media_type")


async def test_form_encoded_json_is_accepted(client, tenant):
    resp = await client.put(
        tenant.url("/devices"),
        data=b'{"data": {"name": "curl default"}}',
        headers={**tenant.headers, "Content-Type": "application/x-www-form-urlencoded"},
    )
    await ok(resp, 201)
