"""SQL for the journal's upkeep: retention and snapshots."""

PURGE_BATCH = """
DELETE FROM registration_events
 WHERE id IN (SELECT id FROM registration_events WHERE ts < now() - make_interval(days => %(days)s)
              ORDER BY id LIMIT %(batch)s)
"""

# One snapshot per account per slot; the first node to take a slot wins, the others skip it.
TAKE_SNAPSHOT = """
INSERT INTO registration_snapshots (account_id, slot, live_devices, live_contacts, offline_devices, registered, offline)
SELECT account_id, %(slot)s,
       coalesce(array_agg(device_id ORDER BY device_id) FILTER (WHERE live_contacts > 0), '{}'),
       coalesce(array_agg(live_contacts ORDER BY device_id) FILTER (WHERE live_contacts > 0), '{}'),
       coalesce(array_agg(device_id ORDER BY device_id) FILTER (WHERE status = 'offline'), '{}'),
       count(*) FILTER (WHERE live_contacts > 0), count(*) FILTER (WHERE status = 'offline')
  FROM device_registration_state
 GROUP BY account_id
ON CONFLICT (account_id, slot) DO NOTHING
"""

SNAPSHOT_TAKEN = "SELECT 1 FROM registration_snapshots WHERE slot = %(slot)s LIMIT 1"

# The snapshot before each one just taken: the span its interval aggregates cover.
SNAPSHOT_PREVIOUS = """
SELECT s.account_id, s.taken_at,
       (SELECT max(p.taken_at) FROM registration_snapshots p
         WHERE p.account_id = s.account_id AND p.taken_at < s.taken_at) AS since
  FROM registration_snapshots s WHERE s.slot = %(slot)s
"""

SNAPSHOT_INTERVAL = """
UPDATE registration_snapshots
   SET since = %(since)s, device_seconds = %(device_seconds)s, peak = %(peak)s, lowest = %(lowest)s
 WHERE account_id = %(account_id)s AND slot = %(slot)s
"""

PURGE_SNAPSHOTS = "DELETE FROM registration_snapshots WHERE slot < now() - make_interval(days => %(days)s)"
