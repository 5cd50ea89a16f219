-- Kamailio removes contacts whose keepalives went unanswered in batches (kamailio.cfg
-- route[KEEPALIVE_LOST]): a comma-separated list of hex-encoded ruids, journaled as `offline` like
-- crossbar_keepalive_lost() (sql/010) does for one. Answers how many rows went.
CREATE FUNCTION crossbar_keepalive_lost_many(ruids_hex text, fails int) RETURNS int
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    n int;
BEGIN
    PERFORM set_config('crossbar.keepalive_lost', fails::text, true);
    DELETE FROM location
     WHERE ruid = ANY (SELECT convert_from(decode(h, 'hex'), 'UTF8')
                         FROM unnest(string_to_array(ruids_hex, ',')) AS h WHERE h <> '');
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM set_config('crossbar.keepalive_lost', '', true);
    RETURN n;
END
$$;
REVOKE ALL ON FUNCTION crossbar_keepalive_lost_many(text, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crossbar_keepalive_lost_many(text, int) TO kamailio;
