"""Kazoo-style document validation: JSON Schema (draft-04, as Kazoo's schemas), defaults,
non-strict coercion of "true"/"false" and numeric strings, and Kazoo's error shape."""

import copy

import jsonschema

from crossbar_py.http.errors import ValidationFailed

TYPE_NAMES = {"string", "integer", "number", "boolean", "object", "array", "null"}


def _path(error: jsonschema.ValidationError) -> str:
    parts = [str(p).replace(".", "%2E") for p in error.absolute_path]
    if error.validator == "required":
        parts.append(error.message.split("'")[1])
    elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        parts.append(next((str(k) for k in error.instance if k not in allowed), ""))
    return ".".join(parts)


def _detail(error: jsonschema.ValidationError) -> tuple:
    v, target, value = str(error.validator), error.validator_value, error.instance
    if v == "required":
        return "required", {"message": "Field is required but missing", "value": _path(error).split(".")[-1]}
    messages = {
        "minLength": f"String must be at least {target} characters",
        "maxLength": f"String must not be more than {target} characters",
        "minimum": f"Value must be at least {target}",
        "maximum": f"Value must be at most {target}",
        "enum": "Value not found in enumerated list of values",
        "pattern": f"Failed to match pattern '{target}'",
        "minItems": f"The list must have at least {target} items",
        "maxItems": f"The list is more than {target} items",
        "uniqueItems": "List of items is not unique",
        "additionalProperties": "Strict checking of data is enabled; only include schema-defined properties",
    }
    if v == "type":
        types = target if isinstance(target, list) else [target]
        names = ", ".join(str(t) for t in types)
        return "type", {"message": f"Value did not match type(s): {names}", "target": target, "value": value}
    if v == "format":
        return "wrong_format", {"message": "Field is not in the correct format", "value": value, "format": target}
    detail = {"message": messages.get(v, error.message), "target": target, "value": value}
    if v in ("minLength", "maxLength"):
        detail["cause"] = value
    return v, detail


def _coerce(value, wanted):
    types = wanted if isinstance(wanted, list) else [wanted]
    if isinstance(value, str):
        if "boolean" in types and value in ("true", "false"):
            return value == "true"
        if "integer" in types:
            try:
                return int(value)
            except ValueError:
                pass
        if "number" in types:
            try:
                return float(value)
            except ValueError:
                pass
    return value


def _set_path(doc, path, value) -> None:
    node = doc
    for part in list(path)[:-1]:
        node = node[part]
    node[list(path)[-1]] = value


def _apply_defaults(schema: dict, doc) -> None:
    if not isinstance(doc, dict):
        return
    for key, sub in schema.get("properties", {}).items():
        if key not in doc and "default" in sub:
            doc[key] = copy.deepcopy(sub["default"])
        if key in doc:
            _apply_defaults(sub, doc[key])


def validate(schema: dict, data: dict) -> dict:
    """A validated copy of data with defaults applied; ValidationFailed with every error otherwise."""
    doc = copy.deepcopy(data)
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    for error in list(validator.iter_errors(doc)):
        if error.validator == "type" and error.absolute_path:
            fixed = _coerce(error.instance, error.validator_value)
            if fixed is not error.instance:
                _set_path(doc, error.absolute_path, fixed)
    errors: dict = {}
    for error in validator.iter_errors(doc):
        name, detail = _detail(error)
        errors.setdefault(_path(error), {})[name] = detail
    if errors:
        raise ValidationFailed(errors)
    _apply_defaults(schema, doc)
    return doc


def require_object(data) -> dict:
    """A request's data that must be an object (a list is 400 in Kazoo's shape, never a crash)."""
    if not isinstance(data, dict):
        detail = {"message": "Value did not match type(s): object", "target": "object", "value": data}
        raise ValidationFailed({"data": {"type": detail}})
    return data
