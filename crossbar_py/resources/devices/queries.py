"""SQL for devices."""

GET_DEVICE = "SELECT * FROM devices WHERE id = %(id)s AND account_id = %(account_id)s AND NOT deleted"

LIST_DEVICES_PAGE = """
SELECT * FROM devices
 WHERE account_id = %(account_id)s AND NOT deleted AND id >= %(start)s
 ORDER BY id
 LIMIT %(limit)s
"""

INSERT_DEVICE = """
INSERT INTO devices (id, account_id, name, sip_username, sip_realm, ha1, ha1b, owner_id, enabled, device_type,
                     mac_address, doc, rev_hash)
VALUES (%(id)s, %(account_id)s, %(name)s, %(sip_username)s, %(sip_realm)s, %(ha1)s, %(ha1b)s, %(owner_id)s,
        %(enabled)s, %(device_type)s, %(mac_address)s, %(doc)s, %(rev_hash)s)
RETURNING *
"""
