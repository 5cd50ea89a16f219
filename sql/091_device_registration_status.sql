-- Each device's registration status, kept by triggers (docs/decisions.md §29), so that an account's
-- counts by status and a page of one status read one narrow index instead of joining every device,
-- its summary and the account's live contacts on each request (bench/monitoring, 100,000 devices).
--
-- `status` is the status as of the last write. Two parts depend on the clock and are corrected when
-- read (registrations/state/counts.py): a device whose contacts have all expired, which Kamailio's
-- timer has not removed yet, is stored `registered`; a device that never registered is stored `new`
-- and read as `provisioning` or `unregistered` by its age (crossbar.provisioning_hours).
CREATE TABLE device_registration_status (
    device_id   text PRIMARY KEY,
    account_id  text NOT NULL,
    device_type text NOT NULL,
    created     timestamptz NOT NULL,
    blocked     boolean NOT NULL,
    contacts    int NOT NULL,          -- the AoR's rows in location, expired or not
    last_event  text,                  -- device_registration_summary.last_event
    status      text GENERATED ALWAYS AS (
        CASE WHEN blocked THEN 'disabled'
             WHEN contacts > 0 THEN 'registered'
             WHEN last_event = 'auth_failed' THEN 'invalid'
             WHEN last_event = 'offline' THEN 'offline'
             WHEN last_event IN ('unregistered', 'flushed') THEN 'unregistered'
             WHEN last_event IS NOT NULL THEN 'expired'
             ELSE 'new' END) STORED
) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);

-- Counts by status and type, and pages of one status in id order, both from the index alone.
CREATE INDEX device_registration_status_account_idx
    ON device_registration_status (account_id, status, device_id) INCLUDE (device_type, created);

-- What a device's row is computed from, in one place (refresh and rebuild).
CREATE VIEW device_registration_inputs AS
SELECT d.id AS device_id, d.account_id, coalesce(d.device_type, 'sip_device') AS device_type, d.created,
       device_blocked(d.enabled, a.enabled, u.enabled, u.deleted) AS blocked,
       (SELECT count(*) FROM location l WHERE l.username = d.sip_username AND l.domain = d.sip_realm)::int AS contacts,
       s.last_event
  FROM devices d
  JOIN accounts a ON a.id = d.account_id
  LEFT JOIN users u ON u.id = d.owner_id
  LEFT JOIN device_registration_summary s ON s.device_id = d.id
 WHERE NOT d.deleted;

-- The rows of the given devices computed from scratch; a deleted or missing device loses its row.
-- The rows are locked before the contacts are counted, so a registration committing in between is
-- either counted here or applies its own count after this commits.
CREATE FUNCTION refresh_device_registration_status(ids text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    PERFORM 1 FROM device_registration_status WHERE device_id = ANY(ids) ORDER BY device_id FOR UPDATE;
    INSERT INTO device_registration_status AS st
           (device_id, account_id, device_type, created, blocked, contacts, last_event)
    SELECT * FROM device_registration_inputs WHERE device_id = ANY(ids)
    ON CONFLICT (device_id) DO UPDATE
       SET account_id = EXCLUDED.account_id, device_type = EXCLUDED.device_type, created = EXCLUDED.created,
           blocked = EXCLUDED.blocked, contacts = EXCLUDED.contacts, last_event = EXCLUDED.last_event;
    DELETE FROM device_registration_status st
     WHERE st.device_id = ANY(ids)
       AND NOT EXISTS (SELECT 1 FROM devices d WHERE d.id = st.device_id AND NOT d.deleted);
END
$$;

CREATE FUNCTION devices_registration_status() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM refresh_device_registration_status(ARRAY(SELECT id FROM changed_rows));
    ELSE
        PERFORM refresh_device_registration_status(ARRAY(SELECT id FROM new_rows));
    END IF;
    RETURN NULL;
END
$$;
-- Per statement: an import of thousands of devices recomputes them in one pass.
CREATE TRIGGER devices_registration_status_insert AFTER INSERT ON devices
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION devices_registration_status();
CREATE TRIGGER devices_registration_status_update AFTER UPDATE ON devices
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION devices_registration_status();
CREATE TRIGGER devices_registration_status_delete AFTER DELETE ON devices
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION devices_registration_status();

-- An owner or an account enabled, disabled or removed changes whether its devices are blocked.
CREATE FUNCTION owners_registration_status() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    row_id text := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
BEGIN
    IF TG_TABLE_NAME = 'accounts' THEN
        PERFORM refresh_device_registration_status(
            ARRAY(SELECT id FROM devices WHERE account_id = row_id AND NOT deleted));
    ELSE
        PERFORM refresh_device_registration_status(
            ARRAY(SELECT id FROM devices WHERE owner_id = row_id AND NOT deleted));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER users_registration_status AFTER INSERT OR DELETE OR UPDATE OF enabled, deleted ON users
    FOR EACH ROW EXECUTE FUNCTION owners_registration_status();
CREATE TRIGGER accounts_registration_status AFTER UPDATE OF enabled ON accounts
    FOR EACH ROW EXECUTE FUNCTION owners_registration_status();

-- The summary changed (a journal event of the device): its last event follows, and a contact added or
-- removed recounts the AoR's rows. This runs while the summary's row lock is held, which orders two
-- transactions of one device; the count, a statement of its own, sees the one that committed first.
CREATE FUNCTION summary_registration_status() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    IF NEW.last_event IN ('refreshed', 'replaced', 'auth_failed') THEN
        UPDATE device_registration_status SET last_event = NEW.last_event
         WHERE device_id = NEW.device_id AND last_event IS DISTINCT FROM NEW.last_event;
    ELSE
        UPDATE device_registration_status
           SET last_event = NEW.last_event,
               contacts = (SELECT count(*) FROM devices d JOIN location l
                               ON l.username = d.sip_username AND l.domain = d.sip_realm
                            WHERE d.id = NEW.device_id)
         WHERE device_id = NEW.device_id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER device_registration_summary_status AFTER INSERT OR UPDATE ON device_registration_summary
    FOR EACH ROW EXECUTE FUNCTION summary_registration_status();

-- Everything recomputed (the migration, and a bulk load that ran with the triggers off).
CREATE FUNCTION rebuild_device_registration_status() RETURNS void LANGUAGE sql SECURITY DEFINER AS $$
    TRUNCATE device_registration_status;
    INSERT INTO device_registration_status (device_id, account_id, device_type, created, blocked, contacts, last_event)
    SELECT * FROM device_registration_inputs;
$$;
SELECT rebuild_device_registration_status();

-- TRUNCATE fires no row triggers: emptying location by hand would leave every device stored registered.
CREATE FUNCTION location_truncated() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    PERFORM rebuild_device_registration_status();
    RETURN NULL;
END
$$;
CREATE TRIGGER location_truncated AFTER TRUNCATE ON location
    FOR EACH STATEMENT EXECUTE FUNCTION location_truncated();
