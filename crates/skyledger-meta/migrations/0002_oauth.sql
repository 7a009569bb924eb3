-- OAuth 2.0 authorization server: clients, grants (refresh tokens), codes, device codes,
-- sign-in sessions and failures, scope-enhancement tokens. Secrets are stored only as SHA-256.
CREATE TABLE oauth_clients (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    client_type TEXT NOT NULL,
    secret_hash TEXT,
    homepage_url TEXT,
    redirect_uris TEXT NOT NULL,
    js_domain TEXT,
    owner_user_id TEXT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX oauth_clients_org ON oauth_clients (org_id);

CREATE TABLE oauth_grants (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    client_id TEXT NOT NULL REFERENCES oauth_clients (id),
    user_id TEXT REFERENCES users (id),
    kind TEXT NOT NULL,
    scopes TEXT NOT NULL,
    refresh_hash TEXT UNIQUE,
    for_session BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX oauth_grants_user_client ON oauth_grants (user_id, client_id);
CREATE INDEX oauth_grants_client ON oauth_grants (client_id);

CREATE TABLE oauth_codes (
    code_hash TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    client_id TEXT NOT NULL REFERENCES oauth_clients (id),
    user_id TEXT REFERENCES users (id),
    kind TEXT NOT NULL,
    redirect_uri TEXT,
    scopes TEXT NOT NULL,
    issue_refresh BIGINT NOT NULL,
    code_challenge TEXT,
    challenge_method TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    grant_id TEXT
);
CREATE INDEX oauth_codes_user_client ON oauth_codes (user_id, client_id, created_at);

CREATE TABLE oauth_device_codes (
    device_hash TEXT PRIMARY KEY,
    user_code TEXT NOT NULL UNIQUE,
    client_id TEXT NOT NULL REFERENCES oauth_clients (id),
    scopes TEXT NOT NULL,
    offline BIGINT NOT NULL,
    prompt BIGINT NOT NULL,
    address TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    last_poll_at BIGINT,
    status TEXT NOT NULL,
    user_id TEXT REFERENCES users (id)
);
CREATE INDEX oauth_device_codes_address ON oauth_device_codes (client_id, address, created_at);

CREATE TABLE oauth_sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE oauth_signin_failures (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX oauth_signin_failures_subject ON oauth_signin_failures (kind, subject, at);

CREATE TABLE oauth_enhance_tokens (
    token_hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL REFERENCES oauth_grants (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
