-- Each device's latest journal event, kept by a trigger on the journal, so that the state of ten
-- thousand devices is a hash join instead of two index probes per device into a journal of millions
-- (bench/monitoring). It also outlives retention: a device whose history was purged keeps its status.
CREATE TABLE device_registration_summary (
    device_id     text PRIMARY KEY,
    last_event    text NOT NULL,
    last_event_id bigint NOT NULL,
    registered_at timestamptz          -- the latest `registered` event
) WITH (fillfactor = 50);              -- room for HOT updates: one per journal event of the device

INSERT INTO device_registration_summary (device_id, last_event, last_event_id, registered_at)
SELECT DISTINCT ON (e.device_id) e.device_id, e.event, e.id,
       (SELECT max(r.ts) FROM registration_events r WHERE r.device_id = e.device_id AND r.event = 'registered')
  FROM registration_events e
 WHERE e.device_id IS NOT NULL
 ORDER BY e.device_id, e.id DESC;

CREATE FUNCTION summarize_registration_event() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    IF NEW.device_id IS NOT NULL THEN
        INSERT INTO device_registration_summary AS s (device_id, last_event, last_event_id, registered_at)
        VALUES (NEW.device_id, NEW.event, NEW.id, CASE WHEN NEW.event = 'registered' THEN NEW.ts END)
        ON CONFLICT (device_id) DO UPDATE
           SET last_event = CASE WHEN EXCLUDED.last_event_id > s.last_event_id THEN EXCLUDED.last_event ELSE s.last_event END,
               last_event_id = greatest(EXCLUDED.last_event_id, s.last_event_id),
               registered_at = greatest(EXCLUDED.registered_at, s.registered_at);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER registration_events_summary AFTER INSERT ON registration_events
    FOR EACH ROW EXECUTE FUNCTION summarize_registration_event();

-- The seven statuses (docs/monitoring.md), in one place for the view and the account function.
CREATE FUNCTION registration_status(disabled boolean, live bigint, last_event text, created timestamptz)
RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE
         WHEN disabled THEN 'disabled'
         WHEN live > 0 THEN 'registered'
         WHEN last_event = 'auth_failed' THEN 'invalid'
         WHEN last_event = 'offline' THEN 'offline'
         WHEN last_event IN ('unregistered', 'flushed') THEN 'unregistered'
         WHEN last_event IS NOT NULL THEN 'expired'
         WHEN created > now() - make_interval(hours => coalesce(
                nullif(current_setting('crossbar.provisioning_hours', true), ''), '24')::int) THEN 'provisioning'
         ELSE 'unregistered'
    END
$$;

-- One device (or a few): probes location by the device's AoR.
CREATE OR REPLACE VIEW device_registration_state AS
SELECT d.id AS device_id, d.account_id, d.name, d.device_type, d.created,
       live.n AS live_contacts, live.expires_at, live.last_modified, live.contact, live.received,
       CASE WHEN live.n > 0 THEN s.registered_at END AS registered_at,
       registration_status(NOT d.enabled OR NOT a.enabled OR coalesce(NOT u.enabled OR u.deleted, false),
                           live.n, s.last_event, d.created) AS status
  FROM devices d
  JOIN accounts a ON a.id = d.account_id
  LEFT JOIN users u ON u.id = d.owner_id
  LEFT JOIN device_registration_summary s ON s.device_id = d.id
  LEFT JOIN LATERAL (
       SELECT count(*) AS n, max(l.expires) AS expires_at, max(l.last_modified) AS last_modified,
              (array_agg(l.contact ORDER BY l.last_modified DESC))[1] AS contact,
              (array_agg(l.received ORDER BY l.last_modified DESC))[1] AS received
         FROM location l
        WHERE l.username = d.sip_username AND l.domain = d.sip_realm
          AND l.expires > (now() AT TIME ZONE 'UTC')) live ON true
 WHERE NOT d.deleted;

-- Whole-account states (queries.ACCOUNT_STATES) read the account's live contacts by realm: the account's
-- realm plus the few devices that carry a realm of their own, found through this index.
CREATE INDEX devices_own_realm_idx ON devices (account_id) WHERE (doc -> 'sip' ->> 'realm') IS NOT NULL AND NOT deleted;
