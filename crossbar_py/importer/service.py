"""Import one Kazoo account with its documents in one transaction, through the accounts, users, devices
and Kazoo-documents services; each document is created, updated, left unchanged or reported as a conflict."""

from dataclasses import dataclass, field
from typing import Any

from psycopg2.extras import Json

from crossbar_py.accounts import service as accounts
from crossbar_py.devices import service as devices
from crossbar_py.http.errors import ApiError, Conflict, ValidationFailed
from crossbar_py.importer import documents, queries
from crossbar_py.importer.report import Tally
from crossbar_py.kazoo_documents import service as kazoo_documents
from crossbar_py.platform.db import StatementError
from crossbar_py.users import service as users

REFUSED = (ApiError, *StatementError)
# The import acts as a parent would (it may change `enabled`); the API nodes' account caches expire
# within a second of a write, so there is no cache of its own to keep fresh.
_IMPORTER = {"id": None}


class _NoCache:
    def invalidate(self, account_id: str) -> None:
        """Nothing cached here."""


_NO_CACHE = _NoCache()


@dataclass(frozen=True)
class Options:
    """How an import runs."""

    settings: Any
    run_id: int | None = None
    dry_run: bool = False
    under: str | None = None


@dataclass
class _Work:
    """One account's import: its transaction, what happened, and the provenance rows to write."""

    tx: Any
    tally: Tally = field(default_factory=Tally)
    records: list = field(default_factory=list)
    # Optimistic pass: no savepoint per document; the first refusal undoes the pass, which is retried.
    strict: bool = False


async def import_account(db, bundle, docs: list, opts: Options) -> Tally:
    """Import the account and its documents in one transaction, with its checkpoint (none in a dry run,
    whose caller rolls everything back at the end)."""
    async with db.bound() as tx:
        work = _Work(tx)
        account = await _import_account_doc(work, bundle, opts)
        if account is None:
            for doc in docs:
                work.tally.add(documents.kind(doc), "skipped", id=documents.doc_id(doc))
        else:
            work = await _import_docs(work, account, docs, opts)
        await _save_records(tx, work.records)
        if opts.run_id is not None and not opts.dry_run:
            checkpoint = {"run_id": opts.run_id, "account_id": bundle.id, "tally": Json(work.tally.to_json())}
            await tx.execute(queries.CHECKPOINT, checkpoint)
        return work.tally


async def _save_records(tx, records: list) -> None:
    if records:
        columns = ("id", "kind", "account_id", "source_hash", "local_hash")
        await tx.execute(queries.SAVE_RECORDS, {c: [r[c] for r in records] for c in columns})


def _reason(exc: Exception) -> str:
    if isinstance(exc, Conflict):
        return "id already used here"
    if not isinstance(exc, ApiError):
        return str(exc).splitlines()[0]
    fields = exc.data if isinstance(exc.data, dict) else {}
    parts = []
    for path, errors in fields.items():
        for validator, detail in (errors or {}).items():
            parts.append(f"{path} {validator}: {detail.get('message')} ({detail.get('cause', '')})")
    return "; ".join(parts) or exc.message


def _is_conflict(exc: Exception) -> bool:
    if isinstance(exc, Conflict):
        return True
    fields = exc.data if isinstance(exc, ValidationFailed) and isinstance(exc.data, dict) else {}
    return any("unique" in (errors or {}) for errors in fields.values())


async def _import_account_doc(work: _Work, bundle, opts: Options) -> dict | None:
    tx, doc, settings = work.tx, bundle.doc, opts.settings
    data = documents.account_data(doc)
    api_key = doc.get("pvt_api_key") or doc.get("_api_key")

    async def create():
        parent_id = documents.parent_of(bundle.tree, opts.under)
        parent = await accounts.find_account(tx, parent_id) if parent_id else None
        if parent_id and parent is None:
            raise ValidationFailed({"parent": {"missing": {"message": "parent not imported", "cause": parent_id}}})
        return await accounts.create_account(tx, data, parent, settings.realm_suffix, api_key=api_key)

    async def update(stored):
        row = await accounts.save_account(tx, _NO_CACHE, stored, data, False, _IMPORTER, settings.realm_suffix)
        if api_key and row["api_key"] != api_key:
            await accounts.set_api_key(tx, row, api_key)
        return row

    stored = await accounts.stored_account(tx, bundle.id)
    record = await tx.fetch_one(queries.RECORD, {"id": bundle.id})
    row = await _apply(work, "account", doc, bundle.id, stored, record, (create, update))
    if row is None and stored is not None and not stored["deleted"] and record is not None:
        return stored
    return row


async def _import_docs(work: _Work, account: dict, docs: list, opts: Options) -> _Work:
    """All documents without savepoints first; on a refusal, again with one savepoint per document."""
    docs = documents.sort_docs(docs)
    fresh = account.get("_created", False)
    known = {} if fresh else await _known(work.tx, account["id"])
    if fresh:
        attempt = _Work(work.tx, strict=True)
        try:
            async with work.tx.all_or_nothing():
                await _each_doc(attempt, account, docs, known, opts)
        except REFUSED:
            pass
        else:
            return _joined(work, attempt)
    await _each_doc(work, account, docs, known, opts)
    return work


def _joined(work: _Work, attempt: _Work) -> _Work:
    work.tally.merge(attempt.tally)
    work.records += attempt.records
    return work


async def _known(tx, account_id: str) -> dict:
    """{id: (stored row, provenance record)} for the account's users and devices."""
    rows = {r["id"]: r for r in await users.account_users(tx, account_id)}
    rows.update({r["id"]: r for r in await devices.account_devices(tx, account_id)})
    records = {r["id"]: r for r in await tx.fetch_all(queries.ACCOUNT_RECORDS, {"account_id": account_id})}
    return {"rows": rows, "records": records}


async def _each_doc(work: _Work, account: dict, docs: list, known: dict, opts: Options) -> None:
    rows, records = known.get("rows", {}), known.get("records", {})
    batch = []
    for doc in docs:
        kind, ident = documents.kind(doc), documents.doc_id(doc)
        if documents.deleted(doc):
            work.tally.add(kind, "deleted", id=ident)
        elif kind not in documents.IMPORTED:
            work.tally.add(kind, "skipped", id=ident)
        elif work.strict and kind == "device":
            batch.append(doc)
        else:
            row = rows.get(ident)
            if kind in documents.PBX and known:
                row = await kazoo_documents.get_singleton(work.tx, account["id"], documents.PBX[kind], ident)
            writers = _writers(work.tx, account, kind, doc, opts.settings)
            await _apply(work, kind, doc, account["id"], row, records.get(ident), writers)
    if batch:
        await _create_devices(work, account, batch)


async def _create_devices(work: _Work, account: dict, docs: list) -> None:
    """A fresh account's devices in one statement (optimistic pass: a refusal undoes the pass)."""
    created = {r["id"]: r for r in await devices.create_devices(work.tx, account, [documents.public(d) for d in docs])}
    for doc in docs:
        ident = documents.doc_id(doc)
        work.tally.add("device", "created", id=ident)
        source = {"kind": "device", "account_id": account["id"], "source_hash": documents.source_hash(doc)}
        work.records.append({"id": ident, **source, "local_hash": created[ident]["rev_hash"]})


def _writers(tx, account: dict, kind: str, doc: dict, settings) -> tuple:
    data = documents.public(doc)
    if kind == "user":
        md5, sha1 = documents.user_digests(doc)
        return (
            lambda: users.create_user_from_digests(tx, settings, account, data, md5, sha1),
            lambda stored: users.replace_user_from_digests(tx, settings, stored, data, md5, sha1),
        )
    if kind in documents.PBX:
        collection = documents.PBX[kind]
        return (
            lambda: kazoo_documents.create_document(tx, account["id"], collection, data),
            lambda stored: kazoo_documents.save_document(tx, account["id"], collection, stored["id"], data, False),
        )
    return (
        lambda: devices.create_device(tx, account, data),
        lambda stored: devices.save_device(tx, account, stored["id"], data, superduper=True, patch=False),
    )


def _outcome_without_write(stored, record, src: str) -> tuple | None:
    """(outcome, reason) when the document must not be written, None when it may."""
    if record is not None and record["source_hash"] == src:
        return "unchanged", None
    if stored is not None and record is None:
        return "conflict", "id already used here"
    if stored is not None and (stored["deleted"] or stored["rev_hash"] != record["local_hash"]):
        return "conflict", "changed or deleted here since the last import"
    if stored is None and record is not None:
        return "conflict", "deleted here since the last import"
    return None


async def _apply(work: _Work, kind: str, doc: dict, account_id: str, stored, record, writers) -> dict | None:
    """Create, update or leave one document; the row written, or None."""
    ident, src = documents.doc_id(doc), documents.source_hash(doc)
    where = {"id": ident, "account_id": account_id}
    skip = _outcome_without_write(stored, record, src)
    if skip is not None:
        outcome, reason = skip
        work.tally.add(kind, outcome, **({"reason": reason, **where} if reason else {"id": ident}))
        return None
    create, update = writers
    try:
        row = await (create() if stored is None else update(stored))
    except REFUSED as exc:
        if work.strict:
            raise
        work.tally.add(kind, "conflict" if _is_conflict(exc) else "invalid", reason=_reason(exc), **where)
        return None
    if stored is None:
        row = {**row, "_created": True}
        work.tally.add(kind, "created", id=ident)
    else:
        work.tally.add(kind, "updated", id=ident, diff=documents.diff(stored["doc"], row["doc"]))
    work.records.append({"kind": kind, "source_hash": src, "local_hash": row["rev_hash"], **where})
    return row
