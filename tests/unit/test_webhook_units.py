"""Webhook rules without I/O: hook strings, aliases, signatures."""

import hashlib
import hmac

import pytest

from crossbar_py.http.errors import ValidationFailed
from crossbar_py.registrations.webhooks import payload, service


def test_hook_strings_round_trip():
    assert service.hook_of(["device.offline", "device.registered"]) == "device.registered,device.offline"
    assert service.hook_of(list(service.EVENT_KINDS)) == "all"
    assert service.events_of("all") == list(service.EVENT_KINDS)
    assert service.events_of("device.expired, device.offline") == ["device.expired", "device.offline"]


def test_the_alias_that_changed_wins_and_a_real_disagreement_is_400():
    assert service._resolve({"uri": "a", "url": "b"}, "uri", "url", stored="a") == "b"
    assert service._resolve({"uri": "b", "url": "a"}, "uri", "url", stored="a") == "b"
    with pytest.raises(ValidationFailed):
        service._resolve({"uri": "b", "url": "c"}, "uri", "url", stored="a")


def test_signature_is_hmac_sha256_of_the_exact_body():
    raw = b'{"event":"device.registered"}'
    assert payload.signature("k", raw) == "sha256=" + hmac.new(b"k", raw, hashlib.sha256).hexdigest()
