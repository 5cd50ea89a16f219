-- "A device that is disabled, or whose owner or account is disabled, cannot register" (docs/decisions.md)
-- was written three times: Kamailio's credentials view, the state view and the whole-account states query.
-- It is now this one function; an IMMUTABLE SQL function of plain expressions is inlined by the planner,
-- so it costs nothing per row. Deleted devices and accounts are left out by their own NOT deleted tests.
CREATE FUNCTION device_blocked(device_enabled boolean, account_enabled boolean,
                               owner_enabled boolean, owner_deleted boolean)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT NOT device_enabled OR NOT account_enabled OR coalesce(NOT owner_enabled OR owner_deleted, false)
$$;

CREATE OR REPLACE VIEW kam_credentials_source AS
SELECT d.sip_username AS username, d.sip_realm AS domain, d.ha1, d.ha1b, d.id AS device_id
  FROM devices d
  JOIN accounts a ON a.id = d.account_id
  LEFT JOIN users u ON u.id = d.owner_id
 WHERE NOT d.deleted AND NOT a.deleted
   AND d.sip_username IS NOT NULL AND d.ha1 IS NOT NULL
   AND NOT device_blocked(d.enabled, a.enabled, u.enabled, u.deleted);

CREATE OR REPLACE VIEW device_registration_state AS
SELECT d.id AS device_id, d.account_id, d.name, d.device_type, d.created,
       live.n AS live_contacts, live.expires_at, live.last_modified, live.contact, live.received,
       CASE WHEN live.n > 0 THEN s.registered_at END AS registered_at,
       registration_status(device_blocked(d.enabled, a.enabled, u.enabled, u.deleted),
                           live.n, s.last_event, d.created) AS status
  FROM devices d
  JOIN accounts a ON a.id = d.account_id
  LEFT JOIN users u ON u.id = d.owner_id
  LEFT JOIN device_registration_summary s ON s.device_id = d.id
  LEFT JOIN LATERAL (
       SELECT count(*) AS n, max(l.expires) AS expires_at, max(l.last_modified) AS last_modified,
              (array_agg(l.contact ORDER BY l.last_modified DESC))[1] AS contact,
              (array_agg(l.received ORDER BY l.last_modified DESC))[1] AS received
         FROM location l
        WHERE l.username = d.sip_username AND l.domain = d.sip_realm
          AND l.expires > (now() AT TIME ZONE 'UTC')) live ON true
 WHERE NOT d.deleted;
