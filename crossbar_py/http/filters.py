"""Kazoo's listing filters (docs/kazoo-compatibility.md §9) as SQL over the stored document, with bound
parameters only."""

import json

from crossbar_py.common.documents import GREGORIAN_OFFSET
from crossbar_py.http import inputs
from crossbar_py.platform.db import sql

PREFIXES = ("filter_not_", "filter_")
KEY_FILTERS = {"has_key", "key_missing", "has_value", "value_missing"}
# Kazoo compares whole Gregorian seconds and both bounds are inclusive: a document stamped 12:00:00.7 is
# inside created_to=12:00:00, so an upper bound is "before the next second".
TIME_FILTERS = {
    "created_from": ("created", ">=", 0),
    "created_to": ("created", "<", 1),
    "modified_from": ("modified", ">=", 0),
    "modified_to": ("modified", "<", 1),
}
EMPTY_VALUES = ["", "[]", "{}"]
# to_timestamp() overflows past year 294276; dates past 9999 are no one's created or modified time.
MAX_UNIX = 253402300799


def _text_at(n: int, path: str) -> sql.Composable:
    """The value at a dotted path rendered as Kazoo compares it: strings bare, true/false, numbers, '' if absent.
    Kazoo renders a list of strings as their concatenation (kz_term:to_binary of an iolist), so a callflow's
    `numbers: ["no_match"]` matches filter_numbers=no_match, which Monster UI's carrier selector relies on
    (docs/kazoo-compatibility.md §9)."""
    if path == "id":
        return sql.SQL("id")
    at = sql.Placeholder(f"fp{n}")
    return sql.SQL(
        "CASE WHEN jsonb_typeof(doc #> {0}) = 'array'"
        " THEN (SELECT coalesce(string_agg(e, '' ORDER BY i), '') FROM jsonb_array_elements_text(doc #> {0})"
        " WITH ORDINALITY AS t(e, i))"
        " ELSE coalesce(doc #>> {0}, '') END"
    ).format(at)


def _values(raw: str) -> list:
    """filter_x=["a","b"] matches any of a list; anything else is one value."""
    if raw.startswith("["):
        try:
            items = json.loads(raw)
        except ValueError:
            return [raw]
        if isinstance(items, list):
            return [v if isinstance(v, str) else json.dumps(v) for v in items]
    return [raw]


def build(query) -> tuple:
    """(a SQL fragment starting with AND, its parameters) for the filters in a query string."""
    clauses: list[sql.Composable] = []
    params: dict = {}
    for n, (key, raw) in enumerate(query.items()):
        prefix = next((p for p in PREFIXES if key.startswith(p)), None)
        if prefix:
            path = key[len(prefix) :]
            params[f"fp{n}"], params[f"fv{n}"] = path.split("."), _values(raw)
            test = sql.SQL("{} = ANY({})").format(_text_at(n, path), sql.Placeholder(f"fv{n}"))
            clauses.append(sql.SQL("NOT ({})").format(test) if prefix == "filter_not_" else test)
        elif key in KEY_FILTERS:
            params[f"fp{n}"], params[f"fe{n}"] = raw.split("."), EMPTY_VALUES
            clauses.append(_key_clause(n, key))
        elif key in TIME_FILTERS:
            clauses.append(_time_clause(n, key, raw, params))
    if not clauses:
        return sql.SQL(""), {}
    return sql.SQL(" AND ").join([sql.SQL(""), *clauses]), params


def _key_clause(n: int, key: str) -> sql.Composable:
    present = sql.SQL("(doc #> {}) IS NOT NULL").format(sql.Placeholder(f"fp{n}"))
    filled = sql.SQL("coalesce(doc #>> {}, '') <> ALL({})").format(sql.Placeholder(f"fp{n}"), sql.Placeholder(f"fe{n}"))
    return {
        "has_key": present,
        "key_missing": sql.SQL("NOT {}").format(present),
        "has_value": filled,
        "value_missing": sql.SQL("NOT ({})").format(filled),
    }[key]


def _time_clause(n: int, key: str, raw: str, params: dict) -> sql.Composable:
    column, op, shift = TIME_FILTERS[key]
    seconds = inputs.ascii_int(raw)
    if seconds is None or not GREGORIAN_OFFSET <= seconds <= GREGORIAN_OFFSET + MAX_UNIX:
        return sql.SQL("FALSE")  # Kazoo: a filter that throws excludes the document
    params[f"ft{n}"] = seconds - GREGORIAN_OFFSET + shift
    return sql.SQL("{} {} to_timestamp({})").format(sql.Identifier(column), sql.SQL(op), sql.Placeholder(f"ft{n}"))
