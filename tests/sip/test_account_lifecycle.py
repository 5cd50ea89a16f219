"""Account and owner changes reach Kamailio: disabling flushes and blocks; a realm change moves devices."""

import pytest

from crossbar_py.platform import stack
from tests.helpers import ok
from tests.sip.sipp import register
from tests.sip.test_device_lifecycle import assert_gone_from_kamailio
from tests.sip.test_registration import PASSWORD


@pytest.fixture
async def owned(client, stack_env, tenant):
    """A registered device with an owner."""
    user = await tenant.create_user(client, first_name="O", last_name="W")
    username = f"ow{tenant.account_id[:10]}"
    await tenant.create_device(client, owner_id=user["id"], sip={"username": username, "password": PASSWORD})
    assert (await register(stack_env.sip_port, username, tenant.realm, PASSWORD)).ok
    return tenant, user, username


async def test_disabling_the_account_flushes_its_devices(client, stack_env, owned, master_token):
    tenant, _, username = owned
    await ok(
        await client.patch(tenant.url(), headers={"X-Auth-Token": master_token}, json={"data": {"enabled": False}})
    )
    assert_gone_from_kamailio(stack_env, username, tenant.realm)
    assert (await register(stack_env.sip_port, username, tenant.realm, PASSWORD, final=403, src_ip="127.0.0.60")).ok
    stack.rpc_call(stack_env.rpc_port, "htable.delete", "authfail", "127.0.0.60")


async def test_disabling_the_owner_flushes_its_devices(client, stack_env, owned):
    tenant, user, username = owned
    await ok(
        await client.patch(
            tenant.url(f"/users/{user['id']}"), headers=tenant.headers, json={"data": {"enabled": False}}
        )
    )
    assert_gone_from_kamailio(stack_env, username, tenant.realm)


async def test_realm_change_moves_devices_to_the_new_realm(client, stack_env, owned):
    tenant, _, username = owned
    new_realm = "moved-" + tenant.realm
    await ok(await client.patch(tenant.url(), headers=tenant.headers, json={"data": {"realm": new_realm}}))
    assert_gone_from_kamailio(stack_env, username, tenant.realm)
    assert (await register(stack_env.sip_port, username, new_realm, PASSWORD)).ok
    regs = (await ok(await client.get(tenant.url("/registrations"), headers=tenant.headers)))["data"]
    assert [r["realm"] for r in regs] == [new_realm]
