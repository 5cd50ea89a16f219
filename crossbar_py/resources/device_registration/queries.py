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

DEVICE_CONTACTS = f"""
SELECT ruid, contact, received, socket, user_agent, expires, last_modified, cflags FROM location
 WHERE username = %(username)s AND domain = %(realm)s AND expires > {NOW_UTC}
 ORDER BY last_modified DESC
"""

FIRST_REGISTERED = """
SELECT DISTINCT ON (ruid) ruid, ts FROM registration_events
 WHERE device_id = %(device_id)s AND ruid = ANY(%(ruids)s) AND event = 'registered'
 ORDER BY ruid, id DESC
"""

LAST_REGISTRATION = """
SELECT * FROM registration_events
 WHERE device_id = %(device_id)s AND event IN ('registered', 'refreshed', 'replaced')
 ORDER BY id DESC LIMIT 1
"""

AUTH_FAILURES = """
SELECT ts, source, reason, user_agent FROM registration_events
 WHERE device_id = %(device_id)s AND event = 'auth_failed' ORDER BY id DESC LIMIT 5
"""

REGISTRATIONS_LAST_HOUR = """
SELECT count(*) AS n FROM registration_events
 WHERE device_id = %(device_id)s AND event = 'registered' AND ts > now() - interval '1 hour'
"""

FLUSH_DEVICE = """
DELETE FROM location WHERE username = %(username)s AND domain = %(realm)s
RETURNING ruid, contact, received, user_agent, expires, socket
"""
