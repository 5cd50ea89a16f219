-- Revoked tokens (docs/decisions.md §8). PostgreSQL holds them; every API node keeps them in memory, told at
-- once through Redis and, as a safety net that needs no Redis, by polling revoked_at.
CREATE TABLE revoked_tokens (
    jti        text PRIMARY KEY,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX revoked_tokens_revoked_at_idx ON revoked_tokens (revoked_at);
