"""Import one Kazoo account with its users and devices in one transaction, through the accounts, users
and devices services; each document is created, updated, left unchanged or reported as a conflict."""

from dataclasses import dataclass

from psycopg2.extras import Json

from crossbar_py.accounts import service as accounts
from crossbar_py.devices import service as devices
from crossbar_py.http.errors import ApiError, Conflict, ValidationFailed
from crossbar_py.importer import documents, queries
from crossbar_py.importer.report import Tally
from crossbar_py.kazoo_documents import service as kazoo_documents
from crossbar_py.platform.db import StatementError
from crossbar_py.users import service as users


@dataclass(frozen=True)
class Options:
    """How an import runs."""

    settings: object
    run_id: int | None = None
    dry_run: bool = False
    under: str | None = None


async def import_account(db, bundle, docs: list, opts: Options) -> Tally:
    """Import the account and its documents in one transaction, with its checkpoint (none in a dry run,
    whose caller rolls everything back at the end)."""
    async with db.bound() as tx:
        tally = Tally()
        account = await _import_account_doc(tx, bundle, opts, tally)
        if account is None:
            for doc in docs:
                tally.add(documents.kind(doc), "skipped", id=documents.doc_id(doc))
        else:
            await _import_docs(tx, account, docs, opts, tally)
        if opts.run_id is not None and not opts.dry_run:
            checkpoint = {"run_id": opts.run_id, "account_id": bundle.id, "tally": Json(tally.to_json())}
            await tx.execute(queries.CHECKPOINT, checkpoint)
        return tally


def _reason(exc: ApiError) -> str:
    if isinstance(exc, Conflict):
        return "id already used here"
    fields = exc.data if isinstance(exc.data, dict) else {}
    parts = []
    for path, errors in fields.items():
        for validator, detail in (errors or {}).items():
            parts.append(f"{path} {validator}: {detail.get('message')} ({detail.get('cause', '')})")
    return "; ".join(parts) or exc.message


def _is_conflict(exc: ApiError) -> bool:
    if isinstance(exc, Conflict):
        return True
    fields = exc.data if isinstance(exc, ValidationFailed) and isinstance(exc.data, dict) else {}
    return any("unique" in (errors or {}) for errors in fields.values())


async def _import_account_doc(tx, bundle, opts: Options, tally: Tally) -> dict | None:
    doc, settings = bundle.doc, opts.settings
    data = documents.account_data(doc)
    api_key = doc.get("pvt_api_key") or doc.get("_api_key")

    async def create():
        parent_id = documents.parent_of(bundle.tree, opts.under)
        parent = await accounts.find_account(tx, parent_id) if parent_id else None
        if parent_id and parent is None:
            raise ValidationFailed({"parent": {"missing": {"message": "parent not imported", "cause": parent_id}}})
        return await accounts.create_account(tx, data, parent, settings.realm_suffix, api_key=api_key)

    async def update(stored):
        row = await accounts.save_account(tx, stored, data, False, by_self=False, realm_suffix=settings.realm_suffix)
        if api_key and row["api_key"] != api_key:
            await accounts.set_api_key(tx, row, api_key)
        return row

    stored = await accounts.stored_account(tx, bundle.id)
    record = await tx.fetch_one(queries.RECORD, {"id": bundle.id})
    row = await _apply(tx, "account", doc, bundle.id, stored, record, create, update, tally)
    if row is None and stored is not None and not stored["deleted"] and record is not None:
        return stored
    return row


async def _import_docs(tx, account: dict, docs: list, opts: Options, tally: Tally) -> None:
    fresh = account.get("_created", False)
    stored = {}
    records = {}
    if not fresh:
        stored = {r["id"]: r for r in await users.account_users(tx, account["id"])}
        stored.update({r["id"]: r for r in await devices.account_devices(tx, account["id"])})
        records = {r["id"]: r for r in await tx.fetch_all(queries.ACCOUNT_RECORDS, {"account_id": account["id"]})}
    for doc in documents.sort_docs(docs):
        kind, ident = documents.kind(doc), documents.doc_id(doc)
        if documents.deleted(doc):
            tally.add(kind, "deleted", id=ident)
        elif kind not in documents.IMPORTED:
            tally.add(kind, "skipped", id=ident)
        else:
            create, update = _writers(tx, account, kind, doc, opts.settings)
            row = stored.get(ident)
            if kind in documents.PBX and not fresh:
                row = await kazoo_documents.get_singleton(tx, account["id"], documents.PBX[kind], ident)
            await _apply(tx, kind, doc, account["id"], row, records.get(ident), create, update, tally)


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


async def _apply(tx, kind, doc, account_id, stored, record, create, update, tally) -> dict | None:
    """Create, update or leave one document; the row written, or None."""
    ident, src = documents.doc_id(doc), documents.source_hash(doc)
    where = {"id": ident, "account_id": account_id if kind != "account" else ident}
    if record is not None and record["source_hash"] == src:
        tally.add(kind, "unchanged", id=ident)
        return None
    if stored is not None and (record is None or stored["deleted"] or stored["rev_hash"] != record["local_hash"]):
        reason = "id already used here" if record is None else "changed or deleted here since the last import"
        tally.add(kind, "conflict", reason=reason, **where)
        return None
    if stored is None and record is not None:
        tally.add(kind, "conflict", reason="deleted here since the last import", **where)
        return None
    try:
        row = await (create() if stored is None else update(stored))
    except ApiError as exc:
        tally.add(kind, "conflict" if _is_conflict(exc) else "invalid", reason=_reason(exc), **where)
        return None
    except StatementError as exc:
        tally.add(kind, "invalid", reason=str(exc).splitlines()[0], **where)
        return None
    if stored is None:
        row = {**row, "_created": True}
        tally.add(kind, "created", id=ident)
    else:
        tally.add(kind, "updated", id=ident, diff=documents.diff(stored["doc"], row["doc"]))
    record = {"id": ident, "kind": kind, "account_id": where["account_id"], "source_hash": src}
    await tx.execute(queries.SAVE_RECORD, {**record, "local_hash": row["rev_hash"]})
    return row
