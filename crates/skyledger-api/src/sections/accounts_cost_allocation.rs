//! Spec section 26, "Accounts > Cost Allocation" (Accounts): `spec/sections/26-accounts-cost-allocation.md`.

use skyledger_types::Operation::{Create, Read};

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            POST,
            "/cs/api/cost/accounts/hierarchy/report",
            Create,
            "Generate allocation hierarchy report",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/accounts/hierarchy/report/{reportId}/graph",
            Read,
            "Get Account Hierarchy Graph",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/accounts/hierarchy/report/{reportId}/node",
            Read,
            "Get Account Hierarchy Node",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/accounts/hierarchy/report/profiles",
            Read,
            "Get Hierarchy Report Profiles",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/accounts/hierarchy/reports",
            Read,
            "Get Available Hierarchy Reports",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/accounts/allocations",
            Read,
            "Get Account Allocations",
        ),
    ]
}
