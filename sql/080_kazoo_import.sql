-- crossbar-py import-kazoo (docs/migrating-from-kazoo.md): runs, one checkpoint per account written in
-- that account's own transaction (a killed run resumes exactly after the last committed account), and
-- where each imported document came from, so that a rerun tells unchanged, updated and edited-here apart.

CREATE TABLE import_runs (
    id          bigserial PRIMARY KEY,
    source      text NOT NULL,
    started     timestamptz NOT NULL DEFAULT now(),
    finished    timestamptz,
    report      jsonb
);
CREATE INDEX import_runs_open_idx ON import_runs (source, id) WHERE finished IS NULL;

CREATE TABLE import_checkpoints (
    run_id      bigint NOT NULL REFERENCES import_runs (id) ON DELETE CASCADE,
    account_id  text NOT NULL,
    tally       jsonb NOT NULL,                    -- this account's counts and conflicts
    done_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, account_id)
);

CREATE TABLE import_documents (
    id          text PRIMARY KEY,
    kind        text NOT NULL,
    account_id  text NOT NULL,
    source_hash text NOT NULL,                     -- the source document as last imported
    local_hash  text NOT NULL,                     -- our rev_hash right after: another one means edited here
    imported_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX import_documents_account_idx ON import_documents (account_id);

-- crossbar-py cutover move: every check-sync sent to a phone still registered at Kazoo.
CREATE TABLE cutover_moves (
    id          bigserial PRIMARY KEY,
    ts          timestamptz NOT NULL DEFAULT clock_timestamp(),
    account_id  text NOT NULL,
    device_id   text,
    username    text NOT NULL,
    realm       text NOT NULL,
    contact     text NOT NULL,
    received    text,
    event       text NOT NULL,
    sent        boolean NOT NULL
);
CREATE INDEX cutover_moves_account_idx ON cutover_moves (account_id, id);
