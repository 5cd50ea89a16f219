-- Whole-account states (registrations/state/queries.ACCOUNT_STATES) read the realms of the devices that
-- carry one of their own through devices_own_realm_idx. Without statistics on that expression the planner
-- took nearly every device for such a device (the default selectivity of IS NOT NULL): at 100,000 devices
-- it planned the account's live contacts as 40M rows and split their aggregation into batches on disk
-- (bench/monitoring, docs/performance.md).
CREATE STATISTICS devices_own_realm_stx ON ((doc -> 'sip' ->> 'realm')) FROM devices;
ANALYZE devices;
