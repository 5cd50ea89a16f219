"""Kazoo's document rules as pure functions: PATCH merge, the next body, normalisation, names, events."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from crossbar_py.accounts.service import name_key
from crossbar_py.common import documents
from crossbar_py.common.times import iso
from crossbar_py.common.writes import merge, next_body
from crossbar_py.devices.service import columns, normalize, registrable, sync_event
from crossbar_py.registrations.journal import events

ACCOUNT = {"id": "a" * 32, "realm": "acct.sip.test"}


def test_patch_merges_deeply_null_deletes_and_arrays_replace():
    stored = {"sip": {"username": "u", "password": "p"}, "flags": [1, 2], "keep": True}
    patch = {"sip": {"password": "q", "username": None}, "flags": [3]}
    assert merge(stored, patch) == {"sip": {"password": "q"}, "flags": [3], "keep": True}


def test_patch_with_an_empty_object_replaces_the_nested_object():
    assert merge({"sip": {"username": "u"}, "x": 1}, {"sip": {}}) == {"sip": {}, "x": 1}


def test_next_body_post_replaces_patch_merges_and_an_empty_patch_changes_nothing():
    stored = {"name": "a", "language": "fr"}
    assert next_body(stored, {"name": "b", "id": "x", "pvt_secret": 1}, patch=False) == {"name": "b"}
    assert next_body(stored, {"name": "b"}, patch=True) == {"name": "b", "language": "fr"}
    assert next_body(stored, {}, patch=True) == stored


def test_normalize_mac_flags_own_realm_and_null_provision_keys():
    doc = normalize(
        {
            "mac_address": "AA:bb-CC:dd:EE:ff",
            "outbound_flags": [" a ", "b"],
            "sip": {"username": "u", "realm": ACCOUNT["realm"]},
            "provision": {"feature_keys": {"1": None, "2": {"type": "line"}}},
            "pvt_x": 1,
        },
        ACCOUNT,
    )
    assert doc["mac_address"] == "aabbccddeeff"
    assert doc["outbound_flags"] == ["a", "b"]
    assert doc["sip"] == {"username": "u"}
    assert doc["provision"]["feature_keys"] == {"2": {"type": "line"}}
    assert "pvt_x" not in doc
    assert normalize({"outbound_flags": "x"}, ACCOUNT)["outbound_flags"] == []


def test_columns_compute_ha1_on_the_effective_realm_and_none_without_a_password():
    cols = columns({"name": "d", "enabled": True, "sip": {"username": "u", "password": "p"}}, ACCOUNT)
    assert cols["sip_realm"] == ACCOUNT["realm"] and len(cols["ha1"]) == 32
    assert columns({"name": "d", "enabled": True, "sip": {"username": "u"}}, ACCOUNT)["ha1"] is None
    own = columns({"name": "d", "enabled": True, "sip": {"username": "u", "password": "p", "realm": "x.test"}}, ACCOUNT)
    assert own["sip_realm"] == "x.test" and own["ha1"] != cols["ha1"]


def test_registrable_types_exclude_ip_authenticated_devices():
    assert registrable({"doc": {"device_type": "softphone"}})
    assert not registrable({"doc": {"device_type": "sip_device", "sip": {"method": "ip"}}})
    assert not registrable({"doc": {"device_type": "landline"}})


@pytest.mark.parametrize(
    ("provision", "reboot", "event"),
    [
        ({}, None, "check-sync"),
        ({}, "true", "check-sync"),  # Kazoo 4.3 appends a suffix only with a device-named event
        ({"check_sync_event": "resync", "check_sync_reboot": "reboot=true"}, "true", "resync;reboot=true"),
        ({"check_sync_event": "resync", "check_sync_reload": "reload"}, "false", "resync;reload"),
        ({"check_sync_event": "resync"}, "true", "resync"),
    ],
)
def test_sync_event(provision, reboot, event):
    assert sync_event({"provision": provision}, reboot) == event


def test_account_name_key_is_lower_alphanumeric():
    assert name_key("My Company, Inc.") == "mycompanyinc"


def test_revision_and_gregorian_seconds():
    assert documents.revision(3, "f" * 32) == "3-" + "f" * 32
    assert documents.rev_hash({"b": 1, "a": 2}) == documents.rev_hash({"a": 2, "b": 1})
    assert documents.gregorian(datetime(1970, 1, 1, tzinfo=UTC)) == documents.GREGORIAN_OFFSET


def test_iso_is_utc_with_z_and_naive_means_utc():
    plus_two = datetime(2026, 1, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    assert iso(plus_two) == "2026-01-01T12:00:00Z"
    assert iso(datetime(2026, 1, 1, 12, 0)) == "2026-01-01T12:00:00Z"
    assert iso(None) is None


def test_journal_event_address_from_source_contact_or_ip_port():
    assert events.address({"received": "sip:10.0.0.1:5070", "contact": "sip:u@192.0.2.1"}) == ("10.0.0.1", 5070)
    assert events.address({"received": None, "contact": None, "source": "192.0.2.9:5080"}) == ("192.0.2.9", 5080)
    assert events.address({"received": None, "contact": None, "source": None}) == (None, None)
