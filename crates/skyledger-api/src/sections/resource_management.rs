//! Spec section 28, "Resource Management" (Accounts): `spec/sections/28-resource-management.md`.

use skyledger_types::Operation::{Create, Read};

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            POST,
            "/cs/api/cost/accounts/resource_explorer/ri_resouce_trend_chart",
            Create,
            "Get resource cost trend chart data",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/accounts/resource_pagination",
            Create,
            "Get detailed monthly cost breakdown for specific resources",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/accounts/resource_explorer/ri_list",
            Create,
            "Get detailed resource metadata and tags",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/billed_res_count",
            Read,
            "Get Billed Resource Count by Account",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/accounts/resource_explorer/resource/{resource_id}/tags",
            Read,
            "Get tags for specific resource",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/accounts/resource_count",
            Create,
            "Get detailed resource list with cost data for specific billing account",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/accounts/cost_by_instance",
            Create,
            "Get Cost by Instance Type",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/accounts/cost_by_resource",
            Create,
            "Get Cost by Resource",
        ),
    ]
}
