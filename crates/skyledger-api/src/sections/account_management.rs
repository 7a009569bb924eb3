//! Spec section 27, "Account Management" (Accounts): `spec/sections/27-account-management.md`.

use skyledger_types::Operation::Read;

use crate::routes::{GET, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            GET,
            "/cs/api/cost/account_usage",
            Read,
            "Get Account Usage Statistics",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/accounts/integration/alert_configs",
            Read,
            "List alert configurations for accounts module",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/account_settings",
            Read,
            "Get Account Settings and Configuration",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/accounts/integration/msp_alert_configs",
            Read,
            "List MSP customer alert configurations for accounts module",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/accounts/accounts_data",
            Read,
            "Get Accounts Metadata",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/accounts/users",
            Read,
            "List Account Users and Access",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/accounts",
            Read,
            "List account spend details",
        ),
    ]
}
