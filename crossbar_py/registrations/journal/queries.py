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

# Intervals to record, newest first (recent periods are asked for most; a backlog after an upgrade is
# caught up behind them): each snapshot without kept changes that has a previous one (the interval's
# start) and was taken at least `grace` seconds ago.
SNAPSHOTS_UNRECORDED = """
SELECT s.account_id, s.slot, s.taken_at, p.since
  FROM registration_snapshots s
 CROSS JOIN LATERAL (SELECT max(p.taken_at) AS since FROM registration_snapshots p
                      WHERE p.account_id = s.account_id AND p.taken_at < s.taken_at) p
 WHERE s.changes_at IS NULL AND p.since IS NOT NULL AND s.taken_at <= now() - make_interval(secs => %(grace)s)
 ORDER BY s.taken_at DESC
 LIMIT %(limit)s
"""

SNAPSHOT_INTERVAL = """
UPDATE registration_snapshots
   SET since = %(since)s, device_seconds = %(device_seconds)s, peak = %(peak)s, lowest = %(lowest)s,
       changes_at = %(changes_at)s, changes_reg = %(changes_reg)s, changes_off = %(changes_off)s
 WHERE account_id = %(account_id)s AND slot = %(slot)s
"""

# Accounts with at least `min_events` journal events in the last `window` seconds (a replay of a quieter
# account is cheap without one), and the snapshot their checkpoint continues: the newest one recorded,
# else the newest (an account's first).
CHECKPOINT_DUE = """
SELECT a.account_id, coalesce(
         (SELECT max(taken_at) FROM registration_snapshots s
           WHERE s.account_id = a.account_id AND changes_at IS NOT NULL),
         (SELECT max(taken_at) FROM registration_snapshots s WHERE s.account_id = a.account_id)) AS since
  FROM (SELECT account_id FROM registration_events
         WHERE ts > now() - make_interval(secs => %(window)s) AND account_id IS NOT NULL
         GROUP BY account_id HAVING count(*) >= %(min_events)s) a
"""

CHECKPOINT_UPTO = "SELECT now() - make_interval(secs => %(grace)s) AS upto"

SAVE_CHECKPOINT = """
INSERT INTO registration_checkpoints AS c (account_id, since, upto, changes_at, changes_reg, changes_off, devices,
                                           contacts, offline)
VALUES (%(account_id)s, %(since)s, %(upto)s, %(changes_at)s, %(changes_reg)s, %(changes_off)s, %(devices)s,
        %(contacts)s, %(offline)s)
ON CONFLICT (account_id) DO UPDATE
   SET since = EXCLUDED.since, upto = EXCLUDED.upto, changes_at = EXCLUDED.changes_at,
       changes_reg = EXCLUDED.changes_reg, changes_off = EXCLUDED.changes_off, devices = EXCLUDED.devices,
       contacts = EXCLUDED.contacts, offline = EXCLUDED.offline
"""

PURGE_SNAPSHOTS = "DELETE FROM registration_snapshots WHERE slot < now() - make_interval(days => %(days)s)"
# A checkpoint that old continues a snapshot purged (an account gone quiet, or deleted).
PURGE_CHECKPOINTS = "DELETE FROM registration_checkpoints WHERE upto < now() - make_interval(days => %(days)s)"
