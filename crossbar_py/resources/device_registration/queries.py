"""SQL for per-device registration state and history (registrations-plus.md)."""

NOW_UTC = "(now() AT TIME ZONE 'UTC')"

DEVICE_LOGS = """
SELECT ts, event, contact, received, source, user_agent, expires_at, reason, request_id
  FROM registration_events
 WHERE device_id = %(device_id)s
 ORDER BY id DESC
 LIMIT %(lines)s
"""

LIVE_CONTACTS = f"""
SELECT count(*) AS n FROM location
 WHERE username = %(username)s AND domain = %(realm)s AND expires > {NOW_UTC}
"""

LAST_EVENT = """
SELECT event FROM registration_events WHERE device_id = %(device_id)s ORDER BY id DESC LIMIT 1
"""

OWNER_ENABLED = "SELECT enabled AND NOT deleted AS ok FROM users WHERE id = %(owner_id)s"
