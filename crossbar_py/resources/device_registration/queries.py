"""SQL for per-device registration state and history (registrations-plus.md)."""

from psycopg2 import sql

NOW_UTC = "(now() AT TIME ZONE 'UTC')"

DEVICE_LOGS = """
SELECT ts, event, contact, received, source, user_agent, expires_at, reason, request_id
  FROM registration_events
 WHERE device_id = %(device_id)s
 ORDER BY id DESC
 LIMIT %(lines)s
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

DEVICE_STATE = """
SELECT status FROM device_registration_state WHERE device_id = %(device_id)s AND account_id = %(account_id)s
"""

# {filters}: status, device_type and device ids, composed with psycopg2.sql (values bound).
BULK_STATES = sql.SQL("""
SELECT * FROM device_registration_state WHERE account_id = %(account_id)s {filters}
 ORDER BY device_id LIMIT %(limit)s OFFSET %(offset)s
""")

BULK_COUNTS = sql.SQL("""
SELECT count(*) AS total,
       count(*) FILTER (WHERE status = 'registered') AS registered,
       count(*) FILTER (WHERE status IN ('unregistered', 'expired', 'invalid', 'provisioning')) AS unregistered,
       count(*) FILTER (WHERE status = 'offline') AS offline
  FROM device_registration_state WHERE account_id = %(account_id)s {filters}
""")

OWN_DEVICE_IDS = "SELECT id FROM devices WHERE account_id = %(account_id)s AND NOT deleted AND id = ANY(%(ids)s)"
