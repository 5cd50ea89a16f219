-- Every change to a stored device is announced on channel crossbar_devices once its transaction commits,
-- so that each API node can keep GET /devices/{D} in memory and drop an entry the moment it goes stale
-- (crossbar_py/devices/cache.py, docs/decisions.md §28). Statement-level: a bulk UPDATE of an account's
-- devices sends one notification, the ids comma-separated, or '*' (forget every device) past 100 of them,
-- well under NOTIFY's 8,000-byte payload. New rows need no announcement: nothing caches a device not yet seen.
CREATE OR REPLACE FUNCTION crossbar_devices_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    n integer;
    ids text;
BEGIN
    SELECT count(*), string_agg(id, ',') INTO n, ids FROM (SELECT id FROM changed_rows LIMIT 101) c;
    IF n > 100 THEN
        PERFORM pg_notify('crossbar_devices', '*');
    ELSIF n > 0 THEN
        PERFORM pg_notify('crossbar_devices', ids);
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS devices_changed ON devices;
CREATE TRIGGER devices_changed AFTER UPDATE ON devices REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION crossbar_devices_changed();
DROP TRIGGER IF EXISTS devices_removed ON devices;
CREATE TRIGGER devices_removed AFTER DELETE ON devices REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION crossbar_devices_changed();
