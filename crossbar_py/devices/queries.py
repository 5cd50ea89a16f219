"""SQL for devices."""

from crossbar_py.platform.db import sql

GET_DEVICE = "SELECT * FROM devices WHERE id = %(id)s AND account_id = %(account_id)s AND NOT deleted"

# {filters}: crossbar_py.http.filters.build (composed with psycopg2.sql, values bound).
LIST_DEVICES_PAGE = sql.SQL("""
SELECT * FROM devices
 WHERE account_id = %(account_id)s AND NOT deleted AND id >= %(start)s {filters}
 ORDER BY id
 LIMIT %(limit)s
""")

ACCOUNT_DEVICES = "SELECT * FROM devices WHERE account_id = %(account_id)s ORDER BY id"

INSERT_DEVICE = """
INSERT INTO devices (id, account_id, name, sip_username, sip_realm, ha1, ha1b, owner_id, enabled, device_type,
                     mac_address, doc, rev_hash)
VALUES (%(id)s, %(account_id)s, %(name)s, %(sip_username)s, %(sip_realm)s, %(ha1)s, %(ha1b)s, %(owner_id)s,
        %(enabled)s, %(device_type)s, %(mac_address)s, %(doc)s, %(rev_hash)s)
RETURNING *
"""

# Several devices in one statement (an import): one array per column, one element per device.
INSERT_DEVICES = """
INSERT INTO devices (id, account_id, name, sip_username, sip_realm, ha1, ha1b, owner_id, enabled, device_type,
                     mac_address, doc, rev_hash)
SELECT d.id, %(account_id)s, d.name, d.sip_username, d.sip_realm, d.ha1, d.ha1b, d.owner_id, d.enabled,
       d.device_type, d.mac_address, d.doc::jsonb, d.rev_hash
  FROM unnest(%(id)s::text[], %(name)s::text[], %(sip_username)s::text[], %(sip_realm)s::text[], %(ha1)s::text[],
              %(ha1b)s::text[], %(owner_id)s::text[], %(enabled)s::boolean[], %(device_type)s::text[],
              %(mac_address)s::text[], %(doc)s::text[], %(rev_hash)s::text[])
       AS d (id, name, sip_username, sip_realm, ha1, ha1b, owner_id, enabled, device_type, mac_address, doc, rev_hash)
RETURNING *
"""

GET_DEVICE_FOR_UPDATE = GET_DEVICE + " FOR UPDATE"

UPDATE_DEVICE = """
UPDATE devices
   SET name = %(name)s, sip_username = %(sip_username)s, sip_realm = %(sip_realm)s, ha1 = %(ha1)s,
       ha1b = %(ha1b)s, owner_id = %(owner_id)s, enabled = %(enabled)s, device_type = %(device_type)s,
       mac_address = %(mac_address)s, doc = %(doc)s, rev = rev + 1, rev_hash = %(rev_hash)s, modified = now()
 WHERE id = %(id)s
RETURNING *
"""


class Delete:
    """The statements crud.delete_document runs for a device."""

    FOR_UPDATE = GET_DEVICE_FOR_UPDATE
    SOFT_DELETE = "UPDATE devices SET deleted = true, rev = rev + 1, modified = now() WHERE id = %(id)s"
    HARD_DELETE = "DELETE FROM devices WHERE id = %(id)s"


USER_DEVICES = """
SELECT * FROM devices
 WHERE account_id = %(account_id)s AND NOT deleted
   AND (owner_id = %(user_id)s OR doc -> 'hotdesk' -> 'users' ? %(user_id)s)
 ORDER BY id
"""

UPDATE_DEVICE_CREDENTIALS = """
UPDATE devices SET sip_realm = %(sip_realm)s, ha1 = %(ha1)s, ha1b = %(ha1b)s WHERE id = %(id)s
"""

# Devices that use the account realm (no sip.realm of their own) follow a realm change.
DEVICES_ON_ACCOUNT_REALM = """
SELECT * FROM devices WHERE account_id = %(account_id)s AND NOT deleted AND NOT (doc -> 'sip' ? 'realm') FOR UPDATE
"""

# Which of these (SIP username, realm) pairs are the account's own devices (exact, as Kamailio matches).
OWNED_SIP_IDENTITIES = """
SELECT d.sip_username, d.sip_realm
  FROM devices d
  JOIN unnest(%(usernames)s::text[], %(realms)s::text[]) AS p(username, realm)
    ON d.sip_username = p.username AND d.sip_realm = p.realm
 WHERE d.account_id = %(account_id)s AND NOT d.deleted
"""
