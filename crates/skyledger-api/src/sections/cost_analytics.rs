//! Spec section 02, "Cost Analytics" (Cost Centers): `spec/sections/02-cost-analytics.md`.

use skyledger_types::Operation::Read;

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            GET,
            "/cs/api/cost/cost_centers/budget_meta",
            Read,
            "Get cost centers budget metadata",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/cost_centers/trend_box",
            Read,
            "Get cost centers trend box",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/cost_centers/common_widget_api",
            Read,
            "Get aggregated cost widgets for cost centers",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/cost_centers/accounts_splitup",
            Read,
            "Get account-wise cost splitup",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/cost_centers/spend_analysis_panel",
            Read,
            "Get cost centers spend analysis panel",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/cost_centers/cc_spend_analysis",
            Read,
            "Get cost centers spend analysis",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/cost_centers/group_by_property",
            Read,
            "Group cost centers accounts by property",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/cost_centers/cost",
            Read,
            "Get comprehensive cost centers cost data",
        ),
    ]
}
