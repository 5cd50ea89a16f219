-- What Kamailio may see: credentials of devices that can register, and the realms we serve.
-- A device registers only while it, its owner and its account are enabled and not deleted.

CREATE VIEW kam_credentials AS
SELECT d.sip_username AS username,
       d.sip_realm    AS domain,
       d.ha1,
       d.ha1b,
       d.id           AS device_id
  FROM devices d
  JOIN accounts a ON a.id = d.account_id
 WHERE d.enabled AND NOT d.deleted
   AND a.enabled AND NOT a.deleted
   AND d.sip_username IS NOT NULL AND d.ha1 IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM users u
                    WHERE u.id = d.owner_id AND (NOT u.enabled OR u.deleted));

CREATE VIEW kam_domains AS
SELECT lower(realm) AS domain FROM accounts WHERE NOT deleted
UNION
SELECT lower(sip_realm) FROM devices WHERE NOT deleted AND sip_realm IS NOT NULL;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kamailio') THEN
        CREATE ROLE kamailio LOGIN;
    END IF;
END
$$;
GRANT SELECT ON version, kam_credentials, kam_domains TO kamailio;
GRANT SELECT, INSERT, UPDATE, DELETE ON location, location_attrs TO kamailio;
GRANT USAGE, SELECT ON SEQUENCE location_id_seq, location_attrs_id_seq TO kamailio;
