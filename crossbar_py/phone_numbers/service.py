"""Phone number rules: E.164 ids, one account per number, operators (superduper) add them, state kept by us."""

from crossbar_py.common.documents import gregorian
from crossbar_py.http.errors import ApiError, BadIdentifier, Conflict, Forbidden
from crossbar_py.http.validation import validate
from crossbar_py.kazoo_documents import service as store
from crossbar_py.phone_numbers import classifiers
from crossbar_py.phone_numbers.schema import PHONE_NUMBER
from crossbar_py.platform.db import UniqueViolation

KIND = "phone_numbers"
UNAUTHORIZED = "Not authorized to perform requested number operation"
KEPT = ("state", "features", "assigned_to")  # ours, not the client's, on every write
COMPUTED = ("used_by",)  # shown on listings, never stored


class NumberError(ApiError):
    """Kazoo's number-manager errors: message is the error name, data repeats it with the number."""

    def __init__(self, status: int, error: str, number: str, text: str):
        self.status = status
        super().__init__({"cause": number, "code": status, "error": error, "message": text}, message=error)


def _not_found(number: str) -> BadIdentifier:
    exc = BadIdentifier(number)
    exc.data = {"message": "bad identifier", "not_found": "The number could not be found"}
    return exc


def e164(number: str) -> str:
    """The stored id of a number in the path; 404 not_reconcilable when it cannot be one (Kazoo)."""
    if not classifiers.reconcilable(number):
        raise NumberError(404, "not_reconcilable", number, f"number {number} is not reconcilable")
    return classifiers.to_e164(number)


def view(row: dict) -> dict:
    """GET's shape: the public fields, id, state and features, and Kazoo's _read_only block."""
    doc = {k: v for k, v in row["doc"].items() if k != "assigned_to"}
    read_only = {
        "created": gregorian(row["created"]),
        "modified": gregorian(row["modified"]),
        "state": doc.get("state"),
        "features": doc.get("features", []),
    }
    return {**doc, "id": row["id"], "_read_only": read_only}


def summary(row: dict, used: set) -> dict:
    """One entry of the listing's `numbers` object."""
    doc = row["doc"]
    item = {
        "assigned_to": doc.get("assigned_to"),
        "created": gregorian(row["created"]),
        "features": doc.get("features", []),
        "state": doc.get("state"),
        "updated": gregorian(row["modified"]),
    }
    if row["id"] in used:
        item["used_by"] = "callflow"
    return item


async def list_numbers(db, account_id: str, page, query) -> tuple:
    """(rows, the numbers routed by callflows) for the listing."""
    rows = await store.list_documents(db, account_id, KIND, page, query)
    return rows, await store.callflow_numbers(db, account_id)


async def get_number(db, account_id: str, number: str) -> dict:
    """A number of the account, or Kazoo's 404."""
    try:
        return await store.get_document(db, account_id, KIND, e164(number))
    except BadIdentifier as exc:
        raise _not_found(number) from exc


async def add_number(db, account_id: str, number: str, data: dict, superduper: bool) -> dict:
    """PUT: an operator stores a number on an account (state from create_with_state, else reserved)."""
    if not superduper:
        raise Forbidden(
            {"message": "forbidden", "unauthorized": "Not authorized to perform requested number operation"}
        )
    num = e164(number)

    def prepare(body: dict, _stored) -> dict:
        doc = validate(PHONE_NUMBER, body)
        state = doc.pop("create_with_state", "reserved")
        public = {k: v for k, v in doc.items() if k not in KEPT}
        return {**public, "state": state, "features": [], "assigned_to": account_id}

    try:
        return await store.create_document(db, account_id, KIND, {**data, "id": num}, prepare=prepare)
    except (UniqueViolation, Conflict) as exc:
        raise NumberError(409, "number_exists", num, f"number {num} already exists") from exc


async def save_number(db, account_id: str, number: str, data: dict, patch: bool) -> dict:
    """POST (replace) or PATCH (merge) the public fields; state and features stay ours."""

    def prepare(body: dict, stored: dict) -> dict:
        doc = validate(PHONE_NUMBER, {k: v for k, v in body.items() if k not in KEPT + COMPUTED})
        doc.pop("create_with_state", None)
        return {**doc, **{k: stored[k] for k in KEPT if k in stored}}

    await get_number(db, account_id, number)
    return await store.save_document(db, account_id, KIND, e164(number), data, patch, prepare=prepare)


async def remove_number(db, account_id: str, number: str) -> dict:
    """DELETE: the number leaves the account (and the database; nothing here can own it after)."""
    await get_number(db, account_id, number)
    return await store.delete_document(db, account_id, KIND, e164(number), soft=False)
