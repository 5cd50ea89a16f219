"""Webhook rules: one stored document in Kazoo's shape, seed 000's `url`/`events` accepted and shown."""

import secrets
from urllib.parse import urlsplit

from crossbar_py.common import documents
from crossbar_py.common import writes as crud
from crossbar_py.http.errors import BadIdentifier, Conflict, ValidationFailed
from crossbar_py.http.validation import validate
from crossbar_py.registrations.webhooks import queries
from crossbar_py.registrations.webhooks.schema import EVENT_KINDS, EVENTS, WEBHOOK


def new_secret() -> str:
    """A fresh signing key."""
    return "whsec_" + secrets.token_urlsafe(32)


def hook_of(events: list) -> str:
    """Kazoo's `hook` (one string) for a set of events: `all`, or the events joined by commas."""
    chosen = [e for e in EVENTS if e in events]
    return "all" if chosen == EVENTS else ",".join(chosen)


def events_of(hook: str) -> list:
    """The events a `hook` string names (unknown names included, for the caller to reject)."""
    if hook == "all":
        return list(EVENTS)
    return [part.strip() for part in hook.split(",") if part.strip()]


def view(row: dict) -> dict:
    """Both views in one object: Kazoo's fields and seed 000's `url` and `events`."""
    doc = documents.public(row)
    return {**doc, "url": doc["uri"], "events": events_of(doc["hook"])}


def _resolve(body: dict, key: str, alias: str, stored):
    """One of two names for a value. When both come and differ, the one that changed the stored value wins
    (a client echoing a GET edits one and sends the other back unchanged)."""
    mine, theirs = body.pop(key, None), body.pop(alias, None)
    if mine is None or theirs is None or mine == theirs:
        return theirs if mine is None else mine
    if stored is not None and mine == stored:
        return theirs
    if stored is not None and theirs == stored:
        return mine
    raise ValidationFailed({alias: {"invalid": {"message": f"{alias} and {key} disagree", "value": theirs}}})


def _url_errors(uri: str | None, name: str) -> dict:
    if uri is None:
        return {name: {"required": {"message": "Field is required but missing", "value": name}}}
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        message = "Field is not in the correct format: an absolute http or https URL"
        return {name: {"wrong_format": {"message": message, "value": uri, "format": "uri"}}}
    return {}


def _hook_errors(hook: str | None, name: str) -> dict:
    if hook is None:
        return {name: {"required": {"message": "Field is required but missing", "value": name}}}
    unknown = [e for e in events_of(hook) if e not in EVENT_KINDS] or ([] if events_of(hook) else [hook])
    if unknown:
        detail = {"message": "Value not found in enumerated list of values", "target": ["all", *EVENTS]}
        return {name: {"enum": {**detail, "value": unknown[0]}}}
    return {}


def _schema_checked(data: dict) -> tuple:
    """(the body with defaults, errors by path); http_verb compared case-insensitively."""
    verb = data.get("http_verb")
    data = {**data, "http_verb": verb.lower()} if isinstance(verb, str) else data
    try:
        return validate(WEBHOOK, data), {}
    except ValidationFailed as exc:
        return dict(data), dict(exc.data)


def _aliases(body: dict, stored: dict, seed_shape: bool, bad: set) -> tuple:
    """(uri, hook, errors) from whichever names the client used."""
    uri_name, hook_name = ("url", "events") if seed_shape else ("uri", "hook")
    uri = hook = None
    errors = {}
    try:
        if not bad & {"uri", "url"}:
            uri = _resolve(body, "uri", "url", stored.get("uri"))
            errors.update(_url_errors(uri, uri_name))
        if not bad & {"hook", "events"}:
            if "events" in body:
                body["events"] = hook_of(body["events"])
            hook = _resolve(body, "hook", "events", stored.get("hook"))
            errors.update(_hook_errors(hook, hook_name))
    except ValidationFailed as exc:
        errors.update(exc.data)
    return uri, hook, errors


def prepare(data: dict, stored: dict | None = None) -> dict:
    """The document to store; every problem at once as Kazoo's 400 (per-field reasons)."""
    body, errors = _schema_checked({k: v for k, v in data.items() if k != "secret"})
    bad = {path.split(".")[0] for path in errors}
    uri, hook, more = _aliases(body, stored or {}, "url" in data or "events" in data, bad)
    errors.update(more)
    if errors:
        raise ValidationFailed(errors)
    body.pop("url", None)
    body.pop("events", None)
    body.update(uri=uri, hook=hook)
    body.setdefault("name", urlsplit(uri).hostname)
    return body


def _columns(doc: dict) -> dict:
    kinds = [kind for event in events_of(doc["hook"]) for kind in EVENT_KINDS[event]]
    return {
        "uri": doc["uri"],
        "http_verb": doc["http_verb"],
        "kinds": kinds,
        "retries": doc["retries"],
        "enabled": doc["enabled"],
        **crud.stored(doc),
    }


async def create_webhook(db, account_id: str, data: dict) -> dict:
    """Create a webhook with a fresh secret; it delivers events from now on."""
    clean = documents.strip_private(data)
    webhook_id = documents.chosen_id(clean)
    doc = prepare(clean)
    params = {"id": webhook_id, "account_id": account_id, "secret": new_secret(), **_columns(doc)}
    # An id already taken, by any account and even soft-deleted, is 409 as for every document (docs/decisions.md §6).
    return await crud.insert(db, queries.INSERT_WEBHOOK, params, lambda exc: Conflict())


async def list_webhooks(db, account_id: str, page) -> tuple:
    """(a page of the account's webhooks, the envelope's pagination keys)."""
    rows = await db.fetch_all(
        queries.LIST_WEBHOOKS, {"account_id": account_id, "start": page.start, "limit": page.limit()}
    )
    return page.envelope(rows, key=lambda r: r["id"])


async def get_webhook(db, account_id: str, webhook_id: str) -> dict:
    """A webhook of the account, or 404."""
    row = await db.fetch_one(queries.GET_WEBHOOK, {"id": webhook_id, "account_id": account_id})
    if row is None:
        raise BadIdentifier(webhook_id)
    return row


async def save_webhook(db, account_id: str, webhook_id: str, data: dict, patch: bool, if_match=None) -> dict:
    """POST (replace) or PATCH (merge) a webhook."""
    async with db.transaction() as cur:
        stored = await crud.fetch_for_write(
            cur, queries.GET_WEBHOOK_FOR_UPDATE, {"id": webhook_id, "account_id": account_id}, webhook_id, if_match
        )
        doc = prepare(crud.next_body(stored["doc"], data, patch), stored["doc"])
        await cur.execute(queries.UPDATE_WEBHOOK, {"id": webhook_id, **_columns(doc)})
        return await cur.fetchone()


async def delete_webhook(db, account_id: str, webhook_id: str, soft: bool, if_match=None) -> dict:
    """Soft (or hard) delete; a deleted webhook delivers nothing more."""
    key = {"id": webhook_id, "account_id": account_id}
    return await crud.delete_document(db, queries.Delete, key, webhook_id, soft, if_match)


async def rotate_secret(db, account_id: str, webhook_id: str) -> dict:
    """A new secret; deliveries from now on are signed with it."""
    params = {"id": webhook_id, "account_id": account_id, "secret": new_secret()}
    row = await db.fetch_one(queries.ROTATE_SECRET, params)
    if row is None:
        raise BadIdentifier(webhook_id)
    return row


async def delivery_lag(db) -> dict:
    """Webhooks with events waiting and the age in seconds of the oldest event owed (for /metrics)."""
    return dict(await db.fetch_one(queries.DELIVERY_LAG))
