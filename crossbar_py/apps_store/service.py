"""Which catalogue apps an account may use and who may use each: the account's apps_store document
(`apps.{id}` = {name, allowed_users, users}; `blacklist` = app ids hidden from the account)."""

import copy

from crossbar_py.apps_store.catalogue import APPS, BY_ID, INTERNAL
from crossbar_py.apps_store.schema import BLACKLIST, PERMISSION
from crossbar_py.http.errors import BadIdentifier, BadRequest, Forbidden
from crossbar_py.http.validation import require_object, validate
from crossbar_py.kazoo_documents import service as documents
from crossbar_py.monster_app import service as monster_app

KIND = DOC_ID = "apps_store"
LIST_KEYS = ("id", "name", "i18n", "tags", "api_url", "source_url", "masqueradable", "phase", "extends")


async def _store(db, account_id: str) -> dict:
    row = await documents.get_singleton(db, account_id, KIND, DOC_ID)
    doc = copy.deepcopy(row["doc"]) if row else {}
    doc.setdefault("apps", {})
    doc.setdefault("blacklist", [])
    return doc


def _owner(account: dict) -> str:
    """The account the catalogue belongs to (Kazoo's master account)."""
    return account["tree"][0] if account["tree"] else account["id"]


def _located(app: dict, base_url: str) -> dict:
    """The app as clients see it: our own app's source_url points at this API."""
    doc = {k: copy.deepcopy(v) for k, v in app.items() if k not in INTERNAL}
    if "source_path" in app:
        doc["source_url"] = base_url + app["source_path"]
    return doc


def _with_permission(app: dict, store: dict, account: dict, base_url: str) -> dict:
    located = _located(app, base_url)
    item = {k: located[k] for k in LIST_KEYS if k in located}
    item["account_id"] = _owner(account)
    item.update({k: v for k, v in store["apps"].get(app["id"], {}).items() if k in ("allowed_users", "users")})
    return item


async def list_apps(db, account: dict, base_url: str) -> list:
    """The apps the account may use, each with its permission when installed (Kazoo's list shape)."""
    store = await _store(db, account["id"])
    return [_with_permission(a, store, account, base_url) for a in APPS if a["id"] not in store["blacklist"]]


async def get_app(db, account: dict, app_id: str, base_url: str) -> dict:
    """One app's full document; 404 when the account may not use it."""
    store = await _store(db, account["id"])
    if app_id not in BY_ID or app_id in store["blacklist"]:
        raise BadIdentifier(app_id)
    app = BY_ID[app_id]
    return {**_located(app, base_url), **_with_permission(app, store, account, base_url)}


def icon(app: dict) -> tuple:
    """(content type, bytes) of an app's icon: we hold our own app's only (Monster UI ships the others')."""
    if "source_path" in BY_ID.get(app["id"], {}):
        return monster_app.read_file(app["icon"])
    raise BadIdentifier(app["icon"])


def _allowed(store: dict, app_id: str) -> dict:
    if app_id not in BY_ID or app_id in store["blacklist"]:
        raise Forbidden({"details": app_id, "message": "forbidden"})
    return BY_ID[app_id]


async def _save(db, account_id: str, store: dict) -> None:
    await documents.put_singleton(db, account_id, KIND, DOC_ID, store)


async def install(db, account_id: str, app_id: str, data: dict, replace: bool) -> dict:
    """PUT (install: 400 when installed) or POST (update: 400 when not installed) an app's permission."""
    store = await _store(db, account_id)
    app = _allowed(store, app_id)
    permission = validate(PERMISSION, require_object(data))
    if replace and app_id not in store["apps"]:
        raise BadRequest({}, message="Application is not installed")
    if not replace and app_id in store["apps"]:
        raise BadRequest({}, message="Application already installed")
    store["apps"][app_id] = {**permission, "name": app["name"]}
    await _save(db, account_id, store)
    return store["apps"][app_id]


async def uninstall(db, account_id: str, app_id: str) -> None:
    """DELETE: nobody in the account may use the app any more."""
    store = await _store(db, account_id)
    _allowed(store, app_id)
    if app_id not in store["apps"]:
        raise BadRequest({}, message="Application is not installed")
    del store["apps"][app_id]
    await _save(db, account_id, store)


async def blacklist(db, account_id: str) -> list:
    """The app ids hidden from the account."""
    return (await _store(db, account_id))["blacklist"]


async def set_blacklist(db, account_id: str, data: dict) -> list:
    """Replace the blacklist."""
    store = await _store(db, account_id)
    store["blacklist"] = validate(BLACKLIST, require_object(data))["blacklist"]
    await _save(db, account_id, store)
    return store["blacklist"]


def _permits(permission: dict, user: dict | None) -> bool:
    """Kazoo's allowed_users; an account-level token (api_auth, no user) counts as an admin."""
    allowed = permission.get("allowed_users")
    if allowed == "all":
        return True
    if allowed == "admins":
        return user is None or user["doc"].get("priv_level") == "admin"
    return allowed == "specific" and user is not None and user["id"] in {u.get("id") for u in permission["users"]}


async def user_apps(db, account: dict, user: dict | None) -> list:
    """The login data's `apps`: what this user may open ({id, name, label}), as Kazoo's user_auth answers."""
    store = await _store(db, account["id"])
    apps = []
    for app in APPS:
        permission = store["apps"].get(app["id"])
        if permission and app["id"] not in store["blacklist"] and _permits(permission, user):
            label = app["i18n"]["en-US"]["label"]
            apps.append({"id": app["id"], "name": app["name"], "label": label})
    return apps
