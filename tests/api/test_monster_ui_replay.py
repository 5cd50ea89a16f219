"""Monster UI and SmartPBX flows replayed as the real UI sent them in Chromium (paths, queries, verbs, bodies).

Each test asserts the status and the fields the UI's code reads from the answer; see docs/monster-ui.md.
"""

from tests.helpers import assert_error, md5_credentials, ok

UI_META = {"version": "4.3.0", "ui": "monster-ui", "origin": "voip"}


async def _app_id(client, tenant, name: str) -> str:
    body = await ok(await client.get(tenant.url("/apps_store"), headers=tenant.headers))
    return next(app["id"] for app in body["data"] if app["name"] == name)


async def _user_id(client, tenant) -> str:
    body = await ok(await client.get(tenant.url("/users?paginate=false"), headers=tenant.headers))
    return body["data"][0]["id"]


async def _install(client, tenant, name: str) -> str:
    app_id = await _app_id(client, tenant, name)
    body = {"data": {"allowed_users": "all", "users": [], "ui_metadata": {**UI_META, "origin": "appstore"}}}
    await ok(await client.put(tenant.url(f"/apps_store/{app_id}"), headers=tenant.headers, json=body), 201)
    return app_id


async def test_login_reads_account_user_apps_store_and_alerts(client, tenant):
    creds = {"credentials": md5_credentials("admin", tenant.password), "account_name": tenant.name}
    auth = await ok(await client.put("/v2/user_auth", json={"data": creds}), 201)
    assert auth["auth_token"] and auth["data"]["account_id"] == tenant.account_id
    headers = {"X-Auth-Token": auth["auth_token"]}
    user_id = auth["data"]["owner_id"]
    account = await ok(await client.get(tenant.url(), headers=headers))
    assert account["data"]["name"] == tenant.name
    user = await ok(await client.get(tenant.url(f"/users/{user_id}"), headers=headers))
    assert user["data"]["priv_level"] == "admin"
    store = await ok(await client.get(tenant.url("/apps_store"), headers=headers))
    voip = next(app for app in store["data"] if app["name"] == "voip")
    assert len(voip["id"]) == 32 and voip["i18n"]["en-US"]["label"]
    alerts = await ok(await client.get(tenant.url("/alerts"), headers=headers))
    assert alerts["data"] == []


async def test_app_store_install_then_the_auth_app_saves_the_users_app_list(client, tenant):
    voip = await _app_id(client, tenant, "voip")
    body = {"data": {"allowed_users": "all", "users": [], "ui_metadata": {**UI_META, "origin": "appstore"}}}
    installed = await ok(await client.put(tenant.url(f"/apps_store/{voip}"), headers=tenant.headers, json=body), 201)
    assert installed["data"]["allowed_users"] == "all" and installed["data"]["users"] == []
    user_id = await _user_id(client, tenant)
    patch = {"data": {"appList": [voip], "ui_metadata": {**UI_META, "origin": "auth"}}}
    user = await ok(await client.patch(tenant.url(f"/users/{user_id}"), headers=tenant.headers, json=patch))
    assert user["data"]["appList"] == [voip]
    store = await ok(await client.get(tenant.url("/apps_store"), headers=tenant.headers))
    assert next(app for app in store["data"] if app["id"] == voip)["allowed_users"] == "all"


async def test_smartpbx_first_open_creates_and_then_finds_the_main_voicemail_box(client, tenant):
    await _install(client, tenant, "voip")
    main = tenant.url("/vmboxes?filter_type=mainVMBox")
    assert (await ok(await client.get(main, headers=tenant.headers)))["data"] == []
    box = {"type": "mainVMBox", "mailbox": "0", "name": "Main Voicemail Box", "delete_after_notify": True}
    created = await ok(
        await client.put(
            tenant.url("/vmboxes"), headers=tenant.headers, json={"data": {**box, "ui_metadata": UI_META}}
        ),
        201,
    )
    box_id = created["data"]["id"]
    listed = await ok(await client.get(main, headers=tenant.headers))
    assert [item["id"] for item in listed["data"]] == [box_id]
    got = await ok(await client.get(tenant.url(f"/vmboxes/{box_id}"), headers=tenant.headers))
    assert got["data"]["mailbox"] == "0" and got["data"]["type"] == "mainVMBox"
    for path in ("/callflows?has_type=type&paginate=false", "/directories", "/devices?with_status=true&paginate=false"):
        assert isinstance((await ok(await client.get(tenant.url(path), headers=tenant.headers)))["data"], list)


FEATURE_CODES = [
    {
        "flow": {"children": {}, "data": {"action": "deactivate"}, "module": "call_forward"},
        "featurecode": {"name": "call_forward[action=deactivate]", "number": "73"},
        "numbers": ["*73"],
    },
    {
        "flow": {"children": {}, "data": {"action": "activate"}, "module": "call_forward"},
        "featurecode": {"name": "call_forward[action=activate]", "number": "72"},
        "patterns": ["\\*72([0-9]*)$"],
    },
    {
        "flow": {"children": {}, "data": {"action": "park"}, "module": "park"},
        "featurecode": {"name": "valet", "number": "4"},
        "numbers": ["*4"],
    },
]


async def test_main_number_first_visit_creates_menus_and_feature_codes_it_finds_again(client, tenant):
    menu = {
        "name": "MainOpenHoursMenu",
        "record_pin": "2043",
        "media": {"exit_media": True, "invalid_media": True, "transfer_media": True},
        "retries": 3,
        "max_extension_length": 4,
        "type": "main",
        "ui_metadata": UI_META,
    }
    created = await ok(await client.put(tenant.url("/menus"), headers=tenant.headers, json={"data": menu}), 201)
    assert len(created["data"]["id"]) == 32
    for code in FEATURE_CODES:
        body = {"data": {**code, "ui_metadata": UI_META}}
        await ok(await client.put(tenant.url("/callflows"), headers=tenant.headers, json=body), 201)
    ours = "/callflows?paginate=false&has_key=featurecode&filter_ui_metadata.origin=voip"
    found = await ok(await client.get(tenant.url(ours), headers=tenant.headers))
    assert sorted(item["featurecode"]["number"] for item in found["data"]) == ["4", "72", "73"]
    theirs = "/callflows?paginate=false&has_key=featurecode&filter_not_ui_metadata.origin=voip"
    assert (await ok(await client.get(tenant.url(theirs), headers=tenant.headers)))["data"] == []
    again = {"data": {**FEATURE_CODES[0], "ui_metadata": UI_META}}
    resp = await client.put(tenant.url("/callflows"), headers=tenant.headers, json=again)
    assert "unique" in (await assert_error(resp, 400, "validation error"))["data"]["numbers"]


async def test_main_number_callflows_are_found_by_the_strategy_filters(client, tenant):
    menu_cf = {
        "contact_list": {"exclude": False},
        "numbers": ["MainOpenHours"],
        "type": "main",
        "flow": {"children": {}, "data": {"id": "4993741a82794d839cadb4e0f9da6ae6"}, "module": "callflow"},
        "ui_metadata": UI_META,
    }
    first = await ok(await client.put(tenant.url("/callflows"), headers=tenant.headers, json={"data": menu_cf}), 201)
    main_cf = {
        "contact_list": {"exclude": False},
        "numbers": ["undefinedMainNumber"],
        "name": "MainCallflow",
        "type": "main",
        "flow": {
            "children": {"_": {"children": {}, "data": {"id": first["data"]["id"]}, "module": "callflow"}},
            "data": {},
            "module": "temporal_route",
        },
        "ui_metadata": UI_META,
    }
    await ok(await client.put(tenant.url("/callflows"), headers=tenant.headers, json={"data": main_cf}), 201)
    strategy = "/callflows?has_value=type&key_missing=owner_id&key_missing=group_id"
    listed = await ok(await client.get(tenant.url(strategy), headers=tenant.headers))
    assert sorted(item["numbers"][0] for item in listed["data"]) == ["MainOpenHours", "undefinedMainNumber"]
    for path in (
        "/temporal_rules?has_key=type",
        "/temporal_rules_sets?has_key=type&filter_type=main_holidays",
        "/callflows?filter_flow.module=qubicle",
        "/callflows?has_key=owner_id&filter_type=mainUserCallflow&paginate=false",
        "/callflows?has_key=group_id&filter_type=baseGroup",
        "/callflows?has_key=group_id&filter_type=userGroup",
        "/media",
        "/groups?paginate=false",
        "/vmboxes?paginate=false",
    ):
        assert (await ok(await client.get(tenant.url(path), headers=tenant.headers)))["data"] == [], path


async def test_walkthrough_flag_is_saved_with_the_whole_user_document(client, tenant):
    user_id = await _user_id(client, tenant)
    user = (await ok(await client.get(tenant.url(f"/users/{user_id}"), headers=tenant.headers)))["data"]
    body = {**user, "apps": {}, "account_name": tenant.name, "ui_help": {"voip": {"showGroupsWalkthrough": False}}}
    saved = await ok(
        await client.post(
            tenant.url(f"/users/{user_id}"), headers=tenant.headers, json={"data": {**body, "ui_metadata": UI_META}}
        )
    )
    assert saved["data"]["ui_help"] == {"voip": {"showGroupsWalkthrough": False}}


async def test_dashboard_reads_numbers_channels_and_classifiers(client, tenant):
    numbers = '/phone_numbers?filter_state=["in_service","port_in"]&paginate=false'
    body = await ok(await client.get(tenant.url(numbers), headers=tenant.headers))
    assert body["data"]["numbers"] == {}
    channels = await ok(await client.get(tenant.url("/channels?paginate=false"), headers=tenant.headers))
    assert channels["data"] == []
    classifiers = (await ok(await client.get(tenant.url("/phone_numbers/classifiers"), headers=tenant.headers)))["data"]
    assert all({"regex", "friendly_name"} <= set(value) for value in classifiers.values())


async def test_sip_device_editor_reads_limits_and_the_endpoint_config(client, tenant):
    limits = await ok(await client.get(tenant.url("/limits"), headers=tenant.headers))
    assert isinstance(limits["data"], dict)
    config = await ok(await client.get(tenant.url("/configs/kazoo_endpoint"), headers=tenant.headers))
    assert isinstance(config["data"], dict)


async def test_users_tab_reads_multi_factor_and_security(client, tenant):
    mfa = await ok(await client.get(tenant.url("/multi_factor"), headers=tenant.headers))
    assert isinstance(mfa["data"]["multi_factor_providers"], list)
    security = await ok(await client.get(tenant.url("/security"), headers=tenant.headers))
    assert isinstance(security["data"], dict)


async def test_call_logs_read_an_empty_interaction_page(client, tenant):
    path = "/cdrs/interaction?created_from=63963302400&created_to=63963388799&page_size=50"
    body = await ok(await client.get(tenant.url(path), headers=tenant.headers))
    assert body["data"] == []


async def _grid_row(client, tenant, device_id: str) -> dict:
    """The device as the SmartPBX Devices grid reads it (with_status list)."""
    body = await ok(await client.get(tenant.url("/devices?with_status=true&paginate=false"), headers=tenant.headers))
    return next(item for item in body["data"] if item["id"] == device_id)


async def test_sip_device_added_edited_disabled_enabled_deleted_as_smartpbx_sends_them(client, tenant):
    new = {
        "media": {
            "audio": {"codecs": []},
            "encryption": {"enforce_security": False, "methods": []},
            "video": {"codecs": []},
        },
        "call_restriction": {"": {"action": "inherit"}},
        "device_type": "sip_device",
        "enabled": True,
        "suppress_unregister_notifications": True,
        "sip": {"password": "y7xZCYT7t3NhmuiSecret123x", "username": "muisip1"},
        "name": "mui-sip-1",
        "ui_metadata": UI_META,
    }
    created = await ok(await client.put(tenant.url("/devices"), headers=tenant.headers, json={"data": new}), 201)
    device_id = created["data"]["id"]
    row = await _grid_row(client, tenant, device_id)
    assert row["device_type"] == "sip_device" and row["enabled"] is True
    assert row["registrable"] is True and row["registered"] is False
    doc = (await ok(await client.get(tenant.url(f"/devices/{device_id}"), headers=tenant.headers)))["data"]
    url = tenant.url(f"/devices/{device_id}")
    for change in ({"name": "mui-sip-1-edited"}, {"enabled": False}, {"enabled": True}):
        doc = {**doc, **change, "ui_metadata": UI_META}
        doc = (await ok(await client.post(url, headers=tenant.headers, json={"data": doc})))["data"]
        assert all(doc[key] == value for key, value in change.items())
    assert (await _grid_row(client, tenant, device_id))["name"] == "mui-sip-1-edited"
    await ok(await client.delete(url, headers=tenant.headers, json={"data": {"ui_metadata": UI_META}}))
    await assert_error(await client.get(url, headers=tenant.headers), 404, "bad_identifier")


async def test_user_added_and_deleted_with_its_voicemail_box_and_callflow(client, tenant):
    user = {
        "caller_id": {"internal": {"name": "Mui Tester", "number": "1000"}},
        "presence_id": "1000",
        "email": "mui.tester@example.com",
        "priv_level": "user",
        "vm_to_email_enabled": True,
        "first_name": "Mui",
        "username": "mui.tester@example.com",
        "last_name": "Tester",
        "password": "MuiPassw0rd!",
        "send_email_on_creation": False,
        "ui_metadata": UI_META,
    }
    user_id = (await ok(await client.put(tenant.url("/users"), headers=tenant.headers, json={"data": user}), 201))[
        "data"
    ]["id"]
    box = {"owner_id": user_id, "mailbox": "1000", "name": "Mui Tester's VMBox", "envelope_type": "caller_and_time"}
    box = {**box, "skip_envelope": False, "ui_metadata": UI_META}
    box_id = (await ok(await client.put(tenant.url("/vmboxes"), headers=tenant.headers, json={"data": box}), 201))[
        "data"
    ]["id"]
    flow = {
        "children": {"_": {"children": {}, "data": {"id": box_id}, "module": "voicemail"}},
        "data": {"can_call_self": False, "timeout": 20, "id": user_id},
        "module": "user",
    }
    callflow = {"contact_list": {"exclude": False}, "flow": flow, "name": "Mui Tester SmartPBX's Callflow"}
    callflow = {
        **callflow,
        "numbers": ["1000"],
        "owner_id": user_id,
        "type": "mainUserCallflow",
        "ui_metadata": UI_META,
    }
    cf = await ok(await client.put(tenant.url("/callflows"), headers=tenant.headers, json={"data": callflow}), 201)
    listed = "/callflows?has_key=owner_id&filter_type=mainUserCallflow&paginate=false"
    found = await ok(await client.get(tenant.url(listed), headers=tenant.headers))
    assert [(item["id"], item["owner_id"]) for item in found["data"]] == [(cf["data"]["id"], user_id)]
    common = {"data": {"ui_metadata": {**UI_META, "origin": "common"}}}
    for path in (f"/callflows/{cf['data']['id']}", f"/vmboxes/{box_id}", f"/users/{user_id}"):
        await ok(await client.delete(tenant.url(path), headers=tenant.headers, json=common))
    users = await ok(await client.get(tenant.url("/users?paginate=false"), headers=tenant.headers))
    assert user_id not in {item["id"] for item in users["data"]}


async def test_login_page_asks_for_the_whitelabel_without_a_token_and_gets_404(client):
    for path in ("/v2/whitelabel/127.0.0.1", "/v2/whitelabel/127.0.0.1/logo", "/v2/whitelabel/127.0.0.1/icon"):
        body = await assert_error(await client.get(path), 404, "bad_identifier")
        assert body["data"]["cause"] == "127.0.0.1"


async def test_accounts_wizard_creates_a_sub_account_with_an_empty_realm(client, tenant):
    restrictions = ("caribbean", "emergency", "unknown", "did_us", "international", "toll_us", "tollfree_us")
    account = {
        "call_restriction": {name: {"action": "inherit"} for name in restrictions},
        "contact": {"billing": {"country": "US", "region": "Mui", "locality": "Mui", "postal_code": "94105"}},
        "language": "nl-BE",
        "name": f"{tenant.name}-sub",
        "timezone": "America/Los_Angeles",
        "realm": "",
        "ui_metadata": {**UI_META, "origin": "accounts"},
    }
    resp = await client.put(tenant.url(), headers=tenant.headers, json={"data": account, "accept_charges": True})
    created = await ok(resp, 201)
    assert len(created["data"]["realm"]) >= 4 and created["data"]["id"] != tenant.account_id


async def test_group_added_with_its_base_and_ring_group_callflows(client, tenant):
    user_id = await _user_id(client, tenant)
    group = {"name": "Mui Sales", "endpoints": {user_id: {"type": "user"}}, "ui_metadata": UI_META}
    group_id = (await ok(await client.put(tenant.url("/groups"), headers=tenant.headers, json={"data": group}), 201))[
        "data"
    ]["id"]
    endpoint = {"timeout": "20", "delay": "0", "endpoint_type": "user", "id": user_id}
    ring = {"strategy": "simultaneous", "timeout": 20, "endpoints": [endpoint]}
    base = {
        "numbers": ["C7xZRkC76ncBcsjrMpwWcMJ4g"],
        "name": "Mui Sales Base Group",
        "flow": {"module": "ring_group", "children": {}, "data": ring},
        "type": "baseGroup",
        "group_id": group_id,
        "ui_metadata": UI_META,
    }
    base_id = (await ok(await client.put(tenant.url("/callflows"), headers=tenant.headers, json={"data": base}), 201))[
        "data"
    ]["id"]
    play = {"module": "play", "children": {}, "data": {"id": "system_media/vm-not_available_no_voicemail"}}
    user_group = {
        "numbers": ["2100"],
        "name": "Mui Sales Ring Group",
        "flow": {"module": "callflow", "children": {"_": play}, "data": {"id": base_id}},
        "type": "userGroup",
        "group_id": group_id,
        "ui_metadata": UI_META,
    }
    await ok(await client.put(tenant.url("/callflows"), headers=tenant.headers, json={"data": user_group}), 201)
    listed = await ok(
        await client.get(tenant.url("/callflows?has_key=group_id&paginate=false"), headers=tenant.headers)
    )
    assert sorted(item["type"] for item in listed["data"]) == ["baseGroup", "userGroup"]
    groups = await ok(await client.get(tenant.url("/groups?paginate=false"), headers=tenant.headers))
    assert [item["id"] for item in groups["data"]] == [group_id]


async def test_login_tells_the_voicemail_editor_that_transcription_is_off(client, tenant):
    creds = {"credentials": md5_credentials("admin", tenant.password), "account_name": tenant.name}
    auth = await ok(await client.put("/v2/user_auth", json={"data": creds}), 201)
    transcription = auth["data"]["capabilities"]["voicemail"]["transcription"]
    assert transcription["available"] is False and transcription["default"] is False


async def test_my_account_tabs_read_empty_access_lists_ledgers_services_and_transactions(client, tenant):
    access = await ok(await client.get(tenant.url("/access_lists"), headers=tenant.headers))
    assert access["data"] == {}
    ledger = "/ledgers/per-minute-voip?created_from=63960796800&created_to=63963388799&page_size=50"
    ledger += "&filter_not_metadata.manual_bookkeeping_tool=true"
    assert (await ok(await client.get(tenant.url(ledger), headers=tenant.headers)))["data"] == []
    summary = await ok(await client.get(tenant.url("/services/summary"), headers=tenant.headers))
    assert summary["data"]["invoices"] == []
    transactions = "/transactions?paginate=false&created_from=63963302400&created_to=63963388799&reason=no_calls"
    assert (await ok(await client.get(tenant.url(transactions), headers=tenant.headers)))["data"] == []


async def test_carrier_selector_finds_the_no_match_callflow_it_made(client, tenant):
    """The Accounts wizard makes the sub-account's no_match callflow, then looks it up by number: Kazoo
    renders a one-element list as its string, so filter_numbers=no_match finds it (no second PUT)."""
    flow = {"numbers": ["no_match"], "flow": {"module": "offnet", "children": {}, "data": {}}, "ui_metadata": UI_META}
    made = await ok(await client.put(tenant.url("/callflows"), headers=tenant.headers, json={"data": flow}), 201)
    found = await ok(await client.get(tenant.url("/callflows?filter_numbers=no_match"), headers=tenant.headers))
    assert [item["id"] for item in found["data"]] == [made["data"]["id"]]
    assert (await ok(await client.get(tenant.url("/service_plans?paginate=false"), headers=tenant.headers)))[
        "data"
    ] == []
