//! Spec section 21, "Governance" (Checks): `spec/sections/21-governance.md`.

use skyledger_types::Operation::{Create, Read};

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            GET,
            "/cs/api/cost/governance/checks/rca/unbilled_resource_details",
            Read,
            "Get governance unbilled resource details for rca",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/governance/checks/rca/billed_resource_details",
            Read,
            "Get governance billed resource details for rca",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/governance/dashboard",
            Read,
            "Get governance compliance dashboard",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/governance/budget_info/{governance_id}",
            Read,
            "Get governance check detailed information",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/governance/budget_alerts/{governance_id}",
            Read,
            "Get governance alert history",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/governance/checks/rca/unbilled_resource/names",
            Read,
            "Get governance rca unbilled resource names",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/governance/budget_policys/{account_type}",
            Read,
            "Get governance policies by account type",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/governance/budget_history/{governance_id}",
            Read,
            "Get governance usage history",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/governance/accounts",
            Read,
            "Get governance accounts overview",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/governance/checks/rca/summary",
            Read,
            "Get governance rca summary metrics",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/governance/ri_resouce_trend_chart",
            Read,
            "Get governance resource trend chart data",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/governance/ri_list",
            Read,
            "Get governance resource inventory list",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/governance/checks/rca/billed_resource/names",
            Read,
            "Get governance rca billed resource names",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/governance/resource/{resource_id}/tags",
            Read,
            "Get governance resource tags",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/governance/checks/tags",
            Read,
            "Get governance check tags",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/governance/users",
            Read,
            "Get governance users and groups for policy-specific access",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/governance/spend_analysis",
            Read,
            "Get governance spend analysis by account",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/governance/budget_policy",
            Create,
            "Create governance policy profile",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/governance/checks",
            Create,
            "Create governance check configuration",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/governance/resource/{resource_id}/data_transfer",
            Read,
            "Get governance resource data transfer details",
        ),
    ]
}
