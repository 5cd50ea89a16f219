-- Kazoo documents we store but never execute (callflows, vmboxes, media, ..., and per-account singletons such as
-- limits, configs, whitelabel, apps_store): one table keyed by (account, type, id), the public document in JSONB.

CREATE TABLE kazoo_documents (
    account_id      text NOT NULL REFERENCES accounts (id),
    type            text NOT NULL,
    id              text NOT NULL,
    doc             jsonb NOT NULL,
    rev             integer NOT NULL DEFAULT 1,
    rev_hash        text NOT NULL,
    created         timestamptz NOT NULL DEFAULT now(),
    modified        timestamptz NOT NULL DEFAULT now(),
    deleted         boolean NOT NULL DEFAULT false,
    PRIMARY KEY (account_id, type, id)
);

-- A whitelabel domain names one account (GET /v2/whitelabel/{domain} needs no token).
CREATE UNIQUE INDEX kazoo_documents_whitelabel_domain_uq ON kazoo_documents (lower(doc ->> 'domain'))
    WHERE type = 'whitelabel' AND NOT deleted AND doc ? 'domain';

-- Files attached to a document (media audio, whitelabel logo and icon), served back as uploaded.
CREATE TABLE kazoo_attachments (
    account_id      text NOT NULL,
    type            text NOT NULL,
    id              text NOT NULL,
    name            text NOT NULL,
    content_type    text NOT NULL,
    body            bytea NOT NULL,
    modified        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, type, id, name),
    FOREIGN KEY (account_id, type, id) REFERENCES kazoo_documents (account_id, type, id) ON DELETE CASCADE
);

-- Kazoo's rule that a number or pattern routes to one callflow per account, held by a unique key so that two
-- concurrent writes cannot both claim it. Rows of a soft-deleted callflow are released.
CREATE TABLE callflow_routes (
    account_id      text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('numbers', 'patterns')),
    value           text NOT NULL,
    callflow_id     text NOT NULL,
    PRIMARY KEY (account_id, kind, value)
);
CREATE INDEX callflow_routes_callflow_idx ON callflow_routes (account_id, callflow_id);

-- A phone number (type 'phone_numbers', id = its E.164 form) belongs to one account at a time.
CREATE UNIQUE INDEX kazoo_documents_phone_number_uq ON kazoo_documents (id) WHERE type = 'phone_numbers' AND NOT deleted;
