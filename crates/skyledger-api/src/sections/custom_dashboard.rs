//! Spec section 11, "Custom Dashboard" (Reports): `spec/sections/11-custom-dashboard.md`.
//! Dashboards are stored in the metadata store; every widget's data comes from the cost store
//! through the builders the accounts endpoints use (docs/api-decisions.md D1-D12).

use std::collections::BTreeMap;

use axum::Extension;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use skyledger_auth::Caller;
use skyledger_ledger::{CountRow, Dimension, Order};
use skyledger_meta::dashboards::{Dashboard, DashboardDef, WidgetDef};
use skyledger_types::Operation::{Create, Read};

use super::account_management::{all_accounts, month_start, same_days_before};
use super::analytics::{group_name, spend_panel, splitup, trend_values, widget_sums};
use super::summary_report::{
    cloud_available_range, cloud_label, cost_per_cloud, discounts_per_cloud,
};
use crate::AppState;
use crate::cost::format::{key, money, percent_change, stamp};
use crate::cost::request::{IdText, granularity};
use crate::cost::scope::DefaultDays;
use crate::cost::{CostRequest, Scope};
use crate::envelope::{ApiError, ApiResult, ok};
use crate::input::Input;
use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::new(
            POST,
            "/cs/api/cost/custom_report/spend_analysis_panel",
            Read,
            "Get spend analysis panel for custom dashboard widgets only",
            spend_analysis_panel,
        ),
        Route::new(
            POST,
            "/cs/api/cost/custom_report/accounts_splitup",
            Read,
            "Get accounts cost breakdown for custom dashboard widgets only",
            accounts_splitup,
        ),
        // Anomaly records come with the anomaly module; until then no anomaly_id exists.
        Route::missing(
            GET,
            "/cs/api/cost/custom_report/chart",
            Read,
            "Get custom anomaly chart data",
        ),
        Route::new(
            GET,
            "/cs/api/cost/custom_report/cloud_available_range",
            Read,
            "Get available data range for custom report widgets",
            cloud_available_range,
        ),
        Route::new(
            GET,
            "/cs/api/cost/custom_report/cloud_discounts",
            Read,
            "Get cloud discounts analysis",
            cloud_discounts,
        ),
        Route::new(
            POST,
            "/cs/api/cost/custom_report/ri_top_region_list",
            Read,
            "Get resource inventory regional distribution for inventory usage table widgets",
            ri_top_region_list,
        ),
        Route::new(
            POST,
            "/cs/api/cost/custom_report/ri_trend_chart",
            Read,
            "Get reserved instance trend chart data",
            ri_trend_chart,
        ),
        Route::new(
            GET,
            "/cs/api/cost/custom_report/budget_info/{budget_id}",
            Read,
            "Get budget information details",
            budget_info,
        ),
        Route::new(
            GET,
            "/cs/api/cost/custom_report/accounts_data",
            Read,
            "Get accounts data for custom report creation",
            accounts_data,
        ),
        Route::new(
            GET,
            "/cs/api/cost/widgets",
            Read,
            "Get available widgets for custom report creation",
            widgets,
        ),
        Route::new(
            POST,
            "/cs/api/cost/custom_report/cost_by_resource",
            Read,
            "Get cost by resource for custom dashboard widgets only",
            cost_by_resource,
        ),
        Route::new(
            POST,
            "/cs/api/cost/custom_report/trend_box",
            Read,
            "Get trend chart data for custom dashboard widgets only",
            trend_box,
        ),
        Route::new(
            POST,
            "/cs/api/cost/dashboard",
            Create,
            "Create new custom dashboard",
            create_dashboard,
        ),
        Route::new(
            GET,
            "/cs/api/cost/dashboard",
            Read,
            "Get custom dashboards list",
            list_dashboards,
        ),
        Route::new(
            POST,
            "/cs/api/cost/custom_report/common_widget_api",
            Read,
            "Get multi-dimensional cost data for custom dashboard widgets only",
            common_widget_api,
        ),
        Route::new(
            GET,
            "/cs/api/cost/custom_report/cloud_overallcost",
            Read,
            "Get cloud overall cost analysis",
            cloud_overallcost,
        ),
        Route::new(
            POST,
            "/cs/api/cost/custom_report/ri_splitup",
            Read,
            "Get reserved instance splitup",
            ri_splitup,
        ),
        Route::new(
            GET,
            "/cs/api/cost/dashboard/{id}",
            Read,
            "Get specific custom dashboard",
            get_dashboard,
        ),
        Route::new(
            GET,
            "/cs/api/cost/custom_report/checks/status",
            Read,
            "Get checks status summary for checks category numerical widgets",
            checks_status,
        ),
        Route::new(
            POST,
            "/cs/api/cost/custom_report/ri_top_service_list",
            Read,
            "Get resource inventory service distribution for inventory usage table widgets",
            ri_top_service_list,
        ),
        Route::new(
            GET,
            "/cs/api/cost/custom_report/budget_meta",
            Read,
            "Get budget metadata for custom report creation",
            budget_meta,
        ),
    ]
}

/// A widget type of the catalogue: its id (a dashboard widget's `widget_reference_id`), the
/// client's localisation key, category and sub-category, and the endpoint that answers it.
pub(crate) struct WidgetType {
    pub id: u32,
    pub name: &'static str,
    pub category: &'static str,
    pub sub_category: &'static str,
    /// `METHOD path` of the route answering it; checked against the route table by a test.
    #[cfg_attr(not(test), allow(dead_code))]
    pub endpoint: &'static str,
}

const SUMMARY: &str = "cl.cst.w.ct.summary";
const SPEND: &str = "cl.cst.w.ct.spend";
const INVENTORY: &str = "cl.cst.w.ct.inventory";
const CHECKS: &str = "cl.cst.w.ct.checks";
const COST_CENTER: &str = "cl.cst.w.ct.cost_center";
const NUMERICAL: &str = "cl.cst.w.sct.numerical";
const CHART: &str = "cl.cst.w.sct.chart";
const TABLE: &str = "cl.cst.w.sct.table";

/// The widget types this server answers (docs/api-decisions.md D3). Ids are stable: stored
/// dashboards refer to them.
pub(crate) const WIDGET_TYPES: &[WidgetType] = &[
    WidgetType {
        id: 2,
        name: "cl.cst.report.summary.overall.title",
        category: SUMMARY,
        sub_category: NUMERICAL,
        endpoint: "GET /cs/api/cost/custom_report/cloud_overallcost",
    },
    WidgetType {
        id: 3,
        name: "cl.cst.report.summary.discounts.title",
        category: SUMMARY,
        sub_category: NUMERICAL,
        endpoint: "GET /cs/api/cost/custom_report/cloud_discounts",
    },
    WidgetType {
        id: 10,
        name: "cl.cst.w.spend.analysis",
        category: SPEND,
        sub_category: NUMERICAL,
        endpoint: "POST /cs/api/cost/custom_report/spend_analysis_panel",
    },
    WidgetType {
        id: 11,
        name: "cl.cst.w.cost.trend",
        category: SPEND,
        sub_category: CHART,
        endpoint: "POST /cs/api/cost/custom_report/trend_box",
    },
    WidgetType {
        id: 12,
        name: "cl.cst.w.cost.breakdown",
        category: SPEND,
        sub_category: CHART,
        endpoint: "POST /cs/api/cost/custom_report/common_widget_api",
    },
    WidgetType {
        id: 13,
        name: "cl.cst.w.cost.by.subscriptions",
        category: SPEND,
        sub_category: CHART,
        endpoint: "POST /cs/api/cost/custom_report/accounts_splitup",
    },
    WidgetType {
        id: 14,
        name: "cl.cst.w.cost.by.resource",
        category: SPEND,
        sub_category: TABLE,
        endpoint: "POST /cs/api/cost/custom_report/cost_by_resource",
    },
    WidgetType {
        id: 20,
        name: "cl.cst.w.inventory.regions",
        category: INVENTORY,
        sub_category: TABLE,
        endpoint: "POST /cs/api/cost/custom_report/ri_top_region_list",
    },
    WidgetType {
        id: 21,
        name: "cl.cst.w.inventory.services",
        category: INVENTORY,
        sub_category: TABLE,
        endpoint: "POST /cs/api/cost/custom_report/ri_top_service_list",
    },
    WidgetType {
        id: 22,
        name: "cl.cst.w.inventory.trend",
        category: INVENTORY,
        sub_category: CHART,
        endpoint: "POST /cs/api/cost/custom_report/ri_trend_chart",
    },
    WidgetType {
        id: 23,
        name: "cl.cst.w.inventory.accounts",
        category: INVENTORY,
        sub_category: CHART,
        endpoint: "POST /cs/api/cost/custom_report/ri_splitup",
    },
    WidgetType {
        id: 30,
        name: "cl.cst.w.budget.checks",
        category: CHECKS,
        sub_category: NUMERICAL,
        endpoint: "GET /cs/api/cost/custom_report/checks/status?type=1",
    },
    WidgetType {
        id: 31,
        name: "cl.cst.w.anomaly.checks",
        category: CHECKS,
        sub_category: NUMERICAL,
        endpoint: "GET /cs/api/cost/custom_report/checks/status?type=2",
    },
    // The spec's dashboard example: a cost center "Summary" widget with `business_unit_id`.
    WidgetType {
        id: 55,
        name: "cl.cst.w.cost.center.summary",
        category: COST_CENTER,
        sub_category: NUMERICAL,
        endpoint: "POST /cs/api/cost/cost_centers/spend_analysis_panel",
    },
];

/// The widget catalogue: `{"return_data": {"widgets": [{name, id, category, sub_category}]}}`.
async fn widgets(
    Extension(_caller): Extension<Caller>,
    Input(_none): Input<crate::input::NoInput>,
) -> ApiResult<Response> {
    let list: Vec<Value> = WIDGET_TYPES
        .iter()
        .map(|w| {
            json!({"name": w.name, "id": w.id, "category": w.category, "sub_category": w.sub_category})
        })
        .collect();
    Ok(ok(json!({"return_data": {"widgets": list}})))
}

/// A dashboard as the client sends it (spec: POST /cs/api/cost/dashboard).
#[derive(Debug, Deserialize)]
struct NewDashboard {
    name: Option<String>,
    #[serde(default)]
    description: String,
    config_data: Option<Value>,
    size: Option<i64>,
    #[serde(default)]
    make_public: bool,
    #[serde(default)]
    theme: i64,
    #[serde(default)]
    widgets: Vec<NewWidget>,
}

#[derive(Debug, Deserialize)]
struct NewWidget {
    name: Option<String>,
    #[serde(default)]
    description: String,
    config_data: Option<Value>,
    widget_reference_id: Option<IdText>,
    /// Widgets the client marked deleted are not stored.
    #[serde(default)]
    delete: bool,
}

/// Longest dashboard or widget name.
const MAX_NAME: usize = 100;
/// Grid columns a dashboard may have.
const SIZES: std::ops::RangeInclusive<i64> = 1..=24;

/// A `config_data` field: JSON object text (or an object, stored as its text); absent is `{}`.
fn config_text(field: &str, value: Option<&Value>) -> ApiResult<String> {
    let bad = || {
        ApiError::BadRequest(format!(
            "invalid field {field}: expected a JSON object (as text)"
        ))
    };
    match value {
        None | Some(Value::Null) => Ok("{}".into()),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(_)) => Ok(s.clone()),
            _ => Err(bad()),
        },
        Some(v @ Value::Object(_)) => Ok(v.to_string()),
        Some(_) => Err(bad()),
    }
}

fn name_of(field: &str, name: Option<&str>) -> ApiResult<String> {
    let name = name.map(str::trim).unwrap_or_default();
    if name.is_empty() {
        return Err(ApiError::BadRequest(format!("missing field {field}")));
    }
    if name.chars().count() > MAX_NAME {
        return Err(ApiError::BadRequest(format!(
            "invalid field {field}: longer than {MAX_NAME} characters"
        )));
    }
    Ok(name.to_string())
}

impl NewDashboard {
    /// The checked definition, or 400 naming the field.
    fn parse(self) -> ApiResult<DashboardDef> {
        let size = self.size.unwrap_or(9);
        if !SIZES.contains(&size) {
            return Err(ApiError::BadRequest(format!(
                "invalid field size: {size}; a dashboard has 1 to 24 columns"
            )));
        }
        if !(0..=1).contains(&self.theme) {
            return Err(ApiError::BadRequest(format!(
                "invalid field theme: {}; 0 light or 1 dark",
                self.theme
            )));
        }
        let mut widgets = vec![];
        for (i, w) in self.widgets.into_iter().enumerate() {
            if w.delete {
                continue;
            }
            let reference = w.widget_reference_id.ok_or_else(|| {
                ApiError::BadRequest(format!("missing field widgets[{i}].widget_reference_id"))
            })?;
            if !WIDGET_TYPES.iter().any(|t| t.id.to_string() == reference.0) {
                return Err(ApiError::BadRequest(format!(
                    "invalid field widgets[{i}].widget_reference_id: {:?} is not a widget type \
                     of GET /cs/api/cost/widgets",
                    reference.0
                )));
            }
            widgets.push(WidgetDef {
                name: name_of(&format!("widgets[{i}].name"), w.name.as_deref())?,
                description: w.description,
                config_data: config_text(
                    &format!("widgets[{i}].config_data"),
                    w.config_data.as_ref(),
                )?,
                widget_reference_id: reference.0,
            });
        }
        Ok(DashboardDef {
            name: name_of("name", self.name.as_deref())?,
            description: self.description,
            config_data: config_text("config_data", self.config_data.as_ref())?,
            size,
            public: self.make_public,
            theme: self.theme,
            widgets,
        })
    }
}

/// A dashboard as the spec shows it; with its widgets (create, get) or with its public link
/// field (list) (docs/api-decisions.md D2).
fn dashboard_json(d: &Dashboard, with_widgets: bool) -> Value {
    let mut out = json!({
        "created_time": d.created_at.to_string(),
        "updated_time": if d.updated_at == d.created_at { String::new() } else { d.updated_at.to_string() },
        "config_data": d.def.config_data,
        "description": d.def.description,
        "is_default_dashboard": false,
        "type": i64::from(d.def.public),
        "size": d.def.size,
        "starred": false,
        "name": d.def.name,
        // Skyledger serves no unauthenticated dashboard pages: no public link key.
        "encryption_key": "",
        "theme": d.def.theme,
        "id": d.id,
        "status": 1,
    });
    if with_widgets {
        out["widgets"] = d
            .widgets
            .iter()
            .map(|w| {
                json!({
                    "name": w.def.name,
                    "description": w.def.description,
                    "id": w.id,
                    "config_data": w.def.config_data,
                    "widget_reference_id": w.def.widget_reference_id,
                    "dashboard_id": d.id,
                })
            })
            .collect();
    } else {
        out["public_dashboard_link"] = json!("");
    }
    out
}

async fn create_dashboard(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<NewDashboard>,
) -> ApiResult<Response> {
    let def = req.parse()?;
    let user = caller.user_id.clone().unwrap_or_default();
    let created = state
        .meta
        .create_dashboard(&caller.org_id, &user, &def)
        .await?;
    Ok(ok(json!({"return_data": dashboard_json(&created, true)})))
}

#[derive(Debug, Deserialize)]
struct Page {
    start: Option<i64>,
    limit: Option<i64>,
}

/// The dashboards the caller may see (public ones and theirs), oldest first.
async fn list_dashboards(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(page): Input<Page>,
) -> ApiResult<Response> {
    let count = |field: &str, v: Option<i64>| -> ApiResult<u64> {
        u64::try_from(v.unwrap_or(0))
            .map_err(|_| ApiError::BadRequest(format!("invalid field {field}: must be 0 or more")))
    };
    let (start, limit) = (count("start", page.start)?, count("limit", page.limit)?);
    let user = caller.user_id.clone().unwrap_or_default();
    let list: Vec<Value> = state
        .meta
        .dashboards(&caller.org_id, &user, start, limit)
        .await?
        .iter()
        .map(|d| dashboard_json(d, false))
        .collect();
    Ok(ok(json!({"return_data": list})))
}

async fn get_dashboard(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Input(_none): Input<crate::input::NoInput>,
) -> ApiResult<Response> {
    let user = caller.user_id.clone().unwrap_or_default();
    let d = state
        .meta
        .dashboard(&caller.org_id, &user, &id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("id: dashboard {id:?} not found")))?;
    Ok(ok(json!({"return_data": dashboard_json(&d, true)})))
}

/// The accounts spend panel; the anomaly widget without `anomaly_id` (not in this example).
async fn spend_analysis_panel(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    let mut panel = spend_panel(&scope).await?;
    if let Some(w) = panel["anomaly_widget"].as_object_mut() {
        w.remove("anomaly_id");
    }
    Ok(ok(json!({"return_data": panel})))
}

async fn accounts_splitup(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    Ok(ok(json!({"return_data": splitup(&scope).await?})))
}

async fn trend_box(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    Ok(ok(trend_values(&scope, req.period).await?))
}

/// `{"0": regions, "1": services, "2": usage components, "3": charge categories}`: pairs
/// `[name, cost]`, the last as `{name, value}`, each largest first (docs/api-decisions.md D5).
async fn common_widget_api(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    Ok(ok(json!({"return_data": numbered_widgets(&scope).await?})))
}

/// The widget lists keyed `"0"`…`"3"` (docs/api-decisions.md D5): regions, services and usage
/// components as `[name, cost]`, FOCUS charge categories as `{name, value}`, largest first.
pub(crate) async fn numbered_widgets(scope: &Scope) -> ApiResult<Value> {
    let sums = widget_sums(scope).await?;
    let lists = sums.breakdowns();
    let list = |i: usize| lists[i].as_array().cloned().unwrap_or_default();
    let mut components: Vec<Value> = list(2).into_iter().chain(list(3)).collect();
    components.sort_by(|a, b| {
        let cost = |v: &Value| v[1].as_f64().unwrap_or(0.0);
        cost(b).total_cmp(&cost(a))
    });
    Ok(json!({
        "0": list(0),
        "1": list(1),
        "2": components,
        "3": sums.categories(),
    }))
}

/// Most resources listed by the cost-by-resource widget.
const TOP_RESOURCES: usize = 25;

/// The costliest resources with their service, region, billing account and resource group
/// (docs/api-decisions.md D6).
async fn cost_by_resource(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    let mut q = scope.query();
    q.group_by = vec![Dimension::Resource];
    q.order = Order::CostDescending;
    q.limit = Some(TOP_RESOURCES + 1);
    let top: Vec<(String, Decimal)> = scope
        .run(&q)
        .await?
        .rows
        .into_iter()
        .filter_map(|r| Some((r.keys[0].clone().filter(|s| !s.is_empty())?, r.cost)))
        .take(TOP_RESOURCES)
        .collect();
    if top.is_empty() {
        return Ok(ok(json!({"return_data": []})));
    }
    let mut dq = scope.query();
    dq.resource_ids = top.iter().map(|(id, _)| id.clone()).collect();
    dq.group_by = vec![
        Dimension::Resource,
        Dimension::ResourceName,
        Dimension::Service,
        Dimension::Region,
        Dimension::BillingAccount,
        Dimension::ResourceGroup,
        Dimension::ResourceType,
    ];
    dq.order = Order::CostDescending;
    // The attributes of each resource's costliest row.
    let mut attrs: BTreeMap<String, Vec<Option<String>>> = BTreeMap::new();
    for r in scope.run(&dq).await?.rows {
        if let Some(id) = r.keys[0].clone() {
            attrs.entry(id).or_insert(r.keys);
        }
    }
    let rows: Vec<Value> = top
        .into_iter()
        .map(|(id, cost)| {
            let a = attrs.get(&id).cloned().unwrap_or_default();
            let at = |i: usize| a.get(i).cloned().flatten().filter(|s| !s.is_empty());
            let service = key(&at(2));
            let group = key(&at(5));
            json!({
                "resource_group": group,
                "cost": money(cost),
                "service_name": service,
                "account_name": at(4).map_or_else(|| "-".into(), |b| scope.billing_name(&b)),
                "name": at(1).unwrap_or_else(|| short_name(&id)),
                "resource_id": id,
                "id": id,
                "resource_name": id,
                "region": key(&at(3)),
                "type": at(6).unwrap_or(service),
                "value": money(cost),
                "group": group,
            })
        })
        .collect();
    Ok(ok(json!({"return_data": rows})))
}

/// The last segment of a resource path or ARN (`…/i-0abc` → `i-0abc`).
fn short_name(id: &str) -> String {
    id.rsplit(['/', ':']).next().unwrap_or(id).to_string()
}

/// Distinct resources of the scope per group of `dims` (and time bucket of `q`).
async fn resource_counts(
    scope: &Scope,
    mut q: skyledger_ledger::CostQuery,
    dims: Vec<Dimension>,
) -> ApiResult<Vec<CountRow>> {
    q.group_by = dims;
    scope
        .ledger
        .count_distinct(&q, &Dimension::Resource)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// `[[name, count]]`, largest first, then by name.
fn ranked_counts(counts: BTreeMap<String, u64>) -> Value {
    let mut v: Vec<(String, u64)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Value::Array(v.into_iter().map(|(n, c)| json!([n, c])).collect())
}

/// Latitude and longitude of the regions the map knows (the cities the providers name).
const REGION_COORDINATES: &[(&str, &str, &str, &str)] = &[
    ("AWS", "us-east-1", "38.9072", "-77.0369"),
    ("AWS", "us-east-2", "39.9612", "-82.9988"),
    ("AWS", "us-west-1", "37.7749", "-122.4194"),
    ("AWS", "us-west-2", "45.8399", "-119.7006"),
    ("AWS", "eu-west-1", "53.3498", "-6.2603"),
    ("AWS", "eu-west-2", "51.5074", "-0.1278"),
    ("AWS", "eu-central-1", "50.1109", "8.6821"),
    ("AWS", "ap-south-1", "19.0760", "72.8777"),
    ("AWS", "ap-southeast-1", "1.3521", "103.8198"),
    ("AWS", "ap-southeast-2", "-33.8688", "151.2093"),
    ("AWS", "ap-northeast-1", "35.6762", "139.6503"),
    ("AZURE", "eastus", "37.3719", "-79.8164"),
    ("AZURE", "eastus2", "36.6681", "-78.3889"),
    ("AZURE", "westus", "37.7830", "-122.4170"),
    ("AZURE", "westus2", "47.2330", "-119.8520"),
    ("AZURE", "centralus", "41.5908", "-93.6208"),
    ("AZURE", "westeurope", "52.3667", "4.9000"),
    ("AZURE", "northeurope", "53.3478", "-6.2597"),
    ("AZURE", "uksouth", "50.9410", "-0.7990"),
    ("AZURE", "southindia", "12.9822", "80.1636"),
    ("AZURE", "centralindia", "18.5822", "73.9197"),
    ("GCP", "us-central1", "41.2619", "-95.8608"),
    ("GCP", "us-east1", "33.1960", "-80.0131"),
    ("GCP", "us-east4", "39.0438", "-77.4874"),
    ("GCP", "us-west1", "45.5946", "-121.1787"),
    ("GCP", "europe-west1", "50.4491", "3.8184"),
    ("GCP", "europe-west2", "51.5074", "-0.1278"),
    ("GCP", "asia-south1", "19.0760", "72.8777"),
    ("GCP", "asia-southeast1", "1.3521", "103.8198"),
];

/// Distinct resources per region, largest first, and map points of the regions whose
/// coordinates are known, per cloud (docs/api-decisions.md D7).
async fn ri_top_region_list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    let rows = resource_counts(
        &scope,
        scope.query(),
        vec![Dimension::CloudType, Dimension::Provider, Dimension::Region],
    )
    .await?;
    let mut per_region: BTreeMap<String, u64> = BTreeMap::new();
    let mut maps: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for r in &rows {
        let cloud = cloud_label(&r.keys[0], &r.keys[1]);
        let region = key(&r.keys[2]);
        *per_region.entry(region.clone()).or_default() += r.count;
        let normalised = region.to_ascii_lowercase().replace(' ', "");
        if let Some((_, id, x, y)) = REGION_COORDINATES
            .iter()
            .find(|(c, id, _, _)| *c == cloud && *id == normalised)
        {
            let points = maps.entry(cloud.clone()).or_default();
            if !points.iter().any(|p| p["id"] == region.as_str()) {
                points.push(json!({
                    "name": format!("{}.region.{id}", cloud.to_ascii_lowercase()),
                    "x": x, "y": y, "id": region,
                }));
            }
        }
    }
    Ok(ok(json!({
        "mapsData": maps,
        "return_data": ranked_counts(per_region),
    })))
}

/// Distinct resources per service, largest first.
async fn ri_top_service_list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    let rows = resource_counts(&scope, scope.query(), vec![Dimension::Service]).await?;
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for r in rows {
        *counts.entry(key(&r.keys[0])).or_default() += r.count;
    }
    Ok(ok(json!({"return_data": ranked_counts(counts)})))
}

/// Distinct resources per billing account (by name), largest first.
async fn ri_splitup(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    let rows = resource_counts(&scope, scope.query(), vec![Dimension::BillingAccount]).await?;
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for r in rows {
        *counts
            .entry(group_name(&scope, &Dimension::BillingAccount, &r.keys[0]))
            .or_default() += r.count;
    }
    Ok(ok(json!({"return_data": ranked_counts(counts)})))
}

/// Distinct resources per time bucket of `period`: `[[stamp, "count"]]` (the count as text,
/// as the spec shows it).
async fn ri_trend_chart(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    let mut q = scope.query();
    q.granularity = Some(granularity(req.period, scope.start, scope.end)?);
    let rows = resource_counts(&scope, q, vec![]).await?;
    let points: Vec<Value> = rows
        .iter()
        .filter_map(|r| {
            r.period_start
                .map(|d| json!([stamp(d), r.count.to_string()]))
        })
        .collect();
    Ok(ok(json!({"return_data": points})))
}

/// Every cost account with its billing accounts (docs/api-decisions.md A15).
async fn accounts_data(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve_with(&state, &caller.org_id, &req, DefaultDays::AllData).await?;
    Ok(ok(
        json!({"all_accounts": all_accounts(&scope, &caller.org_id).await?}),
    ))
}

/// Budgets and anomaly checks to pick for a widget: none exist until the budget module stores
/// them, so the list is empty (a real answer, never invented).
async fn budget_meta(
    Extension(_caller): Extension<Caller>,
    Input(_none): Input<crate::input::NoInput>,
) -> ApiResult<Response> {
    Ok(ok(json!({"budget_data": []})))
}

/// No budget exists until the budget module stores them: every id is unknown.
async fn budget_info(
    Extension(_caller): Extension<Caller>,
    Path(budget_id): Path<String>,
    Input(_none): Input<crate::input::NoInput>,
) -> ApiResult<Response> {
    Err(ApiError::NotFound(format!(
        "budget_id: budget {budget_id:?} not found"
    )))
}

#[derive(Debug, Deserialize)]
struct ChecksQuery {
    #[serde(rename = "type")]
    kind: Option<i64>,
    account_type: Option<i64>,
    start_date: Option<String>,
    end_date: Option<String>,
}

/// Counts of budget checks (type 1) or anomaly checks (type 2) by state; all 0 until budgets
/// and anomaly records are stored (docs/api-decisions.md D9).
async fn checks_status(
    Extension(_caller): Extension<Caller>,
    Input(q): Input<ChecksQuery>,
) -> ApiResult<Response> {
    if let Some(t) = q.account_type
        && !(0..=3).contains(&t)
    {
        return Err(ApiError::BadRequest(format!(
            "invalid field account_type: {t}; 0 AWS, 1 Azure, 2 GCP, 3 OCI"
        )));
    }
    let start = q
        .start_date
        .as_deref()
        .map(|s| crate::cost::request::date("start_date", s))
        .transpose()?;
    let end = q
        .end_date
        .as_deref()
        .map(|s| crate::cost::request::date("end_date", s))
        .transpose()?;
    if let (Some(s), Some(e)) = (start, end)
        && s > e
    {
        return Err(ApiError::BadRequest(format!(
            "invalid field start_date: {s} is after end_date {e}"
        )));
    }
    match q.kind {
        Some(1) => Ok(ok(json!({"budget": {
            "type": "budget", "total": 0, "breached": 0, "nearing_limit": 0,
            "in_control": 0, "suspended": 0,
        }}))),
        Some(2) => {
            if start.is_none() || end.is_none() {
                return Err(ApiError::BadRequest(
                    "missing field start_date or end_date: anomaly checks (type 2) need both"
                        .into(),
                ));
            }
            Ok(ok(json!({"anomaly": {
                "type": "anomaly", "total": 0, "open": 0, "acknowledged": 0,
                "false_positive": 0, "suspended": 0,
            }})))
        }
        Some(other) => Err(ApiError::BadRequest(format!(
            "invalid field type: {other}; 1 budget checks, 2 anomaly checks"
        ))),
        None => Err(ApiError::BadRequest(
            "missing field type: 1 budget checks, 2 anomaly checks".into(),
        )),
    }
}

/// `{cloud: {kind: cost}}`: credits (FOCUS ChargeCategory `Credit`) and discount line items
/// per cloud over the request's dates; amounts keep their sign.
async fn cloud_discounts(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    let clouds = discounts_per_cloud(&scope).await?;
    let data: Map<String, Value> = clouds
        .into_iter()
        .map(|(cloud, kinds)| {
            let kinds: Map<String, Value> = kinds.into_iter().map(|(k, c)| (k, money(c))).collect();
            (cloud, Value::Object(kinds))
        })
        .collect();
    Ok(ok(Value::Object(data)))
}

/// Month to date (to `end_date`) against the same days of the month and of the year before,
/// overall and per cloud, and the cost of the whole request range (docs/api-decisions.md D11).
async fn cloud_overallcost(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    let end = scope.end;
    let per_cloud = |start: NaiveDate, last: NaiveDate| cost_per_cloud(&scope, start, last);
    let (cs, ce) = (month_start(end), end);
    let (ps, pe) = same_days_before(end, 1);
    let (ys, ye) = same_days_before(end, 12);
    let current = per_cloud(cs, ce).await?;
    let previous = per_cloud(ps, pe).await?;
    let year_ago = per_cloud(ys, ye).await?;
    let range = per_cloud(scope.start, scope.end).await?;
    let total = |m: &BTreeMap<String, Decimal>| m.values().copied().sum::<Decimal>();
    let (now, before, last_year) = (total(&current), total(&previous), total(&year_ago));
    let of = |m: &BTreeMap<String, Decimal>, c: &str| m.get(c).copied().unwrap_or_default();
    let mut clouds: Vec<String> = current.keys().chain(range.keys()).cloned().collect();
    clouds.sort();
    clouds.dedup();
    clouds.sort_by(|a, b| of(&current, b).cmp(&of(&current, a)).then_with(|| a.cmp(b)));
    let cloud_level: Vec<Value> = clouds
        .iter()
        .map(|c| {
            let cur = of(&current, c);
            let share = if now.is_zero() {
                Decimal::ZERO
            } else {
                cur / now * Decimal::from(100)
            };
            json!({
                "cloud_type": c,
                "current_mtd_cost": money(cur),
                "previous_mtd_cost": money(of(&previous, c)),
                "previous_year_mtd_cost": money(of(&year_ago, c)),
                "month_on_month_perct": percent_change(of(&previous, c), cur),
                "year_on_year_perct": percent_change(of(&year_ago, c), cur),
                "total_cost": money(of(&range, c)),
                "spending_percent": money(share),
            })
        })
        .collect();
    Ok(ok(json!({
        "overall_data": {
            "current_mtd_cost": money(now),
            "current_mtd_daterange_start": stamp(cs),
            "current_mtd_daterange_end": stamp(ce),
            "previous_mtd_cost": money(before),
            "previous_mtd_daterange_start": stamp(ps),
            "previous_mtd_daterange_end": stamp(pe),
            "previous_year_mtd_cost": money(last_year),
            "previous_year_mtd_daterange_start": stamp(ys),
            "previous_year_mtd_daterange_end": stamp(ye),
            "m_o_m": percent_change(before, now),
            "y_o_y": percent_change(last_year, now),
            "total_cost": money(total(&range)),
            "total_accounts": scope.accounts.len(),
        },
        "cloud_level_data": cloud_level,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widget_type_ids_are_unique() {
        let mut ids: Vec<u32> = WIDGET_TYPES.iter().map(|w| w.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), WIDGET_TYPES.len());
    }

    #[test]
    fn every_widget_type_is_answered_by_a_built_route() {
        let built: Vec<String> = crate::routes::inventory()
            .into_iter()
            .filter(|r| r.implemented)
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        for w in WIDGET_TYPES {
            let route = w.endpoint.split('?').next().unwrap_or_default();
            assert!(built.iter().any(|b| b == route), "widget {}: {route}", w.id);
        }
    }

    #[test]
    fn config_data_must_be_a_json_object() {
        assert_eq!(config_text("c", None).unwrap(), "{}");
        assert_eq!(
            config_text("c", Some(&json!("{\"a\":1}"))).unwrap(),
            "{\"a\":1}"
        );
        assert_eq!(
            config_text("c", Some(&json!({"a": 1}))).unwrap(),
            "{\"a\":1}"
        );
        let err = config_text("widgets[0].config_data", Some(&json!("[1]")))
            .unwrap_err()
            .to_string();
        assert!(err.contains("widgets[0].config_data"), "{err}");
    }

    #[test]
    fn short_names_are_the_last_segment() {
        assert_eq!(
            short_name("arn:aws:ec2:us-east-1:1:instance/i-0abc"),
            "i-0abc"
        );
        assert_eq!(short_name("vm1"), "vm1");
    }
}
