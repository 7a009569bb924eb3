//! Spec section 31, "Budget Policy" (Admin): `spec/sections/31-budget-policy.md`.

use skyledger_types::Operation::{Create, Read};

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            POST,
            "/cs/api/cost/admin/budget_policy",
            Create,
            "Create a budget, anomaly, or governance policy",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/admin/cc_tags",
            Read,
            "Get cost center tags for governance profiles",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/admin/solution_reports_meta",
            Read,
            "Get solution reports metadata for profile configuration",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/admin/budget_policys/{accountType}",
            Read,
            "Get anomaly profiles by account type",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/admin/cost_centers",
            Read,
            "Get cost centers for profile configuration",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/admin/budget_meta",
            Read,
            "Get budget metadata for all budgets",
        ),
    ]
}
