-- Solution reports: named views of one cost account that the server finds in the billing data
-- (one per region, per service, per ECS Fargate operation, per data-transfer-out usage type,
-- ...). The report type and key say what it selects; the id stays the same once given, so
-- clients can save it.
CREATE TABLE solution_reports (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    cost_account_id TEXT NOT NULL REFERENCES cost_accounts (id),
    report_type BIGINT NOT NULL,
    report_key TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, cost_account_id, report_type, report_key)
);
CREATE INDEX solution_reports_account ON solution_reports (org_id, cost_account_id);
