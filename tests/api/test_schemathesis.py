"""schemathesis over the served OpenAPI document, on a live API: no 5xx, every error in Kazoo's envelope.

`make test` runs a few cases per operation; `make fuzz` sets CROSSBAR_FUZZ_EXAMPLES high enough for
10,000 cases and more, and prints the count by status."""

import asyncio
import collections
import os
import re
import sys
from pathlib import Path

import pytest

from tests.helpers import md5_credentials

EXAMPLES = int(os.environ.get("CROSSBAR_FUZZ_EXAMPLES", "5"))
# The coverage phase alone makes ~5,000 boundary cases: `make fuzz` runs it, `make test` does not.
PHASES = os.environ.get("CROSSBAR_FUZZ_PHASES", "examples,fuzzing")
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
# Left out of the run, each covered by its own tests: revoking the run's own token, deleting its account
# (everything after would be a 401 or a 404), and the endless event stream.
STATUS_RE = re.compile(r'"status_code":(\d{3})')
EXCLUDED = ["delete_v2_token_auth", "delete_v2_accounts_account_id", "get_v2_accounts_account_id_registrations_events"]


def _config(path: Path, account_id: str, device_id: str) -> None:
    path.write_text(
        "[parameters]\n"
        f'"path.account_id" = "{account_id}"\n'
        f'"path.device_id" = {{ dictionary = "devices", probability = 0.7 }}\n'
        "[dictionaries.devices]\n"
        f'values = ["{device_id}"]\n'
    )


def _statuses(report: Path) -> collections.Counter:
    """Responses by status, from the ndjson events (only responses carry a status_code)."""
    counts: collections.Counter = collections.Counter()
    with report.open() as fh:
        for line in fh:
            counts.update(int(s) for s in STATUS_RE.findall(line))
    return counts


@pytest.mark.timeout(900)
async def test_schemathesis_finds_no_server_error(stack_env, client, tenant, make_tenant, tmp_path):
    child = await make_tenant(tenant)
    device = await child.create_device(client, sip={"username": "fuzzed", "password": "pw-fuzzed-1"})
    assert (await client.get("/v2/openapi.json")).status == 200
    _config(tmp_path / "schemathesis.toml", child.account_id, device["id"])
    base = f"http://{client.server.host}:{client.server.port}"
    argv = [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(tmp_path / "schemathesis.toml"),
        "run",
        f"{base}/v2/openapi.json",
        "--checks",
        CHECKS,
        "--max-examples",
        str(EXAMPLES),
        "--phases",
        PHASES,
        "--header",
        f"X-Auth-Token: {tenant.token}",
        # cb_basic_auth: base64(account_id:md5(user:password)), for the operations that pick Basic.
        "--auth",
        f"{tenant.account_id}:{md5_credentials('admin', tenant.password)}",
        "--output-sanitize",
        "false",
        "--workers",
        "2",
        "--request-timeout",
        "15",
        "--suppress-health-check",
        "all",
        "--seed",
        os.environ.get("CROSSBAR_FUZZ_SEED", "10"),
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(tmp_path / "events.ndjson"),
        "--no-color",
    ]
    for op in EXCLUDED:
        argv += ["--exclude-operation-id", op]
    with (tmp_path / "st.log").open("wb") as log:
        proc = await asyncio.create_subprocess_exec(*argv, stdout=log, stderr=asyncio.subprocess.STDOUT, cwd=tmp_path)
        await proc.wait()
    text = (tmp_path / "st.log").read_text(errors="replace")
    counts = _statuses(tmp_path / "events.ndjson")
    print(f"\nschemathesis: {sum(counts.values())} cases; by status: {dict(sorted(counts.items()))}")
    assert proc.returncode == 0, text[-6000:]
    assert not [s for s in counts if s >= 500], counts
