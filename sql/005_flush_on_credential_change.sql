-- Decisions 14: a device that can no longer register (disabled or deleted device, owner or account)
-- or whose credentials change loses its registrations in the same transaction. Kamailio runs usrloc
-- DB-only, so the deleted rows are gone from its view at commit; no API path can forget to flush.

CREATE OR REPLACE FUNCTION refresh_kam_credentials(ids text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    before kam_credentials[];
BEGIN
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
