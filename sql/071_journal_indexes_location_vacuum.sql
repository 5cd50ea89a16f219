-- Each journal index is written by every event. registration_events_ts_idx served only retention's
-- sweep (events older than N days, every ten minutes); the journal is appended in time order, so a
-- BRIN index (a few pages, its upkeep amortised over whole page ranges) finds the old pages as well.
DROP INDEX registration_events_ts_idx;
CREATE INDEX registration_events_ts_brin ON registration_events USING brin (ts) WITH (autosummarize = on);

-- location churns all day: every refresh leaves a dead row version and every flush or expiry sweep
-- deletes many at once. Stale statistics after a big flush made the planner sort every device on each
-- GET /registrations (kamailio/README.md): analyse after 2 % of the rows changed, vacuum after 5 %,
-- without the cost-based pauses (the table is small; a slow vacuum lets dead rows pile up).
ALTER TABLE location SET (
    autovacuum_vacuum_scale_factor = 0.05, autovacuum_vacuum_threshold = 200,
    autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 200,
    autovacuum_vacuum_cost_delay = 0
);
