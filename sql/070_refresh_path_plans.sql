-- The refresh path without per-statement planning (docs/performance.md, bench/register_cost.py).
-- Kamailio sends every statement unprepared, so whatever a statement drags in is prepared again on each
-- REGISTER: the WHEN of location_journal_update inlined two SQL functions (parsing their bodies) and
-- read a setting for every UPDATE, and journal_device(), a SQL function, was planned on every call.

-- The coalescing window is now a constant inside the WHEN, of built-in operators only; changing it
-- recreates the trigger. 0 journals every refresh.
CREATE FUNCTION crossbar_set_refresh_coalesce(seconds int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF seconds IS NULL OR seconds < 0 THEN
        RAISE EXCEPTION 'refresh coalescing window must be 0 or more seconds, not %', seconds;
    END IF;
    DROP TRIGGER IF EXISTS location_journal_update ON location;
    IF seconds = 0 THEN
        CREATE TRIGGER location_journal_update AFTER UPDATE ON location FOR EACH ROW
            EXECUTE FUNCTION journal_location();
        RETURN;
    END IF;
    EXECUTE format(
        'CREATE TRIGGER location_journal_update AFTER UPDATE ON location FOR EACH ROW'
        ' WHEN (OLD.contact IS DISTINCT FROM NEW.contact OR OLD.received IS DISTINCT FROM NEW.received'
        '       OR OLD.user_agent IS DISTINCT FROM NEW.user_agent'
        '       OR date_bin(%1$L::interval, OLD.last_modified, %2$L::timestamp)'
        '          <> date_bin(%1$L::interval, NEW.last_modified, %2$L::timestamp))'
        ' EXECUTE FUNCTION journal_location()',
        seconds || ' seconds', '1970-01-01');
END
$$;
REVOKE ALL ON FUNCTION crossbar_set_refresh_coalesce(int) FROM PUBLIC;

-- A window set the old way (ALTER DATABASE ... SET crossbar.refresh_coalesce) carries over.
SELECT crossbar_set_refresh_coalesce(coalesce(nullif(current_setting('crossbar.refresh_coalesce', true), ''),
                                              '3600')::int);
DROP FUNCTION journal_refresh_due(timestamp, timestamp);
DROP FUNCTION refresh_window();

-- PL/pgSQL keeps the plan of its query for the life of the connection.
CREATE OR REPLACE FUNCTION journal_device(p_username text, p_domain text, OUT device_id text, OUT account_id text)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    SELECT d.id, d.account_id INTO device_id, account_id
      FROM devices d
     WHERE d.sip_username = p_username AND d.sip_realm = p_domain
     ORDER BY d.deleted, d.modified DESC LIMIT 1;
END
$$;
