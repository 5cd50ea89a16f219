"""SQL for registrations: Kamailio's usrloc `location` table (DB-only mode: the one truth)."""

from crossbar_py.common.documents import GREGORIAN_OFFSET
from crossbar_py.registrations.sqltext import NOW_UTC

# usrloc writes expires in UTC into a column without a time zone (Kamailio runs with TZ=UTC).

# The three device keys a record shows are read in SQL: the document is never decoded, not even in part
# (docs/performance.md). The two flags are booleans (the device schema says so), false when absent. `seen` is
# last_modified (UTC, no time zone) in Gregorian seconds (docs/decisions.md §15), without a datetime per row.
_SELECT_CONTACT = f"""
SELECT l.id, l.username, l.domain, l.contact, l.received, l.path, l.callid, l.user_agent, l.socket,
       l.instance, l.reg_id,
       floor(EXTRACT(EPOCH FROM l.last_modified))::bigint + {GREGORIAN_OFFSET} AS seen,
       GREATEST(0, CEIL(EXTRACT(EPOCH FROM (l.expires - {NOW_UTC}))))::int AS expires_in,
       d.id AS device_id, d.owner_id,
       coalesce(d.doc -> 'suppress_unregister_notifications' = 'true', false) AS suppress_unregister_notify,
       coalesce(d.doc -> 'register_overwrite_notify' = 'true', false) AS register_overwrite_notify,
       d.doc ->> 'presence_id' AS presence_id,
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

# A page (or, with no limit, all) from a (username, id) on: Kazoo's start key.
LIST_ACCOUNT_CONTACTS = (
    _SELECT_CONTACT
    + _OWN_LIVE_CONTACTS
    + """   AND (l.username, l.id) >= (%(start_username)s, %(start_id)s)
 ORDER BY l.username, l.id
 LIMIT %(limit)s
"""
)

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

# After a big flush, before autovacuum gets to it: stale statistics (thousands of dead rows counted live)
# made the planner sort every device on each listing (docs/performance.md).
ANALYZE_LOCATION = "ANALYZE location"
BIG_FLUSH = 1000

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
