//! Spec section 30, "Rule Engine" (Admin): `spec/sections/30-rule-engine.md`.

use skyledger_types::Operation::{Create, Read};

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            POST,
            "/cs/api/cost/admin/rule/run",
            Create,
            "Trigger execution of a rule",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/admin/rule/configuration",
            Read,
            "Get full configuration details of a rule",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/admin/rule/history/view",
            Read,
            "View detailed results of a rule execution",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/admin/rule",
            Create,
            "Create a new rule in Rule Engine",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/admin/rule",
            Read,
            "List all rules configured in Rule Engine",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/admin/rule/history",
            Read,
            "Get execution history of all rules",
        ),
    ]
}
