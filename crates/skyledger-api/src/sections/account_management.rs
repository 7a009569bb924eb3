//! Spec section 27, "Account Management" (Accounts): `spec/sections/27-account-management.md`.
//! Cost accounts and billing accounts as ingestion recorded them, spend per account from the
//! cost store, the organisation and its users from the metadata store.

use std::collections::{BTreeMap, HashMap};

use axum::Extension;
use axum::extract::State;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};
use skyledger_auth::Caller;
use skyledger_ledger::{CostRow, Dimension, Granularity, Order};
use skyledger_meta::cost_accounts::{STATUS_FAILED, STATUS_PROCESSED};
use skyledger_meta::users::User;
use skyledger_types::Operation::Read;

use super::summary_report::stamp_time;
use crate::AppState;
use crate::cost::format::{key, money, pairs, percent_change};
use crate::cost::scope::DefaultDays;
use crate::cost::{CostRequest, Scope};
use crate::envelope::{ApiError, ApiResult, ok};
use crate::input::Input;
use crate::routes::{GET, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::new(
            GET,
            "/cs/api/cost/account_usage",
            Read,
            "Get Account Usage Statistics",
            account_usage,
        ),
        Route::new(
            GET,
            "/cs/api/cost/accounts/integration/alert_configs",
            Read,
            "List alert configurations for accounts module",
            alert_configs,
        ),
        Route::new(
            GET,
            "/cs/api/cost/account_settings",
            Read,
            "Get Account Settings and Configuration",
            account_settings,
        ),
        Route::new(
            GET,
            "/cs/api/cost/accounts/integration/msp_alert_configs",
            Read,
            "List MSP customer alert configurations for accounts module",
            msp_alert_configs,
        ),
        Route::new(
            GET,
            "/cs/api/cost/accounts/accounts_data",
            Read,
            "Get Accounts Metadata",
            accounts_data,
        ),
        Route::new(
            GET,
            "/cs/api/cost/accounts/users",
            Read,
            "List Account Users and Access",
            users,
        ),
        Route::new(
            GET,
            "/cs/api/cost/accounts",
            Read,
            "List account spend details",
            accounts,
        ),
    ]
}

/// How many setup stages `account_usage` reports (docs/api-decisions.md A13).
const SETUP_STAGES: usize = 6;

/// Counts of what is configured, and the setup progress they imply.
async fn account_usage(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(_none): Input<crate::input::NoInput>,
) -> ApiResult<Response> {
    let meta = &state.meta;
    let accounts = meta.cost_accounts(&caller.org_id).await?;
    let users = active_users(&state, &caller.org_id).await?;
    let business_units = meta.cost_centers(&caller.org_id).await?.len();
    // Tag profiles, budgets and scheduled reports are not stored yet: none exist.
    let (tag_profiles, budgets, scheduled_reports) = (0usize, 0usize, 0usize);
    let stages: [bool; SETUP_STAGES] = [
        users.iter().any(|u| u.is_admin),
        !accounts.is_empty(),
        accounts.iter().any(|a| a.status == STATUS_PROCESSED),
        business_units > 0,
        budgets > 0,
        scheduled_reports > 0,
    ];
    let done = stages.iter().filter(|s| **s).count();
    let cost_user_id = caller
        .user_id
        .clone()
        .or_else(|| account_contact(&users).map(|u| u.id.clone()))
        .unwrap_or_default();
    Ok(ok(json!({
        "cost_accnt_count": accounts.len(),
        "setup_stages": SETUP_STAGES,
        "business_unit_count": business_units,
        "tag_profile_count": tag_profiles,
        "user_count": users.len(),
        "progress_stage": done,
        "budget_count": budgets,
        "progress": progress_percent(done).to_string(),
        "cost_user_id": cost_user_id,
        "scheduled_report_count": scheduled_reports,
    })))
}

/// `done` of the setup stages as a whole percentage, rounded half up.
fn progress_percent(done: usize) -> usize {
    (done * 100 * 2 + SETUP_STAGES) / (SETUP_STAGES * 2)
}

/// Alert integrations (Site24x7 monitors) do not exist in Skyledger: an empty list.
async fn alert_configs(
    Extension(_caller): Extension<Caller>,
    Input(_none): Input<crate::input::NoInput>,
) -> ApiResult<Response> {
    Ok(ok(json!([])))
}

/// MSP customers do not exist in Skyledger: an empty list. The filter must still be a JSON
/// object (a malformed `JSONString` is 400).
async fn msp_alert_configs(
    Extension(_caller): Extension<Caller>,
    Input(_filter): Input<Map<String, Value>>,
) -> ApiResult<Response> {
    Ok(ok(json!([])))
}

/// The organisation's users that may sign in, oldest first.
async fn active_users(state: &AppState, org_id: &str) -> ApiResult<Vec<User>> {
    Ok(state
        .meta
        .users_of_org(org_id)
        .await?
        .into_iter()
        .filter(|u| u.active)
        .collect())
}

/// The account contact: the organisation's first administrator.
fn account_contact(users: &[User]) -> Option<&User> {
    users.iter().find(|u| u.is_admin)
}

/// Role codes (spec overview §7.19): CloudSpend role 12 Cost Administrator / 11 Cost User,
/// user role 1 Super Admin / 11 Cost User, organisation role 2 Super Admin / -1 default.
struct Roles {
    cloudspend: i64,
    cloudspend_name: &'static str,
    user: i64,
    user_name: &'static str,
    org: i64,
}

fn roles(u: &User) -> Roles {
    if u.is_admin {
        Roles {
            cloudspend: 12,
            cloudspend_name: "Cost Administrator",
            user: 1,
            user_name: "Super Admin",
            org: 2,
        }
    } else {
        Roles {
            cloudspend: 11,
            cloudspend_name: "Cost User",
            user: 11,
            user_name: "Cost User",
            org: -1,
        }
    }
}

/// The caller's user, when the token was issued to one of this organisation's users.
fn caller_user<'a>(caller: &Caller, users: &'a [User]) -> Option<&'a User> {
    let id = caller.user_id.as_deref()?;
    users.iter().find(|u| u.id == id)
}

/// The organisation, its account contact and the caller's own profile.
async fn account_settings(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(_none): Input<crate::input::NoInput>,
) -> ApiResult<Response> {
    let org =
        state.meta.org(&caller.org_id).await?.ok_or_else(|| {
            ApiError::NotFound(format!("organisation {} not found", caller.org_id))
        })?;
    let users = active_users(&state, &caller.org_id).await?;
    let contact = account_contact(&users).map_or_else(String::new, |u| u.email.clone());
    let personal = match caller_user(&caller, &users) {
        Some(u) => {
            let r = roles(u);
            json!({
                "email_id": u.email,
                "selection_type": 0,
                "user_id": u.id,
                "role_id": r.user,
                "user_name": u.email.split('@').next().unwrap_or_default(),
                "cloudspend_role_id": r.cloudspend,
                "org_role": r.org,
                "zuid": u.id,
            })
        }
        // A token issued to no user (a service client): no personal profile.
        None => json!({
            "email_id": "", "selection_type": 0, "user_id": "", "role_id": 0,
            "user_name": "", "cloudspend_role_id": 0, "org_role": -1, "zuid": "",
        }),
    };
    Ok(ok(json!({
        "account_info": {"account_contact_id": contact},
        "org_info": {"org_name": org.name, "org_admin": contact},
        "personal_info": personal,
        // No mail administration panel: Skyledger sends mail through its own SMTP settings.
        "mail_admin_cpanel": "",
        // Spec overview §7.22: product 2 is CloudSpend, the only product Skyledger serves.
        "subproducts_info": {"active_sub_products": [2]},
    })))
}

/// The organisation's users with their roles; user groups are not stored yet (none).
async fn users(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(_none): Input<crate::input::NoInput>,
) -> ApiResult<Response> {
    Ok(ok(users_listing(&state, &caller).await?))
}

/// The users-and-groups listing several sections share (`accounts/users` and the other
/// modules' `…/users`).
pub(crate) async fn users_listing(state: &AppState, caller: &Caller) -> ApiResult<Value> {
    let org =
        state.meta.org(&caller.org_id).await?.ok_or_else(|| {
            ApiError::NotFound(format!("organisation {} not found", caller.org_id))
        })?;
    let users = active_users(state, &caller.org_id).await?;
    let contact = account_contact(&users);
    let contact_id = contact.map_or_else(String::new, |u| u.id.clone());
    let signed_in: HashMap<String, i64> = state
        .meta
        .last_sign_ins(&caller.org_id)
        .await?
        .into_iter()
        .collect();
    let list: Vec<Value> = users
        .iter()
        .map(|u| {
            let r = roles(u);
            let last_login = signed_in
                .get(&u.id)
                .and_then(|ms| chrono::DateTime::<chrono::Utc>::from_timestamp_millis(*ms))
                .map_or_else(String::new, stamp_time);
            json!({
                "is_account_contact": u.id == contact_id,
                "cloudspend_role": r.cloudspend,
                "last_login_time": last_login,
                "is_invited": false,
                "display_name": u.name,
                "user_role_name": r.user_name,
                "org_role": r.org,
                "cloudspend_role_name": r.cloudspend_name,
                "zuid": u.id,
                // StatusIQ and SiteScan are Site24x7 products Skyledger does not have.
                "statusiq_role_name": "",
                "selection_type": 0,
                "user_role": r.user,
                "statusiq_role": "",
                "email_address": u.email,
                "user_id": u.id,
                "sitescan_role": "",
                "mobile_settings": {},
                "photo_url": "",
                "sitescan_role_name": "",
                // Spec overview §7.22: 1 = e-mail, the one medium Skyledger notifies by.
                "notify_medium": [1],
            })
        })
        .collect();
    Ok(json!({
        "workspace_migration_info": [],
        "org_info": {
            "zd_security": "",
            "name": org.name,
            "admin": contact.map_or_else(String::new, |u| u.email.clone()),
            "zd_users": "",
            "zd_org": "",
            "is_org_admin": caller_user(caller, &users).is_some_and(|u| u.is_admin),
        },
        "from_email": "",
        "contact_id": contact_id,
        "users": list,
        "user_groups": [],
    }))
}

/// Every cost account with its billing accounts.
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

/// `[{zaaid, cloud_type, cost_account_id, account_name, child_accounts: […]}]` of the scope's
/// cost accounts (docs/api-decisions.md A15). Billing accounts carry the cloud type of their
/// rows (a FOCUS feed mixes clouds), else the cost account's.
pub(crate) async fn all_accounts(scope: &Scope, org_id: &str) -> ApiResult<Vec<Value>> {
    let mut q = scope.query();
    q.group_by = vec![
        Dimension::CostAccount,
        Dimension::BillingAccount,
        Dimension::CloudType,
    ];
    let mut child_cloud: HashMap<(String, String), i64> = HashMap::new();
    for r in scope.run(&q).await?.rows {
        if let (Some(a), Some(b), Some(c)) = (&r.keys[0], &r.keys[1], &r.keys[2])
            && let Ok(code) = c.parse::<i64>()
        {
            child_cloud.entry((a.clone(), b.clone())).or_insert(code);
        }
    }
    Ok(scope
        .accounts
        .iter()
        .map(|s| {
            let a = &s.account;
            let children: Vec<Value> = s
                .billing
                .iter()
                .map(|b| {
                    let cloud = child_cloud
                        .get(&(a.id.clone(), b.account_key.clone()))
                        .copied()
                        .unwrap_or(a.cloud_type);
                    json!({
                        "billing_account_id": b.id,
                        "name": b.name,
                        "cloud_type": cloud,
                        // The provider's own id (linked account, subscription, project), as the
                        // spec's examples show it for every cloud.
                        "aws_account_id": b.account_key,
                        "is_payer_account": b.account_key == a.source_key,
                        "name_with_entity": format!("{} ({})", b.name, a.name),
                    })
                })
                .collect();
            json!({
                "zaaid": org_id,
                "child_accounts": children,
                "cloud_type": a.cloud_type,
                "cost_account_id": a.id,
                "account_name": a.name,
            })
        })
        .collect())
}

/// The first day of `d`'s month.
pub(crate) fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// The same days one month (or `months` months) earlier: `[start of month - n, same
/// day-of-month or that month's last day]`.
pub(crate) fn same_days_before(end: NaiveDate, months: u32) -> (NaiveDate, NaiveDate) {
    let first = month_start(end)
        .checked_sub_months(chrono::Months::new(months))
        .unwrap_or(end);
    let last_of_month = first
        .checked_add_months(chrono::Months::new(1))
        .map_or(first, |m| m - chrono::Days::new(1));
    let day = first
        .with_day(end.day())
        .unwrap_or(last_of_month)
        .min(last_of_month);
    (first, day)
}

/// A currency code as the symbol the spec shows (`$`); codes without a common symbol as is.
fn currency_symbol(code: &str) -> String {
    match code {
        "USD" | "AUD" | "CAD" | "NZD" | "SGD" | "HKD" | "MXN" => "$",
        "EUR" => "€",
        "GBP" => "£",
        "INR" => "₹",
        "JPY" | "CNY" => "¥",
        "KRW" => "₩",
        "BRL" => "R$",
        other => other,
    }
    .to_string()
}

/// Sums of rows per cost account (the first group key).
fn per_account(rows: &[CostRow]) -> HashMap<String, Decimal> {
    let mut out = HashMap::new();
    for r in rows {
        if let Some(a) = &r.keys[0] {
            *out.entry(a.clone()).or_insert(Decimal::ZERO) += r.cost;
        }
    }
    out
}

/// Spend per cost account: this month, last month, the daily trend over both, the change
/// against the same days of last month, and the top region, billing account and service
/// (docs/api-decisions.md A16).
async fn accounts(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(req): Input<CostRequest>,
) -> ApiResult<Response> {
    let scope = Scope::resolve(&state, &caller.org_id, &req).await?;
    let end = scope.end;
    let month = month_start(end);
    let prev_month = month
        .checked_sub_months(chrono::Months::new(1))
        .unwrap_or(month);
    let by_account = |start: NaiveDate, last: NaiveDate| {
        let mut q = scope.query_for(start, last);
        q.group_by = vec![Dimension::CostAccount];
        q
    };
    let current = per_account(&scope.run(&by_account(month, end)).await?.rows);
    let previous = per_account(
        &scope
            .run(&by_account(prev_month, month - chrono::Days::new(1)))
            .await?
            .rows,
    );
    let (same_start, same_end) = same_days_before(end, 1);
    let previous_same = per_account(&scope.run(&by_account(same_start, same_end)).await?.rows);

    let mut q = by_account(scope.start, end);
    q.granularity = Some(Granularity::Day);
    let daily = scope.run(&q).await?;
    let mut chart: BTreeMap<String, Vec<&CostRow>> = BTreeMap::new();
    for r in &daily.rows {
        if let Some(a) = &r.keys[0] {
            chart.entry(a.clone()).or_default().push(r);
        }
    }

    let mut top: HashMap<(String, &'static str), String> = HashMap::new();
    for (field, dim) in [
        ("region", Dimension::Region),
        ("linked_account", Dimension::BillingAccount),
        ("service", Dimension::Service),
    ] {
        let mut q = by_account(month, end);
        q.group_by.push(dim.clone());
        q.order = Order::CostDescending;
        for r in scope.run(&q).await?.rows {
            if let Some(a) = &r.keys[0] {
                let name = match (&dim, &r.keys[1]) {
                    (Dimension::BillingAccount, Some(b)) => scope.billing_name(b),
                    (_, k) => key(k),
                };
                top.entry((a.clone(), field)).or_insert(name);
            }
        }
    }

    let mut processing = Map::new();
    let mut processed = Map::new();
    let mut failed = Map::new();
    let (mut current_total, mut previous_total) = (Decimal::ZERO, Decimal::ZERO);
    for s in &scope.accounts {
        let a = &s.account;
        let now = current.get(&a.id).copied().unwrap_or_default();
        let before = previous.get(&a.id).copied().unwrap_or_default();
        let same = previous_same.get(&a.id).copied().unwrap_or_default();
        current_total += now;
        previous_total += before;
        let top_of =
            |field: &'static str| top.get(&(a.id.clone(), field)).cloned().unwrap_or_default();
        let mut entry = json!({
            "total_current_month": money(now),
            "cloud_type": a.cloud_type,
            "chart_data": pairs(chart.get(&a.id).map_or(&[][..], |v| &v[..]).iter().copied()),
            "account_name": a.name,
            "billing_currency": currency_symbol(&a.currency),
            "percent_change": percent_change(same, now),
            "top_spend_entity": {
                "region": top_of("region"),
                "linked_account": top_of("linked_account"),
                "service": top_of("service"),
            },
            "total_prev_month": money(before),
        });
        let bucket = match a.status {
            STATUS_PROCESSED => &mut processed,
            STATUS_FAILED => {
                entry["status_message"] = Value::from(a.status_message.clone());
                &mut failed
            }
            _ => &mut processing,
        };
        bucket.insert(a.id.clone(), entry);
    }
    Ok(ok(json!({
        "current_month_total": money(current_total),
        "previous_month_total": money(previous_total),
        "total_accounts": scope.accounts.len(),
        "all_accounts": {
            "processing_accounts": processing,
            // Skyledger does not suspend accounts.
            "suspended_accounts": {},
            "config_error_accounts": failed,
            "processed_accounts": processed,
        },
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_a_rounded_share_of_six_stages() {
        assert_eq!(progress_percent(5), 83);
        assert_eq!(progress_percent(4), 67);
        assert_eq!(progress_percent(1), 17);
        assert_eq!(progress_percent(6), 100);
        assert_eq!(progress_percent(0), 0);
    }

    #[test]
    fn same_days_of_earlier_months_clamp_to_the_month_end() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(
            same_days_before(d("2025-03-31"), 1),
            (d("2025-02-01"), d("2025-02-28"))
        );
        assert_eq!(
            same_days_before(d("2026-02-20"), 1),
            (d("2026-01-01"), d("2026-01-20"))
        );
        assert_eq!(
            same_days_before(d("2024-02-29"), 12),
            (d("2023-02-01"), d("2023-02-28"))
        );
    }
}
