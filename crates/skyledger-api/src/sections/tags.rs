//! Spec section 25, "Tags" (Accounts): `spec/sections/25-tags.md`. Provider tags are read from
//! the billing data and get stable ids; custom tags are stored on resources and cost accounts.

use axum::Extension;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use skyledger_auth::Caller;
use skyledger_meta::tags::{
    Tag, VARIATION_CUSTOM_ACCOUNT, VARIATION_CUSTOM_RESOURCE, VARIATION_PROVIDER,
};
use skyledger_types::Operation::{Create, Read};

use crate::AppState;
use crate::cost::request::IdText;
use crate::cost::scope::DefaultDays;
use crate::cost::{CostRequest, Scope};
use crate::envelope::{ApiError, ApiResult, ok};
use crate::input::Input;
use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::new(
            GET,
            "/cs/api/cost/accounts/tags",
            Read,
            "Get Account Tags",
            account_tags,
        ),
        Route::new(
            POST,
            "/cs/api/cost/accounts/custom_tags_for_cc_ca",
            Create,
            "Set custom tags for cost accounts",
            custom_tags_for_accounts,
        ),
        Route::new(
            POST,
            "/cs/api/cost/accounts/resource_explorer/resource_tags",
            Create,
            "Create custom tags for resources",
            resource_tags,
        ),
        Route::new(
            GET,
            "/cs/api/cost/accounts/resource_explorer/all_custom_user_tags",
            Read,
            "Get all available custom user tags",
            all_custom_user_tags,
        ),
    ]
}

/// The provider tags of the scope's rows (over all its data unless dates are given), with
/// their ids, followed by the custom tags attached within the scope.
async fn account_tags(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    Ok(ok(
        json!({"Tags": tag_inventory(&state, &caller.org_id, &req).await?}),
    ))
}

/// The provider tags of a request's rows (over all its data unless dates are given), largest
/// cost first, then the custom tags attached within its cost accounts: `[{type, tagId, value,
/// key, v}]`.
pub(crate) async fn tag_inventory(
    state: &AppState,
    org_id: &str,
    req: &CostRequest,
) -> ApiResult<Vec<Value>> {
    let scope = Scope::resolve_with(state, org_id, req, DefaultDays::AllData).await?;
    let provider = provider_tags(state, org_id, &scope, scope.query()).await?;
    let mut out: Vec<Value> = provider.iter().map(|t| tag_json(t, "")).collect();
    let in_scope: Vec<&str> = scope
        .accounts
        .iter()
        .map(|a| a.account.id.as_str())
        .collect();
    let mut seen = std::collections::HashSet::new();
    for a in state.meta.tag_assignments(org_id).await? {
        if in_scope.contains(&a.cost_account_id.as_str()) && seen.insert(a.tag.id.clone()) {
            out.push(tag_json(&a.tag, "custom"));
        }
    }
    Ok(out)
}

fn tag_json(t: &Tag, kind: &str) -> Value {
    json!({"type": kind, "tagId": t.id, "value": t.value, "key": t.key, "v": t.variation})
}

/// The provider tag pairs on the rows of `q`, largest cost first, with their ids.
pub(crate) async fn provider_tags(
    state: &AppState,
    org_id: &str,
    scope: &Scope,
    q: skyledger_ledger::CostQuery,
) -> ApiResult<Vec<Tag>> {
    let used = scope
        .ledger
        .tags(&q)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let pairs: Vec<(String, String)> = used.into_iter().map(|t| (t.key, t.value)).collect();
    Ok(state
        .meta
        .tag_ids(org_id, VARIATION_PROVIDER, &pairs)
        .await?)
}

#[derive(Debug, Deserialize)]
struct KeyValue {
    key: String,
    value: String,
}

#[derive(Debug, Deserialize)]
struct AccountTagsBody {
    cost_account_id: IdText,
    #[serde(rename = "type")]
    kind: Option<String>,
    variation: Option<i64>,
    tags: Vec<KeyValue>,
}

/// Checks custom tag pairs: 1 to 50 of them, keys and values of 1 to 256 characters.
fn check_pairs(tags: &[KeyValue]) -> ApiResult<Vec<(String, String)>> {
    if tags.is_empty() {
        return Err(ApiError::BadRequest(
            "invalid field tags: give at least one tag".into(),
        ));
    }
    if tags.len() > 50 {
        return Err(ApiError::BadRequest(
            "invalid field tags: at most 50 tags at once".into(),
        ));
    }
    tags.iter()
        .enumerate()
        .map(|(i, t)| {
            for (field, v) in [("key", &t.key), ("value", &t.value)] {
                let len = v.trim().chars().count();
                if len == 0 || len > 256 {
                    return Err(ApiError::BadRequest(format!(
                        "invalid field tags[{i}].{field}: must be 1 to 256 characters"
                    )));
                }
            }
            Ok((t.key.trim().to_string(), t.value.trim().to_string()))
        })
        .collect()
}

/// Attaches custom tags (variation -3) to a cost account.
async fn custom_tags_for_accounts(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(body): Input<AccountTagsBody>,
) -> ApiResult<Response> {
    if let Some(kind) = body.kind.as_deref()
        && kind != "accounts"
    {
        return Err(ApiError::BadRequest(format!(
            "invalid field type: {kind:?}; this endpoint tags cost accounts (\"accounts\")"
        )));
    }
    if let Some(v) = body.variation
        && v != VARIATION_CUSTOM_ACCOUNT
    {
        return Err(ApiError::BadRequest(format!(
            "invalid field variation: {v}; custom account tags have variation -3"
        )));
    }
    let pairs = check_pairs(&body.tags)?;
    let org = &caller.org_id;
    let account = state
        .meta
        .cost_account(org, &body.cost_account_id.0)
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "cost_account_id: cost account {:?} not found",
                body.cost_account_id.0
            ))
        })?;
    let tags = state
        .meta
        .tag_ids(org, VARIATION_CUSTOM_ACCOUNT, &pairs)
        .await?;
    for t in &tags {
        state.meta.assign_tag(org, &t.id, &account.id, "").await?;
    }
    let id: i64 = tags[0].id.parse().unwrap_or_default();
    Ok(ok(json!({"tagId": id, "status": "active"})))
}

#[derive(Debug, Deserialize)]
struct ResourceTagsBody {
    cost_account_id: IdText,
    resource_id: IdText,
    tags: Vec<KeyValue>,
}

/// Attaches custom tags (variation 1) to a resource seen in a cost account's data.
async fn resource_tags(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(body): Input<ResourceTagsBody>,
) -> ApiResult<Response> {
    let pairs = check_pairs(&body.tags)?;
    let org = &caller.org_id;
    let req = CostRequest {
        cost_account_id: Some(body.cost_account_id.clone()),
        ..CostRequest::default()
    };
    let scope = Scope::resolve_with(&state, org, &req, DefaultDays::AllData).await?;
    let resource = &body.resource_id.0;
    if !resource_exists(&scope, resource).await? {
        return Err(ApiError::NotFound(format!(
            "resource_id: resource {resource:?} not found in cost account {}",
            body.cost_account_id.0
        )));
    }
    let tags = state
        .meta
        .tag_ids(org, VARIATION_CUSTOM_RESOURCE, &pairs)
        .await?;
    for t in &tags {
        state
            .meta
            .assign_tag(org, &t.id, &scope.accounts[0].account.id, resource)
            .await?;
    }
    Ok(ok(json!({"tagId": tags[0].id, "status": "Tag created"})))
}

/// Whether `resource` has rows in the scope.
pub(crate) async fn resource_exists(scope: &Scope, resource: &str) -> ApiResult<bool> {
    let mut q = scope.query();
    q.resource_ids = vec![resource.to_string()];
    q.group_by = vec![skyledger_ledger::Dimension::Resource];
    Ok(!scope.run(&q).await?.rows.is_empty())
}

/// Every custom tag and the cost account it is attached in.
async fn all_custom_user_tags(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(_none): Input<crate::input::NoInput>,
) -> ApiResult<Response> {
    let mut seen = std::collections::HashSet::new();
    let mut out = vec![];
    for a in state.meta.tag_assignments(&caller.org_id).await? {
        if seen.insert((a.tag.id.clone(), a.cost_account_id.clone())) {
            out.push(json!({
                "costAccountId": a.cost_account_id,
                "tagVariation": a.tag.variation,
                "tagName": a.tag.key,
                "tagId": a.tag.id,
                "tagValue": a.tag.value,
            }));
        }
    }
    Ok(ok(out))
}
