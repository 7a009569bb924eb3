//! Spec section 34, "Settings" (Admin): `spec/sections/34-settings.md`.

use skyledger_types::Operation::Read;

use crate::routes::{GET, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            GET,
            "/cs/api/cost/admin/accounts",
            Read,
            "Get accounts overview with processing status",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/admin/dashboard",
            Read,
            "Get custom dashboards and reports list",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/cost_user_settings",
            Read,
            "Get cost user settings and configuration",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/admin/details",
            Read,
            "Get admin details and workspace information",
        ),
    ]
}
