"""SQL for per-device registration state and history (docs/monitoring.md)."""

from crossbar_py.platform.db import sql
from crossbar_py.registrations.sqltext import NOW_UTC

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
SELECT status, contact, received, last_modified FROM device_registration_state
 WHERE device_id = %(device_id)s AND account_id = %(account_id)s
"""

# Every device of one account with its status, as a CTE `states` (same columns as the view, less the
# newest contact): the account's live contacts are read by realm and counted once, then hash-joined,
# instead of one probe per device (bench/monitoring).
ACCOUNT_STATES = """
WITH realms AS (
  SELECT realm FROM accounts WHERE id = %(account_id)s
  UNION
  SELECT sip_realm FROM devices
   WHERE account_id = %(account_id)s AND (doc -> 'sip' ->> 'realm') IS NOT NULL AND NOT deleted
), live AS (
  SELECT l.username, l.domain, count(*) AS n, max(l.expires) AS expires_at
    FROM location l
   WHERE l.domain IN (SELECT realm FROM realms) AND l.expires > (now() AT TIME ZONE 'UTC')
   GROUP BY l.username, l.domain
), states AS (
  SELECT d.id COLLATE "C" AS device_id, d.name, d.device_type, d.sip_username, d.sip_realm,
         live.n AS live_contacts, live.expires_at, CASE WHEN live.n > 0 THEN s.registered_at END AS registered_at,
         registration_status(device_blocked(d.enabled, a.enabled, u.enabled, u.deleted),
                             live.n, s.last_event, d.created) AS status
    FROM devices d
    JOIN accounts a ON a.id = d.account_id
    LEFT JOIN users u ON u.id = d.owner_id
    LEFT JOIN device_registration_summary s ON s.device_id = d.id
    LEFT JOIN live ON live.username = d.sip_username AND live.domain = d.sip_realm
   WHERE d.account_id = %(account_id)s AND NOT d.deleted
)
"""

# {filters}: status, device_type and device ids, composed with psycopg2.sql (values bound). The page's
# newest contacts are read for its rows only.
BULK_PAGE = sql.SQL(
    ACCOUNT_STATES
    + """, page AS (
  SELECT states.* FROM states WHERE true {filters}
   ORDER BY device_id LIMIT %(limit)s OFFSET %(offset)s
)
SELECT page.*, c.contact, c.received FROM page
  LEFT JOIN LATERAL (
       SELECT l.contact, l.received FROM location l
        WHERE l.username = page.sip_username AND l.domain = page.sip_realm AND l.expires > (now() AT TIME ZONE 'UTC')
        ORDER BY l.last_modified DESC LIMIT 1) c ON page.live_contacts > 0
 ORDER BY page.device_id
"""
)

# A page in device id order when no status filter applies: the ids from the index, their states one by one.
BULK_PAGE_BY_ID = sql.SQL("""
SELECT v.* FROM (
  SELECT id FROM devices WHERE account_id = %(account_id)s AND NOT deleted {filters}
   ORDER BY id LIMIT %(limit)s OFFSET %(offset)s) p
  JOIN device_registration_state v ON v.device_id = p.id
 ORDER BY v.device_id
""")

# The counts over the filter, for the pagination summary. (the page query then has no row to carry them).
BULK_COUNTS = sql.SQL(
    ACCOUNT_STATES
    + """SELECT count(*) AS total,
       count(*) FILTER (WHERE status = 'registered') AS registered,
       count(*) FILTER (WHERE status IN ('unregistered', 'expired', 'invalid', 'provisioning')) AS unregistered,
       count(*) FILTER (WHERE status = 'offline') AS offline
  FROM states WHERE true {filters}
"""
)

OWN_DEVICE_IDS = "SELECT id FROM devices WHERE account_id = %(account_id)s AND NOT deleted AND id = ANY(%(ids)s)"

# Per type and status, with the offline devices named (for the dashboard's alerts).
DASHBOARD_COUNTS = (
    ACCOUNT_STATES
    + """SELECT coalesce(device_type, 'sip_device') COLLATE "C" AS device_type, status COLLATE "C" AS status,
       count(*) AS n,
       jsonb_agg(jsonb_build_object('id', device_id, 'name', name) ORDER BY device_id)
         FILTER (WHERE status = 'offline') AS offline
  FROM states
 GROUP BY 1, 2
"""
)

# Devices that flapped or failed digest auth repeatedly within the last hour (ids compared bytewise:
# "C" sorts and groups them without the locale's cost).
DASHBOARD_TROUBLE = """
WITH t AS (
  SELECT e.device_id COLLATE "C" AS device_id,
         count(*) FILTER (WHERE e.event = 'registered') AS registrations,
         count(*) FILTER (WHERE e.event = 'auth_failed') AS auth_failures,
         (array_agg(e.source ORDER BY e.id DESC) FILTER (WHERE e.event = 'auth_failed'))[1] AS last_source
    FROM registration_events e
   WHERE e.account_id = %(account_id)s AND e.ts > now() - interval '1 hour'
     AND e.event IN ('registered', 'auth_failed') AND e.device_id IS NOT NULL
   GROUP BY 1
  HAVING count(*) FILTER (WHERE e.event = 'registered') >= %(flapping)s
      OR count(*) FILTER (WHERE e.event = 'auth_failed') >= %(auth_failures)s
)
SELECT t.*, d.name FROM t JOIN devices d ON d.id = t.device_id AND NOT d.deleted
"""

# Registered devices over a period, replayed from the journal (exact): the step function N(t) of
# devices with at least one live contact, from the latest snapshot at or before the start. An
# `expired` contact ended at its expiry, not when Kamailio's timer got to it. Parameters:
# account_id, t0 and t1 (the span), points (series points, evenly spaced, the last at t1).
REPLAY = """
WITH bounds AS (
  SELECT %(t0)s::timestamptz AS t0, %(t1)s::timestamptz AS t1,
         extract(epoch FROM %(t1)s::timestamptz - %(t0)s::timestamptz) / %(points)s AS bucket
),
snap AS (
  SELECT s.taken_at, s.live_devices, s.live_contacts, s.offline_devices, s.registered, s.offline
    FROM registration_snapshots s, bounds
   WHERE s.account_id = %(account_id)s AND s.taken_at <= bounds.t0
   ORDER BY s.taken_at DESC LIMIT 1
),
start AS (
  SELECT coalesce((SELECT taken_at FROM snap), '-infinity'::timestamptz) AS s
),
-- A device is live or offline in a snapshot, never both.
base AS (
  SELECT u.device_id, u.n, false AS off FROM snap, unnest(snap.live_devices, snap.live_contacts) AS u(device_id, n)
  UNION ALL
  SELECT o.device_id, 0, true FROM snap, unnest(snap.offline_devices) AS o(device_id)
),
-- Both ends of the range are scalars (the start an InitPlan), so they bound the account's index scan;
-- joined from the CTEs, the start was only a filter over the whole journal up to t1 (bench/monitoring).
ev AS (
  SELECT e.id, e.device_id, e.event,
         CASE WHEN e.event = 'expired' THEN least(e.ts, e.expires_at) ELSE e.ts END AS at,
         CASE e.event WHEN 'registered' THEN 1 WHEN 'auth_failed' THEN 0 ELSE -1 END AS d
    FROM registration_events e
   WHERE e.account_id = %(account_id)s AND e.device_id IS NOT NULL
     AND e.ts > (SELECT s FROM start) AND e.ts <= %(t1)s::timestamptz
     AND e.event IN ('registered', 'unregistered', 'expired', 'flushed', 'offline', 'auth_failed')
),
run AS (
  SELECT ev.id, ev.device_id, ev.event, ev.at,
         coalesce(b.n, 0) + sum(ev.d) OVER w AS n,
         coalesce(b.n, 0) > 0 AS on0, coalesce(b.off, false) AS off0
    FROM ev JOIN start ON ev.at > start.s
    LEFT JOIN base b USING (device_id)
  WINDOW w AS (PARTITION BY ev.device_id COLLATE "C" ORDER BY ev.at, ev.id)
),
flags AS (
  SELECT at, (n > 0)::int AS on_now, coalesce(lag((n > 0)::int) OVER w, on0::int) AS on_before,
         (event = 'offline' AND n <= 0)::int AS off_now,
         coalesce(lag((event = 'offline' AND n <= 0)::int) OVER w, off0::int) AS off_before
    FROM run
  WINDOW w AS (PARTITION BY device_id COLLATE "C" ORDER BY at, id)
),
changes AS (
  SELECT at, sum(on_now - on_before) AS dreg, sum(off_now - off_before) AS doff
    FROM flags WHERE on_now <> on_before OR off_now <> off_before
   GROUP BY at
),
initial AS (
  SELECT coalesce((SELECT registered FROM snap), 0)
           + coalesce((SELECT sum(dreg) FROM changes, bounds WHERE at <= bounds.t0), 0) AS reg,
         coalesce((SELECT offline FROM snap), 0)
           + coalesce((SELECT sum(doff) FROM changes, bounds WHERE at <= bounds.t0), 0) AS off
),
steps AS (
  SELECT bounds.t0 AS at, initial.reg AS n FROM bounds, initial
  UNION ALL
  SELECT c.at, initial.reg + sum(c.dreg) OVER (ORDER BY c.at) FROM changes c, bounds, initial WHERE c.at > bounds.t0
),
segments AS (
  SELECT n, extract(epoch FROM coalesce(lead(at) OVER (ORDER BY at), (SELECT t1 FROM bounds)) - at) AS secs
    FROM steps
),
per_bucket AS (
  SELECT ceil(extract(epoch FROM c.at - bounds.t0) / bounds.bucket)::int AS k, sum(dreg) AS dreg, sum(doff) AS doff
    FROM changes c, bounds WHERE c.at > bounds.t0 GROUP BY 1
),
series AS (
  SELECT g.k, bounds.t0 + make_interval(secs => g.k * bounds.bucket) AS at,
         initial.reg + sum(coalesce(p.dreg, 0)) OVER (ORDER BY g.k) AS registered,
         initial.off + sum(coalesce(p.doff, 0)) OVER (ORDER BY g.k) AS offline
    FROM bounds, initial, generate_series(1, %(points)s) AS g(k)
    LEFT JOIN per_bucket p USING (k)
)
SELECT (SELECT sum(n * secs) FROM segments) AS device_seconds,
       (SELECT max(n) FROM steps)::int AS peak,
       (SELECT min(n) FROM steps)::int AS lowest,
       (SELECT json_agg(json_build_object('at', at, 'registered', registered, 'offline', offline) ORDER BY k)
          FROM series) AS series
"""


DB_NOW = "SELECT now() AS now"

ACCOUNT_DEVICES = "SELECT count(*) AS n FROM devices WHERE account_id = %(account_id)s AND NOT deleted"

# Snapshot intervals wholly inside [t0, t1], whose aggregates add up instead of a replay.
SNAPSHOT_SPAN = """
SELECT min(since) AS first, max(taken_at) AS last, sum(device_seconds) AS device_seconds,
       max(peak) AS peak, min(lowest) AS lowest, sum(extract(epoch FROM taken_at - since)) AS covered
  FROM registration_snapshots
 WHERE account_id = %(account_id)s AND since IS NOT NULL AND since >= %(t0)s AND taken_at <= %(t1)s
"""

# Registered and offline devices at each point: as the latest snapshot at or before it saw them.
SNAPSHOT_SERIES = """
SELECT p.at, s.registered, s.offline
  FROM unnest(%(points)s::timestamptz[]) AS p(at)
  LEFT JOIN LATERAL (
       SELECT registered, offline FROM registration_snapshots
        WHERE account_id = %(account_id)s AND taken_at <= p.at ORDER BY taken_at DESC LIMIT 1) s ON true
 ORDER BY p.at
"""

# /metrics: every account's devices by registration state, and the live contacts (the whole fleet).
COUNT_BY_STATE = "SELECT status, count(*) AS n FROM device_registration_state GROUP BY status"
LIVE_CONTACTS = f"SELECT count(*) AS n FROM location WHERE expires > {NOW_UTC}"
