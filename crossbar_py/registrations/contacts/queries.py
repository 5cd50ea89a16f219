"""SQL for registrations: Kamailio's usrloc `location` table (DB-only mode: the one truth)."""

from crossbar_py.registrations.sqltext import NOW_UTC

# usrloc writes expires in UTC into a column without a time zone (Kamailio runs with TZ=UTC).

_SELECT_CONTACT = f"""
SELECT l.id, l.ruid, l.username, l.domain, l.contact, l.received, l.path, l.callid, l.cseq, l.user_agent,
       l.socket, l.last_modified, l.expires, l.cflags, l.instance, l.reg_id,
       GREATEST(0, CEIL(EXTRACT(EPOCH FROM (l.expires - {NOW_UTC}))))::int AS expires_in,
       d.id AS device_id, d.owner_id, d.doc AS device_doc,
       a.realm AS account_realm, a.name AS account_name
"""

_CONTACT_COLUMNS = (
    _SELECT_CONTACT
    + """
  FROM location l
  LEFT JOIN devices d ON d.sip_username = l.username AND d.sip_realm = l.domain AND NOT d.deleted
  LEFT JOIN accounts a ON a.id = d.account_id
"""
)

# An account's registrations are the contacts of its own devices, never "whatever is in a realm": a realm
# string proves nothing about who registered in it (docs/tenancy.md).
_OWN_LIVE_CONTACTS = f"""
  FROM devices d
  JOIN accounts a ON a.id = d.account_id
  JOIN location l ON l.username = d.sip_username AND l.domain = d.sip_realm
 WHERE d.account_id = %(account_id)s AND NOT d.deleted AND d.sip_username IS NOT NULL
   AND l.expires > {NOW_UTC}
"""

LIST_ACCOUNT_CONTACTS = _SELECT_CONTACT + _OWN_LIVE_CONTACTS + " ORDER BY l.username, l.id"

LIST_ALL_CONTACTS = (
    _CONTACT_COLUMNS
    + f"""
 WHERE l.expires > {NOW_UTC}
 ORDER BY l.domain, l.username, l.id
"""
)

COUNT_ACCOUNT_CONTACTS = "SELECT count(*) AS count" + _OWN_LIVE_CONTACTS

COUNT_ALL_CONTACTS = f"SELECT count(*) AS count FROM location WHERE expires > {NOW_UTC}"

REGISTERED_DEVICES = f"""
SELECT DISTINCT d.id AS device_id
  FROM location l
  JOIN devices d ON d.sip_username = l.username AND d.sip_realm = l.domain AND NOT d.deleted
 WHERE d.account_id = %(account_id)s AND l.expires > {NOW_UTC}
 ORDER BY d.id
"""

DEVICES_BY_SIP_USERNAME = """
SELECT id, sip_username, sip_realm FROM devices
 WHERE account_id = %(account_id)s AND NOT deleted AND lower(sip_username) = lower(%(username)s)
"""

# The live contacts of one AoR (username@realm), newest first.
AOR_CONTACTS = f"""
SELECT ruid, contact, received, socket, user_agent, expires, last_modified, callid, cseq FROM location
 WHERE username = %(username)s AND domain = %(realm)s AND expires > {NOW_UTC}
 ORDER BY last_modified DESC
"""

FLUSH_ACCOUNT = """
DELETE FROM location l USING devices d
 WHERE d.account_id = %(account_id)s AND NOT d.deleted
   AND l.username = d.sip_username AND l.domain = d.sip_realm
RETURNING l.ruid
"""

FLUSH_AOR = """
DELETE FROM location WHERE username = %(username)s AND domain = %(realm)s
RETURNING ruid, contact, received, socket, user_agent, expires
"""
