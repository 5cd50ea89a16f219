-- Each snapshot interval's step changes, kept when the interval is recorded (docs/decisions.md §29):
-- the times at which the account's registered and offline device counts changed within
-- (since, taken_at], and by how much. Analytics reads an interval's changes instead of replaying its
-- events again, and replays the journal only after the last interval kept.
ALTER TABLE registration_snapshots
    ADD COLUMN changes_at  timestamptz[],
    ADD COLUMN changes_reg int[],
    ADD COLUMN changes_off int[];

-- Intervals still to record (the newest, and those kept before their changes were); an account's first
-- snapshot, which has no interval, stays here: one row per account.
CREATE INDEX registration_snapshots_unrecorded_idx ON registration_snapshots (taken_at) WHERE changes_at IS NULL;

-- Each account's checkpoint: the changes since its last recorded snapshot up to `upto` (a few minutes
-- ago), and the state then of every device with events since that snapshot; kept by the snapshot loop
-- every round, so that analytics replays only the journal after `upto`.
CREATE TABLE registration_checkpoints (
    account_id  text PRIMARY KEY,
    since       timestamptz NOT NULL,   -- the snapshot it continues
    upto        timestamptz NOT NULL,
    changes_at  timestamptz[] NOT NULL,
    changes_reg int[] NOT NULL,
    changes_off int[] NOT NULL,
    devices     text[] NOT NULL,        -- devices with events in (since, upto], sorted ...
    contacts    int[] NOT NULL,         -- ... their live contacts at upto ...
    offline     boolean[] NOT NULL      -- ... and whether they were offline
);
