//! Spec section 16, "Reports > Cost Allocation" (Reports): `spec/sections/16-reports-cost-allocation.md`.

use skyledger_types::Operation::{Create, Read};

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            GET,
            "/cs/api/cost/reports/allocations/tags",
            Read,
            "Get available tags for cost allocation hierarchy",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/reports/hierarchy/report/{allocation_id}/graph",
            Read,
            "Get hierarchical cost allocation data for interactive navigation",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/reports/hierarchy/report/profiles",
            Read,
            "Get schedule profiles for allocation report scheduling",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/reports/allocation/{allocation_id}",
            Read,
            "Get cost allocation report details with hierarchical configuration",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/reports/hierarchy/report",
            Create,
            "Create scheduled allocation report",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/reports/allocations",
            Create,
            "Create custom cost allocation with hierarchical structure",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/reports/allocations",
            Read,
            "Get cost allocation reports list",
        ),
    ]
}
