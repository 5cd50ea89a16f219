"""Build Kazoo documents and CouchDB dumps of them, in the formats Kazoo stores (accounts.json,
users.json and devices.json schemas, pvt_* fields as kazoo_documents writes them)."""

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

GREGORIAN_NOW = 63_900_000_000


def new_id() -> str:
    """A Kazoo document id."""
    return secrets.token_hex(16)


def account_db(account_id: str) -> str:
    """account/xx/yy/rest."""
    return f"account/{account_id[:2]}/{account_id[2:4]}/{account_id[4:]}"


def _pvt(kind: str, account_id: str) -> dict:
    return {
        "_rev": f"3-{secrets.token_hex(16)}",
        "pvt_type": kind,
        "pvt_account_id": account_id,
        "pvt_account_db": quote(account_db(account_id), safe=""),
        "pvt_created": GREGORIAN_NOW,
        "pvt_modified": GREGORIAN_NOW + 60,
        "pvt_vsn": "1",
    }


def account(name: str, realm: str, tree: list, **extra) -> dict:
    """An account document as Kazoo keeps it in `accounts` and in the account's own database."""
    account_id = extra.pop("_id", None) or new_id()
    return {
        "_id": account_id,
        "name": name,
        "realm": realm,
        "timezone": "Europe/Paris",
        "language": "fr-fr",
        "caller_id": {"external": {"number": "+33100000000"}},
        "pvt_tree": tree,
        "pvt_enabled": True,
        "pvt_api_key": secrets.token_hex(32),
        **_pvt("account", account_id),
        **extra,
    }


def user(account_id: str, username: str, password: str, **extra) -> dict:
    """A user: the password survives only as md5/sha1 of 'username:password' (lower-cased username)."""
    plain = f"{username.lower()}:{password}".encode()
    return {
        "_id": new_id(),
        "first_name": username.capitalize(),
        "last_name": "Example",
        "username": username,
        "email": f"{username}@example.com",
        "priv_level": "admin",
        "enabled": True,
        "vm_to_email_enabled": True,
        "pvt_md5_auth": hashlib.md5(plain).hexdigest(),
        "pvt_sha1_auth": hashlib.sha1(plain).hexdigest(),
        **_pvt("user", account_id),
        **extra,
    }


def device(account_id: str, username: str, password: str, owner_id: str | None = None, **extra) -> dict:
    """A SIP phone."""
    doc = {
        "_id": new_id(),
        "name": f"Phone {username}",
        "device_type": "sip_device",
        "enabled": True,
        "mac_address": "00:04:f2:" + ":".join(secrets.token_hex(1) for _ in range(3)),
        "sip": {
            "username": username,
            "password": password,
            "method": "password",
            "invite_format": "username",
            "expire_seconds": 300,
        },
        "media": {"audio": {"codecs": ["PCMU", "PCMA"]}, "video": {"codecs": []}},
        "caller_id": {"internal": {"number": "1001"}},
        "provision": {"endpoint_brand": "polycom", "endpoint_model": "vvx400"},
        "call_forward": {"enabled": False},
        **_pvt("device", account_id),
        **extra,
    }
    if owner_id:
        doc["owner_id"] = owner_id
    return doc


def callflow(account_id: str, number: str, user_id: str = "", **extra) -> dict:
    """A callflow ringing a user."""
    flow = {"module": "user", "data": {"id": user_id, "timeout": 20}, "children": {}}
    return {
        "_id": new_id(),
        "name": f"ring {number}",
        "numbers": [number],
        "flow": flow,
        **_pvt("callflow", account_id),
        **extra,
    }


def vmbox(account_id: str, mailbox: str, owner_id: str) -> dict:
    """A voicemail box."""
    return {
        "_id": new_id(),
        "name": f"box {mailbox}",
        "mailbox": mailbox,
        "owner_id": owner_id,
        "pin": "1234",
        "timezone": "Europe/Paris",
        **_pvt("vmbox", account_id),
    }


def media(account_id: str, name: str) -> dict:
    """Media metadata (the audio attachment itself is not part of the import)."""
    return {
        "_id": new_id(),
        "name": name,
        "media_source": "upload",
        "content_type": "audio/mpeg",
        "streamable": True,
        "_attachments": {"greeting.mp3": {"content_type": "audio/mpeg", "length": 1234}},
        **_pvt("media", account_id),
    }


def metaflows(account_id: str) -> dict:
    """A document type we have no store for."""
    return {"_id": new_id(), "numbers": {}, "patterns": {}, **_pvt("metaflows", account_id)}


def all_docs(docs: list) -> dict:
    """The body of GET /{db}/_all_docs?include_docs=true."""
    rows = [{"id": d["_id"], "key": d["_id"], "value": {"rev": d["_rev"]}, "doc": d} for d in docs]
    design = {"_id": "_design/users", "_rev": "1-0", "language": "javascript", "views": {}}
    rows.append({"id": design["_id"], "key": design["_id"], "value": {"rev": "1-0"}, "doc": design})
    return {"total_rows": len(rows), "offset": 0, "rows": rows}


@dataclass
class Dump:
    """Accounts and their documents, written as one file per database."""

    accounts: list = field(default_factory=list)
    docs: dict = field(default_factory=dict)

    def add_account(self, doc: dict, *docs) -> dict:
        """An account with its documents (its own document goes into its database too, as in Kazoo)."""
        self.accounts.append(doc)
        self.docs[doc["_id"]] = [doc, *docs]
        return doc

    def write(self, root: Path) -> Path:
        """Write accounts.json and account%2Fxx%2Fyy%2Frest.json files."""
        root.mkdir(parents=True, exist_ok=True)
        (root / "accounts.json").write_text(json.dumps(all_docs(self.accounts)))
        for account_id, docs in self.docs.items():
            (root / (quote(account_db(account_id), safe="") + ".json")).write_text(json.dumps(all_docs(docs)))
        return root


def many(accounts: int, devices: int, users: int = 0, tag: str = "") -> Dump:
    """A reseller with `accounts` children, each with `users` users and `devices` phones."""
    sfx = tag or secrets.token_hex(4)
    dump = Dump()
    reseller = dump.add_account(account(f"Many {sfx}", f"many-{sfx}.kazoo.test", []))
    for i in range(accounts):
        acct = account(f"Customer {sfx} {i}", f"c{i}-{sfx}.kazoo.test", [reseller["_id"]])
        people = [user(acct["_id"], f"user{j}", f"pw-{i}-{j}") for j in range(users)]
        phones = [device(acct["_id"], f"p{i}x{j}", f"pass{i}x{j}") for j in range(devices)]
        dump.add_account(acct, *people, *phones)
    return dump
