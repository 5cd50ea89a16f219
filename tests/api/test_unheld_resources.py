"""Resources where we hold nothing or little (phone numbers, limits, configs, calls, security), answered
as Kazoo answers an account without them, and storing what is written."""

import pytest

from tests.helpers import assert_error, ok

IN_SERVICE = '/phone_numbers?filter_state=["in_service","port_in"]&paginate=false'


async def test_phone_numbers_of_an_account_with_none(client, tenant):
    # monster-ui numbers.list as SmartPBX's myOffice sends it.
    body = await ok(await client.get(tenant.url(IN_SERVICE), headers=tenant.headers))
    assert body["data"] == {"cascade_quantity": 0, "numbers": {}}


async def test_operator_adds_numbers_and_smartpbx_lists_them(client, tenant, master_token):
    master = {"X-Auth-Token": master_token}
    url = tenant.url("/phone_numbers/%2B15555550123")
    added = await ok(await client.put(url, headers=master, json={"data": {"create_with_state": "in_service"}}), 201)
    assert added["data"]["id"] == "+15555550123" and added["data"]["state"] == "in_service"
    assert added["data"]["_read_only"]["state"] == "in_service"
    await ok(await client.put(tenant.url("/phone_numbers/5555550124"), headers=master, json={"data": {}}), 201)
    flow = {"numbers": ["+15555550123"], "flow": {"module": "user"}}
    await ok(await client.put(tenant.url("/callflows"), headers=tenant.headers, json={"data": flow}), 201)
    body = await ok(await client.get(tenant.url(IN_SERVICE), headers=tenant.headers))
    numbers = body["data"]["numbers"]
    assert list(numbers) == ["+15555550123"]
    assert (
        numbers["+15555550123"]["used_by"] == "callflow" and numbers["+15555550123"]["assigned_to"] == tenant.account_id
    )
    everything = await ok(await client.get(tenant.url("/phone_numbers"), headers=tenant.headers))
    assert everything["data"]["numbers"]["+15555550124"]["state"] == "reserved"
    assert "used_by" not in everything["data"]["numbers"]["+15555550124"]
    cnam = {"cnam": {"display_name": "Acme"}}
    patched = await ok(await client.patch(url, headers=tenant.headers, json={"data": cnam}))
    assert patched["data"]["cnam"] == {"display_name": "Acme"} and patched["data"]["state"] == "in_service"
    replaced = await ok(
        await client.post(url, headers=tenant.headers, json={"data": {"state": "port_out", "used_by": "x"}})
    )
    assert replaced["data"]["state"] == "in_service" and "cnam" not in replaced["data"]
    assert "used_by" not in replaced["data"]
    await ok(await client.delete(url, headers=tenant.headers))
    body = await assert_error(await client.get(url, headers=tenant.headers), 404, "bad_identifier")
    assert body["data"]["not_found"] == "The number could not be found"


async def test_number_errors_like_kazoo(client, tenant, make_tenant, master_token):
    master = {"X-Auth-Token": master_token}
    resp = await client.put(tenant.url("/phone_numbers/%2B15555550130"), headers=tenant.headers, json={"data": {}})
    await assert_error(resp, 403, "forbidden")
    await ok(await client.put(tenant.url("/phone_numbers/%2B15555550130"), headers=master, json={"data": {}}), 201)
    other = await make_tenant()
    resp = await client.put(other.url("/phone_numbers/%2B15555550130"), headers=master, json={"data": {}})
    body = await assert_error(resp, 409, "number_exists")
    assert body["data"] == {
        "cause": "+15555550130",
        "code": 409,
        "error": "number_exists",
        "message": "number +15555550130 already exists",
    }
    resp = await client.put(tenant.url("/phone_numbers/12ab"), headers=master, json={"data": {}})
    await assert_error(resp, 404, "not_reconcilable")
    resp = await client.put(
        tenant.url("/phone_numbers/%2B15555550131"), headers=master, json={"data": {"create_with_state": "sold"}}
    )
    await assert_error(resp, 400, "validation error")
    resp = await client.patch(
        tenant.url("/phone_numbers/%2B15555550130"), headers=master, json={"data": {"e911": {"region": "CA"}}}
    )
    body = await assert_error(resp, 400, "validation error")
    assert "required" in body["data"]["e911.locality"]
    resp = await client.post(tenant.url("/phone_numbers/%2B15555550130"), headers=master, json={"data": [1]})
    await assert_error(resp, 400, "validation error")


async def test_classifiers_are_kazoos_defaults(client, tenant):
    body = await ok(await client.get(tenant.url("/phone_numbers/classifiers"), headers=tenant.headers))
    assert set(body["data"]) == {
        "tollfree_us",
        "toll_us",
        "emergency",
        "caribbean",
        "did_us",
        "international",
        "unknown",
    }
    assert body["data"]["did_us"]["friendly_name"] == "US DID"
    body = await ok(await client.get(tenant.url("/phone_numbers/classifiers/4155551234"), headers=tenant.headers))
    assert body["data"]["name"] == "did_us" and body["data"]["e164"] == "+14155551234"
    body = await ok(await client.get(tenant.url("/phone_numbers/classifiers/911"), headers=tenant.headers))
    assert body["data"]["name"] == "emergency"


async def test_limits_default_then_stored(client, tenant, master_token):
    body = await ok(await client.get(tenant.url("/limits"), headers=tenant.headers))
    assert body["data"]["allow_prepay"] is True and body["data"]["id"] == "limits"
    limits = {"twoway_trunks": 5, "inbound_trunks": 2}
    stored = await ok(await client.post(tenant.url("/limits"), headers=tenant.headers, json={"data": limits}))
    assert stored["data"]["twoway_trunks"] == 5
    master = {"X-Auth-Token": master_token}
    await ok(await client.post(tenant.url("/limits"), headers=master, json={"data": {**limits, "twoway_trunks": 7}}))
    body = await ok(await client.get(tenant.url("/limits"), headers=tenant.headers))
    assert body["data"]["inbound_trunks"] == 2 and body["data"]["twoway_trunks"] == 7
    resp = await client.post(tenant.url("/limits"), headers=master, json={"data": {"calls": -1}})
    await assert_error(resp, 400, "validation error")


async def test_kazoo_endpoint_config_is_stored_per_account(client, tenant, make_tenant):
    url = tenant.url("/configs/kazoo_endpoint")
    body = await ok(await client.get(url, headers=tenant.headers))
    assert body["data"] == {"id": "configs_kazoo_endpoint"}
    config = {"ignore_completed_elsewhere": True, "codecs": {"audio": ["PCMU"]}}
    await ok(await client.put(url, headers=tenant.headers, json={"data": config}), 201)
    merged = await ok(await client.patch(url, headers=tenant.headers, json={"data": {"codecs": {"video": ["VP8"]}}}))
    assert merged["data"]["codecs"] == {"audio": ["PCMU"], "video": ["VP8"]}
    other = await make_tenant()
    body = await ok(await client.get(other.url("/configs/kazoo_endpoint"), headers=other.headers))
    assert body["data"] == {"id": "configs_kazoo_endpoint"}
    await ok(await client.delete(url, headers=tenant.headers))
    assert (await ok(await client.get(url, headers=tenant.headers)))["data"] == {"id": "configs_kazoo_endpoint"}
    await assert_error(
        await client.get(tenant.url("/configs/Bad%20Name"), headers=tenant.headers), 404, "bad_identifier"
    )
    await assert_error(await client.post(url, headers=tenant.headers, json={"data": ["x"]}), 400, "validation error")


async def test_calls_are_empty_as_for_an_account_without_calls(client, tenant):
    query = "/cdrs/interaction?created_from=63963302400&created_to=63963388799&page_size=50"
    body = await ok(await client.get(tenant.url(query), headers=tenant.headers))
    assert body["data"] == [] and body["page_size"] == 0
    assert (await ok(await client.get(tenant.url("/channels"), headers=tenant.headers)))["data"] == []
    assert (await ok(await client.get(tenant.url("/cdrs/legs/abc"), headers=tenant.headers)))["data"] == []
    await assert_error(await client.get(tenant.url("/cdrs/abc"), headers=tenant.headers), 404, "bad_identifier")
    await assert_error(await client.get(tenant.url("/channels/abc"), headers=tenant.headers), 404, "bad_identifier")
    resp = await client.get(tenant.url("/cdrs?created_from=x"), headers=tenant.headers)
    await assert_error(resp, 400, "validation error")
    resp = await client.get(tenant.url("/cdrs?created_from=63963388799&created_to=63963302400"), headers=tenant.headers)
    body = await assert_error(resp, 400, "validation error")
    assert "date_range" in body["data"]["created_from"]
    resp = await client.get(tenant.url("/cdrs?created_from=63900000000&created_to=63963302400"), headers=tenant.headers)
    await assert_error(resp, 400, "validation error")


async def test_security_and_multi_factor_say_what_we_do(client, tenant, settings):
    body = await ok(await client.get(tenant.url("/security"), headers=tenant.headers))
    modules = body["data"]["inherited_config"]["auth_modules"]
    assert body["data"]["account"] == {} and modules["cb_user_auth"]["token_auth_expiry_s"] == settings.token_lifetime
    assert modules["cb_user_auth"]["multi_factor"]["enabled"] is False
    body = await ok(await client.get(tenant.url("/multi_factor"), headers=tenant.headers))
    assert body["data"] == {"configured": [], "multi_factor_providers": []}
    await assert_error(
        await client.post(tenant.url("/security"), headers=tenant.headers, json={"data": {}}), 405, "invalid_method"
    )


async def test_ledgers_of_an_account_we_never_billed(client, tenant):
    assert (await ok(await client.get(tenant.url("/ledgers/total"), headers=tenant.headers)))["data"] == {"amount": 0.0}
    assert (await ok(await client.get(tenant.url("/ledgers"), headers=tenant.headers)))["data"] == {}


WALLED = [
    ("GET", "/ledgers"),
    ("GET", "/ledgers/total"),
    ("GET", "/phone_numbers"),
    ("GET", "/phone_numbers/classifiers"),
    ("GET", "/phone_numbers/classifiers/4155551234"),
    ("GET", "/phone_numbers/%2B15555550123"),
    ("PUT", "/phone_numbers/%2B15555550123"),
    ("POST", "/phone_numbers/%2B15555550123"),
    ("PATCH", "/phone_numbers/%2B15555550123"),
    ("DELETE", "/phone_numbers/%2B15555550123"),
    ("GET", "/limits"),
    ("POST", "/limits"),
    ("GET", "/configs/kazoo_endpoint"),
    ("PUT", "/configs/kazoo_endpoint"),
    ("POST", "/configs/kazoo_endpoint"),
    ("PATCH", "/configs/kazoo_endpoint"),
    ("DELETE", "/configs/kazoo_endpoint"),
    ("GET", "/channels"),
    ("GET", "/cdrs"),
    ("GET", "/cdrs/interaction"),
    ("GET", "/cdrs/abc"),
    ("GET", "/security"),
    ("GET", "/multi_factor"),
]


@pytest.mark.parametrize(("method", "path"), WALLED)
async def test_unheld_routes_are_walled(client, tenant, make_tenant, method, path):
    other = await make_tenant()
    resp = await client.request(method, tenant.url(path), headers=other.headers, json={"data": {}})
    await assert_error(resp, 403, "forbidden")
    await assert_error(await client.request(method, tenant.url(path), json={"data": {}}), 401, "invalid_credentials")
