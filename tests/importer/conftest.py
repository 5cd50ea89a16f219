"""Fixtures for the importer: a Kazoo cluster as a CouchDB dump, and a way to import it in-process."""

import io
import secrets
from dataclasses import dataclass
from pathlib import Path

import pytest

from crossbar_py.importer.dump import DumpSource
from crossbar_py.importer.progress import Progress
from crossbar_py.importer.runner import run_import
from crossbar_py.platform.db import Database
from tests.importer import kazoo_dump as kz


@dataclass
class Cluster:
    """A small Kazoo cluster: a reseller with two children and a grandchild, users and phones."""

    dump: kz.Dump
    root: Path
    reseller: dict
    child: dict
    grandchild: dict
    clashing: dict
    alice: dict
    bob: dict
    owned: dict
    unowned: dict
    deleted: dict
    clash_device: dict
    passwords: dict

    def write(self) -> Path:
        """(Re)write the dump files."""
        return self.dump.write(self.root)

    def add_clashing_phone(self) -> None:
        """A new phone at Kazoo, in the `clashing` account, whose SIP username a phone here took since."""
        self.dump.docs[self.clashing["_id"]].append(self.clash_device)
        self.write()


def build_cluster(root: Path) -> Cluster:
    """The documents of a small cluster."""
    sfx = secrets.token_hex(4)
    clash_realm, clash_username = f"clash-{sfx}.kazoo.test", f"taken{sfx}"
    reseller = kz.account(f"Reseller {sfx}", f"reseller-{sfx}.kazoo.test", [])
    child = kz.account(f"Acme {sfx}", f"acme-{sfx}.kazoo.test", [reseller["_id"]])
    grandchild = kz.account(f"Acme Lyon {sfx}", f"lyon-{sfx}.kazoo.test", [reseller["_id"], child["_id"]])
    clashing = kz.account(f"Clash {sfx}", clash_realm, [reseller["_id"]])
    gone = kz.account(f"Gone {sfx}", f"gone-{sfx}.kazoo.test", [reseller["_id"]], pvt_deleted=True)
    passwords = {"alice": "Alice-pw-1", "bob": "Bob-pw-22", "phone": "sipSecret9"}
    alice = kz.user(reseller["_id"], "alice", passwords["alice"])
    bob = kz.user(child["_id"], "Bob", passwords["bob"], priv_level="user")
    owned = kz.device(child["_id"], f"bob{sfx}", passwords["phone"], owner_id=bob["_id"])
    unowned = kz.device(child["_id"], f"lobby{sfx}", "lobbyPass1")
    deleted = kz.device(child["_id"], f"old{sfx}", "oldPass11", pvt_deleted=True)
    lyon = kz.device(grandchild["_id"], f"lyon{sfx}", "lyonPass1", owner_id=None)
    clash_device = kz.device(clashing["_id"], clash_username, "clashPass1")
    dump = kz.Dump()
    pbx = [
        kz.callflow(reseller["_id"], "100", alice["_id"]),
        kz.callflow(reseller["_id"], "101", alice["_id"], pvt_deleted=True),
        kz.vmbox(reseller["_id"], "100", alice["_id"]),
        kz.media(reseller["_id"], "Greeting"),
        kz.metaflows(reseller["_id"]),
    ]
    dump.add_account(reseller, alice, *pbx)
    dump.add_account(grandchild, lyon)  # a child listed before its parent: the import orders by depth
    dump.add_account(child, bob, owned, unowned, deleted)
    dump.add_account(clashing)
    dump.add_account(gone)
    cluster = Cluster(
        dump, root, reseller, child, grandchild, clashing, alice, bob, owned, unowned, deleted, clash_device, passwords
    )
    cluster.write()
    return cluster


@pytest.fixture
def cluster(tmp_path) -> Cluster:
    """A dump of a small Kazoo cluster, written under tmp_path."""
    return build_cluster(tmp_path / "dump")


async def import_dump(stack_env, root: Path, **kw):
    """Run import-kazoo in this process; the report."""
    database = await Database.connect(stack_env.dsn, 5)
    try:
        progress = Progress(0, out=io.StringIO(), tty=False)
        return await run_import(database, stack_env.settings(), DumpSource(str(root)), progress=progress, **kw)
    finally:
        await database.close()
