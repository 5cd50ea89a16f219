"""Kazoo documents as a dump or the API gives them, turned into what our services take (no I/O)."""

import hashlib
import json

from crossbar_py.common.documents import strip_private

# Kazoo's pvt_type of each PBX document -> the collection of our Kazoo document store.
PBX = {
    "callflow": "callflows",
    "vmbox": "vmboxes",
    "group": "groups",
    "directory": "directories",
    "media": "media",
    "temporal_rule": "temporal_rules",
    "temporal_rule_set": "temporal_rules_sets",
    "menu": "menus",
    "conference": "conferences",
    "faxbox": "faxboxes",
}
IMPORTED = ("account", "user", "device", *PBX)
ORDER = {"user": 0, "device": 1}


def doc_id(doc: dict) -> str:
    """The document's id (`_id` in a dump, `id` from the API)."""
    return doc.get("_id") or doc.get("id") or ""


def kind(doc: dict) -> str:
    """Kazoo's pvt_type; API documents carry none, so their kind is passed in."""
    if doc_id(doc).startswith("_design/"):
        return "design"
    return doc.get("pvt_type") or doc.get("_kind") or "unknown"


def deleted(doc: dict) -> bool:
    """Kazoo's soft delete."""
    return doc.get("pvt_deleted") is True or doc.get("_deleted") is True


def source_hash(doc: dict) -> str:
    """A fingerprint of the source document; CouchDB's _rev alone changes on replication too."""
    body = {k: v for k, v in doc.items() if k not in ("_rev", "_kind")}
    return hashlib.md5(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def public(doc: dict) -> dict:
    """The public fields plus the id: what a client could have sent."""
    data = strip_private({k: v for k, v in doc.items() if k != "id"})
    data["id"] = doc_id(doc)
    return data


def account_data(doc: dict) -> dict:
    """An account's create/replace body; Kazoo keeps a disabled account's state in pvt_enabled."""
    data = public(doc)
    data["enabled"] = doc.get("pvt_enabled", doc.get("enabled", True)) is not False
    return data


def user_digests(doc: dict) -> tuple:
    """(md5, sha1) credential digests of a user, None where absent (the API never returns them)."""
    return doc.get("pvt_md5_auth") or None, doc.get("pvt_sha1_auth") or None


def parent_of(tree: list, under: str | None) -> str | None:
    """The parent's id: the last ancestor, or the account the import goes under."""
    return tree[-1] if tree else under


def diff(old, new, path: str = "") -> list:
    """What changes from old to new, one `path: old -> new` line per leaf."""
    if isinstance(old, dict) and isinstance(new, dict):
        lines = []
        for key in sorted(set(old) | set(new), key=str):
            sub = f"{path}.{key}" if path else str(key)
            if key not in new:
                lines.append(f"{sub}: {_show(old[key])} -> (removed)")
            elif key not in old:
                lines.append(f"{sub}: (absent) -> {_show(new[key])}")
            else:
                lines += diff(old[key], new[key], sub)
        return lines
    return [] if old == new else [f"{path}: {_show(old)} -> {_show(new)}"]


def _show(value) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."


def sort_docs(docs: list) -> list:
    """Users before devices, so that owners exist when their devices arrive."""
    return sorted(docs, key=lambda d: ORDER.get(kind(d), 2))
