//! Spec section 19, "Budget" (Checks): `spec/sections/19-budget.md`.

use skyledger_types::Operation::{Create, Read};

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            GET,
            "/cs/api/cost/budget/cost_centers",
            Read,
            "Get cost centers for budget management",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/budget/tags",
            Read,
            "Get account tags for budget configuration",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/budget/solution_reports_meta",
            Read,
            "Get solution reports metadata for budget management",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/budget/budget_policy",
            Create,
            "Create new budget policy",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/budget/{budget_id}/trend",
            Read,
            "Get budget trend analysis",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/budget/budget_history/{budget_id}",
            Read,
            "Get budget usage history",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/budget/dashboard",
            Read,
            "Get budget dashboard data",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/budget/budget_details",
            Create,
            "Create budget configuration",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/budget/currencies_format",
            Read,
            "Get budget currency formats",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/budget/budget_policys/{account_type}",
            Read,
            "Get budget policies by account type",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/budget/budget_info/{budget_id}",
            Read,
            "Get detailed budget information",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/budget/budget_alerts/{budget_id}",
            Read,
            "Get budget alert history",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/budget/users",
            Read,
            "Get budget users and groups",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/accounts_status",
            Read,
            "Get account processing status",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/budget/accounts",
            Read,
            "Get accounts for budget management",
        ),
    ]
}
