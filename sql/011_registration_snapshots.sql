-- Periodic snapshots of who is registered, per account (crossbar_py/snapshots.py). Analytics replays
-- the journal from the latest snapshot at or before a period's start, so a contact registered long
-- before the period (its `registered` event perhaps purged) is still counted exactly.
CREATE TABLE registration_snapshots (
    account_id      text NOT NULL,
    slot            timestamptz NOT NULL,           -- the interval this snapshot stands for (one per node set)
    taken_at        timestamptz NOT NULL DEFAULT now(),
    live_devices    text[] NOT NULL DEFAULT '{}',   -- devices with live contacts ...
    live_contacts   int[] NOT NULL DEFAULT '{}',    -- ... and how many each
    offline_devices text[] NOT NULL DEFAULT '{}',   -- devices whose status was offline
    registered      int NOT NULL DEFAULT 0,         -- cardinality(live_devices), readable without the arrays
    offline         int NOT NULL DEFAULT 0,         -- cardinality(offline_devices)
    -- The interval since the account's previous snapshot, replayed from the journal when this one was
    -- taken: registered-device-seconds, peak and lowest (NULL for an account's first snapshot).
    since           timestamptz,
    device_seconds  double precision,
    peak            int,
    lowest          int,
    PRIMARY KEY (account_id, slot)
);
CREATE INDEX registration_snapshots_taken_idx ON registration_snapshots (account_id, taken_at);
