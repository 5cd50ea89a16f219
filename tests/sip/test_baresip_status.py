"""A real softphone (baresip) as SmartPBX's device grid sees it: /devices?with_status=true and /devices/status
agree with /registrations, registered and then, after a flush through the API, unregistered."""

import asyncio
import shutil

import pytest

from tests.helpers import ok
from tests.sip.baresip import baresip_phone

PASSWORD = "bare-s3cret"
pytestmark = pytest.mark.skipif(shutil.which("baresip") is None, reason="baresip is not installed")


async def _views(client, tenant) -> tuple:
    regs = (await ok(await client.get(tenant.url("/registrations"), headers=tenant.headers)))["data"]
    grid = await ok(await client.get(tenant.url("/devices?with_status=true&paginate=false"), headers=tenant.headers))
    status = (await ok(await client.get(tenant.url("/devices/status"), headers=tenant.headers)))["data"]
    return regs, grid["data"], status


async def _wait_registered(client, tenant, timeout: float = 10) -> list:
    for _ in range(int(timeout * 10)):
        regs = (await ok(await client.get(tenant.url("/registrations"), headers=tenant.headers)))["data"]
        if regs:
            return regs
        await asyncio.sleep(0.1)
    raise AssertionError("baresip did not register")


async def test_baresip_phone_shows_registered_then_unregistered_after_flush(client, stack_env, tenant):
    username = f"bare{tenant.account_id[:8]}"
    device = await tenant.create_device(client, sip={"username": username, "password": PASSWORD})
    async with baresip_phone(stack_env.sip_port, username, tenant.realm, PASSWORD) as phone:
        await _wait_registered(client, tenant)
        regs, grid, status = await _views(client, tenant)
        assert [r["authorizing_id"] for r in regs] == [device["id"]]
        assert "baresip" in regs[0]["user_agent"].lower()
        assert regs[0]["original_contact"].startswith(f"<{regs[0]['contact']}")
        assert [(d["id"], d["registered"]) for d in grid] == [(device["id"], True)]
        assert [s["device_id"] for s in status if s.get("registered")] == [device["id"]]
        await ok(await client.delete(tenant.url(f"/registrations/{username}"), headers=tenant.headers))
        regs, grid, status = await _views(client, tenant)
        assert regs == [] and [(d["id"], d["registered"]) for d in grid] == [(device["id"], False)]
        assert [s for s in status if s.get("registered")] == []
        assert phone.returncode is None
