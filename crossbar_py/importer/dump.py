"""A CouchDB dump: one `_all_docs?include_docs=true` body per database, read as a stream (ijson), so
that memory stays flat however many accounts the cluster holds."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import ijson

from crossbar_py.importer import documents


def db_file(root: Path, db: str) -> Path:
    """The file holding database `db`: its name with slashes URL-encoded, plus .json."""
    return root / (quote(db, safe="") + ".json")


def account_db(account_id: str) -> str:
    """Kazoo's database name for an account: account/xx/yy/rest."""
    return f"account/{account_id[:2]}/{account_id[2:4]}/{account_id[4:]}"


def read_docs(path: Path):
    """Each document of an _all_docs body, one at a time."""
    if not path.exists():
        return
    with open(path, "rb") as fh:
        for row in ijson.items(fh, "rows.item", use_float=True):
            doc = row.get("doc") if isinstance(row, dict) else None
            if isinstance(doc, dict):
                yield doc


@dataclass
class Bundle:
    """One account to import: its document, its ancestors (root first), and a way to load its documents."""

    doc: dict
    tree: list
    source: Any

    @property
    def id(self) -> str:
        """The account's id."""
        return documents.doc_id(self.doc)

    @property
    def depth(self) -> int:
        """How far below the top the account sits; parents are imported before their children."""
        return len(self.tree)

    async def load(self) -> list:
        """The account's own documents (users, devices, ...)."""
        return await self.source.account_docs(self.id)


class DumpSource:
    """Accounts from accounts.json, depth by depth; each account's documents from its own file."""

    def __init__(self, root: str):
        self.root = Path(root).resolve()
        self.name = f"dump:{self.root}"
        self._depths: dict | None = None

    def _accounts(self):
        for doc in read_docs(db_file(self.root, "accounts")):
            if documents.kind(doc) == "account":
                yield doc

    def census(self) -> dict:
        """{depth: accounts} from one streaming pass (deleted accounts included)."""
        if self._depths is None:
            self._depths = {}
            for doc in self._accounts():
                depth = len(doc.get("pvt_tree") or [])
                self._depths[depth] = self._depths.get(depth, 0) + 1
        return self._depths

    async def count(self) -> int:
        """How many accounts the dump holds."""
        return sum(self.census().values())

    async def accounts(self):
        """Bundles, every account of one depth before any of the next (one pass over the file each)."""
        for depth in sorted(self.census()):
            for doc in self._accounts():
                tree = list(doc.get("pvt_tree") or [])
                if len(tree) == depth:
                    yield Bundle(doc, tree, self)

    async def account_docs(self, account_id: str) -> list:
        """The documents of the account's database, its own account document left out."""
        path = db_file(self.root, account_db(account_id))
        return [d for d in read_docs(path) if documents.kind(d) not in ("account", "design")]

    async def close(self) -> None:
        """Nothing to release."""
