//! Spec section 10, "Solution Report" (Reports): `spec/sections/10-solution-report.md`.

use skyledger_types::Operation::{Create, Read};

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            GET,
            "/cs/api/cost/reports/tags",
            Read,
            "Get all available tags for cost account",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/solution_reports_meta",
            Read,
            "Get solution reports metadata - call first to validate report names",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/sol_reports/cost_by_instance",
            Create,
            "Get cost by skus/instance for named solution report",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/sol_reports/resource_count",
            Create,
            "Get resource count for named solution report drill-down",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/sol_reports/accounts_splitup",
            Create,
            "Get accounts splitup for named solution report",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/guidance/meta-view",
            Read,
            "Get guidance metadata view configuration",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/sol_reports",
            Read,
            "Get solution reports listing (level 1 cards) - not for spend analysis",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/guidances",
            Read,
            "Get cost optimization guidances and recommendations",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/sol_reports/common_widget_api",
            Create,
            "Get cost by region/service/component for named solution report",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/sol_reports/cost_by_resource",
            Create,
            "Get cost by resource for named solution report",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/reports/cc_tags",
            Read,
            "Get cost centers tags configuration",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/sol_reports/trend_box",
            Create,
            "Get trend chart for named solution report",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/sol_reports/spend_analysis_panel",
            Create,
            "Get spend analysis panel for solution reports",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/sol_reports/resource_pagination",
            Create,
            "Get resource monthly cost details for named solution report",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/reports/cc_spend_analysis",
            Read,
            "Get cost centers scoped configuration for solution reports",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/reports/spend_analysis",
            Read,
            "Get multi-cloud spend analysis for specific cost account (aws/azure/gcp)",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/sol_reports/group_by_property",
            Create,
            "Get resource explorer grouped data for named solution report",
        ),
    ]
}
