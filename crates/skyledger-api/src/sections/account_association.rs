//! Spec section 07, "Account Association" (Cost Centers): `spec/sections/07-account-association.md`.

use std::collections::BTreeSet;

use axum::Extension;
use axum::extract::State;
use axum::response::Response;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::json;
use skyledger_auth::Caller;
use skyledger_types::Operation::Read;

use super::account_management::month_start;
use crate::AppState;
use crate::cost::Scope;
use crate::cost::format::money;
use crate::cost::request::IdText;
use crate::cost::scope::{CostCenterRequest, data_days, ledger};
use crate::envelope::ApiResult;
use crate::input::Input;
use crate::routes::{GET, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![Route::new(
        GET,
        "/cs/api/cost/cost_centers/accounts",
        Read,
        "List cost centers accounts",
        accounts,
    )]
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Filter {
    #[serde(default)]
    business_unit_id: Vec<IdText>,
}

/// The billing accounts the cost centers are made of, and their cost this month and last
/// month: each cost center's month is the month of its newest data; a cost falling in two cost
/// centers counts in both (docs/api-decisions.md C7).
async fn accounts(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Input(filter): Input<Filter>,
) -> ApiResult<Response> {
    let org = &caller.org_id;
    let centers = if filter.business_unit_id.is_empty() {
        state.meta.cost_centers(org).await?
    } else {
        super::cost_centers_management::named(&state, org, &filter.business_unit_id).await?
    };
    let ledger = ledger(&state)?;
    let mut billing: BTreeSet<String> = BTreeSet::new();
    let (mut current, mut previous) = (Decimal::ZERO, Decimal::ZERO);
    for c in centers {
        let req = CostCenterRequest {
            business_unit_id: Some(IdText(c.id.clone())),
            ..CostCenterRequest::default()
        };
        let Some((_, newest)) = data_days(&ledger, &c.cost_account_ids()).await? else {
            continue;
        };
        let (scope, _) = Scope::resolve_cost_center(&state, org, &req).await?;
        billing.extend(
            scope
                .accounts
                .iter()
                .flat_map(|a| a.billing.iter().map(|b| b.id.clone())),
        );
        let this_month = month_start(newest);
        let last_month_end = this_month - chrono::Days::new(1);
        let sum =
            |rows: Vec<skyledger_ledger::CostRow>| rows.iter().map(|r| r.cost).sum::<Decimal>();
        current += sum(scope.run(&scope.query_for(this_month, newest)).await?.rows);
        previous += sum(scope
            .run(&scope.query_for(month_start(last_month_end), last_month_end))
            .await?
            .rows);
    }
    Ok(ok_totals(billing.len(), current, previous))
}

fn ok_totals(accounts: usize, current: Decimal, previous: Decimal) -> Response {
    crate::envelope::ok(json!({
        "total_accounts": accounts,
        "current_month_total": money(current),
        "previous_month_total": money(previous),
    }))
}
