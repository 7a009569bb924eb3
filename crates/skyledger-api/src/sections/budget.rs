//! Spec section 19, "Budget" (Checks): `spec/sections/19-budget.md`.

use axum::Extension;
use axum::extract::State;
use axum::response::Response;
use serde_json::json;
use skyledger_auth::Caller;
use skyledger_meta::cost_accounts::STATUS_PROCESSING;
use skyledger_types::Operation::{Create, Read};

use crate::AppState;
use crate::envelope::{ApiResult, ok};
use crate::input::{Input, NoInput};
use crate::routes::{GET, POST, Route};

/// An ingest job still marked running after this long died without finishing (a killed
/// process); it no longer counts as bill processing.
const STALE_JOB_MS: i64 = 6 * 3600 * 1000;

/// `{"billProcess": true}` while billing data is being ingested for the organisation: an ingest
/// job is running, or a cost account has not finished its first processing.
async fn accounts_status(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(_none): Input<NoInput>,
) -> ApiResult<Response> {
    let org = &caller.org_id;
    let now = skyledger_meta::now_ms();
    let running = state
        .meta
        .ingest_jobs(org, 50)
        .await?
        .iter()
        .any(|j| j.status == "running" && now - j.started_at < STALE_JOB_MS);
    let first_processing = state
        .meta
        .cost_accounts(org)
        .await?
        .iter()
        .any(|a| a.status == STATUS_PROCESSING && a.last_processed_at.is_none());
    Ok(ok(json!({"billProcess": running || first_processing})))
}

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
        Route::new(
            GET,
            "/cs/api/cost/accounts_status",
            Read,
            "Get account processing status",
            accounts_status,
        ),
        Route::missing(
            GET,
            "/cs/api/cost/budget/accounts",
            Read,
            "Get accounts for budget management",
        ),
    ]
}
