//! Spec section 10, "Solution Report" (Reports): `spec/sections/10-solution-report.md`.
//! Built: the cost-account listings reports start from and the guidances computed from the
//! billing data (docs/api-decisions.md D13-D15). The named solution reports and their
//! drill-downs need stored report definitions and are not built yet.

use std::collections::BTreeMap;

use axum::Extension;
use axum::extract::{FromRequest, Request, State};
use axum::response::Response;
use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use skyledger_auth::Caller;
use skyledger_ledger::{CostRow, Dimension, Granularity, Order};
use skyledger_meta::solution_reports::{FoundReport, SolutionReport};
use skyledger_meta::tags::{
    VARIATION_OPERATION, VARIATION_REGION, VARIATION_SERVICE, VARIATION_USAGE_TYPE, property_key,
};
use skyledger_types::Operation::{Create, Read};

use super::account_management::{all_accounts, month_start, same_days_before};
use super::analytics::{group_name, spend_panel, trend_values};
use super::cost_analytics::{child_accounts, group_trends};
use super::custom_dashboard::numbered_widgets;
use super::resource_management::{
    instance_costs, resource_monthly_split, resource_page, top_resources,
};
use super::summary_report::available_range;
use super::tags::tag_inventory;
use crate::AppState;
use crate::cost::format::{key, money, percent_change, stamp};
use crate::cost::reports;
use crate::cost::request::{AccountRef, IdText};
use crate::cost::scope::{CostCenterRequest, DefaultDays, data_days};
use crate::cost::{CostRequest, Scope};
use crate::envelope::{ApiError, ApiResult, ok};
use crate::input::Input;
use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::new(
            GET,
            "/cs/api/cost/reports/tags",
            Read,
            "Get all available tags for cost account",
            report_tags,
        ),
        Route::new(
            GET,
            "/cs/api/cost/solution_reports_meta",
            Read,
            "Get solution reports metadata - call first to validate report names",
            solution_reports_meta,
        ),
        Route::new(
            POST,
            "/cs/api/cost/sol_reports/cost_by_instance",
            Create,
            "Get cost by skus/instance for named solution report",
            cost_by_instance,
        ),
        Route::new(
            POST,
            "/cs/api/cost/sol_reports/resource_count",
            Create,
            "Get resource count for named solution report drill-down",
            resource_count,
        ),
        Route::new(
            POST,
            "/cs/api/cost/sol_reports/accounts_splitup",
            Create,
            "Get accounts splitup for named solution report",
            accounts_splitup,
        ),
        Route::new(
            GET,
            "/cs/api/cost/guidance/meta-view",
            Read,
            "Get guidance metadata view configuration",
            guidance_meta_view,
        ),
        Route::new(
            GET,
            "/cs/api/cost/sol_reports",
            Read,
            "Get solution reports listing (level 1 cards) - not for spend analysis",
            sol_reports,
        ),
        Route::new(
            GET,
            "/cs/api/cost/guidances",
            Read,
            "Get cost optimization guidances and recommendations",
            guidances,
        ),
        Route::new(
            POST,
            "/cs/api/cost/sol_reports/common_widget_api",
            Create,
            "Get cost by region/service/component for named solution report",
            common_widget_api,
        ),
        Route::new(
            POST,
            "/cs/api/cost/sol_reports/cost_by_resource",
            Create,
            "Get cost by resource for named solution report",
            cost_by_resource,
        ),
        Route::new(
            GET,
            "/cs/api/cost/reports/cc_tags",
            Read,
            "Get cost centers tags configuration",
            cc_tags,
        ),
        Route::new(
            POST,
            "/cs/api/cost/sol_reports/trend_box",
            Create,
            "Get trend chart for named solution report",
            trend_box,
        ),
        Route::new(
            POST,
            "/cs/api/cost/sol_reports/spend_analysis_panel",
            Create,
            "Get spend analysis panel for solution reports",
            spend_analysis_panel,
        ),
        Route::new(
            POST,
            "/cs/api/cost/sol_reports/resource_pagination",
            Create,
            "Get resource monthly cost details for named solution report",
            resource_pagination,
        ),
        Route::new(
            GET,
            "/cs/api/cost/reports/cc_spend_analysis",
            Read,
            "Get cost centers scoped configuration for solution reports",
            cc_spend_analysis,
        ),
        Route::new(
            GET,
            "/cs/api/cost/reports/spend_analysis",
            Read,
            "Get multi-cloud spend analysis for specific cost account (aws/azure/gcp)",
            spend_analysis,
        ),
        Route::new(
            POST,
            "/cs/api/cost/sol_reports/group_by_property",
            Create,
            "Get resource explorer grouped data for named solution report",
            group_by_property,
        ),
    ]
}

/// The cost accounts a report names in `cost_account_id`: one id or a list.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(IdText),
    Many(Vec<IdText>),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountsQuery {
    cost_account_id: Option<OneOrMany>,
}

impl AccountsQuery {
    /// A cost request over the named cost accounts (all of the organisation's when none).
    fn cost_request(self) -> CostRequest {
        let ids = match self.cost_account_id {
            None => vec![],
            Some(OneOrMany::One(id)) => vec![id],
            Some(OneOrMany::Many(ids)) => ids,
        };
        CostRequest {
            accounts: ids
                .into_iter()
                .map(|id| crate::cost::request::AccountRef {
                    cost_account_id: id,
                    billing_account_ids: vec![],
                })
                .collect(),
            ..CostRequest::default()
        }
    }
}

/// `{"meta": {cost_account_id: name}}` of the named cost accounts (all when none; unknown ids
/// are 404).
async fn cc_tags(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(q): Input<AccountsQuery>,
) -> ApiResult<Response> {
    let accounts = crate::cost::scope::accounts(&state, &caller.org_id, &q.cost_request()).await?;
    let meta: Map<String, Value> = accounts
        .into_iter()
        .map(|a| (a.account.id, Value::from(a.account.name)))
        .collect();
    Ok(ok(json!({"meta": meta})))
}

/// The cost accounts a report can cover, with their billing accounts and the range of their
/// data (docs/api-decisions.md D13).
async fn spend_analysis(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(q): Input<AccountsQuery>,
) -> ApiResult<Response> {
    let req = q.cost_request();
    let scope = Scope::resolve_with(&state, &caller.org_id, &req, DefaultDays::AllData).await?;
    let ids: Vec<String> = scope
        .accounts
        .iter()
        .map(|a| a.account.id.clone())
        .collect();
    let (min_date, max_date) = available_range(&state, &ids).await?;
    let accounts: Vec<Value> = all_accounts(&scope, &caller.org_id)
        .await?
        .into_iter()
        .map(|mut a| {
            let org = a["zaaid"].take();
            if let Some(fields) = a.as_object_mut() {
                fields.remove("zaaid");
                fields.insert("integrated_zaaids".into(), json!([org]));
            }
            for child in a["child_accounts"].as_array_mut().into_iter().flatten() {
                if let Some(fields) = child.as_object_mut() {
                    fields.remove("cloud_type");
                }
            }
            a
        })
        .collect();
    Ok(ok(json!({
        "all_accounts": accounts,
        "max_date": max_date,
        "min_date": min_date,
    })))
}

/// The tags of the named cost accounts (all when none): provider tags, largest cost first,
/// then custom tags (the accounts `tags` answer).
async fn report_tags(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(q): Input<AccountsQuery>,
) -> ApiResult<Response> {
    let tags = tag_inventory(&state, &caller.org_id, &q.cost_request()).await?;
    Ok(ok(json!({"Tags": tags})))
}

/// The solution reports found in the data, counted per cloud, cost account and report type:
/// `{"nav_data": [{name, id: cloud type, subitems: [{name, id: cost account, subitems: [{name:
/// type, count, id: type}]}]}]}` (docs/api-decisions.md D15).
async fn solution_reports_meta(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(_none): Input<crate::input::NoInput>,
) -> ApiResult<Response> {
    let org = &caller.org_id;
    let reports = reports::discover(&state, org).await?;
    let accounts = state.meta.cost_accounts(org).await?;
    // cloud type -> cost account -> report type -> count
    let mut tree: BTreeMap<i64, BTreeMap<&str, BTreeMap<i64, usize>>> = BTreeMap::new();
    for r in &reports {
        let Some(a) = accounts.iter().find(|a| a.id == r.found.cost_account_id) else {
            continue;
        };
        *tree
            .entry(a.cloud_type)
            .or_default()
            .entry(a.id.as_str())
            .or_default()
            .entry(r.found.report_type)
            .or_default() += 1;
    }
    let nav: Vec<Value> = tree
        .into_iter()
        .map(|(cloud, by_account)| {
            let subitems: Vec<Value> = by_account
                .into_iter()
                .map(|(id, types)| {
                    let name = accounts
                        .iter()
                        .find(|a| a.id == id)
                        .map_or("", |a| a.name.as_str());
                    let types: Vec<Value> = types
                        .into_iter()
                        .map(|(t, count)| {
                            let name =
                                reports::report_type("report_type", t).map_or("", |t| t.name);
                            json!({"name": name, "count": count.to_string(), "id": t.to_string()})
                        })
                        .collect();
                    json!({"name": name, "subitems": types, "id": id})
                })
                .collect();
            // The examples leave the cloud level unnamed; its id is the cloud type.
            json!({"name": "", "subitems": subitems, "id": cloud.to_string()})
        })
        .collect();
    Ok(ok(json!({"nav_data": nav})))
}

/// A report type as the listing names it: `"32"` or `32`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum TypeId {
    Number(i64),
    Text(String),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    #[serde(default)]
    business_unit_id: Option<OneOrMany>,
    #[serde(default)]
    report_type: Vec<TypeId>,
}

/// The level-1 cards of solution reports: those of the named reports or cost accounts (all
/// when none), of the named report types (all when none), each with its month to date, the
/// last four months, a run-rate forecast and its top billing account, service and region
/// (docs/api-decisions.md D15).
async fn sol_reports(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(q): Input<ListQuery>,
) -> ApiResult<Response> {
    let org = &caller.org_id;
    let mut types = vec![];
    for (i, t) in q.report_type.iter().enumerate() {
        let field = format!("report_type[{i}]");
        let id = match t {
            TypeId::Number(n) => *n,
            TypeId::Text(s) => s.trim().parse().map_err(|_| {
                ApiError::BadRequest(format!("invalid field {field}: {s:?} is not a number"))
            })?,
        };
        types.push(reports::report_type(&field, id)?.id);
    }
    let all = reports::discover(&state, org).await?;
    let ids = match q.business_unit_id {
        None => vec![],
        Some(OneOrMany::One(id)) => vec![id],
        Some(OneOrMany::Many(ids)) => ids,
    };
    let mut chosen: Vec<&SolutionReport> = vec![];
    for (i, IdText(id)) in ids.iter().enumerate() {
        let matching: Vec<&SolutionReport> = all
            .iter()
            .filter(|r| &r.id == id || &r.found.cost_account_id == id)
            .collect();
        if matching.is_empty() && state.meta.cost_account(org, id).await?.is_none() {
            return Err(ApiError::NotFound(format!(
                "business_unit_id[{i}]: no solution report or cost account {id:?}"
            )));
        }
        chosen.extend(matching);
    }
    if ids.is_empty() {
        chosen = all.iter().collect();
    }
    chosen.retain(|r| types.is_empty() || types.contains(&r.found.report_type));
    // A report named both by id and through its cost account is listed once.
    let mut seen = std::collections::HashSet::new();
    chosen.retain(|r| seen.insert(r.id.as_str()));
    let cards = report_cards(&state, org, &chosen).await?;
    Ok(ok(json!({"all_accounts": cards})))
}

/// Sums of a cost account's line items per `[billing account, region, service, operation,
/// usage type]`, in a range (with the range's month buckets when `monthly`).
async fn account_groups(
    scope: &Scope,
    start: NaiveDate,
    end: NaiveDate,
    monthly: bool,
) -> ApiResult<Vec<CostRow>> {
    let mut q = scope.query_for(start, end);
    q.granularity = monthly.then_some(Granularity::Month);
    q.group_by = vec![
        Dimension::BillingAccount,
        Dimension::Region,
        Dimension::Service,
        Dimension::Operation,
        Dimension::UsageType,
    ];
    Ok(scope.run(&q).await?.rows)
}

/// Whether a row of [`account_groups`] belongs to a report: every property of its rule matches.
fn in_report(rule: &[(i64, String)], keys: &[Option<String>]) -> bool {
    rule.iter().all(|(variation, value)| {
        let i = match *variation {
            VARIATION_REGION => 1,
            VARIATION_SERVICE => 2,
            VARIATION_OPERATION => 3,
            VARIATION_USAGE_TYPE => 4,
            _ => return false,
        };
        keys[i].as_deref() == Some(value.as_str())
    })
}

/// The listing's cards, keyed by report id. Each cost account's line items are read twice
/// (four months by month, and last month's same days), whatever the number of reports.
async fn report_cards(
    state: &AppState,
    org: &str,
    chosen: &[&SolutionReport],
) -> ApiResult<Map<String, Value>> {
    let mut cards = Map::new();
    let found: Vec<&FoundReport> = chosen.iter().map(|r| &r.found).collect();
    let tags_of: BTreeMap<&str, Vec<skyledger_meta::tags::Tag>> = chosen
        .iter()
        .map(|r| r.id.as_str())
        .zip(rule_tags(state, org, &found).await?)
        .collect();
    let mut accounts: Vec<&str> = chosen
        .iter()
        .map(|r| r.found.cost_account_id.as_str())
        .collect();
    accounts.sort_unstable();
    accounts.dedup();
    for account in accounts {
        let req = CostRequest {
            accounts: vec![AccountRef {
                cost_account_id: IdText(account.to_string()),
                billing_account_ids: vec![],
            }],
            ..CostRequest::default()
        };
        let scope = Scope::resolve_with(state, org, &req, DefaultDays::AllData).await?;
        // As of the newest day of the account's data.
        let end = scope.end;
        let month = month_start(end);
        let first = month.checked_sub_months(Months::new(3)).unwrap_or(month);
        let monthly = account_groups(&scope, first, end, true).await?;
        let (same_start, same_end) = same_days_before(end, 1);
        let previous_same = account_groups(&scope, same_start, same_end, false).await?;
        let days_in_month = month
            .checked_add_months(Months::new(1))
            .map_or(30, |next| (next - month).num_days());
        for r in chosen.iter().filter(|r| r.found.cost_account_id == account) {
            let rule = reports::rule(&r.found);
            let mine: Vec<&CostRow> = monthly
                .iter()
                .filter(|c| in_report(&rule, &c.keys))
                .collect();
            let mut by_month: BTreeMap<NaiveDate, Decimal> = BTreeMap::new();
            let mut top: [BTreeMap<String, Decimal>; 3] = Default::default();
            for c in &mine {
                let Some(m) = c.period_start else { continue };
                *by_month.entry(m).or_default() += c.cost;
                if m == month {
                    let names = [
                        scope.billing_name(&key(&c.keys[0])),
                        key(&c.keys[1]),
                        key(&c.keys[2]),
                    ];
                    for (t, name) in top.iter_mut().zip(names) {
                        *t.entry(name).or_default() += c.cost;
                    }
                }
            }
            let now = by_month.get(&month).copied().unwrap_or_default();
            let prev_month = month.checked_sub_months(Months::new(1)).unwrap_or(month);
            let before = by_month.get(&prev_month).copied().unwrap_or_default();
            let same: Decimal = previous_same
                .iter()
                .filter(|c| in_report(&rule, &c.keys))
                .map(|c| c.cost)
                .sum();
            let forecast = now / Decimal::from(end.day()) * Decimal::from(days_in_month);
            let largest = |m: &BTreeMap<String, Decimal>| {
                m.iter()
                    .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                    .map_or((String::new(), Decimal::ZERO), |(k, v)| (k.clone(), *v))
            };
            let (linked, linked_cost) = largest(&top[0]);
            let (region, region_cost) = largest(&top[1]);
            let (service, service_cost) = largest(&top[2]);
            let chart: Vec<Value> = by_month
                .iter()
                .map(|(m, c)| json!([stamp(*m), money(*c)]))
                .collect();
            let tags = &tags_of[r.id.as_str()];
            let tag_values: Map<String, Value> = tags
                .iter()
                .map(|t| {
                    (
                        t.id.clone(),
                        json!({"val": format!("{} : {}", t.key, t.value), "v": t.variation}),
                    )
                })
                .collect();
            cards.insert(
                r.id.clone(),
                json!({
                    "total_tags": tags.len(),
                    "creation_time": created(r.created_at),
                    "total_current_month": money(now),
                    "chart_data": chart,
                    "forecast_percent": percent_change(before, forecast),
                    "top_spend_entity": {
                        "linked_account_cost": money(linked_cost),
                        "service_cost": money(service_cost),
                        "region": region,
                        "linked_account": linked,
                        "service": service,
                        "region_cost": money(region_cost),
                    },
                    "cost_accnt_names": [scope.account_name(account)],
                    "name": r.found.name,
                    "percent_change": percent_change(same, now),
                    "total_prev_month": money(before),
                    "forecast_val": money(forecast),
                    "business_unit_tags_values": tag_values,
                    "prev_MTD": money(same),
                }),
            );
        }
    }
    Ok(cards)
}

/// The property tags of each report's rule, with their ids: one lookup per property kind
/// whatever the number of reports.
async fn rule_tags(
    state: &AppState,
    org: &str,
    reports: &[&FoundReport],
) -> ApiResult<Vec<Vec<skyledger_meta::tags::Tag>>> {
    let rules: Vec<Vec<(i64, String)>> = reports.iter().map(|r| reports::rule(r)).collect();
    let mut pairs: BTreeMap<i64, Vec<(String, String)>> = BTreeMap::new();
    for (variation, value) in rules.iter().flatten() {
        let key = property_key(*variation).unwrap_or_default().to_string();
        pairs
            .entry(*variation)
            .or_default()
            .push((key, value.clone()));
    }
    let mut ids: BTreeMap<(i64, String), skyledger_meta::tags::Tag> = BTreeMap::new();
    for (variation, pairs) in pairs {
        for t in state.meta.tag_ids(org, variation, &pairs).await? {
            ids.insert((variation, t.value.clone()), t);
        }
    }
    Ok(rules
        .into_iter()
        .map(|rule| {
            rule.into_iter()
                .filter_map(|key| ids.get(&key).cloned())
                .collect()
        })
        .collect())
}

/// A creation time as the listing shows it: `18-Aug-2025 23:36` (UTC).
fn created(ms: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
        .map_or_else(String::new, |t| t.format("%d-%b-%Y %H:%M").to_string())
}

/// A `sol_reports/*` request, resolved: the report's cost account and rule narrowed by the
/// request (`bu_type` 1 when given), with the request and the caller's organisation.
struct InReport {
    state: AppState,
    org: String,
    req: CostCenterRequest,
    scope: Scope,
}

impl FromRequest<AppState> for InReport {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let caller = request
            .extensions()
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| ApiError::Internal("no authenticated caller".into()))?;
        let Input(req) = Input::<CostCenterRequest>::from_request(request, state).await?;
        let (scope, _) =
            reports::resolve_report(state, &caller.org_id, &req, DefaultDays::RecentMonths).await?;
        Ok(InReport {
            state: state.clone(),
            org: caller.org_id,
            req,
            scope,
        })
    }
}

/// Cost per service, instance type and zone within the report.
async fn cost_by_instance(r: InReport) -> ApiResult<Response> {
    Ok(ok(json!({"return_data": instance_costs(&r.scope).await?})))
}

/// The report's resources with their cost, optionally within one group of a
/// `group_by_property` answer (`property` with `group_by_type`).
async fn resource_count(mut r: InReport) -> ApiResult<Response> {
    r.scope.drill_down(&r.state, &r.org, &r.req.cost).await?;
    Ok(ok(resource_page(&r.scope, &r.req.cost).await?))
}

/// Cost per billing account (subscription, project, linked account) within the report:
/// `[[name, cost]]`, largest first.
async fn accounts_splitup(r: InReport) -> ApiResult<Response> {
    let scope = &r.scope;
    let mut q = scope.query();
    q.group_by = vec![Dimension::BillingAccount];
    q.order = Order::CostDescending;
    let rows: Vec<Value> = scope
        .run(&q)
        .await?
        .rows
        .iter()
        .map(|row| {
            json!([
                group_name(scope, &Dimension::BillingAccount, &row.keys[0]),
                money(row.cost)
            ])
        })
        .collect();
    Ok(ok(json!({"return_data": rows})))
}

/// The numbered widget lists (regions, services, usage components, charge categories).
async fn common_widget_api(r: InReport) -> ApiResult<Response> {
    Ok(ok(
        json!({"return_data": numbered_widgets(&r.scope).await?}),
    ))
}

/// The report's costliest resources.
async fn cost_by_resource(r: InReport) -> ApiResult<Response> {
    Ok(ok(json!({"return_data": top_resources(&r.scope).await?})))
}

/// Cost per service over time within the report.
async fn trend_box(r: InReport) -> ApiResult<Response> {
    Ok(ok(trend_values(&r.scope, r.req.cost.period).await?))
}

/// The accounts spend panel over the report.
async fn spend_analysis_panel(r: InReport) -> ApiResult<Response> {
    Ok(ok(json!({"return_data": spend_panel(&r.scope).await?})))
}

/// The report's resources with their monthly split, optionally within one group.
async fn resource_pagination(mut r: InReport) -> ApiResult<Response> {
    if r.req.cost.group_by_type.is_some() {
        r.scope.drill_down(&r.state, &r.org, &r.req.cost).await?;
    }
    Ok(ok(resource_monthly_split(
        &r.state,
        &r.org,
        &r.scope,
        &r.req.cost,
    )
    .await?))
}

/// Cost per group over time within the report.
async fn group_by_property(r: InReport) -> ApiResult<Response> {
    Ok(ok(
        group_trends(&r.state, &r.org, &r.scope, &r.req.cost).await?
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitQuery {
    business_unit_id: IdText,
    /// `true`/`false`, as text (a plain query parameter) or a JSON boolean.
    auto_bu: Option<Value>,
    billed_account_id: Option<IdText>,
}

/// A solution report's make-up (`auto_bu` true or absent: the report; its rule as
/// `default_tags`), or a cost center's (`auto_bu` false: the cost-center answer).
async fn cc_spend_analysis(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(q): Input<UnitQuery>,
) -> ApiResult<Response> {
    let org = &caller.org_id;
    let auto = crate::cost::request::auto_bu(&q.auto_bu)?.unwrap_or(true);
    if !auto {
        let center = super::cost_analytics::spend_analysis_of(
            &state,
            org,
            Some(&q.business_unit_id),
            q.billed_account_id.as_ref(),
        )
        .await?;
        return Ok(ok(center));
    }
    let req = CostCenterRequest {
        business_unit_id: Some(q.business_unit_id.clone()),
        bu_type: Some(1),
        ..CostCenterRequest::default()
    };
    let (scope, report) = reports::resolve_report(&state, org, &req, DefaultDays::AllData).await?;
    let children = child_accounts(&scope);
    if let Some(b) = &q.billed_account_id
        && !scope
            .accounts
            .iter()
            .flat_map(|a| a.billing.iter())
            .any(|x| x.id == b.0 || x.account_key == b.0)
    {
        return Err(ApiError::BadRequest(format!(
            "billed_account_id: billing account {:?} is not part of solution report {}",
            b.0, q.business_unit_id.0
        )));
    }
    let account = &scope.accounts[0].account;
    let (tags, name) = match &report {
        Some(r) => (
            rule_tags(&state, org, &[&r.found])
                .await?
                .pop()
                .unwrap_or_default(),
            r.found.name.clone(),
        ),
        None => (vec![], account.name.clone()),
    };
    let default_tags: Vec<Value> = tags
        .iter()
        .map(|t| json!({"tagId": t.id, "value": t.value, "v": t.variation, "key": t.key}))
        .collect();
    let unit_tags: Vec<Value> = tags
        .iter()
        .map(|t| json!({"v": t.variation.to_string(), "id": t.id}))
        .collect();
    let range = data_days(&scope.ledger, std::slice::from_ref(&account.id)).await?;
    Ok(ok(json!({
        "max_date": range.map_or_else(String::new, |r| stamp(r.1)),
        "is_hybrid_account": false,
        "cost_account_ids": [account.id],
        "cloud_type": account.cloud_type,
        "all_accounts": [{
            "default_tags": default_tags,
            "child_accounts": children,
            "id": q.business_unit_id.0,
            "bu_type": 1,
            "account_name": name,
            "business_unit_tags": unit_tags,
        }],
        "min_date": range.map_or_else(String::new, |r| stamp(r.0)),
    })))
}

/// A kind of guidance this server computes from billing data.
struct GuidanceKind {
    id: &'static str,
    name: &'static str,
    description: &'static str,
}

const PREVIOUS_GENERATION: GuidanceKind = GuidanceKind {
    id: "previous_generation_instances",
    name: "Previous-generation instance types",
    description: "Instance types of a previous AWS generation seen in the billing data; the \
                  current generation of the family usually costs less for the same capacity.",
};

const COMMITMENT_COVERAGE: GuidanceKind = GuidanceKind {
    id: "on_demand_compute",
    name: "On-demand compute eligible for commitments",
    description: "Instance usage billed at on-demand rates (AWS line item type Usage) on most \
                  days of the range; steady usage is what Savings Plans and reservations cover.",
};

const IDLE_RESOURCES: GuidanceKind = GuidanceKind {
    id: "idle_resources",
    name: "Resources billed while idle",
    description: "Resources whose billing lines are charges for being idle (AWS usage types \
                  ending ':IdleAddress': an Elastic IP or public IPv4 address not attached to a \
                  running instance); releasing them removes the charge.",
};

const GUIDANCE_KINDS: [&GuidanceKind; 3] =
    [&PREVIOUS_GENERATION, &COMMITMENT_COVERAGE, &IDLE_RESOURCES];

/// Usage-type endings that bill a resource for being idle.
const IDLE_USAGE: &[&str] = &[":IdleAddress"];

/// The guidance kinds and what each looks for.
async fn guidance_meta_view(
    Extension(_caller): Extension<Caller>,
    Input(_none): Input<crate::input::NoInput>,
) -> ApiResult<Response> {
    let kinds: Vec<Value> = GUIDANCE_KINDS
        .iter()
        .map(|k| json!({"id": k.id, "name": k.name, "description": k.description}))
        .collect();
    Ok(ok(json!({"guidance_types": kinds})))
}

/// Previous-generation AWS instance families and the current family that replaces them.
const PREVIOUS_FAMILIES: &[(&str, &str)] = &[
    ("t1", "t3"),
    ("t2", "t3"),
    ("m1", "m5"),
    ("m2", "r5"),
    ("m3", "m5"),
    ("m4", "m5"),
    ("c1", "c5"),
    ("c3", "c5"),
    ("c4", "c5"),
    ("r3", "r5"),
    ("r4", "r5"),
    ("i2", "i3"),
    ("d2", "d3"),
    ("g2", "g4dn"),
    ("g3", "g4dn"),
    ("p2", "p3"),
];

/// The current instance type replacing a previous-generation one (`t2.micro` → `t3.micro`,
/// `db.m4.large` → `db.m5.large`); None for current types and other clouds' names.
fn successor(instance_type: &str) -> Option<String> {
    let (prefix, rest) = match instance_type.split_once('.') {
        Some((p @ ("db" | "cache"), rest)) => (format!("{p}."), rest),
        _ => (String::new(), instance_type),
    };
    let (family, size) = rest.split_once('.')?;
    let (_, next) = PREVIOUS_FAMILIES.iter().find(|(f, _)| *f == family)?;
    Some(format!("{prefix}{next}.{size}"))
}

/// AWS line item types of usage a reservation or Savings Plan covered.
const COMMITTED_USAGE: &[&str] = &["DiscountedUsage", "SavingsPlanCoveredUsage"];

/// Share of the range's days with on-demand instance usage from which it counts as steady.
const STEADY_DAYS_PERCENT: i64 = 50;

/// Guidances computed from the billing data of the request's scope (default: the month before
/// the newest data to the newest day), each with its evidence (docs/api-decisions.md D14).
async fn guidances(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    let mut list = previous_generation(&scope).await?;
    list.extend(on_demand_compute(&scope).await?);
    list.extend(idle_resources(&scope).await?);
    Ok(ok(json!({
        "showGuidance": !list.is_empty(),
        "guidanceList": list,
        "userId": caller.user_id.clone().unwrap_or_default(),
        "guidanceNewMode": true,
    })))
}

fn guidance(
    kind: &GuidanceKind,
    scope: &Scope,
    id: String,
    title: String,
    cost: Decimal,
    evidence: Value,
) -> Value {
    json!({
        "id": id,
        "type": kind.id,
        "title": title,
        "description": kind.description,
        "cost": money(cost),
        "start_date": stamp(scope.start),
        "end_date": stamp(scope.end),
        "evidence": evidence,
    })
}

/// One guidance per previous-generation instance type with cost in scope, costliest first.
async fn previous_generation(scope: &Scope) -> ApiResult<Vec<Value>> {
    let mut q = scope.query();
    q.group_by = vec![
        Dimension::InstanceType,
        Dimension::Service,
        Dimension::BillingAccount,
    ];
    q.order = Order::CostDescending;
    // instance type -> (cost, services, billing accounts)
    let mut found: BTreeMap<String, (Decimal, Vec<String>, Vec<String>)> = BTreeMap::new();
    for r in scope.run(&q).await?.rows {
        let Some(instance) = r.keys[0].clone().filter(|t| successor(t).is_some()) else {
            continue;
        };
        let e = found.entry(instance).or_default();
        e.0 += r.cost;
        for (list, value) in [
            (&mut e.1, key(&r.keys[1])),
            (
                &mut e.2,
                crate::sections::analytics::group_name(
                    scope,
                    &Dimension::BillingAccount,
                    &r.keys[2],
                ),
            ),
        ] {
            if !list.contains(&value) {
                list.push(value);
            }
        }
    }
    let mut found: Vec<_> = found.into_iter().collect();
    found.sort_by(|a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(&b.0)));
    Ok(found
        .into_iter()
        .map(|(instance, (cost, services, accounts))| {
            let next = successor(&instance).unwrap_or_default();
            guidance(
                &PREVIOUS_GENERATION,
                scope,
                format!("{}:{instance}", PREVIOUS_GENERATION.id),
                format!("{instance} is a previous-generation instance type; consider {next}"),
                cost,
                json!({
                    "instance_type": instance,
                    "suggested_instance_type": next,
                    "services": services,
                    "billing_accounts": accounts,
                    "cost": money(cost),
                }),
            )
        })
        .collect())
}

/// One guidance per resource billed for being idle, costliest first, with the days it was.
async fn idle_resources(scope: &Scope) -> ApiResult<Vec<Value>> {
    let mut q = scope.query();
    q.group_by = vec![Dimension::UsageType];
    let idle: Vec<String> = scope
        .run(&q)
        .await?
        .rows
        .into_iter()
        .filter_map(|r| r.keys[0].clone())
        .filter(|u| IDLE_USAGE.iter().any(|end| u.ends_with(end)))
        .collect();
    if idle.is_empty() {
        return Ok(vec![]);
    }
    crate::cost::scope::narrow(&mut q.usage_types, &idle.into_iter().collect());
    q.group_by = vec![
        Dimension::Resource,
        Dimension::UsageType,
        Dimension::BillingAccount,
        Dimension::Region,
    ];
    q.granularity = Some(skyledger_ledger::Granularity::Day);
    // resource -> (cost, usage type, billing account, region, days)
    let mut found: BTreeMap<String, (Decimal, String, String, String, usize)> = BTreeMap::new();
    for r in scope.run(&q).await?.rows {
        let id = key(&r.keys[0]);
        let e = found.entry(id).or_insert_with(|| {
            (
                Decimal::ZERO,
                key(&r.keys[1]),
                crate::sections::analytics::group_name(
                    scope,
                    &Dimension::BillingAccount,
                    &r.keys[2],
                ),
                key(&r.keys[3]),
                0,
            )
        });
        e.0 += r.cost;
        e.4 += 1;
    }
    let mut found: Vec<_> = found.into_iter().collect();
    found.sort_by(|a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(&b.0)));
    Ok(found
        .into_iter()
        .map(|(resource, (cost, usage, account, region, days))| {
            guidance(
                &IDLE_RESOURCES,
                scope,
                format!("{}:{resource}", IDLE_RESOURCES.id),
                format!("{resource} was billed as idle ({usage}) on {days} days"),
                cost,
                json!({
                    "resource_id": resource,
                    "usage_type": usage,
                    "billing_account": account,
                    "region": region,
                    "days_billed_idle": days,
                    "cost": money(cost),
                }),
            )
        })
        .collect())
}

/// One guidance when instance usage billed on demand appears on at least half of the range's
/// days, with the on-demand and committed costs and the days seen.
async fn on_demand_compute(scope: &Scope) -> ApiResult<Vec<Value>> {
    let mut q = scope.query();
    q.group_by = vec![Dimension::ChargeType, Dimension::InstanceType];
    q.granularity = Some(skyledger_ledger::Granularity::Day);
    let (mut on_demand, mut committed) = (Decimal::ZERO, Decimal::ZERO);
    let mut days = std::collections::BTreeSet::new();
    let mut types: BTreeMap<String, Decimal> = BTreeMap::new();
    for r in scope.run(&q).await?.rows {
        let Some(instance) = r.keys[1].clone().filter(|t| !t.is_empty()) else {
            continue;
        };
        match r.keys[0].as_deref() {
            Some("Usage") => {
                on_demand += r.cost;
                *types.entry(instance).or_default() += r.cost;
                if r.cost > Decimal::ZERO
                    && let Some(d) = r.period_start
                {
                    days.insert(d);
                }
            }
            Some(t) if COMMITTED_USAGE.contains(&t) => committed += r.cost,
            _ => {}
        }
    }
    let range_days = (scope.end - scope.start).num_days() + 1;
    let steady = (days.len() as i64) * 100 >= range_days * STEADY_DAYS_PERCENT;
    if on_demand <= Decimal::ZERO || !steady {
        return Ok(vec![]);
    }
    let compute = on_demand + committed;
    let coverage = if compute.is_zero() {
        Decimal::ZERO
    } else {
        committed / compute * Decimal::from(100)
    };
    let mut top: Vec<(String, Decimal)> = types.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let top: Vec<Value> = top
        .into_iter()
        .take(10)
        .map(|(t, c)| json!([t, money(c)]))
        .collect();
    Ok(vec![guidance(
        &COMMITMENT_COVERAGE,
        scope,
        COMMITMENT_COVERAGE.id.to_string(),
        format!(
            "{} of instance usage was billed on demand on {} of {range_days} days",
            money(on_demand),
            days.len()
        ),
        on_demand,
        json!({
            "on_demand_cost": money(on_demand),
            "committed_cost": money(committed),
            "commitment_coverage_percent": money(coverage),
            "days_with_on_demand_usage": days.len(),
            "days_in_range": range_days,
            "top_instance_types": top,
        }),
    )])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previous_generation_types_get_their_successor() {
        assert_eq!(successor("t2.micro").as_deref(), Some("t3.micro"));
        assert_eq!(successor("db.m4.large").as_deref(), Some("db.m5.large"));
        assert_eq!(
            successor("cache.r4.xlarge").as_deref(),
            Some("cache.r5.xlarge")
        );
        assert_eq!(successor("t3.micro"), None);
        assert_eq!(successor("m5.large"), None);
        assert_eq!(successor("Standard_D2s_v3"), None);
        assert_eq!(successor("n1-standard-1"), None);
    }
}
