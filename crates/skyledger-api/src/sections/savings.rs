//! Spec section 15, "Savings" (Reports): `spec/sections/15-savings.md`.

use skyledger_types::Operation::{Create, Read};

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            POST,
            "/cs/api/cost/savings/overall",
            Read,
            "Get savings analysis data",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/reports/savings_report/report/profiles",
            Read,
            "Get schedule profiles for savings report scheduling",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/reports/savings_report/report",
            Create,
            "Create scheduled savings report",
        ),
    ]
}
