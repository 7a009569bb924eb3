//! Spec section 10, "Solution Report" (Reports): `spec/sections/10-solution-report.md`.
//! Built: the cost-account listings reports start from and the guidances computed from the
//! billing data (docs/api-decisions.md D13-D15). The named solution reports and their
//! drill-downs need stored report definitions and are not built yet.

use std::collections::BTreeMap;

use axum::Extension;
use axum::extract::State;
use axum::response::Response;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use skyledger_auth::Caller;
use skyledger_ledger::{Dimension, Order};
use skyledger_types::Operation::{Create, Read};

use super::account_management::all_accounts;
use super::summary_report::available_range;
use crate::AppState;
use crate::cost::format::{key, money, stamp};
use crate::cost::request::IdText;
use crate::cost::scope::DefaultDays;
use crate::cost::{CostRequest, Scope};
use crate::envelope::{ApiResult, ok};
use crate::input::Input;
use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            GET,
            "/cs/api/cost/reports/tags",
            Read,
            "Get all available tags for cost account",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/solution_reports_meta",
            Read,
            "Get solution reports metadata - call first to validate report names",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/sol_reports/cost_by_instance",
            Create,
            "Get cost by skus/instance for named solution report",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/sol_reports/resource_count",
            Create,
            "Get resource count for named solution report drill-down",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/sol_reports/accounts_splitup",
            Create,
            "Get accounts splitup for named solution report",
        ),
        Route::new(
            GET,
            "/cs/api/cost/guidance/meta-view",
            Read,
            "Get guidance metadata view configuration",
            guidance_meta_view,
        ),
        Route::missing(
            GET,
            "/cs/api/cost/sol_reports",
            Read,
            "Get solution reports listing (level 1 cards) - not for spend analysis",
        ),
        Route::new(
            GET,
            "/cs/api/cost/guidances",
            Read,
            "Get cost optimization guidances and recommendations",
            guidances,
        ),
        Route::missing(
            POST,
            "/cs/api/cost/sol_reports/common_widget_api",
            Create,
            "Get cost by region/service/component for named solution report",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/sol_reports/cost_by_resource",
            Create,
            "Get cost by resource for named solution report",
        ),
        Route::new(
            GET,
            "/cs/api/cost/reports/cc_tags",
            Read,
            "Get cost centers tags configuration",
            cc_tags,
        ),
        Route::missing(
            POST,
            "/cs/api/cost/sol_reports/trend_box",
            Create,
            "Get trend chart for named solution report",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/sol_reports/spend_analysis_panel",
            Create,
            "Get spend analysis panel for solution reports",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/sol_reports/resource_pagination",
            Create,
            "Get resource monthly cost details for named solution report",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/reports/cc_spend_analysis",
            Read,
            "Get cost centers scoped configuration for solution reports",
        ),
        Route::new(
            GET,
            "/cs/api/cost/reports/spend_analysis",
            Read,
            "Get multi-cloud spend analysis for specific cost account (aws/azure/gcp)",
            spend_analysis,
        ),
        Route::missing(
            POST,
            "/cs/api/cost/sol_reports/group_by_property",
            Create,
            "Get resource explorer grouped data for named solution report",
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

const GUIDANCE_KINDS: [&GuidanceKind; 2] = [&PREVIOUS_GENERATION, &COMMITMENT_COVERAGE];

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
