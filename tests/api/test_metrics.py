"""/metrics: requests by route and status, the fleet's registrations, Kamailio's REGISTER outcomes,
webhook and journal lag, pool use; several workers answer as one."""

import json
import os
import re

from crossbar_py.platform import metrics as m
from crossbar_py.platform.stack import rpc_call


def _series(text: str, name: str) -> dict:
    """{labels text: value} of one metric in an exposition."""
    found = {}
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            key, _, value = line.rpartition(" ")
            found[key[len(name) :]] = float(value)
    return found


async def test_requests_are_counted_by_route_template_and_status(client, tenant):
    for _ in range(3):
        await client.get(tenant.url(), headers=tenant.headers)
    await client.get(f"/v2/accounts/{'0' * 32}", headers=tenant.headers)
    text = await (await client.get("/metrics")).text()
    counts = _series(text, "crossbar_requests_total")
    ok = '{method="GET",route="/v2/accounts/{account_id}",status="200"}'
    assert counts[ok] >= 3 and not any(tenant.account_id in k for k in counts)
    assert any(k.endswith('status="403"}') or k.endswith('status="404"}') for k in counts)
    buckets = _series(text, "crossbar_request_seconds_bucket")
    assert buckets['{method="GET",route="/v2/accounts/{account_id}",status="200",le="+Inf"}'] == counts[ok]
    assert "# TYPE crossbar_request_seconds histogram" in text


async def test_fleet_kamailio_lag_and_pool_gauges(client, stack_env, tenant):
    await tenant.create_device(client)
    before = _stats(stack_env.rpc_port)
    text = await (await client.get("/metrics")).text()
    assert _series(text, "crossbar_kamailio_up") == {"": 1.0}
    regs = _series(text, "crossbar_kamailio_register_total")
    assert regs['{outcome="accepted"}'] == before[("registrar", "accepted_regs")]
    assert regs['{outcome="rejected"}'] == before[("registrar", "rejected_regs")]
    assert "# TYPE crossbar_kamailio_register_total counter" in text
    states = _series(text, "crossbar_registrations")
    assert states and all(re.fullmatch(r'\{state="[a-z_]+"\}', k) for k in states)
    for name in (
        "crossbar_registration_contacts",
        "crossbar_webhooks_backlogged",
        "crossbar_webhook_lag_seconds",
        "crossbar_journal_lag_seconds",
        "crossbar_journal_lag_events",
        "crossbar_db_pool_max",
    ):
        assert "" in _series(text, name), name
    pool = _series(text, "crossbar_db_pool_connections")
    assert set(pool) == {'{state="in_use"}', '{state="idle"}'} and sum(pool.values()) >= 1


def _stats(rpc_port: int) -> dict:
    lines = rpc_call(rpc_port, "stats.get_statistics", "registrar:") or []
    return {tuple(g.groups()[:2]): int(g.group(3)) for g in (re.match(r"(\w+):(\w+) = (\d+)", x) for x in lines) if g}


def test_workers_share_counters_and_a_dead_workers_gauges_drop(tmp_path, monkeypatch):
    peer = m.Metrics(str(tmp_path))
    peer.observe("GET", "/healthz", 200, 0.001)
    peer.set_gauge("crossbar_db_pool_max", 10)
    (tmp_path / "999999.json").write_text(json.dumps(peer.snapshot()))
    (tmp_path / f"{os.getppid()}.json").write_text(json.dumps(peer.snapshot()))
    me = m.Metrics(str(tmp_path))
    me.observe("GET", "/healthz", 200, 0.002)
    me.set_gauge("crossbar_db_pool_max", 10)
    text = me.render()
    assert _series(text, "crossbar_requests_total") == {'{method="GET",route="/healthz",status="200"}': 3.0}
    assert _series(text, "crossbar_db_pool_max") == {"": 20.0}
