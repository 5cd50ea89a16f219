"""SmartPBX (monster-ui-voip) flows replayed as its code sends them: bodies, filters and the fields it reads."""

from tests.helpers import ok

VOIP = {"ui_metadata": {"version": "4.3", "ui": "monster-ui", "origin": "voip"}}


async def _call(client, tenant, method, path, data=None, status=200):
    kw = {"json": {"data": {**(data or {}), **VOIP}}} if data is not None else {}
    return (await ok(await client.request(method, tenant.url(path), headers=tenant.headers, **kw), status))["data"]


async def test_add_a_user_with_vmbox_callflow_and_directory_then_delete_it(client, tenant):
    # users.js usersFormatCreationData + usersCreate, then common deleteSmartUser.
    user = {
        "first_name": "Grace",
        "last_name": "Hopper",
        "username": "grace@acme.test",
        "email": "grace@acme.test",
        "password": "s3cret-pass",
        "caller_id": {"internal": {"name": "Grace Hopper", "number": "2001"}},
        "presence_id": "2001",
        "priv_level": "user",
        "vm_to_email_enabled": True,
    }
    created = await _call(client, tenant, "PUT", "/users", user, 201)
    vmbox = {
        "owner_id": created["id"],
        "mailbox": "2001",
        "name": "Grace Hopper's VMBox",
        "envelope_type": "caller_and_time",
        "skip_envelope": False,
    }
    box = await _call(client, tenant, "PUT", "/vmboxes", vmbox, 201)
    callflow = {
        "contact_list": {"exclude": False},
        "flow": {
            "children": {"_": {"children": {}, "data": {"id": box["id"]}, "module": "voicemail"}},
            "data": {"can_call_self": False, "timeout": 20, "id": created["id"]},
            "module": "user",
        },
        "name": "Grace Hopper SmartPBX's Callflow",
        "numbers": ["2001"],
        "owner_id": created["id"],
        "type": "mainUserCallflow",
    }
    cf = await _call(client, tenant, "PUT", "/callflows", callflow, 201)
    directories = await _call(client, tenant, "GET", "/directories?paginate=false")
    assert directories == []
    directory = await _call(
        client, tenant, "PUT", "/directories", {"confirm_match": False, "name": "SmartPBX Directory"}, 201
    )
    stored = await _call(client, tenant, "GET", f"/users/{created['id']}")
    stored["directories"] = {directory["id"]: cf["id"]}
    await _call(client, tenant, "POST", f"/users/{created['id']}", stored)
    # The users tab's list: mainUserCallflow per owner.
    listed = await _call(client, tenant, "GET", "/callflows?paginate=false")
    assert [(c["type"], c["owner_id"], c["numbers"]) for c in listed] == [("mainUserCallflow", created["id"], ["2001"])]
    office = await _call(client, tenant, "GET", f"/directories/{directory['id']}?paginate=false")
    assert office["users"] == [{"user_id": created["id"], "callflow_id": cf["id"]}]
    # deleteSmartUser: list by filter_owner_id, delete each, then the user.
    owned = f"?filter_owner_id={created['id']}"
    for path in ("/callflows", "/vmboxes", "/conferences", "/devices"):
        for item in await _call(client, tenant, "GET", path + owned):
            await _call(client, tenant, "DELETE", f"{path}/{item['id']}", {})
    await _call(client, tenant, "DELETE", f"/users/{created['id']}", {})
    assert await _call(client, tenant, "GET", "/callflows?paginate=false") == []
    assert await _call(client, tenant, "GET", "/vmboxes?paginate=false") == []
    # The extension is free again for the next user.
    await _call(client, tenant, "PUT", "/callflows", {**callflow, "owner_id": "d" * 32}, 201)


async def test_main_number_strategy_first_visit(client, tenant):
    # strategy.js: a menu and a menu callflow per label, a callflow per label, then MainCallflow.
    labels = ("MainOpenHours", "MainAfterHours", "MainLunchHours", "MainHolidays")
    ids = {}
    for label in labels:
        menu = {
            "name": f"{label}Menu",
            "record_pin": "1234",
            "media": {"exit_media": True, "invalid_media": True, "transfer_media": True},
            "retries": 3,
            "max_extension_length": 4,
            "type": "main",
        }
        menu = await _call(client, tenant, "PUT", "/menus", menu, 201)
        menu_cf = {
            "contact_list": {"exclude": False},
            "numbers": [menu["name"]],
            "type": "main",
            "flow": {"children": {}, "data": {"id": menu["id"]}, "module": "menu"},
        }
        menu_cf = await _call(client, tenant, "PUT", "/callflows", menu_cf, 201)
        sub = {
            "contact_list": {"exclude": False},
            "numbers": [label],
            "type": "main",
            "flow": {"children": {}, "data": {"id": menu_cf["id"]}, "module": "callflow"},
        }
        ids[label] = (await _call(client, tenant, "PUT", "/callflows", sub, 201))["id"]
    main = {
        "contact_list": {"exclude": False},
        "numbers": ["undefinedMainNumber"],
        "name": "MainCallflow",
        "type": "main",
        "flow": {
            "children": {"_": {"children": {}, "data": {"id": ids["MainOpenHours"]}, "module": "callflow"}},
            "data": {},
            "module": "temporal_route",
        },
    }
    await _call(client, tenant, "PUT", "/callflows", main, 201)
    query = (
        "/callflows?paginate=false&has_value=type&filter_type=main&key_missing=owner_id&key_missing=group_id"
        "&filter_ui_metadata.origin=voip"
    )
    mains = await _call(client, tenant, "GET", query)
    assert len(mains) == 9 and {c.get("name") or c["numbers"][0] for c in mains} >= set(labels) | {"MainCallflow"}
    rule = {"name": "MainLunchHours", "cycle": "weekly", "interval": 1, "wdays": ["monday"], "type": "main_lunchbreak"}
    rule["time_window_start"], rule["time_window_stop"] = 43200, 46800
    await _call(client, tenant, "PUT", "/temporal_rules", rule, 201)
    rules = await _call(client, tenant, "GET", "/temporal_rules?has_key=type")
    assert [r["type"] for r in rules] == ["main_lunchbreak"]
    holidays = {"name": "Holidays", "temporal_rules": [], "type": "main_holidays"}
    await _call(client, tenant, "PUT", "/temporal_rules_sets", holidays, 201)
    sets = await _call(client, tenant, "GET", "/temporal_rules_sets?has_key=type&filter_type=main_holidays")
    assert [s["name"] for s in sets] == ["Holidays"]


async def test_add_sip_device_reads_then_creates(client, tenant):
    # devices.js devicesGetEditData / devicesRenderAdd, then device.create.
    assert "did_us" in await _call(client, tenant, "GET", "/phone_numbers/classifiers")
    assert (await _call(client, tenant, "GET", "/phone_numbers?paginate=false"))["numbers"] == {}
    assert "allow_prepay" in await _call(client, tenant, "GET", "/limits")
    assert (await _call(client, tenant, "GET", "/configs/kazoo_endpoint"))["id"] == "configs_kazoo_endpoint"
    device = {
        "device_type": "sip_device",
        "enabled": True,
        "name": "Desk phone",
        "sip": {"password": "p4ssw0rd1234", "username": "user_abcdefghij", "realm": tenant.realm},
        "media": {"audio": {"codecs": ["PCMU", "PCMA"]}, "encryption": {"enforce_security": False, "methods": []}},
        "suppress_unregister_notifications": False,
    }
    created = await _call(client, tenant, "PUT", "/devices", device, 201)
    listed = await _call(client, tenant, "GET", "/devices?with_status=true&paginate=false")
    assert [(d["id"], d["registered"]) for d in listed] == [(created["id"], False)]


async def test_office_dashboard_reads(client, tenant):
    # myOffice.js myOfficeLoadData.
    assert await _call(client, tenant, "GET", "/channels?paginate=false") == []
    assert await _call(client, tenant, "GET", "/callflows?has_type=type&paginate=false") == []
    numbers = await _call(client, tenant, "GET", "/phone_numbers?paginate=false")
    assert numbers["numbers"] == {}
    assert await _call(client, tenant, "GET", "/alerts") == []
