-- Offline detection: Kamailio pings live contacts (kamailio.cfg route[KEEPALIVE]) and removes those
-- that leave its keepalives unanswered through crossbar_keepalive_lost(); the journal says `offline`
-- (with the reason) instead of `unregistered`, so the device's status becomes offline.

CREATE OR REPLACE FUNCTION journal_location() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    r location;
    kind text;
    why text;
    dev_id text;
    acct_id text;
    rid text := nullif(current_setting('crossbar.request_id', true), '');
    lost text := nullif(current_setting('crossbar.keepalive_lost', true), '');
BEGIN
    IF TG_OP = 'INSERT' THEN
        r := NEW; kind := 'registered';
    ELSIF TG_OP = 'UPDATE' THEN
        r := NEW;
        kind := CASE WHEN NEW.contact IS DISTINCT FROM OLD.contact THEN 'replaced' ELSE 'refreshed' END;
    ELSE
        r := OLD;
        kind := CASE WHEN rid IS NOT NULL THEN 'flushed'
                     WHEN lost IS NOT NULL THEN 'offline'
                     WHEN OLD.expires <= (now() AT TIME ZONE 'UTC') + interval '1 second' THEN 'expired'
                     ELSE 'unregistered' END;
        IF kind = 'offline' THEN
            why := lost || ' keepalives unanswered';
        END IF;
    END IF;
    -- No match (e.g. the realm just changed) leaves both NULL: the event is still kept.
    SELECT device_id, account_id INTO dev_id, acct_id FROM journal_device(r.username, r.domain);
    INSERT INTO registration_events (event, username, domain, device_id, account_id, ruid, contact, received,
                                     user_agent, expires_at, source, reason, request_id)
    VALUES (kind, r.username, r.domain, dev_id, acct_id, r.ruid, r.contact, r.received,
            r.user_agent, r.expires AT TIME ZONE 'UTC', coalesce(r.received, r.contact), why,
            CASE WHEN kind = 'flushed' THEN rid END);
    RETURN NULL;
END
$$;

-- Kamailio's keepalive gave up on a contact: remove it, journaled as offline. The ruid arrives
-- hex-encoded like every value handed over from the cfg; answers how many rows went.
CREATE FUNCTION crossbar_keepalive_lost(ruid_hex text, fails int) RETURNS int
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    n int;
BEGIN
    PERFORM set_config('crossbar.keepalive_lost', fails::text, true);
    DELETE FROM location WHERE ruid = convert_from(decode(ruid_hex, 'hex'), 'UTF8');
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM set_config('crossbar.keepalive_lost', '', true);
    RETURN n;
END
$$;
REVOKE ALL ON FUNCTION crossbar_keepalive_lost(text, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crossbar_keepalive_lost(text, int) TO kamailio;
