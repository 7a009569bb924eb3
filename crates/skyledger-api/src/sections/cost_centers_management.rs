//! Spec section 01, "Cost Centers Management" (Cost Centers): `spec/sections/01-cost-centers-management.md`.

use skyledger_types::Operation::{Create, Read};

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            GET,
            "/cs/api/cost/cost_centers/integration/alert_configs",
            Read,
            "List alert configurations for cost centers",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/cost_centers/users",
            Read,
            "List cost centers users and groups",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/cost_centers",
            Read,
            "List all cost centers",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/cost_centers/integration/msp_alert_configs",
            Read,
            "List MSP alert configurations for cost centers",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/cost_centers/cost_user_settings",
            Read,
            "Get cost centers user settings",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/cost_center",
            Create,
            "Create or configure cost centers",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/cost_centers/accounts_data",
            Read,
            "Get cost centers accounts configuration data",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/integration/msp_customers",
            Read,
            "Check MSP admin status",
        ),
    ]
}
