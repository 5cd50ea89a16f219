"""Revisions as ETags; If-Match (412) and If-None-Match (304) with cowboy_rest's semantics
(docs/kazoo-compatibility.md §12)."""

from aiohttp import web

from crossbar_py.common.documents import revision


def etag(row: dict) -> str:
    """The row's revision, N-<hex>."""
    return revision(row["rev"], row["rev_hash"])


def _tags(header: str) -> set:
    return {t.strip().strip('"') for t in header.split(",") if t.strip()}


def if_match(request: web.Request):
    """A check for a stored row: 412 with an empty body when If-Match names another revision."""
    header = request.headers.get("If-Match")

    def check(row: dict) -> None:
        tags = _tags(header or "")
        if "*" not in tags and etag(row) not in tags:
            raise web.HTTPPreconditionFailed()

    return check if header else None


def not_modified(request: web.Request, row: dict) -> bool:
    """True when If-None-Match names the current revision (GET answers 304)."""
    header = request.headers.get("If-None-Match")
    tags = _tags(header or "")
    return "*" in tags or etag(row) in tags
