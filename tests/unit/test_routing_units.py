"""Kazoo's routing quirks in the pipeline, on requests built in memory (no server, no database)."""

import pytest
from aiohttp.test_utils import make_mocked_request
from marshmallow import Schema

from crossbar_py import keys
from crossbar_py.http import routing
from crossbar_py.http.errors import ValidationFailed
from crossbar_py.http.querystring import integer, load


def _request(method: str, path: str, body: dict | None = None):
    request = make_mocked_request(method, path)
    request[keys.BODY] = body or {}
    return request


@pytest.mark.parametrize(
    ("path", "body", "verb"),
    [
        ("/v2/x?verb=delete", {}, "DELETE"),
        ("/v2/x", {"data": {"verb": "patch"}}, "PATCH"),
        ("/v2/x", {"verb": "put", "data": {}}, "PUT"),
        ("/v2/x?verb=post", {}, None),
        ("/v2/x?verb=trace", {}, None),
    ],
)
def test_a_post_tunnels_its_verb_from_data_then_query_then_envelope(path, body, verb):
    assert routing._tunnelled_verb(_request("POST", path, body)) == verb


def test_only_a_post_tunnels():
    assert routing._tunnelled_verb(_request("GET", "/v2/x?verb=delete")) is None


@pytest.mark.parametrize(
    ("path", "effective", "version"),
    [("/v1/accounts/x/", "/v2/accounts/x", 1), ("/v2/accounts/x/devices/", "/v2/accounts/x/devices", 2)],
)
async def test_v1_and_trailing_slashes_map_to_v2(path, effective, version):
    request = _request("GET", path)
    assert await routing._effective_path(request) == effective
    assert routing.api_version(request) == version


class _Page(Schema):
    size = integer(1, 100, 50)


def test_query_integers_are_bounded_and_errors_name_the_validator():
    assert load(_Page(), {}) == {"size": 50}
    with pytest.raises(ValidationFailed) as bad:
        load(_Page(), {"size": "500"})
    assert "minimum" in bad.value.data["size"]
    with pytest.raises(ValidationFailed) as typed:
        load(_Page(), {"size": "abc"})
    assert "type" in typed.value.data["size"]
