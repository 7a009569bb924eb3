//! Spec section 04, "Resource Insights" (Cost Centers): `spec/sections/04-resource-insights.md`.

use axum::Extension;
use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};
use skyledger_auth::Caller;
use skyledger_types::Operation::Read;

use super::resource_management::{
    instance_costs, resource_monthly_split, resource_page, top_resources,
};
use crate::AppState;
use crate::cost::Scope;
use crate::cost::scope::CostCenterRequest;
use crate::envelope::{ApiResult, ok};
use crate::input::Input;
use crate::routes::{POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::new(
            POST,
            "/cs/api/cost/cost_centers/cost_by_resource",
            Read,
            "Get cost by resource for cost centers",
            cost_by_resource,
        ),
        Route::new(
            POST,
            "/cs/api/cost/cost_centers/cost_by_instance",
            Read,
            "Get cost by instance type for cost centers",
            cost_by_instance,
        ),
        Route::new(
            POST,
            "/cs/api/cost/cost_centers/resource_pagination",
            Read,
            "Get cost centers resource monthly cost breakdown",
            resource_pagination,
        ),
        Route::new(
            POST,
            "/cs/api/cost/cost_centers/resource_count",
            Read,
            "Get cost centers resource count with cost breakdown",
            resource_count,
        ),
    ]
}

/// The cost center's costliest resources: `{"return_data": [{name, id, type, value, group}]}`.
async fn cost_by_resource(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostCenterRequest>,
) -> ApiResult<Response> {
    let (scope, _) = Scope::resolve_cost_center(&state, &caller.org_id, &req).await?;
    Ok(ok(json!({"return_data": top_resources(&scope).await?})))
}

/// The cost center's cost per service, instance type and availability zone.
async fn cost_by_instance(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostCenterRequest>,
) -> ApiResult<Response> {
    let (scope, _) = Scope::resolve_cost_center(&state, &caller.org_id, &req).await?;
    Ok(ok(json!({"return_data": instance_costs(&scope).await?})))
}

/// The cost center's resources with their monthly split (the accounts `resource_pagination`).
async fn resource_pagination(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostCenterRequest>,
) -> ApiResult<Response> {
    let org = &caller.org_id;
    let (mut scope, _) = Scope::resolve_cost_center(&state, org, &req).await?;
    if req.cost.group_by_type.is_some() {
        scope.drill_down(&state, org, &req.cost).await?;
    }
    let mut split = resource_monthly_split(&state, org, &scope, &req.cost).await?;
    // This section's example shows each resource without its service (`type`).
    if let Some(values) = split["return_data"]["values"].as_object_mut() {
        for v in values.values_mut().filter_map(Value::as_object_mut) {
            v.remove("type");
        }
    }
    Ok(ok(split))
}

/// The cost center's resources with their cost, a page at a time (the accounts
/// `resource_count`), optionally within one group of a `group_by_property` answer.
async fn resource_count(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostCenterRequest>,
) -> ApiResult<Response> {
    let org = &caller.org_id;
    let (mut scope, _) = Scope::resolve_cost_center(&state, org, &req).await?;
    scope.drill_down(&state, org, &req.cost).await?;
    Ok(ok(resource_page(&scope, &req.cost).await?))
}
