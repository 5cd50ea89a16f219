"""The compiled fast path of validate() accepts what jsonschema accepts and leaves errors to jsonschema."""

import pytest

from crossbar_py.devices.schema import DEVICE
from crossbar_py.http import validation
from crossbar_py.http.errors import ValidationFailed
from crossbar_py.users.schema import USER


def test_a_valid_document_passes_the_compiled_check_and_gets_defaults():
    data = {"name": "desk", "sip": {"username": "u100", "password": "secret1"}, "media": {"audio": {}}}
    assert validation._valid_at_once(DEVICE, data)
    doc = validation.validate(DEVICE, data)
    assert doc["enabled"] is True and doc["sip"]["method"] == "password" and "enabled" not in data


def test_strings_kazoo_coerces_still_pass_through_jsonschema():
    data = {"name": "desk", "enabled": "false", "sip": {"expire_seconds": "600"}}
    assert not validation._valid_at_once(DEVICE, data)
    doc = validation.validate(DEVICE, data)
    assert doc["enabled"] is False and doc["sip"]["expire_seconds"] == 600


def test_errors_keep_kazoo_shape():
    with pytest.raises(ValidationFailed) as caught:
        validation.validate(USER, {"first_name": "A", "last_name": "", "priv_level": "root"})
    assert set(caught.value.data) == {"last_name", "priv_level"}
    assert caught.value.data["last_name"]["minLength"]["message"] == "String must be at least 1 characters"
