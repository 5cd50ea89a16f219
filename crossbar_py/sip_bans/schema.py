"""Ban identifiers and the shape of one ban as the API shows it."""

import re
from datetime import UTC, datetime

from crossbar_py.common.times import iso
from crossbar_py.http.errors import BadIdentifier

# Kamailio's htable per ban type (kamailio.cfg): the key is "<address>|<username>@<realm>" for
# credentials bans and "<address>" for the others; the value is the epoch second the ban ends.
TABLES = {"credentials": "authban", "scanner": "scanban", "flood": "floodban"}
TYPES = {table: kind for kind, table in TABLES.items()}
# The counters Kamailio keeps toward each ban: lifting a ban clears them too, or one more failure re-bans.
COUNTERS = {"authban": "authfail", "scanban": "ipfail", "floodban": None}
_ID_RE = re.compile(r"^[0-9a-f]{2,1024}$")


def ban_id(table: str, key: str) -> str:
    """A path-safe id for one htable entry: hex of "<table>:<key>"."""
    return f"{table}:{key}".encode().hex()


def parse_ban_id(raw: str) -> tuple:
    """(table, key) of a ban id; 404 bad_identifier for anything we never handed out."""
    if not _ID_RE.match(raw) or len(raw) % 2:
        raise BadIdentifier(raw[:64])
    try:
        table, _, key = bytes.fromhex(raw).decode().partition(":")
    except UnicodeDecodeError:
        raise BadIdentifier(raw[:64]) from None
    if table not in TYPES or not key:
        raise BadIdentifier(raw[:64])
    return table, key


def ban(table: str, key: str, until: int, now: int) -> dict:
    """One ban element: id, type, ip, username and realm (credentials bans), bannedUntil, expiresIn."""
    ip, _, aor = key.partition("|")
    item: dict = {"id": ban_id(table, key), "type": TYPES[table], "ip": ip}
    if aor:
        username, _, realm = aor.rpartition("@")
        item.update(username=username, realm=realm)
    item.update(bannedUntil=iso(datetime.fromtimestamp(until, UTC)), expiresIn=max(0, until - now))
    return item
