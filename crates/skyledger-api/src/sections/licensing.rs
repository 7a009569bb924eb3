//! Spec section 29, "Licensing" (Admin): `spec/sections/29-licensing.md`. The usage a licence
//! is measured on: monitored spend per month, cost account and cloud, from the cost store.

use std::collections::HashMap;

use axum::Extension;
use axum::extract::State;
use axum::response::Response;
use chrono::{NaiveDate, Utc};
use serde_json::{Value, json};
use skyledger_auth::Caller;
use skyledger_ledger::{Dimension, Granularity};
use skyledger_types::Operation::Read;
use skyledger_types::cost_row::CloudType;

use super::account_management::month_start;
use super::summary_report::stamp_time;
use crate::AppState;
use crate::cost::format::{key, money, stamp};
use crate::cost::scope::DefaultDays;
use crate::cost::{CostRequest, Scope};
use crate::envelope::{ApiError, ApiResult, ok};
use crate::input::Input;
use crate::routes::{GET, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![Route::new(
        GET,
        "/cs/api/cost/bills",
        Read,
        "Get billing and license details",
        bills,
    )]
}

/// The cloud of a bill line as the spec's example names it (`Azure`).
fn cloud_name(cloud_type: &Option<String>, provider: &Option<String>) -> String {
    match cloud_type
        .as_deref()
        .and_then(|c| c.parse::<i64>().ok())
        .and_then(CloudType::from_code)
    {
        Some(cloud) => cloud.name().into(),
        None => key(provider),
    }
}

/// One record per month, cost account and cloud whose month overlaps the dates (every month
/// with data when none are given): the whole month's cost, when the store last recorded that
/// account's data for the month, and whether the month is the current one. Skyledger bills
/// nothing, so `billed` is 0 and nothing is unpaid (docs/api-decisions.md A20).
async fn bills(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve_with(&state, &caller.org_id, &req, DefaultDays::AllData).await?;
    let first = month_start(scope.start);
    let last = month_start(scope.end)
        .checked_add_months(chrono::Months::new(1))
        .map_or(scope.end, |m| m - chrono::Days::new(1));
    let mut q = scope.query_for(first, last);
    q.granularity = Some(Granularity::Month);
    q.group_by = vec![
        Dimension::CostAccount,
        Dimension::CloudType,
        Dimension::Provider,
    ];
    let table = scope.run(&q).await?;

    // When each (cost account, month) was last written to the store.
    let periods = scope
        .ledger
        .periods()
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut written: HashMap<(String, NaiveDate), chrono::DateTime<Utc>> = HashMap::new();
    for p in &periods {
        let (Some(lo), Some(hi)) = (p.charge_start_min_us, p.charge_start_max_us) else {
            continue;
        };
        let day =
            |us: i64| chrono::DateTime::<Utc>::from_timestamp_micros(us).map(|t| t.date_naive());
        let (Some(lo), Some(hi)) = (day(lo), day(hi)) else {
            continue;
        };
        let mut m = month_start(lo);
        while m <= hi {
            let e = written
                .entry((p.cost_account_id.as_str().to_string(), m))
                .or_insert(p.committed_at);
            *e = (*e).max(p.committed_at);
            match m.checked_add_months(chrono::Months::new(1)) {
                Some(next) => m = next,
                None => break,
            }
        }
    }

    let this_month = month_start(Utc::now().date_naive());
    let data: Vec<Value> = table
        .rows
        .iter()
        .filter_map(|r| {
            let month = r.period_start?;
            let account = r.keys[0].clone()?;
            let entry = written
                .get(&(account.clone(), month))
                .map_or_else(String::new, |t| stamp_time(*t));
            Some(json!({
                "start_time": stamp(month),
                "entry_time": entry,
                "chargeable": month == this_month,
                "cost": money(r.cost),
                "billed": money(rust_decimal::Decimal::ZERO),
                "cloud_type": cloud_name(&r.keys[1], &r.keys[2]),
                "cost_account_id": account,
                "cost_account_name": scope.account_name(&account),
                "unpaid": false,
            }))
        })
        .collect();
    Ok(ok(json!({"data": data})))
}
