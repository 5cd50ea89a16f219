"""Kazoo's listing pagination: page_size, start_key / next_start_key, paginate=false
(docs/kazoo-compatibility.md §9)."""

import base64
import struct
from dataclasses import dataclass

from crossbar_py.http import inputs

DEFAULT_PAGE_SIZE = 50
# A bigger page is served as this many (LIMIT is a bigint: 10**20 made PostgreSQL fail).
MAX_PAGE_SIZE = 1000
# Kazoo's start keys are base64url (no padding) of the Erlang external term of a binary key.
TERM_BINARY = b"\x83\x6d"


def encode_key(key: str) -> str:
    """The opaque next_start_key for a string key, as Kazoo 4.2+ emits it."""
    raw = key.encode()
    return base64.urlsafe_b64encode(TERM_BINARY + struct.pack(">I", len(raw)) + raw).rstrip(b"=").decode()


def decode_key(value: str) -> str:
    """A start key from a client: Kazoo's encoding, or the raw key when that fails to decode."""
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (ValueError, TypeError):
        return value
    if raw[:2] == TERM_BINARY and len(raw) >= 6:
        (length,) = struct.unpack(">I", raw[2:6])
        if length == len(raw) - 6:
            try:
                return raw[6:].decode()
            except UnicodeDecodeError:
                return value
    return value


@dataclass(frozen=True)
class Page:
    """What a listing request asked for."""

    paginate: bool
    size: int
    start: str
    start_given: str | None

    @classmethod
    def from_request(cls, request) -> "Page":
        """Parse page_size, start_key and paginate (only the literal "true" paginates; v1 never does)."""
        query = request.query
        paginate = query.get("paginate", "true") == "true" and not request.path.startswith("/v1/")
        size = inputs.ascii_int(query.get("page_size", "")) or DEFAULT_PAGE_SIZE
        size = min(size, MAX_PAGE_SIZE)
        given = query.get("start_key")
        return cls(paginate, size, decode_key(given) if given else "", given)

    @classmethod
    def everything(cls) -> "Page":
        """A listing asked for whole (paginate=false)."""
        return cls(False, DEFAULT_PAGE_SIZE, "", None)

    def limit(self) -> int | None:
        """Rows to fetch: one more than a page tells whether another follows."""
        return self.size + 1 if self.paginate else None

    def envelope(self, rows: list, key) -> tuple:
        """(the rows of this page, the envelope's pagination keys)."""
        if not self.paginate:
            return rows, {}
        page, more = rows[: self.size], rows[self.size :]
        extra: dict = {"page_size": len(page)}
        if self.start_given:
            extra["start_key"] = self.start_given
        if more:
            extra["next_start_key"] = encode_key(key(more[0]))
        return page, extra


def empty_listing(request) -> dict:
    """The pagination keys of a listing that holds nothing (what we never see: calls, CDRs, ledger entries)."""
    return Page.from_request(request).envelope([], key=str)[1]
