-- Kazoo documents: the public document in JSONB, and what we query, constrain or join on as columns.

CREATE TABLE accounts (
    id              text PRIMARY KEY CHECK (length(id) = 32),
    parent_id       text REFERENCES accounts (id),
    tree            text[] NOT NULL DEFAULT '{}',      -- ancestors, root first (Kazoo's pvt_tree)
    name            text NOT NULL,
    name_key        text NOT NULL,                     -- lower-cased, alphanumerics only (login lookup)
    realm           text NOT NULL,
    enabled         boolean NOT NULL DEFAULT true,
    superduper      boolean NOT NULL DEFAULT false,
    api_key         text,
    doc             jsonb NOT NULL,
    rev             integer NOT NULL DEFAULT 1,
    rev_hash        text NOT NULL,
    created         timestamptz NOT NULL DEFAULT now(),
    modified        timestamptz NOT NULL DEFAULT now(),
    deleted         boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX accounts_realm_uq ON accounts (lower(realm)) WHERE NOT deleted;
CREATE UNIQUE INDEX accounts_name_uq ON accounts (name_key) WHERE NOT deleted;
CREATE UNIQUE INDEX accounts_api_key_uq ON accounts (api_key);
CREATE INDEX accounts_parent_idx ON accounts (parent_id);
CREATE INDEX accounts_tree_idx ON accounts USING gin (tree);

CREATE TABLE users (
    id              text PRIMARY KEY,
    account_id      text NOT NULL REFERENCES accounts (id),
    username        text,                              -- lower-cased
    enabled         boolean NOT NULL DEFAULT true,
    md5_lookup      text,                              -- HMAC of the md5 credential, to find the user
    md5_hash        bytea,                             -- scrypt of the md5 credential
    sha1_lookup     text,
    sha1_hash       bytea,
    salt            bytea,
    doc             jsonb NOT NULL,
    rev             integer NOT NULL DEFAULT 1,
    rev_hash        text NOT NULL,
    created         timestamptz NOT NULL DEFAULT now(),
    modified        timestamptz NOT NULL DEFAULT now(),
    deleted         boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX users_username_uq ON users (account_id, username) WHERE NOT deleted AND username IS NOT NULL;
CREATE INDEX users_md5_lookup_idx ON users (md5_lookup) WHERE NOT deleted;
CREATE INDEX users_sha1_lookup_idx ON users (sha1_lookup) WHERE NOT deleted;
CREATE INDEX users_account_idx ON users (account_id, id);

CREATE TABLE devices (
    id              text PRIMARY KEY,
    account_id      text NOT NULL REFERENCES accounts (id),
    name            text NOT NULL,
    sip_username    text,
    sip_realm       text,                              -- effective realm: sip.realm or the account's
    ha1             text,                              -- md5(user:realm:password), computed on write
    ha1b            text,                              -- md5(user@realm:realm:password)
    owner_id        text,
    enabled         boolean NOT NULL DEFAULT true,
    device_type     text,
    mac_address     text,
    doc             jsonb NOT NULL,
    rev             integer NOT NULL DEFAULT 1,
    rev_hash        text NOT NULL,
    created         timestamptz NOT NULL DEFAULT now(),
    modified        timestamptz NOT NULL DEFAULT now(),
    deleted         boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX devices_sip_cred_uq ON devices (lower(sip_realm), lower(sip_username))
    WHERE NOT deleted AND sip_username IS NOT NULL;
CREATE UNIQUE INDEX devices_mac_uq ON devices (account_id, mac_address)
    WHERE NOT deleted AND mac_address IS NOT NULL AND mac_address <> '';
CREATE INDEX devices_account_idx ON devices (account_id, id) WHERE NOT deleted;
CREATE INDEX devices_owner_idx ON devices (owner_id) WHERE NOT deleted;
-- Kamailio's lookup key: exact username and realm, as the phone sends them.
CREATE INDEX devices_sip_exact_idx ON devices (sip_username, sip_realm) WHERE NOT deleted;
