//! Spec section 08, "Summary Report" (Reports): `spec/sections/08-summary-report.md`. The
//! environment-wide widgets: overall cost and its changes, discounts, data range, top entities
//! and the cost flow, all from the cost store; report scheduling comes with that module.

use std::collections::BTreeMap;

use axum::Extension;
use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use skyledger_auth::Caller;
use skyledger_ledger::{Dimension, Order};
use skyledger_meta::cost_accounts::STATUS_PROCESSED;
use skyledger_types::Operation::{Create, Read};

use super::account_management::{month_start, same_days_before};
use super::analytics::{group_dimension, group_name};
use crate::AppState;
use crate::cost::format::{key, money, percent_change};
use crate::cost::{CostRequest, Scope};
use crate::envelope::{ApiError, ApiResult, ok};
use crate::input::Input;
use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::new(
            GET,
            "/cs/api/cost/reports/report_tile_status",
            Read,
            "Get Report Tile Status",
            report_tile_status,
        ),
        Route::missing(
            GET,
            "/cs/api/cost/reports/summary_report/report/profiles",
            Read,
            "Get schedule profiles for summary report scheduling",
        ),
        Route::new(
            GET,
            "/cs/api/cost/cloud_discounts",
            Read,
            "Get cloud discounts for summary report",
            cloud_discounts,
        ),
        Route::new(
            GET,
            "/cs/api/cost/cloud_overallcost",
            Read,
            "Get cloud overall cost for summary report",
            cloud_overallcost,
        ),
        Route::new(
            GET,
            "/cs/api/cost/cloud_available_range",
            Read,
            "Get available data range for summary report",
            cloud_available_range,
        ),
        Route::new(
            GET,
            "/cs/api/cost/cloud_group_by_entities",
            Read,
            "Get cloud cost grouped by entities (summary report - step 5)",
            cloud_group_by_entities,
        ),
        Route::missing(
            POST,
            "/cs/api/cost/reports/summary_report/report",
            Create,
            "Create scheduled summary report",
        ),
        Route::new(
            GET,
            "/cs/api/cost/sankey_chart_data",
            Read,
            "Get sankey chart data (summary report - step 4)",
            sankey_chart_data,
        ),
    ]
}

/// The cloud of a row as the summary report names it (`AWS`, `AZURE`, `GCP`, `OCI`), from its
/// cloud type code, else its provider name.
pub(crate) fn cloud_label(cloud_type: &Option<String>, provider: &Option<String>) -> String {
    match cloud_type.as_deref().and_then(|c| c.parse::<i64>().ok()) {
        Some(0) => "AWS".into(),
        Some(1) => "AZURE".into(),
        Some(2) => "GCP".into(),
        Some(3) => "OCI".into(),
        _ => key(provider),
    }
}

/// Which processed cost accounts each report tile has data for (docs/api-decisions.md A18).
async fn report_tile_status(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(_none): Input<crate::input::NoInput>,
) -> ApiResult<Response> {
    let ledger = crate::cost::scope::ledger(&state)?;
    let periods = ledger
        .periods()
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let processed: Vec<i64> = state
        .meta
        .cost_accounts(&caller.org_id)
        .await?
        .into_iter()
        .filter(|a| a.status == STATUS_PROCESSED)
        .filter(|a| periods.iter().any(|p| p.cost_account_id.as_str() == a.id))
        .filter_map(|a| a.id.parse().ok())
        .collect();
    Ok(ok(json!({
        "tiles": {"reservations": {"report_type": 1, "processed_cost_account_ids": processed}}
    })))
}

/// AWS line item types that are discounts (negative amounts off the usage cost).
const DISCOUNT_LINE_TYPES: &[&str] = &[
    "SavingsPlanNegation",
    "EdpDiscount",
    "PrivateRateDiscount",
    "BundledDiscount",
    "RiVolumeDiscount",
    "DistributorDiscount",
    "Credit",
    "Refund",
];

/// Discounts per cloud and kind over the scope: credits (FOCUS ChargeCategory `Credit`) and
/// the providers' discount line items; amounts keep their sign.
pub(crate) async fn discounts_per_cloud(
    scope: &Scope,
) -> ApiResult<BTreeMap<String, BTreeMap<String, Decimal>>> {
    let mut q = scope.query();
    q.group_by = vec![
        Dimension::CloudType,
        Dimension::Provider,
        Dimension::ChargeCategory,
        Dimension::ChargeType,
    ];
    let mut clouds: BTreeMap<String, BTreeMap<String, Decimal>> = BTreeMap::new();
    for r in scope.run(&q).await?.rows {
        let line_type = r.keys[3].clone().unwrap_or_default();
        let kind = if DISCOUNT_LINE_TYPES.contains(&line_type.as_str()) {
            line_type
        } else if r.keys[2].as_deref() == Some("Credit") {
            "Credit".to_string()
        } else {
            continue;
        };
        *clouds
            .entry(cloud_label(&r.keys[0], &r.keys[1]))
            .or_default()
            .entry(kind)
            .or_default() += r.cost;
    }
    Ok(clouds)
}

/// Discounts per cloud, each with its total and its kinds (docs/api-decisions.md A19).
async fn cloud_discounts(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    let data: Vec<Value> = discounts_per_cloud(&scope)
        .await?
        .into_iter()
        .map(|(cloud, kinds)| {
            let total: Decimal = kinds.values().sum();
            json!({
                "cloud": cloud,
                "discount": money(total),
                "discounts": kinds
                    .into_iter()
                    .map(|(kind, cost)| json!([kind, money(cost)]))
                    .collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(ok(json!({"data": data})))
}

/// Cost per cloud (labelled as the spec shows clouds) from `start` to `end` within the scope.
pub(crate) async fn cost_per_cloud(
    scope: &Scope,
    start: NaiveDate,
    end: NaiveDate,
) -> ApiResult<BTreeMap<String, Decimal>> {
    let mut q = scope.query_for(start, end);
    q.group_by = vec![Dimension::CloudType, Dimension::Provider];
    let mut out: BTreeMap<String, Decimal> = BTreeMap::new();
    for r in scope.run(&q).await?.rows {
        *out.entry(cloud_label(&r.keys[0], &r.keys[1])).or_default() += r.cost;
    }
    Ok(out)
}

/// Month to date against the same days of the month before and of the year before, overall
/// and per cloud (docs/api-decisions.md A17).
async fn cloud_overallcost(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    let end = scope.end;
    let current = cost_per_cloud(&scope, month_start(end), end).await?;
    let (ps, pe) = same_days_before(end, 1);
    let previous = cost_per_cloud(&scope, ps, pe).await?;
    let (ys, ye) = same_days_before(end, 12);
    let year_ago = cost_per_cloud(&scope, ys, ye).await?;
    let total = |m: &BTreeMap<String, Decimal>| m.values().copied().sum::<Decimal>();
    let (now, before, last_year) = (total(&current), total(&previous), total(&year_ago));
    let mut clouds: Vec<(String, Decimal)> = current.into_iter().collect();
    clouds.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let cloud_level: Vec<Value> = clouds
        .into_iter()
        .map(|(cloud, cost)| {
            let before = previous.get(&cloud).copied().unwrap_or_default();
            json!({"cloud": cloud, "current_mtd_cost": money(cost), "m_o_m": percent_change(before, cost)})
        })
        .collect();
    Ok(ok(json!({
        "overall_data": {
            "current_mtd_cost": money(now),
            "previous_mtd_cost": money(before),
            "total_accounts": scope.accounts.len(),
            "y_o_y": percent_change(last_year, now),
            "m_o_m": percent_change(before, now),
        },
        "cloud_level_data": cloud_level,
    })))
}

/// A UTC time as the spec shows time stamps (`2023-11-14T03:00:00+0000`).
pub(crate) fn stamp_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S+0000").to_string()
}

/// A time stamp of the store (µs since the epoch) as the spec shows it.
fn stamp_us(us: i64) -> String {
    DateTime::<Utc>::from_timestamp_micros(us).map_or_else(String::new, stamp_time)
}

/// The first and last charge start of the organisation's data; empty strings when there is
/// none (also the custom-report widget's answer).
pub(crate) async fn cloud_available_range(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(_none): Input<crate::input::NoInput>,
) -> ApiResult<Response> {
    let ids: Vec<String> = state
        .meta
        .cost_accounts(&caller.org_id)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    let (min_date, max_date) = available_range(&state, &ids).await?;
    Ok(ok(json!({"max_date": max_date, "min_date": min_date})))
}

/// The first and last charge start (with their time) of some cost accounts' data, as the spec
/// shows time stamps; empty strings when there is none.
pub(crate) async fn available_range(
    state: &AppState,
    ids: &[String],
) -> ApiResult<(String, String)> {
    let ledger = crate::cost::scope::ledger(state)?;
    Ok(match crate::cost::scope::data_span(&ledger, ids).await? {
        Some((min, max)) => (stamp_us(min), stamp_us(max)),
        None => (String::new(), String::new()),
    })
}

/// Most of the entities a top-N widget shows.
const TOP_ENTITIES: usize = 100;

/// Cost per cloud, cost account and entity of `group_by_type`, largest first (at most 100).
async fn cloud_group_by_entities(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let dim = group_dimension(&state, &caller.org_id, &req).await?;
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    let mut q = scope.query();
    q.group_by = vec![
        Dimension::CloudType,
        Dimension::Provider,
        Dimension::CostAccount,
        dim.clone(),
    ];
    q.order = Order::CostDescending;
    q.limit = Some(TOP_ENTITIES);
    let table = scope.run(&q).await?;
    let data: Vec<Value> = table
        .rows
        .iter()
        .map(|r| {
            json!({
                "cloud": cloud_label(&r.keys[0], &r.keys[1]),
                "name": group_name(&scope, &dim, &r.keys[3]),
                "acc_name": group_name(&scope, &Dimension::CostAccount, &r.keys[2]),
                "cost": money(r.cost),
            })
        })
        .collect();
    Ok(ok(json!({"data": data})))
}

/// `[cloud, charge type, region, service, cost]` flows, largest first. The charge type is the
/// provider's line item type (AWS `Usage`, `RIFee`; GCP `regular`), else the FOCUS
/// ChargeCategory.
async fn sankey_chart_data(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    let mut q = scope.query();
    q.group_by = vec![
        Dimension::CloudType,
        Dimension::Provider,
        Dimension::ChargeType,
        Dimension::ChargeCategory,
        Dimension::Region,
        Dimension::Service,
    ];
    let table = scope.run(&q).await?;
    let mut flows: BTreeMap<(String, String, String, String), Decimal> = BTreeMap::new();
    for r in &table.rows {
        let charge = match &r.keys[2] {
            Some(t) if !t.is_empty() => t.clone(),
            _ => key(&r.keys[3]),
        };
        *flows
            .entry((
                cloud_label(&r.keys[0], &r.keys[1]),
                charge,
                key(&r.keys[4]),
                key(&r.keys[5]),
            ))
            .or_default() += r.cost;
    }
    let mut flows: Vec<_> = flows.into_iter().collect();
    flows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let data: Vec<Value> = flows
        .into_iter()
        .map(|((cloud, charge, region, service), cost)| {
            json!([cloud, charge, region, service, money(cost)])
        })
        .collect();
    Ok(ok(json!({"data": data})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clouds_are_named_by_code_then_provider() {
        let s = |v: &str| Some(v.to_string());
        assert_eq!(cloud_label(&s("1"), &s("Microsoft")), "AZURE");
        assert_eq!(cloud_label(&s("3"), &None), "OCI");
        assert_eq!(cloud_label(&None, &s("Alibaba Cloud")), "Alibaba Cloud");
        assert_eq!(cloud_label(&None, &None), "-");
    }

    #[test]
    fn store_stamps_carry_the_time_and_offset() {
        assert_eq!(stamp_us(1_699_930_800_000_000), "2023-11-14T03:00:00+0000");
    }
}
