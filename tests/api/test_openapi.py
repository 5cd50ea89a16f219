"""The OpenAPI document is generated from the router: every route and verb is in it, served without a token."""

from crossbar_py import keys


async def test_every_route_is_documented(client):
    resp = await client.get("/v2/openapi.json")
    assert resp.status == 200 and resp.headers["Content-Type"] == "application/json"
    spec = await resp.json()
    routed = {
        (r.resource.canonical, r.method.lower())
        for r in client.server.app.router.routes()
        if r.method not in ("HEAD", "OPTIONS", "*")
    }
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    assert routed == documented
    assert spec == client.server.app[keys.OPENAPI]


async def test_operations_carry_summaries_bodies_and_error_statuses(client):
    spec = await (await client.get("/v2/openapi.json")).json()
    create = spec["paths"]["/v2/accounts/{account_id}/devices"]["put"]
    assert create["summary"].startswith("PUT /devices")
    data = create["requestBody"]["content"]["application/json"]["schema"]["properties"]["data"]
    assert "sip" in data["properties"]
    assert {"201", "400", "401", "403", "404", "409", "415", "503"} <= set(create["responses"])
    bulk = spec["paths"]["/v2/accounts/{account_id}/devices/registration/status"]["get"]
    assert {p["name"] for p in bulk["parameters"] if p["in"] == "query"} >= {"status", "limit", "offset"}
    assert "401" not in spec["paths"]["/healthz"]["get"]["responses"]


async def test_docs_page_lists_the_operations_without_scripts(client):
    resp = await client.get("/v2/docs")
    text = await resp.text()
    assert resp.status == 200 and "/v2/accounts/{account_id}/devices" in text and "<script" not in text
