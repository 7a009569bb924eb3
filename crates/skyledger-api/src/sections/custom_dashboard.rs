//! Spec section 11, "Custom Dashboard" (Reports): `spec/sections/11-custom-dashboard.md`.

use skyledger_types::Operation::{Create, Read};

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            POST,
            "/cs/api/cost/custom_report/spend_analysis_panel",
            Read,
            "Get spend analysis panel for custom dashboard widgets only",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/custom_report/accounts_splitup",
            Read,
            "Get accounts cost breakdown for custom dashboard widgets only",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/custom_report/chart",
            Read,
            "Get custom anomaly chart data",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/custom_report/cloud_available_range",
            Read,
            "Get available data range for custom report widgets",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/custom_report/cloud_discounts",
            Read,
            "Get cloud discounts analysis",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/custom_report/ri_top_region_list",
            Read,
            "Get resource inventory regional distribution for inventory usage table widgets",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/custom_report/ri_trend_chart",
            Read,
            "Get reserved instance trend chart data",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/custom_report/budget_info/{budget_id}",
            Read,
            "Get budget information details",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/custom_report/accounts_data",
            Read,
            "Get accounts data for custom report creation",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/widgets",
            Read,
            "Get available widgets for custom report creation",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/custom_report/cost_by_resource",
            Read,
            "Get cost by resource for custom dashboard widgets only",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/custom_report/trend_box",
            Read,
            "Get trend chart data for custom dashboard widgets only",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/dashboard",
            Create,
            "Create new custom dashboard",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/dashboard",
            Read,
            "Get custom dashboards list",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/custom_report/common_widget_api",
            Read,
            "Get multi-dimensional cost data for custom dashboard widgets only",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/custom_report/cloud_overallcost",
            Read,
            "Get cloud overall cost analysis",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/custom_report/ri_splitup",
            Read,
            "Get reserved instance splitup",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/dashboard/{id}",
            Read,
            "Get specific custom dashboard",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/custom_report/checks/status",
            Read,
            "Get checks status summary for checks category numerical widgets",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/custom_report/ri_top_service_list",
            Read,
            "Get resource inventory service distribution for inventory usage table widgets",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/custom_report/budget_meta",
            Read,
            "Get budget metadata for custom report creation",
        ),
    ]
}
