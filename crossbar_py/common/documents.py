"""Kazoo document conventions: ids, revisions, private keys, Gregorian seconds."""

import copy
import hashlib
import json
import re
import uuid
from datetime import UTC, datetime

from crossbar_py.http.errors import ValidationFailed

GREGORIAN_OFFSET = 62167219200
ID_RE = re.compile(r"^[0-9a-f]{32}$")


def new_id() -> str:
    """32 lowercase hex characters."""
    return uuid.uuid4().hex


def chosen_id(doc: dict) -> str:
    """The id a create uses: the client's (decisions 6: kept from Kazoo, so 32 hex) or a new one."""
    given = doc.pop("id", None)
    if given in (None, ""):
        return new_id()
    if not isinstance(given, str) or not ID_RE.match(given):
        raise ValidationFailed(
            {"id": {"pattern": {"message": f"Failed to match pattern '{ID_RE.pattern}'", "value": given}}}
        )
    return given


def gregorian(ts: datetime) -> int:
    """Unix time of ts as Gregorian seconds (docs/decisions.md §15)."""
    return int(ts.timestamp()) + GREGORIAN_OFFSET


def revision(rev: int, rev_hash: str) -> str:
    """CouchDB-style revision N-<32 hex>."""
    return f"{rev}-{rev_hash}"


def rev_hash(doc: dict) -> str:
    """The hash half of a revision: md5 of the canonical document."""
    return hashlib.md5(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def strip_private(data: dict) -> dict:
    """Drop top-level keys a client may not set (`_*`, `pvt_*`)."""
    return {k: v for k, v in data.items() if not (k.startswith("_") or k.startswith("pvt_"))}


def public(row: dict) -> dict:
    """The document as clients see it: stored public fields plus id."""
    doc = copy.deepcopy(row["doc"])
    doc["id"] = row["id"]
    return doc


def gregorian_naive_utc(ts: datetime) -> int:
    """Gregorian seconds of a naive timestamp that holds UTC (usrloc's columns)."""
    return gregorian(ts.replace(tzinfo=UTC))
