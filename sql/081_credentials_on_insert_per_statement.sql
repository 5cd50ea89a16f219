-- A device just inserted has no credentials yet and no registrations to flush, so what the row trigger
-- did for an INSERT (refresh_kam_credentials: read, delete, insert, flush: four statements per row)
-- reduces to one INSERT from the rule, run once per statement for all the rows it inserted. An import
-- inserts an account's devices in one statement; the per-row trigger cost ~0.5 ms of PostgreSQL CPU
-- per device (bench/import). Updates and deletes keep the row trigger (they may flush).

DROP TRIGGER devices_credentials ON devices;
CREATE TRIGGER devices_credentials AFTER DELETE OR UPDATE OF
    sip_username, sip_realm, ha1, ha1b, owner_id, enabled, deleted, account_id ON devices
    FOR EACH ROW EXECUTE FUNCTION devices_refresh_credentials();

CREATE FUNCTION devices_insert_credentials() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO kam_credentials
    SELECT s.* FROM kam_credentials_source s WHERE s.device_id IN (SELECT id FROM inserted_devices);
    RETURN NULL;
END
$$;

CREATE TRIGGER devices_insert_credentials AFTER INSERT ON devices
    REFERENCING NEW TABLE AS inserted_devices
    FOR EACH STATEMENT EXECUTE FUNCTION devices_insert_credentials();
