"""Every write route added for Monster UI answers bad bodies with Kazoo's 400 envelope, never a 500."""

import pytest

from crossbar_py.apps_store.catalogue import APPS
from tests.helpers import assert_error

VOIP = APPS[0]["id"]
WRITES = [
    ("PUT", "/callflows"),
    ("PUT", "/vmboxes"),
    ("PUT", "/groups"),
    ("PUT", "/directories"),
    ("PUT", "/media"),
    ("PUT", "/temporal_rules"),
    ("PUT", "/temporal_rules_sets"),
    ("PUT", "/menus"),
    ("PUT", "/conferences"),
    ("PUT", "/faxboxes"),
    ("PUT", f"/apps_store/{VOIP}"),
    ("POST", "/apps_store/blacklist"),
    ("PUT", "/whitelabel"),
    ("POST", "/limits"),
    ("PUT", "/configs/kazoo_endpoint"),
]


BODIES = [b'{"data": [1, 2]}', b'{"data": "text"}', b"{not json"]
# Documents whose schema has a string `name` also refuse a number there.
NAMED = [w for w in WRITES if w[1].count("/") == 1 and w[1] not in ("/whitelabel", "/limits")]
CASES = [(*w, b) for w in WRITES for b in BODIES] + [(*w, b'{"data": {"name": 7}}') for w in NAMED]


@pytest.mark.parametrize(("method", "path", "body"), CASES)
async def test_bad_bodies_are_400(client, tenant, master_token, method, path, body):
    headers = {"X-Auth-Token": master_token, "Content-Type": "application/json"}
    resp = await client.request(method, tenant.url(path), headers=headers, data=body)
    await assert_error(resp, 400, "validation error")
