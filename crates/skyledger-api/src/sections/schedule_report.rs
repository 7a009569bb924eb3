//! Spec section 37, "Schedule Report" (Admin): `spec/sections/37-schedule-report.md`.

use skyledger_types::Operation::{Create, Read};

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            POST,
            "/cs/api/cost/report",
            Create,
            "Create a new scheduled report",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/reports",
            Read,
            "Get all scheduled reports by category",
        ),
    ]
}
