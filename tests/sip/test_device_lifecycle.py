"""Device writes reach Kamailio: disable, delete and new credentials flush the phone (docs/decisions.md §14);
sync and the notify action send real NOTIFYs through Kamailio (docs/kazoo-compatibility.md §8.10, 8.11)."""

import asyncio

import pytest

from crossbar_py.platform import stack
from tests.helpers import ok
from tests.sip.sipp import Sipp, register
from tests.sip.test_registration import PASSWORD, location_rows


@pytest.fixture
async def registered(client, stack_env, tenant):
    """A device registered from a sipp phone: (tenant, device, username, the phone's port)."""
    username = f"lc{tenant.account_id[:10]}"
    dev = await tenant.create_device(client, sip={"username": username, "password": PASSWORD})
    result = await register(stack_env.sip_port, username, tenant.realm, PASSWORD)
    assert result.ok, result.output
    return tenant, dev, username, result.port


def assert_gone_from_kamailio(stack_env, username: str, realm: str) -> None:
    assert location_rows(stack_env.dsn, username) == []
    with pytest.raises(stack.StackError, match="not found"):
        stack.rpc_call(stack_env.rpc_port, "ul.lookup", "location", f"{username}@{realm}")


@pytest.mark.parametrize("change", [{"enabled": False}, {"sip": {"password": "new-pass-1"}}])
async def test_disabling_or_new_password_flushes_and_blocks(client, stack_env, registered, change):
    tenant, dev, username, _ = registered
    await ok(await client.patch(tenant.url(f"/devices/{dev['id']}"), headers=tenant.headers, json={"data": change}))
    assert_gone_from_kamailio(stack_env, username, tenant.realm)
    src = "127.0.0.50" if "enabled" in change else "127.0.0.51"
    assert (await register(stack_env.sip_port, username, tenant.realm, PASSWORD, final=403, src_ip=src)).ok
    stack.rpc_call(stack_env.rpc_port, "htable.delete", "authfail", src)


async def test_deleting_the_device_flushes_it(client, stack_env, registered):
    tenant, dev, username, _ = registered
    await ok(await client.delete(tenant.url(f"/devices/{dev['id']}"), headers=tenant.headers))
    assert_gone_from_kamailio(stack_env, username, tenant.realm)


async def test_renaming_the_device_keeps_its_registration(client, stack_env, registered):
    tenant, dev, username, _ = registered
    await ok(
        await client.patch(
            tenant.url(f"/devices/{dev['id']}"), headers=tenant.headers, json={"data": {"name": "only a new name"}}
        )
    )
    assert len(location_rows(stack_env.dsn, username)) == 1


@pytest.mark.parametrize(
    ("path", "method", "body", "event"),
    [
        ("/sync", "POST", None, "check-sync"),
        ("", "PUT", {"action": "notify", "data": {"data": {"event": "talk"}}}, "talk"),
        ("", "PUT", {"action": "notify", "data": {"event": "hold"}}, "hold"),
    ],
)
async def test_sync_and_notify_reach_the_phone(client, stack_env, registered, path, method, body, event):
    tenant, dev, _, port = registered
    phone = await Sipp(stack_env.sip_port, "phone_uas", port=port, calls=1, timeout=10, event=event).start()
    await asyncio.sleep(0.3)
    resp = await client.request(method, tenant.url(f"/devices/{dev['id']}{path}"), headers=tenant.headers, json=body)
    await ok(resp, 201 if method == "PUT" else 200)
    result = await phone.wait()
    assert result.ok, result.output
