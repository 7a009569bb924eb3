-- Cost centers (the spec's business units): a named slice of the organisation's cost, made of
-- cost accounts (whole, or some of their billing accounts) and tag rules, possibly across clouds.
-- name_key is the lower-cased name: names are unique per organisation, case-insensitively.
-- cloud_type: 0 AWS, 1 Azure, 2 GCP, … of its accounts, -1 hybrid (accounts of several clouds).
CREATE TABLE cost_centers (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    cloud_type BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (org_id, name_key)
);

-- The accounts of a cost center: billing_account_id '' is the whole cost account (billing
-- accounts seen later included); otherwise one billing account of it.
CREATE TABLE cost_center_accounts (
    cost_center_id TEXT NOT NULL REFERENCES cost_centers (id) ON DELETE CASCADE,
    cost_account_id TEXT NOT NULL REFERENCES cost_accounts (id),
    billing_account_id TEXT NOT NULL,
    PRIMARY KEY (cost_center_id, cost_account_id, billing_account_id)
);

-- Tag rules: rows whose tag `tag_key` has one of the rule's values. Values of one key are ORed,
-- keys ANDed.
CREATE TABLE cost_center_tag_rules (
    cost_center_id TEXT NOT NULL REFERENCES cost_centers (id) ON DELETE CASCADE,
    tag_key TEXT NOT NULL,
    tag_value TEXT NOT NULL,
    PRIMARY KEY (cost_center_id, tag_key, tag_value)
);

-- Users and user groups attached to a cost center (member_kind 'user' or 'group').
CREATE TABLE cost_center_members (
    cost_center_id TEXT NOT NULL REFERENCES cost_centers (id) ON DELETE CASCADE,
    member_kind TEXT NOT NULL,
    member_id TEXT NOT NULL,
    PRIMARY KEY (cost_center_id, member_kind, member_id)
);

-- Custom tags users put on a cost center (the spec's variation -4 tags).
CREATE TABLE cost_center_tags (
    cost_center_id TEXT NOT NULL REFERENCES cost_centers (id) ON DELETE CASCADE,
    tag_id TEXT NOT NULL REFERENCES tags (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (cost_center_id, tag_id)
);
