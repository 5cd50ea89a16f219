-- A device's registration state in one place (docs/monitoring.md), for one device or ten thousand.
-- crossbar.provisioning_hours (default 24): how long a never-registered device counts as provisioning.
CREATE VIEW device_registration_state AS
SELECT d.id AS device_id, d.account_id, d.name, d.device_type, d.created,
       live.n AS live_contacts, live.expires_at, live.last_modified, live.contact, live.received,
       reg.ts AS registered_at,
       CASE
         WHEN NOT d.enabled OR NOT a.enabled OR coalesce(NOT u.enabled OR u.deleted, false) THEN 'disabled'
         WHEN live.n > 0 THEN 'registered'
         WHEN last.event = 'auth_failed' THEN 'invalid'
         WHEN last.event = 'offline' THEN 'offline'
         WHEN last.event IN ('unregistered', 'flushed') THEN 'unregistered'
         WHEN last.event IS NOT NULL THEN 'expired'
         WHEN d.created > now() - make_interval(hours => coalesce(
                nullif(current_setting('crossbar.provisioning_hours', true), ''), '24')::int) THEN 'provisioning'
         ELSE 'unregistered'
       END AS status
  FROM devices d
  JOIN accounts a ON a.id = d.account_id
  LEFT JOIN users u ON u.id = d.owner_id
  LEFT JOIN LATERAL (
       SELECT count(*) AS n, max(l.expires) AS expires_at, max(l.last_modified) AS last_modified,
              (array_agg(l.contact ORDER BY l.last_modified DESC))[1] AS contact,
              (array_agg(l.received ORDER BY l.last_modified DESC))[1] AS received
         FROM location l
        WHERE l.username = d.sip_username AND l.domain = d.sip_realm
          AND l.expires > (now() AT TIME ZONE 'UTC')) live ON true
  LEFT JOIN LATERAL (
       SELECT e.event FROM registration_events e WHERE e.device_id = d.id ORDER BY e.id DESC LIMIT 1) last ON true
  LEFT JOIN LATERAL (
       SELECT e.ts FROM registration_events e
        WHERE e.device_id = d.id AND e.event = 'registered' ORDER BY e.id DESC LIMIT 1) reg ON live.n > 0
 WHERE NOT d.deleted;
