//! Spec section 20, "Anomaly" (Checks): `spec/sections/20-anomaly.md`.

use skyledger_types::Operation::{Create, Read};

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            GET,
            "/cs/api/cost/anomaly/accounts",
            Read,
            "Get cloud accounts for anomaly check creation",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/anomaly/budget_policys/{account_type}",
            Read,
            "Get anomaly budget policies by account type",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/anomaly/dashboard",
            Read,
            "Get anomaly detection dashboard",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/checks",
            Create,
            "Create anomaly check configuration",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/anomaly/currencies_format",
            Read,
            "Get anomaly currency formats",
        ),
        Route::missing(
            GET,
            "/cs/api/checks/anomaly/similar",
            Read,
            "Get similar anomaly patterns",
        ),
        Route::missing(
            GET,
            "/cs/api/checks/anomaly/data",
            Read,
            "Get anomaly historical data and timeline",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/anomaly/solution_reports_meta",
            Read,
            "Get solution reports metadata for anomaly check creation",
        ),
        Route::missing(
            GET,
            "/cs/api/checks/anomaly/details/rca",
            Read,
            "Get anomaly root cause analysis",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/anomaly/users",
            Read,
            "Get anomaly users and groups",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/anomaly/cost_centers",
            Read,
            "Get cost centers for anomaly check creation",
        ),
        Route::missing(
            GET,
            "/cs/api/checks/anomaly/chart",
            Read,
            "Get anomaly timeline chart data",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/anomaly/cost_user_settings",
            Read,
            "Get anomaly user settings and configuration",
        ),
        Route::missing(
            GET,
            "/cs/api/checks/anomaly/details/meta",
            Read,
            "Get anomaly metadata details",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/anomaly/budget_policy",
            Create,
            "Create new budget policy for anomaly checks",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/anomaly/tags",
            Read,
            "Get available tags for specific accounts",
        ),
    ]
}
