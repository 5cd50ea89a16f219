"""Kazoo-style document validation: JSON Schema (draft-04, as Kazoo's schemas), defaults,
non-strict coercion of "true"/"false" and numeric strings, and Kazoo's error shape."""

import fastjsonschema
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


def _copy(value):
    """A copy of a JSON value (dicts and lists are new; deepcopy's memo is not needed for JSON trees)."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


_PLANS: dict = {}


def _plan(schema: dict) -> tuple:
    """(key, has default, default, sub-plan) for each property that has a default or holds one below."""
    cached = _PLANS.get(id(schema))
    if cached is not None and cached[0] is schema:
        return cached[1]
    plan = []
    for key, sub in schema.get("properties", {}).items():
        below = _plan(sub)
        if "default" in sub or below:
            plan.append((key, "default" in sub, sub.get("default"), below))
    if len(_PLANS) >= 1024:
        _PLANS.clear()
    _PLANS[id(schema)] = (schema, tuple(plan))
    return tuple(plan)


def _apply_defaults(schema: dict, doc) -> None:
    _fill(_plan(schema), doc)


def _fill(plan: tuple, doc) -> None:
    if not isinstance(doc, dict):
        return
    for key, has_default, default, below in plan:
        if has_default and key not in doc:
            doc[key] = _copy(default)
        if below and key in doc:
            _fill(below, doc[key])


_VALIDATORS: dict = {}


def _validator(schema: dict) -> jsonschema.Draft4Validator:
    # Schemas are module constants: one validator each, built once (building one costs as much as a check).
    key = id(schema)
    cached = _VALIDATORS.get(key)
    if cached is None or cached.schema is not schema:
        cached = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
        if len(_VALIDATORS) >= 256:
            _VALIDATORS.clear()
        _VALIDATORS[key] = cached
    return cached


_FAST: dict = {}
DRAFT4 = "http://json-schema.org/draft-04/schema#"


def _fast(schema: dict):
    """The schema compiled to Python (fastjsonschema), or None where it cannot compile it."""
    key = id(schema)
    cached = _FAST.get(key)
    if cached is None or cached[0] is not schema:
        try:
            check = fastjsonschema.compile({"$schema": DRAFT4, **schema}, use_default=False)
        except fastjsonschema.JsonSchemaDefinitionException:
            check = None
        if len(_FAST) >= 256:
            _FAST.clear()
        cached = _FAST[key] = (schema, check)
    return cached[1]


def _valid_at_once(schema: dict, doc: dict) -> bool:
    # The compiled check is ten times faster than jsonschema (bench/import); whatever it refuses (or
    # coercion could mend) goes through jsonschema, which alone decides the errors and their shape.
    check = _fast(schema)
    if check is None:
        return False
    try:
        check(doc)
    except fastjsonschema.JsonSchemaValueException:
        return False
    return True


def validate(schema: dict, data: dict) -> dict:
    """A validated copy of data with defaults applied; ValidationFailed with every error otherwise."""
    doc = _copy(data)
    if _valid_at_once(schema, doc):
        _apply_defaults(schema, doc)
        return doc
    validator = _validator(schema)
    first = list(validator.iter_errors(doc))
    for error in first:
        if error.validator == "type" and error.absolute_path:
            fixed = _coerce(error.instance, error.validator_value)
            if fixed is not error.instance:
                _set_path(doc, error.absolute_path, fixed)
    errors: dict = {}
    # A document valid at once needs no second pass (most writes, and every import of a sound document).
    for error in validator.iter_errors(doc) if first else ():
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
