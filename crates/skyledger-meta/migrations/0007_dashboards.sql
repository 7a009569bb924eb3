-- Custom dashboards: a named grid of widgets. is_public 1 shares the dashboard with every user
-- of the organisation (the spec's make_public); otherwise only its creator lists it.
-- config_data is the client's layout document, kept verbatim (JSON text).
CREATE TABLE dashboards (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    config_data TEXT NOT NULL,
    size BIGINT NOT NULL,
    is_public BIGINT NOT NULL,
    theme BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX dashboards_org ON dashboards (org_id, created_at);

-- The widgets of a dashboard in their order; widget_reference_id names the widget type of the
-- catalogue (GET /cs/api/cost/widgets); config_data (grid position, parameters) is verbatim.
CREATE TABLE dashboard_widgets (
    id TEXT PRIMARY KEY,
    dashboard_id TEXT NOT NULL REFERENCES dashboards (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    config_data TEXT NOT NULL,
    widget_reference_id TEXT NOT NULL
);

CREATE INDEX dashboard_widgets_dashboard ON dashboard_widgets (dashboard_id, position);
