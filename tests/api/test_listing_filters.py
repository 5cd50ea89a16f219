"""Listing filters and with_status (docs/kazoo-compatibility.md §9, 8.8), applied before pagination."""

import time

import pytest

from crossbar_py.common.documents import GREGORIAN_OFFSET
from tests.helpers import ok


@pytest.fixture
async def fleet(client, tenant):
    """Three devices with different fields."""
    a = await tenant.create_device(client, device_type="softphone", enabled=False, level1={"level2": {"level3": "x"}})
    b = await tenant.create_device(client, device_type="fax", mac_address="aa:bb:cc:00:00:01", flags=["vip"])
    c = await tenant.create_device(client, device_type="softphone", mac_address="")
    return tenant, a, b, c


async def _ids(client, tenant, **params) -> set:
    body = await ok(await client.get(tenant.url("/devices"), params=params, headers=tenant.headers))
    return {d["id"] for d in body["data"]}


async def test_filter_equality_negation_and_lists(client, fleet):
    tenant, a, b, c = fleet
    assert await _ids(client, tenant, filter_device_type="softphone") == {a["id"], c["id"]}
    assert await _ids(client, tenant, filter_not_device_type="softphone") == {b["id"]}
    assert await _ids(client, tenant, filter_device_type='["fax","ata"]') == {b["id"]}
    assert await _ids(client, tenant, filter_enabled="false") == {a["id"]}
    assert await _ids(client, tenant, **{"filter_level1.level2.level3": "x"}) == {a["id"]}
    assert await _ids(client, tenant, filter_device_type="softphone", filter_enabled="true") == {c["id"]}
    assert await _ids(client, tenant, filter_id=b["id"]) == {b["id"]}
    assert await _ids(client, tenant, filter_nonexistent="x") == set()


async def test_key_and_value_filters(client, fleet):
    tenant, a, b, c = fleet
    assert await _ids(client, tenant, has_key="mac_address") == {b["id"], c["id"]}
    assert await _ids(client, tenant, key_missing="mac_address") == {a["id"]}
    assert await _ids(client, tenant, has_value="mac_address") == {b["id"]}
    assert await _ids(client, tenant, value_missing="mac_address") == {a["id"], c["id"]}
    assert await _ids(client, tenant, has_value="flags") == {b["id"]}


async def test_created_and_modified_ranges_in_gregorian_seconds(client, fleet):
    tenant, a, b, c = fleet
    now = int(time.time()) + GREGORIAN_OFFSET
    assert await _ids(client, tenant, created_from=str(now - 600)) == {a["id"], b["id"], c["id"]}
    assert await _ids(client, tenant, created_to=str(now - 600)) == set()
    assert await _ids(client, tenant, modified_from=str(now + 600)) == set()
    assert await _ids(client, tenant, created_from="not-a-number") == set()


async def test_filters_apply_before_pagination(client, fleet):
    tenant, a, _, c = fleet
    body = await ok(
        await client.get(
            tenant.url("/devices"), headers=tenant.headers, params={"filter_device_type": "softphone", "page_size": "1"}
        )
    )
    assert len(body["data"]) == 1 and "next_start_key" in body
    rest = await ok(
        await client.get(
            tenant.url("/devices"),
            headers=tenant.headers,
            params={"filter_device_type": "softphone", "page_size": "1", "start_key": body["next_start_key"]},
        )
    )
    assert {body["data"][0]["id"], rest["data"][0]["id"]} == {a["id"], c["id"]}


async def test_jquery_cache_buster_is_not_a_filter(client, fleet):
    tenant, *devices = fleet
    assert len(await _ids(client, tenant, _="1700000000000")) == 3


async def test_with_status_marks_registrable_and_registered(client, fleet):
    tenant, a, b, c = fleet
    ip_dev = await tenant.create_device(client, sip={"method": "ip", "ip": "192.0.2.1"})
    body = await ok(
        await client.get(
            tenant.url("/devices"), params={"with_status": "true", "paginate": "false"}, headers=tenant.headers
        )
    )
    status = {d["id"]: (d["registrable"], d["registered"]) for d in body["data"]}
    assert status[a["id"]] == (True, False) and status[b["id"]] == (True, False)
    assert status[ip_dev["id"]] == (False, False)


async def test_user_listing_filters(client, tenant):
    await ok(
        await client.put(
            tenant.url("/users"),
            headers=tenant.headers,
            json={"data": {"first_name": "Zed", "last_name": "Q", "priv_level": "admin"}},
        ),
        201,
    )
    body = await ok(await client.get(tenant.url("/users"), params={"filter_first_name": "Zed"}, headers=tenant.headers))
    assert [u["first_name"] for u in body["data"]] == ["Zed"]
