//! Spec section 24, "Accounts > Reports" (Accounts): `spec/sections/24-accounts-reports.md`.

use skyledger_types::Operation::{Create, Read};

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            POST,
            "/cs/api/cost/accounts/resource_explorer/report",
            Create,
            "Generate resource explorer report",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/accounts/report",
            Create,
            "Generate dashboard/accounts report",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/accounts/spend_analysis/report",
            Create,
            "Generate spend analysis report",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/accounts/report/profiles",
            Read,
            "List Account Report Profiles",
        ),
    ]
}
