"""SQL for SIP devices (the device rows themselves are the devices resource's)."""

# The live-contact columns of device_registration_state (sql/009): status and where the phone is.
REGISTRATION_STATE = """
SELECT status, contact, received, last_modified FROM device_registration_state
 WHERE device_id = %(device_id)s AND account_id = %(account_id)s
"""
