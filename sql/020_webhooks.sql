-- Webhooks (docs/monitoring.md): the registration journal is the outbox. Each webhook keeps a cursor
-- into the journal in PostgreSQL, so delivery is at least once and survives any API restart.

-- Journal ids come from a sequence, and a transaction that took a lower id can commit after one that took
-- a higher id, so "id > cursor" alone can skip an event for good. Each event also records the id of the
-- transaction that wrote it; readers only take events of transactions older than every transaction still
-- running (pg_snapshot_xmin), in (txid, id) order. Every event not read yet then sorts after the cursor.
-- A constant default and then a volatile one change no existing row (no table rewrite); old rows read 0.
ALTER TABLE registration_events ADD COLUMN txid bigint NOT NULL DEFAULT 0;
ALTER TABLE registration_events ALTER COLUMN txid SET DEFAULT pg_current_xact_id()::text::bigint;
CREATE INDEX registration_events_tx_idx ON registration_events (txid, id);
CREATE INDEX registration_events_account_tx_idx ON registration_events (account_id, txid, id);

-- Every transaction older than this one has ended: events below it are all committed (or never will be).
CREATE FUNCTION journal_horizon() RETURNS bigint LANGUAGE sql VOLATILE AS $$
    SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint
$$;

CREATE TABLE webhooks (
    id              text PRIMARY KEY,
    account_id      text NOT NULL REFERENCES accounts (id),
    uri             text NOT NULL,
    http_verb       text NOT NULL,
    kinds           text[] NOT NULL,                   -- journal events it takes (registered, expired, ...)
    retries         integer NOT NULL CHECK (retries BETWEEN 0 AND 10),
    enabled         boolean NOT NULL DEFAULT true,
    secret          text NOT NULL,                     -- HMAC key of the signature; shown on create and rotate
    doc             jsonb NOT NULL,
    rev             integer NOT NULL DEFAULT 1,
    rev_hash        text NOT NULL,
    created         timestamptz NOT NULL DEFAULT now(),
    modified        timestamptz NOT NULL DEFAULT now(),
    deleted         boolean NOT NULL DEFAULT false,
    -- Delivery state: the last journal event delivered or given up on, as (txid, id).
    cursor_txid     bigint NOT NULL DEFAULT journal_horizon(),
    cursor_id       bigint NOT NULL DEFAULT 0,
    failures        integer NOT NULL DEFAULT 0,        -- failed attempts at the event after the cursor
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease_token     text,                              -- the worker delivering it now, until lease_until
    lease_until     timestamptz
);
CREATE INDEX webhooks_account_idx ON webhooks (account_id, id) WHERE NOT deleted;
CREATE INDEX webhooks_due_idx ON webhooks (next_attempt_at) WHERE enabled AND NOT deleted;

CREATE TABLE webhook_attempts (
    id              bigserial PRIMARY KEY,
    webhook_id      text NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    account_id      text NOT NULL,
    event_id        bigint NOT NULL,                   -- registration_events.id
    event           text NOT NULL,                     -- device.registered, ...
    attempt         integer NOT NULL,                  -- 1 for the first try of this event
    result          text NOT NULL CHECK (result IN ('success', 'failure', 'gave_up')),
    status_code     integer,
    error           text,
    duration_ms     integer NOT NULL,
    ts              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_attempts_hook_idx ON webhook_attempts (webhook_id, id);
CREATE INDEX webhook_attempts_account_idx ON webhook_attempts (account_id, id);
CREATE INDEX webhook_attempts_ts_idx ON webhook_attempts (ts);
