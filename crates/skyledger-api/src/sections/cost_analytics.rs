//! Spec section 02, "Cost Analytics" (Cost Centers): `spec/sections/02-cost-analytics.md`.

use std::collections::BTreeMap;

use axum::Extension;
use axum::extract::State;
use axum::response::Response;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use skyledger_auth::Caller;
use skyledger_ledger::{CostRow, Dimension, Granularity, Order};
use skyledger_meta::cost_centers::{CLOUD_HYBRID, CostCenter};
use skyledger_meta::tags::{
    VARIATION_CUSTOM_ACCOUNT, VARIATION_CUSTOM_RESOURCE, VARIATION_OPERATION, VARIATION_PROVIDER,
    VARIATION_USAGE_TYPE, property_key,
};
use skyledger_types::Operation::Read;

use super::analytics::{group_dimension, group_name, spend_panel, trend_values};
use super::custom_dashboard::numbered_widgets;
use crate::AppState;
use crate::cost::format::{key, money, pairs, stamp};
use crate::cost::request::{IdText, granularity};
use crate::cost::scope::{CostCenterRequest, DefaultDays, data_days};
use crate::cost::{CostRequest, Scope};
use crate::envelope::{ApiError, ApiResult, ok};
use crate::input::Input;
use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::new(
            GET,
            "/cs/api/cost/cost_centers/budget_meta",
            Read,
            "Get cost centers budget metadata",
            budget_meta,
        ),
        Route::new(
            POST,
            "/cs/api/cost/cost_centers/trend_box",
            Read,
            "Get cost centers trend box",
            trend_box,
        ),
        Route::new(
            POST,
            "/cs/api/cost/cost_centers/common_widget_api",
            Read,
            "Get aggregated cost widgets for cost centers",
            common_widget_api,
        ),
        Route::new(
            POST,
            "/cs/api/cost/cost_centers/accounts_splitup",
            Read,
            "Get account-wise cost splitup",
            accounts_splitup,
        ),
        Route::new(
            POST,
            "/cs/api/cost/cost_centers/spend_analysis_panel",
            Read,
            "Get cost centers spend analysis panel",
            spend_analysis_panel,
        ),
        Route::new(
            GET,
            "/cs/api/cost/cost_centers/cc_spend_analysis",
            Read,
            "Get cost centers spend analysis",
            cc_spend_analysis,
        ),
        Route::new(
            POST,
            "/cs/api/cost/cost_centers/group_by_property",
            Read,
            "Group cost centers accounts by property",
            group_by_property,
        ),
        Route::new(
            GET,
            "/cs/api/cost/cost_centers/cost",
            Read,
            "Get comprehensive cost centers cost data",
            cost,
        ),
    ]
}

/// Budgets and anomaly checks of cost centers: none exist until the budget module stores them,
/// so the list is empty (a real answer, never invented).
async fn budget_meta(
    Extension(_caller): Extension<Caller>,
    Input(_none): Input<super::cost_centers_management::NoInput>,
) -> ApiResult<Response> {
    Ok(ok(json!({"budget_data": []})))
}

/// Cost per service over time within the cost center.
async fn trend_box(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostCenterRequest>,
) -> ApiResult<Response> {
    let (scope, _) = Scope::resolve_cost_center(&state, &caller.org_id, &req).await?;
    Ok(ok(trend_values(&scope, req.cost.period).await?))
}

/// `{"return_data": {regions, services, categories, cost_types}}`: `[{name, cost}]` per region,
/// service and usage component (the accounts widget's data transfer and components lists
/// together), and `[{name, value}]` per FOCUS charge category, each largest first
/// (docs/api-decisions.md C4).
async fn common_widget_api(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostCenterRequest>,
) -> ApiResult<Response> {
    let (scope, _) = Scope::resolve_cost_center(&state, &caller.org_id, &req).await?;
    let numbered = numbered_widgets(&scope).await?;
    // The numbered lists' `[name, cost]` pairs as `{name, cost}`.
    let named = |i: &str| -> Vec<Value> {
        numbered[i]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|p| json!({"name": p[0], "cost": p[1]}))
                    .collect()
            })
            .unwrap_or_default()
    };
    let lists = json!({
        "regions": named("0"),
        "services": named("1"),
        "categories": named("2"),
        "cost_types": numbered["3"],
    });
    Ok(ok(json!({"return_data": lists})))
}

/// Cost per cost account of the cost center: `[{cost_account_id, cost, account_name}]`,
/// largest first.
async fn accounts_splitup(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostCenterRequest>,
) -> ApiResult<Response> {
    let (scope, _) = Scope::resolve_cost_center(&state, &caller.org_id, &req).await?;
    let mut q = scope.query();
    q.group_by = vec![Dimension::CostAccount];
    q.order = Order::CostDescending;
    let rows: Vec<Value> = scope
        .run(&q)
        .await?
        .rows
        .iter()
        .map(|r| {
            let id = r.keys[0].clone().unwrap_or_default();
            json!({
                "cost_account_id": id,
                "cost": money(r.cost),
                "account_name": scope.account_name(&id),
            })
        })
        .collect();
    Ok(ok(json!({"return_data": rows})))
}

/// The accounts spend panel over the cost center's scope.
async fn spend_analysis_panel(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostCenterRequest>,
) -> ApiResult<Response> {
    let (scope, _) = Scope::resolve_cost_center(&state, &caller.org_id, &req).await?;
    Ok(ok(json!({"return_data": spend_panel(&scope).await?})))
}

/// Cost per group over time: `{"return_data": {"mode": 1, "values": {name: {cloud_account_id,
/// property: {v, id}, chart_data: [[t, c]]}}}}` (docs/api-decisions.md C4).
async fn group_by_property(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostCenterRequest>,
) -> ApiResult<Response> {
    let org = &caller.org_id;
    let (scope, _) = Scope::resolve_cost_center(&state, org, &req).await?;
    Ok(ok(group_trends(&state, org, &scope, &req.cost).await?))
}

/// The `group_by_property` answer of cost centers and solution reports over a resolved scope.
/// Each group's `property` names it for a drill-down (`resource_count`): a billing account by
/// its 17-digit id, a tag value by the id of its tag pair, a region or service by name.
pub(crate) async fn group_trends(
    state: &AppState,
    org: &str,
    scope: &Scope,
    req: &CostRequest,
) -> ApiResult<Value> {
    let dim = group_dimension(state, org, req).await?;
    // The variation of the tag pairs a tag grouping names its groups with.
    let tag_variation = match &dim {
        Dimension::Tag(_) => Some(VARIATION_PROVIDER),
        Dimension::Operation => Some(VARIATION_OPERATION),
        Dimension::UsageType => Some(VARIATION_USAGE_TYPE),
        _ => None,
    };
    if let Some(r) = req.property.as_ref().or(req.group_by_tags.first())
        && req.group_by_type.as_deref() == Some("tag")
    {
        let t = crate::cost::scope::tag(state, org, "group_by_tags[0]", r).await?;
        if matches!(
            t.variation,
            VARIATION_CUSTOM_RESOURCE | VARIATION_CUSTOM_ACCOUNT
        ) {
            return Err(ApiError::BadRequest(format!(
                "group_by_tags[0]: tag {} is a custom tag; trends group by tags from the \
                 billing data and line-item properties",
                t.id
            )));
        }
    }
    let mut q = scope.query();
    q.granularity = Some(granularity(req.period, scope.start, scope.end)?);
    q.group_by = vec![dim.clone()];
    let table = scope.run(&q).await?;
    let mut groups: BTreeMap<Option<String>, Vec<&CostRow>> = BTreeMap::new();
    for r in &table.rows {
        groups.entry(r.keys[0].clone()).or_default().push(r);
    }
    let tag_ids: BTreeMap<String, String> = match (&dim, tag_variation) {
        (_, None) => BTreeMap::new(),
        (dim, Some(v)) => {
            let tag_key = match dim {
                Dimension::Tag(k) => k.clone(),
                _ => property_key(v).unwrap_or_default().to_string(),
            };
            let pairs: Vec<(String, String)> = groups
                .keys()
                .flatten()
                .map(|value| (tag_key.clone(), value.clone()))
                .collect();
            state
                .meta
                .tag_ids(org, v, &pairs)
                .await?
                .into_iter()
                .map(|t| (t.value, t.id))
                .collect()
        }
    };
    let values: Map<String, Value> = groups
        .into_iter()
        .map(|(k, rows)| {
            let name = group_name(scope, &dim, &k);
            let id = match (&dim, &k) {
                // Billing accounts by their 17-digit id, as the request names them.
                (Dimension::BillingAccount, Some(b)) => scope
                    .accounts
                    .iter()
                    .flat_map(|a| a.billing.iter())
                    .find(|x| &x.account_key == b)
                    .map_or_else(|| b.clone(), |x| x.id.clone()),
                (_, Some(value)) if tag_variation.is_some() => {
                    tag_ids.get(value).cloned().unwrap_or_else(|| value.clone())
                }
                _ => key(&k),
            };
            let entry = json!({
                "cloud_account_id": name,
                "property": {"v": tag_variation.unwrap_or(0), "id": id},
                "chart_data": pairs(rows),
            });
            (name, entry)
        })
        .collect();
    Ok(json!({"return_data": {"mode": 1, "values": values}}))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SpendAnalysisQuery {
    business_unit_id: Option<IdText>,
    /// `true`/`false`, as text (a plain query parameter) or a JSON boolean.
    auto_bu: Option<Value>,
    billed_account_id: Option<IdText>,
}

/// The cost center's make-up and data range: accounts with their billing accounts, rules as
/// tags, the first and last day of data (docs/api-decisions.md C5).
async fn cc_spend_analysis(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(query): Input<SpendAnalysisQuery>,
) -> ApiResult<Response> {
    crate::cost::request::auto_bu(&query.auto_bu)?;
    Ok(ok(spend_analysis_of(
        &state,
        &caller.org_id,
        query.business_unit_id.as_ref(),
        query.billed_account_id.as_ref(),
    )
    .await?))
}

/// The billing accounts of a scope as `child_accounts` entries.
pub(crate) fn child_accounts(scope: &Scope) -> Vec<Value> {
    scope
        .accounts
        .iter()
        .flat_map(|s| {
            s.billing.iter().map(move |b| {
                json!({
                    "billing_account_id": b.id,
                    "name": b.name,
                    "aws_account_id": b.account_key,
                    "cost_account_id": s.account.id,
                    "is_payer_account": b.account_key == s.account.source_key,
                    "name_with_entity": format!("{} ({})", b.name, s.account.name),
                })
            })
        })
        .collect()
}

/// The `cc_spend_analysis` answer of one cost center (all when `center` is None), checking
/// that `billed` is one of its billing accounts.
pub(crate) async fn spend_analysis_of(
    state: &AppState,
    org: &str,
    center: Option<&IdText>,
    billed: Option<&IdText>,
) -> ApiResult<Value> {
    let centers = match center {
        Some(id) => {
            super::cost_centers_management::named(state, org, std::slice::from_ref(id)).await?
        }
        None => state.meta.cost_centers(org).await?,
    };
    let ledger = crate::cost::scope::ledger(state)?;
    let mut all = vec![];
    let mut ids: Vec<String> = vec![];
    for c in &centers {
        let req = CostCenterRequest {
            business_unit_id: Some(IdText(c.id.clone())),
            ..CostCenterRequest::default()
        };
        let (scope, _) = Scope::resolve_cost_center(state, org, &req).await?;
        if let Some(b) = billed
            && !scope
                .accounts
                .iter()
                .flat_map(|a| a.billing.iter())
                .any(|x| x.id == b.0 || x.account_key == b.0)
        {
            return Err(ApiError::BadRequest(format!(
                "billed_account_id: billing account {:?} is not part of cost center {}",
                b.0, c.id
            )));
        }
        let children = child_accounts(&scope);
        let mut rule_tags = vec![];
        let mut business_unit_tags = vec![];
        for rule in &c.def.tag_rules {
            let pairs: Vec<(String, String)> = rule
                .values
                .iter()
                .map(|v| (rule.key.clone(), v.clone()))
                .collect();
            for t in state.meta.tag_ids(org, VARIATION_PROVIDER, &pairs).await? {
                business_unit_tags.push(json!({"v": t.variation.to_string(), "id": t.id}));
                rule_tags
                    .push(json!({"tagId": t.id, "value": t.value, "v": t.variation, "key": t.key}));
            }
        }
        for a in &scope.accounts {
            if !ids.contains(&a.account.id) {
                ids.push(a.account.id.clone());
            }
        }
        all.push(json!({
            "child_accounts": children,
            "account_name": c.def.name,
            "business_unit_tags": business_unit_tags,
            "default_tags": rule_tags,
            "id": c.id,
            "integrated_zaaids": [],
            "bu_type": 0,
        }));
    }
    let range = data_days(&ledger, &ids).await?;
    let clouds: std::collections::BTreeSet<i64> = state
        .meta
        .cost_accounts(org)
        .await?
        .iter()
        .filter(|a| ids.contains(&a.id))
        .map(|a| a.cloud_type)
        .collect();
    Ok(json!({
        "max_date": range.map_or_else(String::new, |r| stamp(r.1)),
        "is_hybrid_account": clouds.len() > 1 || centers.iter().any(|c| c.def.cloud_type == CLOUD_HYBRID),
        "cost_account_ids": ids,
        "all_accounts": all,
        "min_date": range.map_or_else(String::new, |r| stamp(r.0)),
    }))
}

#[derive(Debug, Deserialize)]
struct CostFilter {
    #[serde(default)]
    business_unit_id: Vec<IdText>,
    #[serde(flatten)]
    cost: CostRequest,
}

/// Each named cost center's cost over the request's days (default: the month before the newest
/// data and the month so far), in total and per month (docs/api-decisions.md C5).
async fn cost(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(query): Input<CostFilter>,
) -> ApiResult<Response> {
    let org = &caller.org_id;
    let centers: Vec<CostCenter> = if query.business_unit_id.is_empty() {
        state.meta.cost_centers(org).await?
    } else {
        super::cost_centers_management::named(&state, org, &query.business_unit_id).await?
    };
    let mut out = vec![];
    for c in centers {
        let req = CostCenterRequest {
            cost: CostRequest {
                start_date: query.cost.start_date.clone(),
                end_date: query.cost.end_date.clone(),
                cost_type: query.cost.cost_type,
                ..CostRequest::default()
            },
            business_unit_id: Some(IdText(c.id.clone())),
            bu_type: None,
        };
        let (scope, _) = Scope::resolve_cost_center(&state, org, &req).await?;
        let mut q = scope.query();
        q.granularity = Some(Granularity::Month);
        let rows = scope.run(&q).await?.rows;
        let total: Decimal = rows.iter().map(|r| r.cost).sum();
        out.push(json!({
            "business_unit_id": c.id,
            "name": c.def.name,
            "cloud_type": c.def.cloud_type,
            "start_date": stamp(scope.start),
            "end_date": stamp(scope.end),
            "total_cost": money(total),
            "monthly_cost": pairs(&rows),
        }));
    }
    Ok(ok(json!({"business_units": out})))
}

/// The cost-center scope of a plain cost request (for sections that answer over a cost center
/// when `business_unit_id` is given, and over accounts otherwise).
pub(crate) async fn scope_of(
    state: &AppState,
    org: &str,
    req: &CostCenterRequest,
    default_days: DefaultDays,
) -> ApiResult<Scope> {
    if req.business_unit_id.is_some() {
        Ok(
            Scope::resolve_cost_center_with(state, org, req, default_days)
                .await?
                .0,
        )
    } else {
        Scope::resolve_with(state, org, &req.cost, default_days).await
    }
}
