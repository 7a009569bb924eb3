//! Spec section 18, "Reservation" (Reports): `spec/sections/18-reservation.md`.

use skyledger_types::Operation::Read;

use crate::routes::{GET, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            GET,
            "/cs/api/cost/optimization/{cost_account_id}/utilization/{plan_id}/chart",
            Read,
            "Get reservation utilization chart data for cost analysis (aws/azure)",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/optimization/{cost_account_id}/utilization/{product_id}/list",
            Read,
            "Get detailed reservation utilization for multi-cloud services (aws/azure)",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/optimization/{cost_account_id}/summary",
            Read,
            "Get reservation optimization summary for multi-cloud accounts (aws/azure)",
        ),
    ]
}
