//! Spec section 28, "Resource Management" (Accounts): `spec/sections/28-resource-management.md`.
//! Resources are the provider's resource ids (ARNs, Azure resource paths, instance ids) as they
//! appear in the billing data (docs/api-decisions.md A7).

use std::collections::BTreeMap;

use axum::Extension;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::Datelike;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};
use skyledger_auth::Caller;
use skyledger_ledger::{CostRow, Dimension, Granularity, Order};
use skyledger_meta::tags::VARIATION_CUSTOM_RESOURCE;
use skyledger_types::Operation::{Create, Read};

use crate::AppState;
use crate::cost::format::{key, money, pairs};
use crate::cost::scope::DefaultDays;
use crate::cost::{CostRequest, Scope};
use crate::envelope::{ApiError, ApiResult, ok};
use crate::input::Input;
use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::new(
            POST,
            "/cs/api/cost/accounts/resource_explorer/ri_resouce_trend_chart",
            Create,
            "Get resource cost trend chart data",
            resource_trend_chart,
        ),
        Route::new(
            POST,
            "/cs/api/cost/accounts/resource_pagination",
            Create,
            "Get detailed monthly cost breakdown for specific resources",
            resource_pagination,
        ),
        Route::new(
            POST,
            "/cs/api/cost/accounts/resource_explorer/ri_list",
            Create,
            "Get detailed resource metadata and tags",
            resource_list,
        ),
        Route::new(
            GET,
            "/cs/api/cost/billed_res_count",
            Read,
            "Get Billed Resource Count by Account",
            billed_resource_count,
        ),
        Route::new(
            GET,
            "/cs/api/cost/accounts/resource_explorer/resource/{resource_id}/tags",
            Read,
            "Get tags for specific resource",
            resource_tags,
        ),
        Route::new(
            POST,
            "/cs/api/cost/accounts/resource_count",
            Create,
            "Get detailed resource list with cost data for specific billing account",
            resource_count,
        ),
        Route::new(
            POST,
            "/cs/api/cost/accounts/cost_by_instance",
            Create,
            "Get Cost by Instance Type",
            cost_by_instance,
        ),
        Route::new(
            POST,
            "/cs/api/cost/accounts/cost_by_resource",
            Create,
            "Get Cost by Resource",
            cost_by_resource,
        ),
    ]
}

/// Resources per page of `resource_count` (`page` 1, 2, …; -1 or absent: every resource).
const PAGE_SIZE: usize = 50;
/// Resources `cost_by_resource` lists.
const TOP_RESOURCES: usize = 50;
/// Most resources one `resource_pagination` or `ri_list` request may name.
const MAX_NAMED_RESOURCES: usize = 500;

fn named_resources(req: &CostRequest) -> ApiResult<Vec<String>> {
    let mut ids: Vec<String> = req
        .resource_ids
        .iter()
        .chain(req.resource_id.iter())
        .map(|r| r.0.clone())
        .filter(|r| !r.is_empty())
        .collect();
    ids.dedup();
    if ids.len() > MAX_NAMED_RESOURCES {
        return Err(ApiError::BadRequest(format!(
            "invalid field resource_ids: at most {MAX_NAMED_RESOURCES} resources per request"
        )));
    }
    Ok(ids)
}

/// Monthly cost of one resource: `{"resource_cost": [[t, c]]}`.
async fn resource_trend_chart(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let Some(resource) = req.resource_id.clone() else {
        return Err(ApiError::BadRequest("missing field resource_id".into()));
    };
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    let mut q = scope.query();
    q.resource_ids = vec![resource.0.clone()];
    q.granularity = Some(Granularity::Month);
    let table = scope.run(&q).await?;
    if table.rows.is_empty() {
        // Unknown resource, or no cost in these days? Look over all the data before answering.
        let ids: Vec<String> = scope
            .accounts
            .iter()
            .map(|a| a.account.id.clone())
            .collect();
        let known = match crate::cost::scope::data_days(&scope.ledger, &ids).await? {
            Some((first, last)) => {
                let mut all = scope.query_for(first, last);
                all.resource_ids = vec![resource.0.clone()];
                !scope.run(&all).await?.rows.is_empty()
            }
            None => false,
        };
        if !known {
            return Err(ApiError::NotFound(format!(
                "resource_id: resource {:?} not found in the selected accounts",
                resource.0
            )));
        }
    }
    Ok(ok(json!({"resource_cost": pairs(&table.rows)})))
}

/// Name, type (service) and region of resources, from their rows.
struct ResourceInfo {
    name: String,
    service: String,
    region: String,
    kind: String,
    billing_account: String,
    cost: Decimal,
}

/// The resources of `q` (already filtered) with their descriptive columns, largest cost first.
async fn resource_infos(
    scope: &Scope,
    mut q: skyledger_ledger::CostQuery,
) -> ApiResult<Vec<(String, ResourceInfo)>> {
    q.group_by = vec![
        Dimension::Resource,
        Dimension::ResourceName,
        Dimension::Service,
        Dimension::Region,
        Dimension::ResourceType,
        Dimension::BillingAccount,
    ];
    let table = scope.run(&q).await?;
    // A resource may show several names or services over time; keep the costliest variant.
    let mut best: BTreeMap<String, ResourceInfo> = BTreeMap::new();
    let mut totals: BTreeMap<String, Decimal> = BTreeMap::new();
    for r in table.rows {
        let Some(id) = r.keys[0].clone().filter(|s| !s.is_empty()) else {
            continue;
        };
        *totals.entry(id.clone()).or_default() += r.cost;
        let info = ResourceInfo {
            name: r.keys[1]
                .clone()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| short_name(&id)),
            service: key(&r.keys[2]),
            region: key(&r.keys[3]),
            kind: key(&r.keys[4]),
            billing_account: r.keys[5].clone().unwrap_or_default(),
            cost: r.cost,
        };
        match best.get(&id) {
            Some(b) if b.cost >= info.cost => {}
            _ => {
                best.insert(id, info);
            }
        }
    }
    let mut out: Vec<(String, ResourceInfo)> = best
        .into_iter()
        .map(|(id, mut info)| {
            info.cost = totals[&id];
            (id, info)
        })
        .collect();
    out.sort_by(|a, b| b.1.cost.cmp(&a.1.cost).then_with(|| a.0.cmp(&b.0)));
    Ok(out)
}

/// The last path segment of a resource id (`arn:…:instance/i-0abc` → `i-0abc`).
fn short_name(id: &str) -> String {
    id.rsplit(['/', ':']).next().unwrap_or(id).to_string()
}

/// Monthly split of named resources (or the top ones): `{"return_data": {"mode": 1,
/// "values": {id: {name, monthly_split, tag_value, id, total_cost, type}}}}`. With a tag in
/// `property`/`group_by_tags`, `tag_value` is each resource's value of that tag key.
async fn resource_pagination(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    Ok(ok(resource_monthly_split(
        &state,
        &caller.org_id,
        &scope,
        &req,
    )
    .await?))
}

/// The `resource_pagination` answer over a resolved scope (accounts or a cost center).
pub(crate) async fn resource_monthly_split(
    state: &AppState,
    org_id: &str,
    scope: &Scope,
    req: &CostRequest,
) -> ApiResult<Value> {
    let named = named_resources(req)?;
    let mut q = scope.query();
    if !named.is_empty() {
        q.resource_ids = named;
    }
    let mut infos = resource_infos(scope, q.clone()).await?;
    infos.truncate(MAX_NAMED_RESOURCES);
    let ids: Vec<String> = infos.iter().map(|(id, _)| id.clone()).collect();
    let mut monthly = q.clone();
    monthly.resource_ids = ids.clone();
    monthly.granularity = Some(Granularity::Month);
    monthly.group_by = vec![Dimension::Resource];
    let mut splits: BTreeMap<String, Vec<CostRow>> = BTreeMap::new();
    if !ids.is_empty() {
        for r in scope.run(&monthly).await?.rows {
            splits.entry(key(&r.keys[0])).or_default().push(r);
        }
    }
    // `property` names the tag shown unless it names a group of another kind (a drill-down,
    // applied to the scope by the caller).
    let property = match req.group_by_type.as_deref() {
        None | Some("tag") => req.property.as_ref(),
        Some(_) => None,
    };
    let tag_key = match (property, req.group_by_tags.first()) {
        (Some(t), _) | (None, Some(t)) => Some(
            crate::cost::scope::tag(state, org_id, "property", t)
                .await?
                .key,
        ),
        _ => None,
    };
    let tag_values = match &tag_key {
        Some(k) if !ids.is_empty() => {
            let mut tq = q.clone();
            tq.resource_ids = ids.clone();
            tq.group_by = vec![Dimension::Resource, Dimension::Tag(k.clone())];
            scope
                .run(&tq)
                .await?
                .rows
                .into_iter()
                .filter_map(|r| Some((r.keys[0].clone()?, r.keys[1].clone()?)))
                .collect::<BTreeMap<_, _>>()
        }
        _ => BTreeMap::new(),
    };
    let mut values = Map::new();
    for (id, info) in infos {
        let split = splits.get(&id).map_or(&[][..], |v| v.as_slice());
        values.insert(
            id.clone(),
            json!({
                "name": info.name,
                "monthly_split": pairs(split),
                "tag_value": tag_values.get(&id).cloned().unwrap_or_else(|| "-".into()),
                "id": id,
                "total_cost": money(info.cost),
                "type": info.service,
            }),
        );
    }
    Ok(json!({"return_data": {"mode": 1, "values": values}}))
}

/// Metadata and tags of resources: `{id: {name, type, service, region, billing_account,
/// cost, tags: {key: value}, custom_tags: {key: value}}}` (an empty object when none match).
async fn resource_list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let named = named_resources(&req)?;
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    let mut q = scope.query();
    if !named.is_empty() {
        q.resource_ids = named;
    }
    let mut infos = resource_infos(&scope, q.clone()).await?;
    infos.truncate(MAX_NAMED_RESOURCES);
    let custom = state.meta.tag_assignments(&caller.org_id).await?;
    let mut out = Map::new();
    for (id, info) in infos {
        let mut tq = q.clone();
        tq.resource_ids = vec![id.clone()];
        let tags: Map<String, Value> = scope
            .ledger
            .tags(&tq)
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?
            .into_iter()
            .map(|t| (t.key, Value::from(t.value)))
            .collect();
        let custom_tags: Map<String, Value> = custom
            .iter()
            .filter(|a| a.resource_id == id && a.tag.variation == VARIATION_CUSTOM_RESOURCE)
            .map(|a| (a.tag.key.clone(), Value::from(a.tag.value.clone())))
            .collect();
        out.insert(
            id.clone(),
            json!({
                "name": info.name,
                "type": info.kind,
                "service": info.service,
                "region": info.region,
                "billing_account": scope.billing_name(&info.billing_account),
                "cost": money(info.cost),
                "tags": tags,
                "custom_tags": custom_tags,
            }),
        );
    }
    Ok(ok(Value::Object(out)))
}

/// Distinct billed resources per cost account in the month of its newest data and the month
/// before: `{"data": {cost_account_id: {"prev_month": "n", "cur_month": "n"}}}`.
async fn billed_resource_count(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve_with(&state, &caller.org_id, &req, DefaultDays::AllData).await?;
    let mut out = Map::new();
    for a in &scope.accounts {
        let ids = [a.account.id.clone()];
        let Some((_, last)) = crate::cost::scope::data_days(&scope.ledger, &ids).await? else {
            out.insert(
                a.account.id.clone(),
                json!({"prev_month": "0", "cur_month": "0"}),
            );
            continue;
        };
        let cur = last.with_day(1).expect("day 1 exists");
        let prev = cur
            .checked_sub_months(chrono::Months::new(1))
            .unwrap_or(cur);
        let mut q = scope.query_for(prev, last);
        q.account_scopes.retain(|s| s.cost_account == a.account.id);
        q.granularity = Some(Granularity::Month);
        let counts = scope
            .ledger
            .count_distinct(&q, &Dimension::Resource)
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let of = |m| {
            counts
                .iter()
                .find(|c| c.period_start == Some(m))
                .map_or(0, |c| c.count)
                .to_string()
        };
        out.insert(
            a.account.id.clone(),
            json!({"prev_month": of(prev), "cur_month": of(cur)}),
        );
    }
    Ok(ok(json!({"data": out})))
}

/// The tags of one resource: provider tags from its rows and custom tags:
/// `{"return_data": [{name, id, value, variation}]}`.
async fn resource_tags(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(resource_id): Path<String>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve_with(&state, &caller.org_id, &req, DefaultDays::AllData).await?;
    let mut q = scope.query();
    q.resource_ids = vec![resource_id.clone()];
    if !crate::sections::tags::resource_exists(&scope, &resource_id).await? {
        return Err(ApiError::NotFound(format!(
            "resource {resource_id:?} not found in the selected accounts"
        )));
    }
    let provider = crate::sections::tags::provider_tags(&state, &caller.org_id, &scope, q).await?;
    let in_scope: Vec<&str> = scope
        .accounts
        .iter()
        .map(|a| a.account.id.as_str())
        .collect();
    let mut out: Vec<Value> = provider
        .iter()
        .map(|t| json!({"name": t.key, "id": t.id, "value": t.value, "variation": t.variation}))
        .collect();
    for a in state.meta.tag_assignments(&caller.org_id).await? {
        if a.resource_id == resource_id && in_scope.contains(&a.cost_account_id.as_str()) {
            out.push(json!({
                "name": a.tag.key, "id": a.tag.id, "value": a.tag.value,
                "variation": a.tag.variation,
            }));
        }
    }
    Ok(ok(json!({"return_data": out})))
}

/// Resources of a service (or all) with their cost, largest first, a page at a time:
/// `{"resources": [{…, "name", "id", "totalCost", "regionName", …}]}`.
async fn resource_count(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    Ok(ok(resource_page(&scope, &req).await?))
}

/// The `resource_count` answer over a resolved scope (accounts or a cost center).
pub(crate) async fn resource_page(scope: &Scope, req: &CostRequest) -> ApiResult<Value> {
    let page = match req.page {
        None | Some(-1) => None,
        Some(p) if p >= 1 => Some(p as usize),
        Some(p) => {
            return Err(ApiError::BadRequest(format!(
                "invalid field page: {p}; pages start at 1 (-1: all)"
            )));
        }
    };
    let mut q = scope.query();
    if let Some(service) = req.service_name.clone().filter(|s| !s.is_empty()) {
        q.services = vec![service];
    }
    let infos = resource_infos(scope, q).await?;
    let selected: Vec<_> = match page {
        Some(p) => infos
            .into_iter()
            .skip((p - 1) * PAGE_SIZE)
            .take(PAGE_SIZE)
            .collect(),
        None => infos,
    };
    let resources: Vec<Value> = selected
        .into_iter()
        .map(|(id, info)| {
            json!({
                "chartData": "",
                "regionName": if info.region == "-" { String::new() } else { info.region },
                "cloudAccountId": info.billing_account,
                "name": info.name,
                "extraNameIdentifier": "",
                "id": id,
                "productName": info.service,
                "variation": 0,
                "totalCost": money(info.cost),
                "costObject": "",
                "awsNameTagValue": "",
                "timeValueReference": "",
            })
        })
        .collect();
    Ok(json!({"resources": resources}))
}

/// Cost per service, instance type and availability zone of rows with an instance type:
/// `{"return_data": [{name, instance_type, value, avalability_zone}]}`, largest first.
async fn cost_by_instance(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    Ok(ok(json!({"return_data": instance_costs(&scope).await?})))
}

pub(crate) async fn instance_costs(scope: &Scope) -> ApiResult<Value> {
    let mut q = scope.query();
    q.group_by = vec![
        Dimension::Service,
        Dimension::InstanceType,
        Dimension::AvailabilityZone,
    ];
    q.order = Order::CostDescending;
    let rows: Vec<Value> = scope
        .run(&q)
        .await?
        .rows
        .into_iter()
        .filter(|r| r.keys[1].as_deref().is_some_and(|s| !s.is_empty()))
        .map(|r| {
            json!({
                "name": key(&r.keys[0]),
                "instance_type": key(&r.keys[1]),
                "value": money(r.cost),
                "avalability_zone": key(&r.keys[2]),
            })
        })
        .collect();
    Ok(Value::Array(rows))
}

/// The costliest resources: `{"return_data": [{name, id, type, value, group}]}`.
async fn cost_by_resource(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    Ok(ok(json!({"return_data": top_resources(&scope).await?})))
}

pub(crate) async fn top_resources(scope: &Scope) -> ApiResult<Value> {
    let mut q = scope.query();
    q.group_by = vec![Dimension::Resource];
    q.order = Order::CostDescending;
    q.limit = Some(TOP_RESOURCES + 1);
    let top: Vec<String> = scope
        .run(&q)
        .await?
        .rows
        .into_iter()
        .filter_map(|r| r.keys[0].clone().filter(|s| !s.is_empty()))
        .take(TOP_RESOURCES)
        .collect();
    if top.is_empty() {
        return Ok(json!([]));
    }
    let mut dq = scope.query();
    dq.resource_ids = top;
    let infos = resource_infos(scope, dq).await?;
    let mut groups: BTreeMap<String, String> = BTreeMap::new();
    let mut gq = scope.query();
    gq.resource_ids = infos.iter().map(|(id, _)| id.clone()).collect();
    gq.group_by = vec![Dimension::Resource, Dimension::ResourceGroup];
    for r in scope.run(&gq).await?.rows {
        if let (Some(id), Some(g)) = (r.keys[0].clone(), r.keys[1].clone()) {
            groups.entry(id).or_insert(g);
        }
    }
    Ok(Value::Array(
        infos
            .into_iter()
            .map(|(id, info)| {
                json!({
                    "name": info.name,
                    "id": id,
                    "type": info.service,
                    "value": money(info.cost),
                    "group": groups.get(&id).filter(|g| !g.is_empty()).cloned().unwrap_or_else(|| "-".into()),
                })
            })
            .collect(),
    ))
}
