//! Spec section 40, "Report Profile" (Admin): `spec/sections/40-report-profile.md`.

use skyledger_types::Operation::{Create, Read};

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            GET,
            "/cs/api/cost/report/profiles",
            Read,
            "Get all report profiles for scheduled reporting",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/report/profile",
            Create,
            "Create a new report profile",
        ),
    ]
}
