-- Tag ids: every tag key/value pair the API names gets a 17-digit id, per organisation.
-- variation: 0 provider tag (seen in billing data), 1 custom resource tag, -3 custom
-- cost-account tag (spec: custom_tags_for_cc_ca sends variation -3).
CREATE TABLE tags (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    variation BIGINT NOT NULL,
    tag_key TEXT NOT NULL,
    tag_value TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, variation, tag_key, tag_value)
);

-- Custom tags attached to a resource of a cost account, or (resource_id '') to the cost account.
CREATE TABLE tag_assignments (
    org_id TEXT NOT NULL REFERENCES organizations (id),
    tag_id TEXT NOT NULL REFERENCES tags (id),
    cost_account_id TEXT NOT NULL REFERENCES cost_accounts (id),
    resource_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tag_id, cost_account_id, resource_id)
);
CREATE INDEX tag_assignments_target ON tag_assignments (org_id, cost_account_id, resource_id);
