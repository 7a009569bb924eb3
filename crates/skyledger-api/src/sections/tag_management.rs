//! Spec section 06, "Tag Management" (Cost Centers): `spec/sections/06-tag-management.md`.

use std::collections::BTreeMap;

use axum::Extension;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use skyledger_auth::Caller;
use skyledger_meta::cost_centers::VARIATION_COST_CENTER;
use skyledger_types::Operation::{Create, Read};

use super::cost_analytics::scope_of;
use super::tags::provider_tags;
use crate::AppState;
use crate::cost::request::IdText;
use crate::cost::scope::{CostCenterRequest, DefaultDays};
use crate::cost::{CostRequest, Scope};
use crate::envelope::{ApiError, ApiResult, ok};
use crate::input::Input;
use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::new(
            POST,
            "/cs/api/cost/show_more_tags",
            Read,
            "Get available tags for cost analysis grouping",
            show_more_tags,
        ),
        Route::new(
            GET,
            "/cs/api/cost/cost_centers/cc_tags",
            Read,
            "Get cost centers tags",
            cc_tags,
        ),
        Route::new(
            POST,
            "/cs/api/cost/cost_centers/custom_tags_for_cc_ca",
            Create,
            "Set custom tags for cost centers cost account",
            custom_tags,
        ),
    ]
}

/// The billing-data tags of the scope (a cost center's when `business_unit_id` is given, else
/// the accounts'), by key: `{"return_data": {key: [{tagId, value, v}]}}`.
async fn show_more_tags(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostCenterRequest>,
) -> ApiResult<Response> {
    let org = &caller.org_id;
    let scope = scope_of(&state, org, &req, DefaultDays::AllData).await?;
    let mut by_key: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for t in provider_tags(&state, org, &scope, scope.query()).await? {
        by_key
            .entry(t.key.clone())
            .or_default()
            .push(json!({"tagId": t.id, "value": t.value, "v": t.variation}));
    }
    Ok(ok(json!({"return_data": by_key})))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountsFilter {
    #[serde(default)]
    cost_account_id: Vec<IdText>,
}

/// Per cost account (all of the organisation's when none is named): its name in `meta`, and in
/// `bu_tag_Data` the billing-data tags of all its data (type "") and the custom tags put on it
/// (type "custom").
async fn cc_tags(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(filter): Input<AccountsFilter>,
) -> ApiResult<Response> {
    let org = &caller.org_id;
    let ids: Vec<String> = if filter.cost_account_id.is_empty() {
        state
            .meta
            .cost_accounts(org)
            .await?
            .into_iter()
            .map(|a| a.id)
            .collect()
    } else {
        filter.cost_account_id.iter().map(|i| i.0.clone()).collect()
    };
    let assignments = state.meta.tag_assignments(org).await?;
    let mut meta = Map::new();
    let mut data = Map::new();
    for (i, id) in ids.iter().enumerate() {
        let req = CostRequest {
            cost_account_id: Some(IdText(id.clone())),
            ..CostRequest::default()
        };
        let scope = Scope::resolve_with(&state, org, &req, DefaultDays::AllData)
            .await
            .map_err(|e| match e {
                ApiError::NotFound(_) => ApiError::NotFound(format!(
                    "cost_account_id[{i}]: cost account {id:?} not found"
                )),
                other => other,
            })?;
        let mut tags: Vec<Value> = provider_tags(&state, org, &scope, scope.query())
            .await?
            .iter()
            .map(|t| json!({"type": "", "tagId": t.id, "value": t.value, "v": t.variation, "key": t.key}))
            .collect();
        tags.extend(
            assignments
                .iter()
                .filter(|a| &a.cost_account_id == id && a.resource_id.is_empty())
                .map(|a| {
                    json!({"type": "custom", "tagId": a.tag.id, "value": a.tag.value,
                           "v": a.tag.variation, "key": a.tag.key})
                }),
        );
        meta.insert(id.clone(), json!(scope.account_name(id)));
        data.insert(id.clone(), Value::Array(tags));
    }
    Ok(ok(json!({"meta": meta, "bu_tag_Data": data})))
}

#[derive(Debug, Deserialize)]
struct KeyValue {
    key: String,
    value: String,
}

/// The spec names the cost center `cost_account_id` here (its examples send a cost center id
/// with `type: "businessUnits"`, `variation: -4`).
#[derive(Debug, Deserialize)]
struct CustomTagsBody {
    cost_account_id: IdText,
    #[serde(rename = "type")]
    kind: Option<String>,
    variation: Option<i64>,
    tags: Vec<KeyValue>,
}

/// Most tags one request may set.
const MAX_TAGS: usize = 50;

/// Puts custom tags (variation -4) on a cost center: `{"tagId", "status": "Tag created"}`.
async fn custom_tags(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(body): Input<CustomTagsBody>,
) -> ApiResult<Response> {
    let org = &caller.org_id;
    if let Some(kind) = body.kind.as_deref()
        && kind != "businessUnits"
    {
        return Err(ApiError::BadRequest(format!(
            "invalid field type: {kind:?}; this endpoint tags cost centers (\"businessUnits\")"
        )));
    }
    if let Some(v) = body.variation
        && v != VARIATION_COST_CENTER
    {
        return Err(ApiError::BadRequest(format!(
            "invalid field variation: {v}; cost center tags have variation -4"
        )));
    }
    if body.tags.is_empty() || body.tags.len() > MAX_TAGS {
        return Err(ApiError::BadRequest(format!(
            "invalid field tags: give 1 to {MAX_TAGS} tags"
        )));
    }
    let mut pairs = vec![];
    for (i, t) in body.tags.iter().enumerate() {
        for (field, v) in [("key", &t.key), ("value", &t.value)] {
            let len = v.trim().chars().count();
            if len == 0 || len > 256 {
                return Err(ApiError::BadRequest(format!(
                    "invalid field tags[{i}].{field}: must be 1 to 256 characters"
                )));
            }
        }
        pairs.push((t.key.trim().to_string(), t.value.trim().to_string()));
    }
    let center = state
        .meta
        .cost_center(org, &body.cost_account_id.0)
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "cost_account_id: cost center {:?} not found",
                body.cost_account_id.0
            ))
        })?;
    let tags = state.meta.tag_cost_center(org, &center.id, &pairs).await?;
    Ok(ok(json!({
        "tagId": tags.first().map_or_else(String::new, |t| t.id.clone()),
        "status": "Tag created",
    })))
}
