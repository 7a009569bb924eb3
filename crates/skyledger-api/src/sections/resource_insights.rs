//! Spec section 04, "Resource Insights" (Cost Centers): `spec/sections/04-resource-insights.md`.

use skyledger_types::Operation::Read;

use crate::routes::{POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            POST,
            "/cs/api/cost/cost_centers/cost_by_resource",
            Read,
            "Get cost by resource for cost centers",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/cost_centers/cost_by_instance",
            Read,
            "Get cost by instance type for cost centers",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/cost_centers/resource_pagination",
            Read,
            "Get cost centers resource monthly cost breakdown",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/cost_centers/resource_count",
            Read,
            "Get cost centers resource count with cost breakdown",
        ),
    ]
}
