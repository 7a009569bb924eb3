//! Spec section 23, "Analytics" (Accounts): `spec/sections/23-analytics.md`.

use std::collections::BTreeMap;

use axum::Extension;
use axum::extract::State;
use axum::response::Response;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Map, Value, json};
use skyledger_auth::Caller;
use skyledger_ledger::{CostRow, Dimension, Granularity};
use skyledger_meta::tags::{
    VARIATION_CUSTOM_ACCOUNT, VARIATION_CUSTOM_RESOURCE, VARIATION_OPERATION, VARIATION_REGION,
    VARIATION_RESOURCE_GROUP, VARIATION_SERVICE, VARIATION_USAGE_TYPE,
};
use skyledger_types::Operation::Create;

use crate::AppState;
use crate::cost::format::{key, money, pairs, percent_change, stamp};
use crate::cost::request::granularity;
use crate::cost::{CostRequest, Scope};
use crate::envelope::{ApiError, ApiResult, ok};
use crate::input::Input;
use crate::routes::{POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::new(
            POST,
            "/cs/api/cost/accounts/trend_box",
            Create,
            "Get Trend Box Data",
            trend_box,
        ),
        Route::new(
            POST,
            "/cs/api/cost/accounts/incurred_cost",
            Create,
            "Get daily incurred cost trend for accounts",
            incurred_cost,
        ),
        Route::new(
            POST,
            "/cs/api/cost/accounts/group_by_property",
            Create,
            "Group accounts by property",
            group_by_property,
        ),
        Route::new(
            POST,
            "/cs/api/cost/accounts/spend_analysis_panel",
            Create,
            "Get spend analysis panel data",
            spend_analysis_panel,
        ),
        Route::new(
            POST,
            "/cs/api/cost/accounts/common_widget_api",
            Create,
            "Get cost breakdown data by dimensions for dashboard widgets",
            common_widget_api,
        ),
        Route::new(
            POST,
            "/cs/api/cost/accounts/accounts_splitup",
            Create,
            "Get Account Cost Splitup by Billing Accounts",
            accounts_splitup,
        ),
        Route::new(
            POST,
            "/cs/api/cost/accounts/entity_forecast",
            Create,
            "Get entity-level cost forecast data for an account",
            entity_forecast,
        ),
    ]
}

/// Cost per service over time: `{"trend_values": {"mode": 1, "values": {service: [[t, c]]}}}`.
pub(crate) async fn trend_box(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    Ok(ok(trend_values(&scope, req.period).await?))
}

pub(crate) async fn trend_values(scope: &Scope, period: Option<i64>) -> ApiResult<Value> {
    let mut q = scope.query();
    q.granularity = Some(granularity(period, scope.start, scope.end)?);
    q.group_by = vec![Dimension::Service];
    let table = scope.run(&q).await?;
    let mut by_service: BTreeMap<String, Vec<&CostRow>> = BTreeMap::new();
    for row in &table.rows {
        by_service.entry(key(&row.keys[0])).or_default().push(row);
    }
    let values: Map<String, Value> = by_service
        .into_iter()
        .map(|(service, rows)| (service, pairs(rows)))
        .collect();
    Ok(json!({"trend_values": {"mode": 1, "values": values}}))
}

/// Daily cost: `{"return_data": [[t, c], …]}`.
async fn incurred_cost(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    let mut q = scope.query();
    q.granularity = Some(Granularity::Day);
    let table = scope.run(&q).await?;
    Ok(ok(json!({"return_data": pairs(&table.rows)})))
}

/// The dimension a `group_by_type` names (docs/api-decisions.md A5), or 400 listing them.
pub(crate) async fn group_dimension(
    state: &AppState,
    org_id: &str,
    req: &CostRequest,
) -> ApiResult<Dimension> {
    let Some(kind) = req.group_by_type.as_deref() else {
        return Err(ApiError::BadRequest("missing field group_by_type".into()));
    };
    Ok(match kind {
        "service" => Dimension::Service,
        "region" => Dimension::Region,
        "accounts" | "account" | "billing_account" => Dimension::BillingAccount,
        "cost_account" => Dimension::CostAccount,
        "usage_type" | "usagetype" => Dimension::UsageType,
        "instance_type" => Dimension::InstanceType,
        "resource" => Dimension::Resource,
        "resource_type" => Dimension::ResourceType,
        "resource_group" | "resourcegroup" => Dimension::ResourceGroup,
        "charge_type" => Dimension::ChargeType,
        "charge_category" => Dimension::ChargeCategory,
        "operation" => Dimension::Operation,
        "availability_zone" => Dimension::AvailabilityZone,
        "tag" => {
            let (field, r) = match (&req.property, req.group_by_tags.first()) {
                (Some(p), _) => ("property", p),
                (None, Some(t)) => ("group_by_tags[0]", t),
                (None, None) => {
                    return Err(ApiError::BadRequest(
                        "group_by_type tag needs the tag in property or group_by_tags".into(),
                    ));
                }
            };
            let t = crate::cost::scope::tag(state, org_id, field, r).await?;
            match t.variation {
                VARIATION_OPERATION => Dimension::Operation,
                VARIATION_USAGE_TYPE => Dimension::UsageType,
                VARIATION_REGION => Dimension::Region,
                VARIATION_SERVICE => Dimension::Service,
                VARIATION_RESOURCE_GROUP => Dimension::ResourceGroup,
                _ => Dimension::Tag(t.key),
            }
        }
        other => {
            return Err(ApiError::BadRequest(format!(
                "invalid field group_by_type: {other:?} is not one of service, region, accounts, \
                 cost_account, usage_type, instance_type, resource, resource_type, \
                 resource_group, charge_type, charge_category, operation, availability_zone, tag"
            )));
        }
    })
}

/// The display name of a group key of `dim`.
pub(crate) fn group_name(scope: &Scope, dim: &Dimension, k: &Option<String>) -> String {
    match (dim, k) {
        (Dimension::BillingAccount, Some(id)) => scope.billing_name(id),
        (Dimension::CostAccount, Some(id)) => scope.account_name(id),
        _ => key(k),
    }
}

/// Cost per group: `{"return_data": [{"group_name", "cost"}]}`, largest first.
async fn group_by_property(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    if let Some(custom) = custom_tag_grouping(&state, &caller.org_id, &req).await? {
        let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
        let groups = group_by_custom_tag(&state, &caller.org_id, &scope, &custom).await?;
        let rows: Vec<Value> = groups
            .into_iter()
            .map(|(name, cost)| json!({"group_name": name, "cost": money(cost)}))
            .collect();
        return Ok(ok(json!({"return_data": rows})));
    }
    let dim = group_dimension(&state, &caller.org_id, &req).await?;
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    let mut q = scope.query();
    q.group_by = vec![dim.clone()];
    q.order = skyledger_ledger::Order::CostDescending;
    let table = scope.run(&q).await?;
    let rows: Vec<Value> = table
        .rows
        .iter()
        .map(|r| json!({"group_name": group_name(&scope, &dim, &r.keys[0]), "cost": money(r.cost)}))
        .collect();
    Ok(ok(json!({"return_data": rows})))
}

/// The custom tag a `group_by_type: "tag"` request groups by, if the tag is a custom one.
async fn custom_tag_grouping(
    state: &AppState,
    org_id: &str,
    req: &CostRequest,
) -> ApiResult<Option<skyledger_meta::tags::Tag>> {
    if req.group_by_type.as_deref() != Some("tag") {
        return Ok(None);
    }
    let Some((field, r)) = req
        .property
        .as_ref()
        .map(|p| ("property", p))
        .or_else(|| req.group_by_tags.first().map(|t| ("group_by_tags[0]", t)))
    else {
        return Ok(None);
    };
    let t = crate::cost::scope::tag(state, org_id, field, r).await?;
    Ok(matches!(
        t.variation,
        VARIATION_CUSTOM_RESOURCE | VARIATION_CUSTOM_ACCOUNT
    )
    .then_some(t))
}

/// Cost per value of a custom tag key: resources (custom resource tags) or cost accounts
/// (custom account tags) carrying a value of the key, the rest as `-`; largest first.
pub(crate) async fn group_by_custom_tag(
    state: &AppState,
    org_id: &str,
    scope: &Scope,
    tag: &skyledger_meta::tags::Tag,
) -> ApiResult<Vec<(String, Decimal)>> {
    let on_resources = tag.variation == VARIATION_CUSTOM_RESOURCE;
    // (cost account, resource or "") -> value of the key
    let values: std::collections::HashMap<(String, String), String> = state
        .meta
        .tag_assignments(org_id)
        .await?
        .into_iter()
        .filter(|a| a.tag.key == tag.key && a.tag.variation == tag.variation)
        .map(|a| ((a.cost_account_id, a.resource_id), a.tag.value))
        .collect();
    let mut q = scope.query();
    q.group_by = if on_resources {
        vec![Dimension::CostAccount, Dimension::Resource]
    } else {
        vec![Dimension::CostAccount]
    };
    let mut groups: BTreeMap<String, Decimal> = BTreeMap::new();
    for r in scope.run(&q).await?.rows {
        let account = r.keys[0].clone().unwrap_or_default();
        let target = if on_resources {
            r.keys[1].clone().unwrap_or_default()
        } else {
            String::new()
        };
        let name = values
            .get(&(account, target))
            .cloned()
            .unwrap_or_else(|| "-".to_string());
        *groups.entry(name).or_default() += r.cost;
    }
    let mut out: Vec<(String, Decimal)> = groups.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(out)
}

/// Score at or above which a day's cost counts as an anomaly in the spend panel.
const ANOMALY_SCORE: f64 = 0.95;

/// Highest and lowest spending billing accounts, the total, its change against the previous
/// period of the same length, and the anomalous days the detector finds in the daily total.
async fn spend_analysis_panel(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    Ok(ok(json!({"return_data": spend_panel(&scope).await?})))
}

pub(crate) async fn spend_panel(scope: &Scope) -> ApiResult<Value> {
    let mut q = scope.query();
    q.group_by = vec![Dimension::BillingAccount];
    let by_account = scope.run(&q).await?;
    let total: Decimal = by_account.rows.iter().map(|r| r.cost).sum();
    let max = by_account.rows.iter().max_by_key(|r| r.cost);
    let min = by_account.rows.iter().min_by_key(|r| r.cost);
    let name = |r: Option<&CostRow>| {
        r.map_or_else(String::new, |r| {
            group_name(scope, &Dimension::BillingAccount, &r.keys[0])
        })
    };
    let (prev_start, prev_end) = scope.previous_range();
    let previous: Decimal = scope
        .run(&scope.query_for(prev_start, prev_end))
        .await?
        .rows
        .iter()
        .map(|r| r.cost)
        .sum();

    // The detector reads the daily totals from 60 days before the range (its warm-up).
    let history_start = scope.start - chrono::Days::new(60);
    let mut dq = scope.query_for(history_start, scope.end);
    dq.granularity = Some(Granularity::Day);
    let daily = scope.run(&dq).await?;
    let series = dense_days(&daily.rows, history_start, scope.end);
    let scores = skyledger_insight::detect::score_series(
        &series.iter().map(|(_, v)| *v).collect::<Vec<_>>(),
        &skyledger_insight::detect::DetectorConfig::cost(),
    );
    let anomalous: Vec<chrono::NaiveDate> = series
        .iter()
        .zip(&scores)
        .filter(|((day, _), score)| *day >= scope.start && **score >= ANOMALY_SCORE)
        .map(|((day, _), _)| *day)
        .collect();
    Ok(json!({
        "max_cost_account": name(max),
        "max_cost": money(max.map_or(Decimal::ZERO, |r| r.cost)),
        "min_cost_account": name(min),
        "min_cost": money(min.map_or(Decimal::ZERO, |r| r.cost)),
        "total_cost": money(total),
        "difference": percent_change(previous, total),
        "anomaly_widget": {
            "occurrences": anomalous.len().to_string(),
            // Anomaly records get ids with the anomaly module; the panel reports the days.
            "anomaly_id": "",
            "anomaly_last_detected_time": anomalous.last().map_or_else(String::new, |d| stamp(*d)),
        },
    }))
}

/// Every day from `start` to `end` with its cost (0 for days without rows).
pub(crate) fn dense_days(
    rows: &[CostRow],
    start: chrono::NaiveDate,
    end: chrono::NaiveDate,
) -> Vec<(chrono::NaiveDate, f64)> {
    let by_day: BTreeMap<_, Decimal> = rows
        .iter()
        .filter_map(|r| r.period_start.map(|d| (d, r.cost)))
        .collect();
    start
        .iter_days()
        .take_while(|d| *d <= end)
        .map(|d| {
            let v = by_day.get(&d).copied().unwrap_or(Decimal::ZERO);
            (d, v.to_f64().unwrap_or(0.0))
        })
        .collect()
}

/// The four breakdowns of the dashboard widget: region, service, data transfer and
/// components (usage types without their region prefix), each `[[name, cost]]`, largest first.
async fn common_widget_api(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    Ok(ok(json!({"return_data": widget_breakdowns(&scope).await?})))
}

pub(crate) async fn widget_breakdowns(scope: &Scope) -> ApiResult<Value> {
    Ok(widget_sums(scope).await?.breakdowns())
}

/// A scope's cost per region, service, usage type and FOCUS charge category.
pub(crate) struct WidgetSums {
    regions: BTreeMap<String, Decimal>,
    services: BTreeMap<String, Decimal>,
    usage_types: BTreeMap<String, Decimal>,
    categories: BTreeMap<String, Decimal>,
}

/// The widget sums of a scope. Usage types are only in the line items: when the scope needs
/// them anyway (tag rules, resources, properties), one grouped pass over them gives all four;
/// otherwise regions, services and categories come from the daily rollups.
pub(crate) async fn widget_sums(scope: &Scope) -> ApiResult<WidgetSums> {
    let mut sums = WidgetSums {
        regions: BTreeMap::new(),
        services: BTreeMap::new(),
        usage_types: BTreeMap::new(),
        categories: BTreeMap::new(),
    };
    let mut q = scope.query();
    if q.fits_rollup() {
        let lists = [
            (Dimension::Region, &mut sums.regions),
            (Dimension::Service, &mut sums.services),
            (Dimension::UsageType, &mut sums.usage_types),
            (Dimension::ChargeCategory, &mut sums.categories),
        ];
        for (dim, into) in lists {
            q.group_by = vec![dim];
            for r in scope.run(&q).await?.rows {
                *into.entry(key(&r.keys[0])).or_default() += r.cost;
            }
        }
    } else {
        q.group_by = vec![
            Dimension::Region,
            Dimension::Service,
            Dimension::UsageType,
            Dimension::ChargeCategory,
        ];
        for r in scope.run(&q).await?.rows {
            let lists = [
                &mut sums.regions,
                &mut sums.services,
                &mut sums.usage_types,
                &mut sums.categories,
            ];
            for (into, k) in lists.into_iter().zip(&r.keys) {
                *into.entry(key(k)).or_default() += r.cost;
            }
        }
    }
    Ok(sums)
}

/// `[[name, cost]]` largest first (ties by name).
fn ranked(sums: impl IntoIterator<Item = (String, Decimal)>) -> Value {
    let mut v: Vec<(String, Decimal)> = sums.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Value::Array(
        v.into_iter()
            .map(|(name, cost)| json!([name, money(cost)]))
            .collect(),
    )
}

impl WidgetSums {
    /// The four breakdowns of the dashboard widget: region, service, data transfer and
    /// components (usage types without their region prefix), each `[[name, cost]]`.
    pub(crate) fn breakdowns(&self) -> Value {
        let mut transfer: BTreeMap<String, Decimal> = BTreeMap::new();
        let mut components: BTreeMap<String, Decimal> = BTreeMap::new();
        for (usage, cost) in &self.usage_types {
            let (is_transfer, name) = usage_component(usage);
            let bucket = if is_transfer {
                &mut transfer
            } else {
                &mut components
            };
            *bucket.entry(name).or_default() += *cost;
        }
        json!([
            ranked(self.regions.clone()),
            ranked(self.services.clone()),
            ranked(transfer),
            ranked(components),
        ])
    }

    /// FOCUS charge categories as `[{name, value}]`, largest first.
    pub(crate) fn categories(&self) -> Vec<Value> {
        ranked(self.categories.clone())
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| json!({"name": p[0], "value": p[1]}))
            .collect()
    }
}

/// Splits a usage type into (is data transfer, component name): the AWS region prefix
/// (`USE1-`, `EUW2-`, `APS3-` …) and the instance or volume suffix are dropped, so
/// `USE1-BoxUsage:t3.micro` is `BoxUsage` and `EUW2-DataTransfer-Out-Bytes` is data transfer.
pub(crate) fn usage_component(usage: &str) -> (bool, String) {
    let unprefixed = match usage.split_once('-') {
        Some((prefix, rest))
            if (3..=5).contains(&prefix.len())
                && prefix
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                && prefix.chars().any(|c| c.is_ascii_digit()) =>
        {
            rest
        }
        _ => usage,
    };
    let is_transfer = unprefixed.contains("DataTransfer")
        || unprefixed.ends_with("-Bytes")
        || unprefixed.contains("-AWS-Out-")
        || unprefixed.contains("-AWS-In-");
    let name = if is_transfer {
        unprefixed.to_string()
    } else if let Some((head, _)) = unprefixed.split_once(':')
        && (head.ends_with("Usage") && !head.contains("EBS"))
    {
        head.to_string()
    } else {
        // `EBS:VolumeUsage.gp3` → `EBS:VolumeUsage`.
        unprefixed
            .split_once('.')
            .map_or(unprefixed, |(head, _)| head)
            .to_string()
    };
    (is_transfer, name)
}

/// Cost per billing account and publisher: `[["<billing account>_<publisher>", cost]]`, where
/// the publisher is the provider's own name, or `Marketplace` for third-party charges.
async fn accounts_splitup(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    Ok(ok(json!({"return_data": splitup(&scope).await?})))
}

pub(crate) async fn splitup(scope: &Scope) -> ApiResult<Value> {
    let mut q = scope.query();
    q.group_by = vec![
        Dimension::BillingAccount,
        Dimension::Provider,
        Dimension::Publisher,
    ];
    let table = scope.run(&q).await?;
    let mut split: BTreeMap<String, Decimal> = BTreeMap::new();
    for r in &table.rows {
        let account = group_name(scope, &Dimension::BillingAccount, &r.keys[0]);
        let provider = key(&r.keys[1]);
        let publisher = match &r.keys[2] {
            Some(p) if !p.is_empty() && !is_provider_itself(p, &provider) => "Marketplace",
            _ => provider_short(&provider),
        };
        *split.entry(format!("{account}_{publisher}")).or_default() += r.cost;
    }
    Ok(Value::Array(
        split
            .into_iter()
            .map(|(name, cost)| json!([name, money(cost)]))
            .collect(),
    ))
}

fn is_provider_itself(publisher: &str, provider: &str) -> bool {
    let p = publisher.to_ascii_lowercase();
    let short = provider_short(provider).to_ascii_lowercase();
    p == provider.to_ascii_lowercase()
        || p.starts_with(&short)
        || (short == "aws" && (p.starts_with("amazon") || p.contains("aws")))
}

fn provider_short(provider: &str) -> &str {
    let p = provider.to_ascii_lowercase();
    if p.starts_with("amazon") || p == "aws" {
        "AWS"
    } else if p.starts_with("microsoft") || p.starts_with("azure") {
        "Microsoft"
    } else if p.starts_with("google") {
        "Google"
    } else if p.starts_with("oracle") {
        "Oracle"
    } else if provider.is_empty() {
        "-"
    } else {
        provider
    }
}

/// Days of history the forecaster reads.
const FORECAST_HISTORY_DAYS: u64 = 180;

/// A daily forecast from the newest day with data to the end of the next month, with an 80 %
/// and a 95 % prediction interval, and the monthly totals it implies (docs/api-decisions.md A6).
async fn entity_forecast(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let mut req = req;
    // The forecast always ends at the newest data; the dates in the body are not used.
    req.start_date = None;
    req.end_date = None;
    let resources: Vec<String> = req
        .resource_ids
        .iter()
        .map(|r| r.0.clone())
        .filter(|r| r != "0" && !r.is_empty())
        .collect();
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    let ids: Vec<String> = scope
        .accounts
        .iter()
        .map(|a| a.account.id.clone())
        .collect();
    let Some((first, last)) = crate::cost::scope::data_days(&scope.ledger, &ids).await? else {
        return Err(ApiError::NotFound(
            "no cost data in scope to forecast from".into(),
        ));
    };
    let start = (last - chrono::Days::new(FORECAST_HISTORY_DAYS - 1)).max(first);
    let mut q = scope.query_for(start, last);
    q.granularity = Some(Granularity::Day);
    q.resource_ids.extend(resources);
    let table = scope.run(&q).await?;
    let history = dense_days(&table.rows, start, last);
    let values: Vec<f64> = history.iter().map(|(_, v)| *v).collect();
    let next_month_end = end_of_next_month(last);
    let horizon = (next_month_end - last).num_days() as usize;
    let f = skyledger_insight::forecast::forecast(
        &values,
        skyledger_insight::series::Frequency::Daily,
        horizon,
        &[0.8, 0.95],
    );
    let days: Vec<chrono::NaiveDate> = (1..=horizon as u64)
        .map(|h| last + chrono::Days::new(h))
        .collect();
    let clamp = |v: f64| Decimal::from_f64_retain(v.max(0.0)).unwrap_or(Decimal::ZERO);
    let points: Vec<Value> = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            json!([
                stamp(*d),
                money(clamp(f.mean[i])),
                money(clamp(f.intervals[0].lower[i])),
                money(clamp(f.intervals[0].upper[i])),
                money(clamp(f.intervals[1].lower[i])),
                money(clamp(f.intervals[1].upper[i])),
            ])
        })
        .collect();
    // Monthly totals: actual days of the month so far plus forecast days.
    let mut months: BTreeMap<chrono::NaiveDate, (Decimal, Decimal, Decimal, Decimal)> =
        BTreeMap::new();
    let month_of = |d: chrono::NaiveDate| d.with_day0(0).unwrap_or(d);
    use chrono::Datelike;
    for (d, v) in &history {
        if month_of(*d) == month_of(last) {
            let actual = clamp(*v);
            let e = months.entry(month_of(*d)).or_default();
            e.0 += actual;
            e.3 += actual;
        }
    }
    for (i, d) in days.iter().enumerate() {
        let e = months.entry(month_of(*d)).or_default();
        e.1 += clamp(f.mean[i]);
        e.2 += clamp(f.intervals[0].lower[i]);
        e.3 += clamp(f.intervals[0].upper[i]);
    }
    let monthly: Vec<Value> = months
        .into_iter()
        .map(|(m, (actual, mean, lower, upper))| {
            json!({
                "month": stamp(m),
                "actual_to_date": money(actual),
                "forecast": money(actual + mean),
                "lower_80": money(actual + lower),
                "upper_80": money(upper),
            })
        })
        .collect();
    Ok(ok(json!({
        "method": f.method,
        "seasonal_periods": f.periods,
        "history_start": stamp(start),
        "last_actual_date": stamp(last),
        "history": pairs(&table.rows),
        "forecast_columns": ["date", "cost", "lower_80", "upper_80", "lower_95", "upper_95"],
        "forecast": points,
        "monthly": monthly,
    })))
}

fn end_of_next_month(d: chrono::NaiveDate) -> chrono::NaiveDate {
    use chrono::Datelike;
    let first = d.with_day(1).unwrap_or(d);
    first
        .checked_add_months(chrono::Months::new(2))
        .map_or(d, |m| m - chrono::Days::new(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_components() {
        assert_eq!(
            usage_component("USE1-BoxUsage:t3.micro"),
            (false, "BoxUsage".into())
        );
        assert_eq!(
            usage_component("EUW2-EBS:VolumeUsage.gp3"),
            (false, "EBS:VolumeUsage".into())
        );
        assert_eq!(
            usage_component("APS3-DataTransfer-Out-Bytes"),
            (true, "DataTransfer-Out-Bytes".into())
        );
        assert_eq!(
            usage_component("LoadBalancerUsage"),
            (false, "LoadBalancerUsage".into())
        );
        assert_eq!(
            usage_component("Standard D2s v3"),
            (false, "Standard D2s v3".into())
        );
    }

    #[test]
    fn next_month_ends() {
        let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        assert_eq!(end_of_next_month(d("2025-01-31")), d("2025-02-28"));
        assert_eq!(end_of_next_month(d("2025-12-05")), d("2026-01-31"));
    }
}
