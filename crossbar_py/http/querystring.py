"""Query-string parameters parsed with marshmallow, errors in Kazoo's shape (field, validator, detail).
Each field's error messages are written "validator|text" so that the validator's name survives."""

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from crossbar_py.http import inputs
from crossbar_py.http.errors import ValidationFailed

# OFFSET is a bigint in PostgreSQL; nobody pages a million rows deep.
MAX_OFFSET = 1_000_000


class AsciiInteger(fields.Integer):
    """An integer in ASCII digits (an optional minus sign): int() also reads '٣' and Python's '1_000'."""

    def _validated(self, value):
        if isinstance(value, str):
            digits = value[1:] if value.startswith("-") else value
            if inputs.ascii_int(digits) is None:
                raise self.make_error("invalid")
        return super()._validated(value)


def integer(low: int, high: int | None, default: int) -> fields.Integer:
    """An integer between low and high (inclusive) with a default."""
    rng = validate.Range(min=low, max=high, error=f"minimum|Value must be from {low} to {high or 'any'}")
    return AsciiInteger(load_default=default, validate=rng, error_messages={"invalid": "type|Value must be an integer"})


def one_of(choices) -> fields.String:
    """A string from a fixed list."""
    return fields.String(validate=validate.OneOf(choices, error="enum|Value not found in enumerated list of values"))


def load(schema: Schema, query) -> dict:
    """The parsed parameters; ValidationFailed in Kazoo's shape otherwise (unknown keys are ignored)."""
    try:
        return schema.load(dict(query), unknown=EXCLUDE)
    except ValidationError as err:
        out = {}
        messages_by_field = err.messages if isinstance(err.messages, dict) else {}
        for name, messages in messages_by_field.items():
            validator, _, text = str(messages[0]).partition("|")
            out[name] = {validator if text else "invalid": {"message": text or validator, "value": query.get(name)}}
        raise ValidationFailed(out) from err
