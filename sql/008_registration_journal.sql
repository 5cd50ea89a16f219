-- The registration journal (decisions 22): every change to location becomes an event in the same
-- transaction as the change, so history, analytics and webhooks never miss one.

CREATE TABLE registration_events (
    id          bigserial PRIMARY KEY,
    ts          timestamptz NOT NULL DEFAULT clock_timestamp(),
    event       text NOT NULL CHECK (event IN ('registered', 'refreshed', 'unregistered', 'expired', 'flushed',
                                               'replaced', 'offline', 'auth_failed')),
    username    text NOT NULL,
    domain      text NOT NULL,
    device_id   text,
    account_id  text,
    ruid        text,
    contact     text,
    received    text,
    user_agent  text,
    expires_at  timestamptz,
    source      text,
    reason      text,
    request_id  text
);
CREATE INDEX registration_events_device_idx ON registration_events (device_id, id);
CREATE INDEX registration_events_account_ts_idx ON registration_events (account_id, ts);
CREATE INDEX registration_events_ts_idx ON registration_events (ts);

-- The device a location row belongs to (a just-deleted device still counts: its flush is journaled).
CREATE FUNCTION journal_device(p_username text, p_domain text, OUT device_id text, OUT account_id text)
LANGUAGE sql STABLE AS $$
    SELECT id, account_id FROM devices
     WHERE sip_username = p_username AND sip_realm = p_domain
     ORDER BY deleted, modified DESC LIMIT 1
$$;

CREATE FUNCTION journal_location() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    r location;
    kind text;
    dev_id text;
    acct_id text;
    rid text := nullif(current_setting('crossbar.request_id', true), '');
    -- ALTER DATABASE … SET crossbar.refresh_coalesce = '<seconds>' (0: journal every refresh).
    coalesce_s int := coalesce(nullif(current_setting('crossbar.refresh_coalesce', true), '')::int, 3600);
BEGIN
    IF TG_OP = 'INSERT' THEN
        r := NEW; kind := 'registered';
    ELSIF TG_OP = 'UPDATE' THEN
        r := NEW;
        -- Refreshes are coalesced: one per contact per coalesce_s window (an hour by default), unless
        -- where or what registers changed; a phone refreshing every minute does not flood the journal.
        IF coalesce_s > 0 AND NEW.contact IS NOT DISTINCT FROM OLD.contact
           AND NEW.received IS NOT DISTINCT FROM OLD.received AND NEW.user_agent IS NOT DISTINCT FROM OLD.user_agent
           AND floor(extract(epoch FROM NEW.last_modified) / coalesce_s)
             = floor(extract(epoch FROM OLD.last_modified) / coalesce_s) THEN
            RETURN NULL;
        END IF;
        kind := CASE WHEN NEW.contact IS DISTINCT FROM OLD.contact THEN 'replaced' ELSE 'refreshed' END;
    ELSE
        r := OLD;
        kind := CASE WHEN rid IS NOT NULL THEN 'flushed'
                     WHEN OLD.expires <= (now() AT TIME ZONE 'UTC') + interval '1 second' THEN 'expired'
                     ELSE 'unregistered' END;
    END IF;
    -- No match (e.g. the realm just changed) leaves both NULL: the event is still kept.
    SELECT device_id, account_id INTO dev_id, acct_id FROM journal_device(r.username, r.domain);
    INSERT INTO registration_events (event, username, domain, device_id, account_id, ruid, contact, received,
                                     user_agent, expires_at, source, request_id)
    VALUES (kind, r.username, r.domain, dev_id, acct_id, r.ruid, r.contact, r.received,
            r.user_agent, r.expires AT TIME ZONE 'UTC', coalesce(r.received, r.contact),
            CASE WHEN kind = 'flushed' THEN rid END);
    RETURN NULL;
END
$$;

CREATE TRIGGER location_journal AFTER INSERT OR UPDATE OR DELETE ON location
    FOR EACH ROW EXECUTE FUNCTION journal_location();

-- Kamailio reports digest failures here. Every value the phone controls arrives hex-encoded
-- ({s.encode.hexa}): hex digits cannot break out of a string literal.
CREATE FUNCTION crossbar_auth_failed(user_hex text, realm_hex text, source_ip text, source_port int,
                                     ua_hex text, rc int) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    u text := convert_from(decode(user_hex, 'hex'), 'UTF8');
    d text := convert_from(decode(realm_hex, 'hex'), 'UTF8');
    dev_id text;
    acct_id text;
BEGIN
    SELECT device_id, account_id INTO dev_id, acct_id FROM journal_device(u, d);
    INSERT INTO registration_events (event, username, domain, device_id, account_id, user_agent, source, reason)
    VALUES ('auth_failed', u, d, dev_id, acct_id, convert_from(decode(ua_hex, 'hex'), 'UTF8'),
            source_ip || ':' || source_port,
            CASE rc WHEN -2 THEN 'wrong password' WHEN -3 THEN 'unknown username'
                    WHEN -8 THEN 'username mismatch' ELSE 'auth error ' || rc END);
END
$$;
REVOKE ALL ON FUNCTION crossbar_auth_failed(text, text, text, int, text, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crossbar_auth_failed(text, text, text, int, text, int) TO kamailio;
