-- Cost accounts (one billing source each), the billing accounts seen in their data, ingest
-- jobs, and the deliveries a polled source has already had ingested.
CREATE TABLE cost_accounts (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    cloud_type BIGINT NOT NULL,
    provider TEXT NOT NULL,
    -- The provider's identity of the billing source (payer account, billing account, tenancy).
    source_key TEXT NOT NULL,
    -- Where deliveries come from (a path or an object-store URL), as last ingested.
    source TEXT NOT NULL,
    currency TEXT NOT NULL,
    -- 1 processing, 2 processed, 3 failed (spec: accounts_status).
    status BIGINT NOT NULL,
    status_message TEXT NOT NULL,
    last_processed_at BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, provider, source_key)
);
CREATE INDEX cost_accounts_org ON cost_accounts (org_id);

CREATE TABLE billing_accounts (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    cost_account_id TEXT NOT NULL REFERENCES cost_accounts (id),
    -- The provider's id: linked account, subscription, project.
    account_key TEXT NOT NULL,
    name TEXT NOT NULL,
    first_seen_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    UNIQUE (cost_account_id, account_key)
);

CREATE TABLE ingest_jobs (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    cost_account_id TEXT,
    source TEXT NOT NULL,
    format TEXT NOT NULL,
    -- running, succeeded, failed
    status TEXT NOT NULL,
    rows_read BIGINT NOT NULL,
    bad_rows BIGINT NOT NULL,
    bytes_read BIGINT NOT NULL,
    -- JSON: the periods committed, with rows per period.
    summary TEXT NOT NULL,
    message TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX ingest_jobs_org ON ingest_jobs (org_id, started_at);

CREATE TABLE source_deliveries (
    org_id TEXT NOT NULL REFERENCES organizations (id),
    source TEXT NOT NULL,
    object TEXT NOT NULL,
    -- Size and modification time (or ETag) when it was ingested; a change means a restatement.
    fingerprint TEXT NOT NULL,
    ingested_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, source, object)
);
