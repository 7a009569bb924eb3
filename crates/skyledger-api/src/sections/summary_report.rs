//! Spec section 08, "Summary Report" (Reports): `spec/sections/08-summary-report.md`.

use skyledger_types::Operation::{Create, Read};

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            GET,
            "/cs/api/cost/reports/report_tile_status",
            Read,
            "Get Report Tile Status",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/reports/summary_report/report/profiles",
            Read,
            "Get schedule profiles for summary report scheduling",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/cloud_discounts",
            Read,
            "Get cloud discounts for summary report",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/cloud_overallcost",
            Read,
            "Get cloud overall cost for summary report",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/cloud_available_range",
            Read,
            "Get available data range for summary report",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/cloud_group_by_entities",
            Read,
            "Get cloud cost grouped by entities (summary report - step 5)",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/reports/summary_report/report",
            Create,
            "Create scheduled summary report",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/sankey_chart_data",
            Read,
            "Get sankey chart data (summary report - step 4)",
        ),
    ]
}
