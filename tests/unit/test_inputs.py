"""The pipeline's input rules without I/O: depth, storable text, ASCII integers."""

import pytest
from marshmallow import ValidationError

from crossbar_py.http import inputs
from crossbar_py.http.errors import ValidationFailed
from crossbar_py.http.querystring import AsciiInteger


def test_ascii_int_reads_only_ascii_digits_that_fit_a_bigint():
    assert inputs.ascii_int("42") == 42 and inputs.ascii_int("9" * 18) == int("9" * 18)
    for raw in ("²", "٣", "1_0", "１", "-1", "", " 1", "9" * 19, None, 7):
        assert inputs.ascii_int(raw) is None, raw


def test_text_problem_names_nul_and_lone_surrogates():
    assert inputs.text_problem("ok é ✓") is None
    assert "NUL" in inputs.text_problem("a\x00b")
    assert "surrogate" in inputs.text_problem("\ud800")


def test_check_document_bounds_depth_and_names_the_field_inside_data():
    doc: dict = {"data": {"name": "x"}}
    node = doc["data"]
    for _ in range(inputs.MAX_DEPTH):
        node["x"] = {}
        node = node["x"]
    with pytest.raises(ValidationFailed):
        inputs.check_document(doc)
    with pytest.raises(ValidationFailed) as err:
        inputs.check_document({"data": {"sip": {"password": "p\x00"}}})
    assert list(err.value.data) == ["sip.password"]
    inputs.check_document({"data": {"a": [1, {"b": "fine"}]}, "verb": "PATCH"})


def test_query_integers_refuse_non_ascii_digits():
    field = AsciiInteger()
    assert field.deserialize("12") == 12 and field.deserialize("-3") == -3
    for raw in ("²", "٣", "1_0"):
        with pytest.raises(ValidationError):
            field.deserialize(raw)
