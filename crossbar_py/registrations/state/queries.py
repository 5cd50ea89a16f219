"""SQL for per-device registration state and history (docs/monitoring.md)."""

from crossbar_py.platform.db import sql
from crossbar_py.registrations.sqltext import NOW_UTC, PROVISIONING_SINCE

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

# Stored statuses (sql/091) by status and type; `recent` counts the never-registered devices still
# inside the provisioning window. {scope}: one account, or the whole fleet.
_STORED_COUNTS = """
SELECT status, device_type, count(*) AS n,
       count(*) FILTER (WHERE status = 'new' AND created > {provisioning}) AS recent
  FROM device_registration_status {scope}
 GROUP BY 1, 2
"""
STORED_COUNTS = _STORED_COUNTS.format(provisioning=PROVISIONING_SINCE, scope="WHERE account_id = %(account_id)s")
FLEET_STORED_COUNTS = _STORED_COUNTS.format(provisioning=PROVISIONING_SINCE, scope="")

# Devices stored `registered` whose every contact has expired while Kamailio's timer has not removed it
# yet, with the status they have now (a few): location is read whole, as it has no index on `expires`
# (refreshes stay HOT updates; docs/decisions.md §29).
_EXPIRED_UNSWEPT = """
SELECT st.device_id, st.device_type, d.name, registration_status(false, 0, st.last_event, st.created) AS status
  FROM (SELECT DISTINCT username, domain FROM location WHERE expires <= {now}) x
  JOIN devices d ON d.sip_username = x.username AND d.sip_realm = x.domain AND NOT d.deleted
  JOIN device_registration_status st ON st.device_id = d.id AND st.status = 'registered'
 WHERE {scope} NOT EXISTS (SELECT 1 FROM location l
                            WHERE l.username = x.username AND l.domain = x.domain AND l.expires > {now})
"""
EXPIRED_UNSWEPT = _EXPIRED_UNSWEPT.format(now=NOW_UTC, scope="st.account_id = %(account_id)s AND")
FLEET_EXPIRED_UNSWEPT = _EXPIRED_UNSWEPT.format(now=NOW_UTC, scope="")

# One stored status in id order, for a page of one status: {age} splits `new` by the provisioning
# window, {filters} add ?type and ?device_id; the unswept devices are counted where they are now.
PAGE_PART = sql.SQL("""(
  SELECT device_id FROM device_registration_status
   WHERE account_id = %(account_id)s AND status = {stored} {age} {filters} AND device_id <> ALL(%(unswept)s)
   ORDER BY device_id LIMIT %(upto)s)""")
AGE = {
    None: sql.SQL(""),
    "recent": sql.SQL(f"AND created > {PROVISIONING_SINCE}"),
    "old": sql.SQL(f"AND created <= {PROVISIONING_SINCE}"),
}
PAGE_EXTRA = sql.SQL("(SELECT unnest(%(extra)s::text[]) AS device_id)")
BULK_PAGE = sql.SQL("""
SELECT v.* FROM (
  SELECT device_id FROM ({parts}) u ORDER BY device_id LIMIT %(limit)s OFFSET %(offset)s) p
  JOIN device_registration_state v ON v.device_id = p.device_id
 ORDER BY v.device_id
""")

# The states of a few named devices (?device_id=a,b,c), for their counts.
NAMED_STATES = """
SELECT status, coalesce(device_type, 'sip_device') AS device_type FROM device_registration_state
 WHERE account_id = %(account_id)s AND device_id = ANY(%(device_ids)s)
"""

# The first offline devices by id, named (the dashboard's alerts; the count comes from the counts).
OFFLINE_NAMED = """
SELECT st.device_id, d.name FROM device_registration_status st JOIN devices d ON d.id = st.device_id
 WHERE st.account_id = %(account_id)s AND st.status = 'offline'
 ORDER BY st.device_id LIMIT %(limit)s
"""

# A page in device id order when no status filter applies: the ids from the index, their states one by one.
BULK_PAGE_BY_ID = sql.SQL("""
SELECT v.* FROM (
  SELECT id FROM devices WHERE account_id = %(account_id)s AND NOT deleted {filters}
   ORDER BY id LIMIT %(limit)s OFFSET %(offset)s) p
  JOIN device_registration_state v ON v.device_id = p.id
 ORDER BY v.device_id
""")

OWN_DEVICE_IDS = "SELECT id FROM devices WHERE account_id = %(account_id)s AND NOT deleted AND id = ANY(%(ids)s)"

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
# devices with at least one live contact, from the latest snapshot at or before the start (the anchor).
# The snapshots after it whose intervals were recorded give their changes as kept (sql/092); the
# journal is replayed from the last of them on. An `expired` contact ended at its expiry, not when
# Kamailio's timer got to it. Parameters: account_id, t0 and t1 (the span), points (series points,
# evenly spaced, the last at t1). Besides the figures, the changes within (t0, t1], for an interval's record.
REPLAY = """
WITH bounds AS (
  SELECT %(t0)s::timestamptz AS t0, %(t1)s::timestamptz AS t1,
         extract(epoch FROM %(t1)s::timestamptz - %(t0)s::timestamptz) / %(points)s AS bucket
),
anchor AS (
  SELECT s.taken_at, s.registered, s.offline
    FROM registration_snapshots s, bounds
   WHERE s.account_id = %(account_id)s AND s.taken_at <= bounds.t0
   ORDER BY s.taken_at DESC LIMIT 1
),
-- The snapshots after the anchor up to t1, as long as each interval's changes were kept.
chain AS (
  SELECT s.taken_at, s.changes_at, s.changes_reg, s.changes_off,
         bool_and(s.changes_at IS NOT NULL) OVER (ORDER BY s.taken_at) AS kept
    FROM registration_snapshots s
   WHERE s.account_id = %(account_id)s AND s.taken_at <= %(t1)s::timestamptz
     AND s.taken_at > coalesce((SELECT taken_at FROM anchor), '-infinity'::timestamptz)
),
kept AS (SELECT * FROM chain WHERE kept),
-- The journal is replayed from this snapshot: the last one kept, else the anchor, else the beginning.
snap AS (
  SELECT s.taken_at, s.live_devices, s.live_contacts, s.offline_devices
    FROM registration_snapshots s
   WHERE s.account_id = %(account_id)s
     AND s.taken_at = coalesce((SELECT max(taken_at) FROM kept), (SELECT taken_at FROM anchor))
),
-- The account's checkpoint, when it continues that snapshot and ends within the span (%(checkpoint)s: false
-- when computing one).
cp AS (
  SELECT c.upto, c.changes_at, c.changes_reg, c.changes_off, c.devices, c.contacts, c.offline
    FROM registration_checkpoints c, snap
   WHERE %(checkpoint)s AND c.account_id = %(account_id)s AND c.since = snap.taken_at
     AND c.upto <= %(t1)s::timestamptz
),
-- s: where the state comes from (the snapshot); cut: where the journal is replayed from (the checkpoint).
start AS (
  SELECT coalesce((SELECT taken_at FROM snap), '-infinity'::timestamptz) AS s,
         coalesce((SELECT upto FROM cp), (SELECT taken_at FROM snap), '-infinity'::timestamptz) AS cut
),
-- Both ends of the range are scalars (the start an InitPlan), so they bound the account's index scan;
-- joined from the CTEs, the start was only a filter over the whole journal up to t1 (bench/monitoring).
ev AS (
  SELECT e.id, e.device_id, e.event,
         CASE WHEN e.event = 'expired' THEN least(e.ts, e.expires_at) ELSE e.ts END AS at,
         CASE e.event WHEN 'registered' THEN 1 WHEN 'auth_failed' THEN 0 ELSE -1 END AS d
    FROM registration_events e
   WHERE e.account_id = %(account_id)s AND e.device_id IS NOT NULL
     AND e.ts > (SELECT cut FROM start) AND e.ts <= %(t1)s::timestamptz
     AND e.event IN ('registered', 'unregistered', 'expired', 'flushed', 'offline', 'auth_failed')
),
seen AS MATERIALIZED (SELECT DISTINCT device_id FROM ev),
-- The state of the devices with events only: the checkpoint's, else the snapshot's (a device is live or
-- offline in a snapshot, never both). Unnested in the select list, the arrays stream; unnest() in FROM
-- copied 80,000 pairs into a tuplestore, spilled it to disk and hashed them all for a few hundred events.
state AS (
  SELECT c.device_id, c.n, c.off, 0 AS rank
    FROM (SELECT unnest(devices) AS device_id, unnest(contacts) AS n, unnest(offline) AS off FROM cp) c
   WHERE c.device_id IN (SELECT device_id FROM seen)
  UNION ALL
  SELECT u.device_id, u.n, false, 1
    FROM (SELECT unnest(live_devices) AS device_id, unnest(live_contacts) AS n FROM snap) u
   WHERE u.device_id IN (SELECT device_id FROM seen)
  UNION ALL
  SELECT o.device_id, 0, true, 1 FROM (SELECT unnest(offline_devices) AS device_id FROM snap) o
   WHERE o.device_id IN (SELECT device_id FROM seen)
),
base AS (SELECT DISTINCT ON (device_id) device_id, n, off FROM state ORDER BY device_id, rank),
run AS (
  SELECT ev.id, ev.device_id, ev.event, ev.at,
         coalesce(b.n, 0) + sum(ev.d) OVER w AS n,
         coalesce(b.n, 0) > 0 AS on0, coalesce(b.off, false) AS off0
    FROM ev JOIN start ON ev.at > start.cut
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
-- The kept intervals' changes, the checkpoint's, then the replayed ones (each after the one before).
changes AS (
  SELECT k.at, k.dreg, k.doff
    FROM (SELECT unnest(changes_at) AS at, unnest(changes_reg) AS dreg, unnest(changes_off) AS doff FROM kept) k
  UNION ALL
  SELECT k.at, k.dreg, k.doff
    FROM (SELECT unnest(changes_at) AS at, unnest(changes_reg) AS dreg, unnest(changes_off) AS doff FROM cp) k
  UNION ALL
  SELECT at, sum(on_now - on_before) AS dreg, sum(off_now - off_before) AS doff
    FROM flags WHERE on_now <> on_before OR off_now <> off_before
   GROUP BY at
),
initial AS (
  SELECT coalesce((SELECT registered FROM anchor), 0)
           + coalesce((SELECT sum(dreg) FROM changes, bounds WHERE at <= bounds.t0), 0) AS reg,
         coalesce((SELECT offline FROM anchor), 0)
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
),
span AS (SELECT c.* FROM changes c, bounds WHERE c.at > bounds.t0),
-- For a checkpoint: each replayed device's state after its last event.
final AS (
  SELECT DISTINCT ON (device_id) device_id, n::int AS n, (event = 'offline' AND n <= 0) AS off
    FROM run WHERE NOT %(checkpoint)s ORDER BY device_id, at DESC, id DESC
)
SELECT (SELECT sum(n * secs) FROM segments) AS device_seconds,
       (SELECT max(n) FROM steps)::int AS peak,
       (SELECT min(n) FROM steps)::int AS lowest,
       (SELECT json_agg(json_build_object('at', at, 'registered', registered, 'offline', offline) ORDER BY k)
          FROM series) AS series,
       (SELECT coalesce(array_agg(at ORDER BY at), '{}') FROM span) AS changes_at,
       (SELECT coalesce(array_agg(dreg::int ORDER BY at), '{}') FROM span) AS changes_reg,
       (SELECT coalesce(array_agg(doff::int ORDER BY at), '{}') FROM span) AS changes_off,
       (SELECT coalesce(array_agg(device_id ORDER BY device_id), '{}') FROM final) AS devices,
       (SELECT coalesce(array_agg(n ORDER BY device_id), '{}') FROM final) AS contacts,
       (SELECT coalesce(array_agg(off ORDER BY device_id), '{}') FROM final) AS offline
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

# /metrics: the live contacts of the whole fleet.
LIVE_CONTACTS = f"SELECT count(*) AS n FROM location WHERE expires > {NOW_UTC}"
