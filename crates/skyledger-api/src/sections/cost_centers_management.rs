//! Spec section 01, "Cost Centers Management" (Cost Centers): `spec/sections/01-cost-centers-management.md`.

use std::collections::{BTreeMap, BTreeSet};

use axum::Extension;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use skyledger_auth::Caller;
use skyledger_meta::cost_centers::{
    CLOUD_HYBRID, CostCenter, CostCenterAccount, CostCenterDef, TagRule,
};
use skyledger_meta::tags::VARIATION_PROVIDER;
use skyledger_types::Operation::{Create, Read};

use crate::AppState;
use crate::cost::request::{AccountRef, IdText, TagRef};
use crate::envelope::{ApiError, ApiResult, ok};
use crate::input::Input;
use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::new(
            GET,
            "/cs/api/cost/cost_centers/integration/alert_configs",
            Read,
            "List alert configurations for cost centers",
            alert_configs,
        ),
        Route::new(
            GET,
            "/cs/api/cost/cost_centers/users",
            Read,
            "List cost centers users and groups",
            users,
        ),
        Route::new(
            GET,
            "/cs/api/cost/cost_centers",
            Read,
            "List all cost centers",
            list,
        ),
        Route::new(
            GET,
            "/cs/api/cost/cost_centers/integration/msp_alert_configs",
            Read,
            "List MSP alert configurations for cost centers",
            msp_alert_configs,
        ),
        Route::new(
            GET,
            "/cs/api/cost/cost_centers/cost_user_settings",
            Read,
            "Get cost centers user settings",
            cost_user_settings,
        ),
        Route::new(
            POST,
            "/cs/api/cost/cost_center",
            Create,
            "Create or configure cost centers",
            save,
        ),
        Route::new(
            GET,
            "/cs/api/cost/cost_centers/accounts_data",
            Read,
            "Get cost centers accounts configuration data",
            accounts_data,
        ),
        Route::new(
            GET,
            "/cs/api/cost/integration/msp_customers",
            Read,
            "Check MSP admin status",
            msp_customers,
        ),
    ]
}

pub(crate) use crate::input::NoInput;

/// The spec's optional users filter (`{"module_id": 2}`); Skyledger lists every module's users.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UsersFilter {
    #[serde(rename = "module_id")]
    _module_id: Option<i64>,
}

/// Site24x7 monitor integrations do not exist in Skyledger: an empty list (docs A21).
async fn alert_configs(
    Extension(_caller): Extension<Caller>,
    Input(_none): Input<NoInput>,
) -> ApiResult<Response> {
    Ok(ok(json!([])))
}

/// No MSP customers exist in Skyledger: an empty list; the filter must be a JSON object.
async fn msp_alert_configs(
    Extension(_caller): Extension<Caller>,
    Input(_filter): Input<Map<String, Value>>,
) -> ApiResult<Response> {
    Ok(ok(json!([])))
}

/// Skyledger has no MSP (managed service provider) tier: nobody is an MSP admin.
async fn msp_customers(
    Extension(_caller): Extension<Caller>,
    Input(_none): Input<NoInput>,
) -> ApiResult<Response> {
    Ok(ok(json!({"isMSPAdmin": false})))
}

/// The organisation's users and groups as `accounts/users` lists them, with this section's
/// `org_info` and `workspace_migration_info` shapes (docs/api-decisions.md C6); the optional
/// `JSONString` filter (`{"module_id": 2}`) must be a JSON object.
async fn users(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(_filter): Input<UsersFilter>,
) -> ApiResult<Response> {
    let org =
        state.meta.org(&caller.org_id).await?.ok_or_else(|| {
            ApiError::NotFound(format!("organisation {} not found", caller.org_id))
        })?;
    let created: std::collections::HashMap<String, i64> = state
        .meta
        .users_of_org(&caller.org_id)
        .await?
        .into_iter()
        .map(|u| (u.id, u.created_at))
        .collect();
    let mut listing = super::account_management::users_listing(&state, &caller).await?;
    if let Some(users) = listing["users"].as_array_mut() {
        for u in users {
            let id = u["user_id"].as_str().unwrap_or_default().to_string();
            u["invited_by"] = json!("");
            // This section lists users without the accounts listing's sign-in and
            // Site24x7-product fields (its example shows none).
            if let Some(fields) = u.as_object_mut() {
                for k in [
                    "last_login_time",
                    "mobile_settings",
                    "sitescan_role",
                    "sitescan_role_name",
                    "statusiq_role",
                    "statusiq_role_name",
                    "zuid",
                ] {
                    fields.remove(k);
                }
            }
            u["last_updated_time"] =
                json!(created.get(&id).map_or_else(String::new, |ms| clock(*ms)));
        }
    }
    listing["workspace_migration_info"] = json!({
        "migration_status": "",
        "is_migration_enabled": false,
    });
    // Zoho account-server fields have no Skyledger counterpart: empty, not invented.
    listing["org_info"] = json!({
        "creation_time": clock(org.created_at),
        "service_url": "",
        "zoho_directory_url": "",
        "is_paid_customer": false,
        "is_free_user": false,
        "organization_id": org.id,
    });
    Ok(ok(listing))
}

/// A time as this section's examples print it: `Dec 13, 2023 12:25:37 PM` (UTC).
fn clock(ms: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms).map_or_else(String::new, |t| {
        t.format("%b %d, %Y %I:%M:%S %p").to_string()
    })
}

/// Report branding and general settings from the metadata store (docs/api-decisions.md C6).
async fn cost_user_settings(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(_none): Input<NoInput>,
) -> ApiResult<Response> {
    let org =
        state.meta.org(&caller.org_id).await?.ok_or_else(|| {
            ApiError::NotFound(format!("organisation {} not found", caller.org_id))
        })?;
    Ok(ok(json!({
        "custom_report_settings_data": {
            "logo_url_path": "",
            "bg_color": "#022736",
            "from_email": "",
            "font_color": "#FFFFFF",
            "company_name": org.name,
            "image_present": false,
            // Responses round costs to 3 decimals (docs/api-decisions.md A9).
            "percision_digits": 3,
        },
        "general_settings_data": {
            "default_from_mail": "",
            "monitor_integ_config": false,
            "az_payg_cost_as_actual": false,
        },
    })))
}

/// Every cost account with its billing accounts: what a cost center can be made of.
async fn accounts_data(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<crate::cost::CostRequest>,
) -> ApiResult<Response> {
    let scope = crate::cost::Scope::resolve_with(
        &state,
        &caller.org_id,
        &req,
        crate::cost::scope::DefaultDays::AllData,
    )
    .await?;
    Ok(ok(json!({
        "all_accounts": super::account_management::all_accounts(&scope, &caller.org_id).await?
    })))
}

/// `{"business_units": [{name, is_hybrid, id, cloud_type, cost_account_id}]}` by name.
async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(_none): Input<NoInput>,
) -> ApiResult<Response> {
    let units: Vec<Value> = state
        .meta
        .cost_centers(&caller.org_id)
        .await?
        .iter()
        .map(|c| {
            json!({
                "name": c.def.name,
                "is_hybrid": c.def.cloud_type == CLOUD_HYBRID,
                "id": c.id,
                "cloud_type": c.def.cloud_type,
                "cost_account_id": c.cost_account_ids(),
            })
        })
        .collect();
    Ok(ok(json!({"business_units": units})))
}

/// A tag rule as a request gives it (a Skyledger extension next to `cost_tags`).
#[derive(Debug, Clone, Deserialize)]
struct RuleBody {
    key: String,
    #[serde(default)]
    values: Vec<String>,
}

/// The body of `POST /cs/api/cost/cost_center`: the spec's fields, plus `business_unit_id` to
/// configure an existing cost center, whole `accounts`, `tag_rules`, `users` and
/// `user_groups` (docs/api-decisions.md C1).
#[derive(Debug, Clone, Deserialize)]
struct SaveBody {
    business_unit_id: Option<IdText>,
    business_unit_name: Option<String>,
    #[serde(default)]
    cost_tags: Vec<TagRef>,
    #[serde(default)]
    integrated_zaaids: Vec<IdText>,
    #[serde(default)]
    billing_account_ids: Vec<IdText>,
    #[serde(default)]
    accounts: Vec<AccountRef>,
    #[serde(default)]
    tag_rules: Vec<RuleBody>,
    #[serde(default)]
    users: Vec<IdText>,
    #[serde(default)]
    user_groups: Vec<IdText>,
}

/// Longest cost center name.
const MAX_NAME: usize = 100;

/// Creates or configures a cost center: `{"business_unit_id": id}`.
async fn save(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(body): Input<SaveBody>,
) -> ApiResult<Response> {
    let org = &caller.org_id;
    let def = parse(&state, org, &body).await?;
    let id = body.business_unit_id.as_ref().map(|i| i.0.as_str());
    let saved = state
        .meta
        .save_cost_center(org, id, &def)
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "business_unit_id: cost center {:?} not found",
                id.unwrap_or_default()
            ))
        })?;
    Ok(ok(json!({"business_unit_id": saved.id})))
}

/// Checks a save body against the stores and turns it into a definition; every problem is a
/// 400 naming the field.
async fn parse(state: &AppState, org: &str, body: &SaveBody) -> ApiResult<CostCenterDef> {
    let name = body
        .business_unit_name
        .as_deref()
        .map(str::trim)
        .unwrap_or("");
    if name.is_empty() {
        return Err(ApiError::BadRequest(
            "missing field business_unit_name: a cost center needs a name".into(),
        ));
    }
    if name.chars().count() > MAX_NAME {
        return Err(ApiError::BadRequest(format!(
            "invalid field business_unit_name: at most {MAX_NAME} characters"
        )));
    }
    if !body.integrated_zaaids.is_empty() {
        return Err(ApiError::BadRequest(
            "invalid field integrated_zaaids: Skyledger has no integrated Site24x7 accounts; \
             send an empty list"
                .into(),
        ));
    }

    // Accounts: cost account id -> billing account ids (empty: the whole account).
    let cost_accounts = state.meta.cost_accounts(org).await?;
    let mut accounts: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut whole: BTreeSet<String> = BTreeSet::new();
    for (i, r) in body.accounts.iter().enumerate() {
        let field = format!("accounts[{i}].cost_account_id");
        let Some(account) = cost_accounts.iter().find(|a| a.id == r.cost_account_id.0) else {
            return Err(ApiError::BadRequest(format!(
                "{field}: cost account {:?} does not exist",
                r.cost_account_id.0
            )));
        };
        let billing = state.meta.billing_accounts(org, &account.id).await?;
        if r.billing_account_ids.is_empty() {
            whole.insert(account.id.clone());
        }
        let entry = accounts.entry(account.id.clone()).or_default();
        for (j, b) in r.billing_account_ids.iter().enumerate() {
            let found = billing
                .iter()
                .find(|x| x.id == b.0 || x.account_key == b.0)
                .ok_or_else(|| {
                    ApiError::BadRequest(format!(
                        "accounts[{i}].billing_account_ids[{j}]: billing account {:?} does not \
                         exist in cost account {}",
                        b.0, account.id
                    ))
                })?;
            entry.insert(found.id.clone());
        }
    }
    if !body.billing_account_ids.is_empty() {
        let mut all = vec![];
        for a in &cost_accounts {
            all.extend(state.meta.billing_accounts(org, &a.id).await?);
        }
        for (j, b) in body.billing_account_ids.iter().enumerate() {
            let found = all.iter().find(|x| x.id == b.0).ok_or_else(|| {
                ApiError::BadRequest(format!(
                    "billing_account_ids[{j}]: billing account {:?} does not exist",
                    b.0
                ))
            })?;
            accounts
                .entry(found.cost_account_id.clone())
                .or_default()
                .insert(found.id.clone());
        }
    }
    if accounts.is_empty() {
        return Err(ApiError::BadRequest(
            "missing field billing_account_ids: a cost center needs at least one billing \
             account (or a whole cost account in accounts)"
                .into(),
        ));
    }
    let clouds: BTreeSet<i64> = cost_accounts
        .iter()
        .filter(|a| accounts.contains_key(&a.id))
        .map(|a| a.cloud_type)
        .collect();
    let cloud_type = match clouds.iter().collect::<Vec<_>>().as_slice() {
        [one] => **one,
        _ => CLOUD_HYBRID,
    };

    let tag_rules = rules(state, org, body).await?;

    let org_users = state.meta.users_of_org(org).await?;
    let mut users = vec![];
    for (i, u) in body.users.iter().enumerate() {
        if !org_users.iter().any(|x| x.id == u.0) {
            return Err(ApiError::BadRequest(format!(
                "users[{i}]: user {:?} does not exist",
                u.0
            )));
        }
        if !users.contains(&u.0) {
            users.push(u.0.clone());
        }
    }
    if let Some(g) = body.user_groups.first() {
        return Err(ApiError::BadRequest(format!(
            "user_groups[0]: user group {:?} does not exist (no user groups are defined)",
            g.0
        )));
    }
    Ok(CostCenterDef {
        name: name.to_string(),
        cloud_type,
        accounts: accounts
            .into_iter()
            .map(|(id, billing)| CostCenterAccount {
                billing_account_ids: if whole.contains(&id) {
                    vec![]
                } else {
                    billing.into_iter().collect()
                },
                cost_account_id: id,
            })
            .collect(),
        tag_rules,
        users,
        groups: vec![],
    })
}

/// The tag rules of a save body: `cost_tags` (provider tag ids; values of one key ORed) and
/// `tag_rules`; rules of the same key AND, so they keep the values common to all of them, and
/// keys whose rules share no value are contradictory (docs/api-decisions.md C2).
async fn rules(state: &AppState, org: &str, body: &SaveBody) -> ApiResult<Vec<TagRule>> {
    // key -> (the field that first named it, its allowed values)
    let mut by_key: BTreeMap<String, (String, BTreeSet<String>)> = BTreeMap::new();
    let mut add = |field: String, key: String, values: BTreeSet<String>| -> ApiResult<()> {
        match by_key.get_mut(&key) {
            None => {
                by_key.insert(key, (field, values));
            }
            Some((first, existing)) => {
                let common: BTreeSet<String> = existing.intersection(&values).cloned().collect();
                if common.is_empty() {
                    return Err(ApiError::BadRequest(format!(
                        "{field}: tag key {key:?} is given twice with disjoint values \
                         ({first}: {existing:?}, {field}: {values:?}); no cost could match"
                    )));
                }
                *existing = common;
            }
        }
        Ok(())
    };
    let mut from_ids: BTreeMap<String, (String, BTreeSet<String>)> = BTreeMap::new();
    for (i, r) in body.cost_tags.iter().enumerate() {
        let field = format!("cost_tags[{i}]");
        let t = crate::cost::scope::tag(state, org, &field, r)
            .await
            .map_err(|e| match e {
                ApiError::NotFound(m) => ApiError::BadRequest(m),
                other => other,
            })?;
        if t.variation != VARIATION_PROVIDER {
            return Err(ApiError::BadRequest(format!(
                "{field}: tag {} is a custom tag (variation {}); cost center rules use tags \
                 from the billing data (variation 0)",
                t.id, t.variation
            )));
        }
        from_ids
            .entry(t.key)
            .or_insert_with(|| (field, BTreeSet::new()))
            .1
            .insert(t.value);
    }
    for (key, (field, values)) in from_ids {
        add(field, key, values)?;
    }
    for (i, r) in body.tag_rules.iter().enumerate() {
        let field = format!("tag_rules[{i}]");
        let key = r.key.trim();
        let values: BTreeSet<String> = r
            .values
            .iter()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect();
        if key.is_empty() {
            return Err(ApiError::BadRequest(format!(
                "{field}.key: a tag rule needs a tag key"
            )));
        }
        if values.is_empty() {
            return Err(ApiError::BadRequest(format!(
                "{field}.values: the rule on {key:?} is empty; give at least one value"
            )));
        }
        add(field, key.to_string(), values)?;
    }
    Ok(by_key
        .into_iter()
        .map(|(key, (_, values))| TagRule {
            key,
            values: values.into_iter().collect(),
        })
        .collect())
}

/// The cost centers some ids name, each checked (404 naming the unknown one).
pub(crate) async fn named(
    state: &AppState,
    org: &str,
    ids: &[IdText],
) -> ApiResult<Vec<CostCenter>> {
    let mut out = vec![];
    for (i, id) in ids.iter().enumerate() {
        let c = state.meta.cost_center(org, &id.0).await?.ok_or_else(|| {
            ApiError::NotFound(format!(
                "business_unit_id[{i}]: cost center {:?} not found",
                id.0
            ))
        })?;
        out.push(c);
    }
    Ok(out)
}
