-- Foundation: id blocks, organisations, users, access tokens.
-- One DDL for SQLite and PostgreSQL: TEXT ids, BIGINT unix milliseconds, BIGINT 0/1 flags.
CREATE TABLE id_blocks (
    name TEXT PRIMARY KEY,
    next_value BIGINT NOT NULL
);
INSERT INTO id_blocks (name, next_value) VALUES ('global', 1000);

CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    is_admin BIGINT NOT NULL DEFAULT 0,
    status BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);
CREATE INDEX users_org ON users (org_id);

CREATE TABLE access_tokens (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    user_id TEXT REFERENCES users (id),
    client_id TEXT,
    grant_id TEXT,
    scopes TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX access_tokens_grant ON access_tokens (grant_id);
