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

INSERT_DEVICE = """
INSERT INTO devices (id, account_id, name, sip_username, sip_realm, ha1, ha1b, owner_id, enabled, device_type,
                     mac_address, doc, rev_hash)
VALUES (%(id)s, %(account_id)s, %(name)s, %(sip_username)s, %(sip_realm)s, %(ha1)s, %(ha1b)s, %(owner_id)s,
        %(enabled)s, %(device_type)s, %(mac_address)s, %(doc)s, %(rev_hash)s)
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
