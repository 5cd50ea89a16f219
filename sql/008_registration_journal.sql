-- The registration journal (docs/decisions.md §22): every change to location becomes an event in the same
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

-- The journal finds a location row's device by exact username and realm, deleted devices included
-- (their flush is journaled too); Kamailio reads kam_credentials, so the partial index is not needed.
DROP INDEX devices_sip_exact_idx;
CREATE INDEX devices_sip_exact_idx ON devices (sip_username, sip_realm);

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
BEGIN
    IF TG_OP = 'INSERT' THEN
        r := NEW; kind := 'registered';
    ELSIF TG_OP = 'UPDATE' THEN
        r := NEW;
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

CREATE TRIGGER location_journal AFTER INSERT OR DELETE ON location
    FOR EACH ROW EXECUTE FUNCTION journal_location();

-- Refreshes are coalesced: one per contact per window (crossbar.refresh_coalesce seconds, default an
-- hour; '0' journals every refresh), unless where or what registers changed, so a phone refreshing
-- every minute does not flood the journal. The test sits in WHEN: PostgreSQL evaluates it without
-- calling PL/pgSQL and queues nothing when it is false, so a coalesced refresh costs next to nothing.
CREATE FUNCTION refresh_window() RETURNS int LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('crossbar.refresh_coalesce', true), ''), '3600')::int
$$;
-- One expression, so PostgreSQL can inline it into the trigger's WHEN.
CREATE FUNCTION journal_refresh_due(old_ts timestamp, new_ts timestamp) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN refresh_window() = 0 THEN true
                ELSE floor(extract(epoch FROM old_ts) / refresh_window())
                  <> floor(extract(epoch FROM new_ts) / refresh_window()) END
$$;
CREATE TRIGGER location_journal_update AFTER UPDATE ON location FOR EACH ROW
    WHEN (OLD.contact IS DISTINCT FROM NEW.contact OR OLD.received IS DISTINCT FROM NEW.received
          OR OLD.user_agent IS DISTINCT FROM NEW.user_agent
          OR journal_refresh_due(OLD.last_modified, NEW.last_modified))
    EXECUTE FUNCTION journal_location();

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
