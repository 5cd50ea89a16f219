"""Pure functions: URI parsing, start keys, validation errors, credentials."""

import pytest

from crossbar_py.auth import tokens as auth
from crossbar_py.common.sip import parse_uri
from crossbar_py.http.errors import InvalidCredentials, ValidationFailed
from crossbar_py.http.pagination import decode_key, encode_key
from crossbar_py.http.validation import validate


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("sip:bob@203.0.113.5:5070;transport=udp", ("203.0.113.5", 5070)),
        ("sip:bob@203.0.113.5", ("203.0.113.5", 5060)),
        ("sips:bob@example.com", ("example.com", 5061)),
        ("sip:bob@example.com;transport=TLS", ("example.com", 5061)),
        ("<sip:bob@[2001:db8::1]:5080>", ("[2001:db8::1]", 5080)),
        ("not a uri", (None, None)),
    ],
)
def test_parse_uri(uri, expected):
    assert parse_uri(uri) == expected


def test_start_key_matches_kazoo_and_raw_ids_pass_through():
    key = "4f3330e78e664bb57f8fb23fbaac2429"
    assert encode_key(key) == "g20AAAAgNGYzMzMwZTc4ZTY2NGJiNTdmOGZiMjNmYmFhYzI0Mjk"
    assert decode_key(encode_key(key)) == key
    assert decode_key(key) == key


def test_validation_errors_are_keyed_by_dotted_path_and_validator():
    schema = {
        "type": "object",
        "properties": {
            "sip": {"type": "object", "properties": {"method": {"type": "string", "enum": ["password", "ip"]}}}
        },
    }
    with pytest.raises(ValidationFailed) as err:
        validate(schema, {"sip": {"method": "foo"}})
    assert err.value.data == {
        "sip.method": {
            "enum": {
                "message": "Value not found in enumerated list of values",
                "target": ["password", "ip"],
                "value": "foo",
            }
        }
    }


def test_credentials_verify_only_with_the_right_digest():
    stored = auth.hash_credentials("k", "Alice", "pw", n=2**10)
    good = auth.credential_digests("alice", "pw")["md5"]
    assert stored["md5_lookup"] == auth.lookup_key("k", good)
    assert auth.check_digest(good, stored["salt"], stored["md5_hash"], 2**10)
    assert not auth.check_digest(
        auth.credential_digests("alice", "px")["md5"], stored["salt"], stored["md5_hash"], 2**10
    )


def test_expired_token_is_invalid():
    key = "k" * 40
    token = auth.issue_token(key, -10, "a" * 32, None, "cb_user_auth")
    with pytest.raises(InvalidCredentials):
        auth.verify_token(key, token)
