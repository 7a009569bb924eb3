//! Spec section 23, "Analytics" (Accounts): `spec/sections/23-analytics.md`.

use skyledger_types::Operation::Create;

use crate::routes::{POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            POST,
            "/cs/api/cost/accounts/trend_box",
            Create,
            "Get Trend Box Data",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/accounts/incurred_cost",
            Create,
            "Get daily incurred cost trend for accounts",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/accounts/group_by_property",
            Create,
            "Group accounts by property",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/accounts/spend_analysis_panel",
            Create,
            "Get spend analysis panel data",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/accounts/common_widget_api",
            Create,
            "Get cost breakdown data by dimensions for dashboard widgets",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/accounts/accounts_splitup",
            Create,
            "Get Account Cost Splitup by Billing Accounts",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/accounts/entity_forecast",
            Create,
            "Get entity-level cost forecast data for an account",
        ),
    ]
}
