//! Spec section 03, "Cost Centers > Reports" (Cost Centers): `spec/sections/03-cost-centers-reports.md`.

use skyledger_types::Operation::{Create, Read};

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            POST,
            "/cs/api/cost/cost_centers/spend_analysis/report",
            Create,
            "Generate spend analysis report for cost centers",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/cost_centers/report/profiles",
            Read,
            "List cost centers report profiles",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/cost_centers/resource_explorer/report",
            Create,
            "Generate resource explorer report for cost centers",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/cost_centers/report",
            Create,
            "Generate cost centers list report",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/cost_centers/resource_explorer/report/profiles",
            Read,
            "List resource explorer report profiles",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/cost_centers/spend_analysis/report/profiles",
            Read,
            "List spend analysis report profiles",
        ),
    ]
}
