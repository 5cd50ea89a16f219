-- Two writes that refresh the same device's credentials (a device save, and an account or owner save
-- whose trigger refreshes every device it covers) deadlocked: each held a kam_credentials row the other
-- was about to delete. Every refresh now locks its devices rows first, in id order, so that the second
-- writer waits for the first one's commit before touching kam_credentials (a device save already holds
-- its own row from SELECT ... FOR UPDATE, so it takes nothing new). Found by schemathesis with two workers.

CREATE OR REPLACE FUNCTION refresh_kam_credentials(ids text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    before kam_credentials[];
BEGIN
    PERFORM 1 FROM devices WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE;
    SELECT array_agg(c) INTO before FROM kam_credentials c WHERE c.device_id = ANY(ids);
    DELETE FROM kam_credentials WHERE device_id = ANY(ids);
    INSERT INTO kam_credentials SELECT * FROM kam_credentials_source WHERE device_id = ANY(ids);
    DELETE FROM location l
     USING unnest(coalesce(before, '{}')) AS o
     WHERE l.username = o.username AND l.domain = o.domain
       AND NOT EXISTS (SELECT 1 FROM kam_credentials k
                        WHERE k.device_id = o.device_id AND k.username = o.username
                          AND k.domain = o.domain AND k.ha1 = o.ha1);
END
$$;
