"""What untrusted input must be before any code reads it: bounded depth, storable text, ASCII numbers.

PostgreSQL stores neither NUL nor lone surrogates, psycopg2 refuses NUL in any parameter and UTF-8 cannot
encode a surrogate: such text is refused at the door (docs/hostile-input.md) instead of failing deep inside.
"""

import re

from crossbar_py.http.errors import ValidationFailed

MAX_DEPTH = 32
ASCII_INT_RE = re.compile(r"^[0-9]{1,18}$")
# A bigint holds 18 decimal digits whatever they are; PostgreSQL's timestamps end in year 294276.
MAX_BIGINT_DIGITS = 18


def text_problem(value: str) -> str | None:
    """Why a string cannot be stored, or None."""
    if "\x00" in value:
        return "NUL characters are not allowed"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "lone UTF-16 surrogates are not allowed"
    return None


def _invalid(path: str, message: str, target: str = "body") -> ValidationFailed:
    return ValidationFailed({path or "json": {"invalid": {"message": message, "target": target}}})


def check_document(doc) -> None:
    """400 when a parsed JSON envelope nests deeper than MAX_DEPTH or holds text PostgreSQL cannot store."""
    stack = [(doc, 1, "")]
    while stack:
        node, depth, path = stack.pop()
        if isinstance(node, str):
            problem = text_problem(node)
            if problem:
                raise _invalid(path, problem)
            continue
        if not isinstance(node, (dict, list)):
            continue
        if depth > MAX_DEPTH:
            raise _invalid(path, f"JSON nested deeper than {MAX_DEPTH} levels")
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            # Kazoo names a field by its path inside `data`.
            sub = f"{path}.{key}" if path else ("" if depth == 1 and key == "data" else str(key))
            problem = text_problem(key) if isinstance(key, str) else None
            if problem:
                raise _invalid(path, problem)
            stack.append((value, depth + 1, sub))


def ascii_int(raw) -> int | None:
    """A non-negative integer written in ASCII digits that fits a bigint; None for anything else
    (str.isdigit() accepts '²', which int() then refuses)."""
    if isinstance(raw, str) and ASCII_INT_RE.match(raw):
        return int(raw)
    return None


def check_query(query) -> None:
    """400 for a query-string key or value PostgreSQL could not be handed."""
    for key, value in query.items():
        problem = text_problem(key) or text_problem(value)
        if problem:
            name = key if not text_problem(key) else "query"
            raise ValidationFailed({name: {"invalid": {"message": problem, "target": "query"}}})
