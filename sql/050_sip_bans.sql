-- SIP bans (kamailio.cfg route[AUTH_FAILED], route[REQINIT]; docs/sip-bans.md): Kamailio journals each
-- ban it sets, the API each ban it lifts. Bans are diagnostics, not registration state: the summary
-- that gives a device its status ignores them.

ALTER TABLE registration_events DROP CONSTRAINT registration_events_event_check;
ALTER TABLE registration_events ADD CONSTRAINT registration_events_event_check
    CHECK (event IN ('registered', 'refreshed', 'unregistered', 'expired', 'flushed', 'replaced', 'offline',
                     'auth_failed', 'banned', 'ban_lifted'));

CREATE OR REPLACE FUNCTION summarize_registration_event() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    IF NEW.device_id IS NOT NULL AND NEW.event NOT IN ('banned', 'ban_lifted') THEN
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

-- Kamailio banned a (username, address) pair ('credentials') or a whole address ('scanner', 'flood');
-- username and realm arrive hex-encoded (empty for a flood). expires_at is when the ban ends.
CREATE FUNCTION crossbar_sip_banned(user_hex text, realm_hex text, source_ip text, source_port int,
                                    kind text, seconds int) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    u text := convert_from(decode(user_hex, 'hex'), 'UTF8');
    d text := convert_from(decode(realm_hex, 'hex'), 'UTF8');
    dev_id text;
    acct_id text;
BEGIN
    IF kind NOT IN ('credentials', 'scanner', 'flood') THEN
        RAISE EXCEPTION 'unknown ban kind %', kind;
    END IF;
    IF u <> '' THEN
        SELECT device_id, account_id INTO dev_id, acct_id FROM journal_device(u, d);
    END IF;
    INSERT INTO registration_events (event, username, domain, device_id, account_id, source, reason, expires_at)
    VALUES ('banned', u, d, dev_id, acct_id, source_ip || ':' || source_port, kind,
            now() + make_interval(secs => seconds));
END
$$;
REVOKE ALL ON FUNCTION crossbar_sip_banned(text, text, text, int, text, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crossbar_sip_banned(text, text, text, int, text, int) TO kamailio;

-- The API lifted a ban (DELETE /sip_bans/{id}): journaled with the request id, like a flush.
CREATE FUNCTION crossbar_sip_ban_lifted(u text, d text, source_ip text, kind text, rid text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    dev_id text;
    acct_id text;
BEGIN
    IF u <> '' THEN
        SELECT device_id, account_id INTO dev_id, acct_id FROM journal_device(u, d);
    END IF;
    INSERT INTO registration_events (event, username, domain, device_id, account_id, source, reason, request_id)
    VALUES ('ban_lifted', u, d, dev_id, acct_id, source_ip, kind, rid);
END
$$;
