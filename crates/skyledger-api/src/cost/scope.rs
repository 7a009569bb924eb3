//! Resolving a cost request against the metadata and cost stores: which cost accounts and
//! billing accounts, which days, which tags — checked (unknown ids are 404, impossible dates
//! 400) and turned into the ledger's typed `CostQuery`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Deserialize;
use skyledger_ledger::{AccountScope, CostQuery, CostType, DateRange, Ledger, TagFilter};
use skyledger_meta::cost_accounts::{BillingAccount, CostAccount};
use skyledger_meta::cost_centers::CostCenter;
use skyledger_meta::tags::{
    Tag, VARIATION_CUSTOM_ACCOUNT, VARIATION_CUSTOM_RESOURCE, VARIATION_OPERATION,
    VARIATION_REGION, VARIATION_RESOURCE_GROUP, VARIATION_SERVICE, VARIATION_USAGE_TYPE,
};

use super::request::{self, AccountRef, CostRequest, IdText, TagRef};
use crate::AppState;
use crate::envelope::{ApiError, ApiResult};

/// A cost account in scope, with the billing accounts selected (all of them when the request
/// names none).
#[derive(Debug, Clone)]
pub(crate) struct ScopedAccount {
    pub account: CostAccount,
    pub billing: Vec<BillingAccount>,
    /// Whether the request narrowed the account to `billing`.
    pub narrowed: bool,
}

/// What a cost request covers, resolved and checked.
#[derive(Debug, Clone)]
pub(crate) struct Scope {
    pub ledger: Arc<Ledger>,
    pub accounts: Vec<ScopedAccount>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub cost_type: CostType,
    tag_filters: Vec<TagFilter>,
    /// From custom resource tags: only these resources (None: no such filter).
    resources: Option<Vec<String>>,
    /// From line-item properties (property tags, solution reports): only rows with one of
    /// these values of each property (None: no such filter).
    properties: BTreeMap<i64, BTreeSet<String>>,
}

/// Keeps, of the values a query already allows (`list`, empty: any), those in `allowed`; a
/// query whose list ends up empty selects nothing.
pub(crate) fn narrow(list: &mut Vec<String>, allowed: &BTreeSet<String>) {
    if list.is_empty() {
        *list = allowed.iter().cloned().collect();
    } else {
        list.retain(|v| allowed.contains(v));
    }
    if list.is_empty() {
        // Nothing allowed: a value no row has.
        list.push(String::new());
    }
}

/// A cost query over a cost center (spec overview §6.2: the cost-center variants add
/// `business_unit_id` and `bu_type`).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct CostCenterRequest {
    #[serde(flatten)]
    pub cost: CostRequest,
    pub business_unit_id: Option<IdText>,
    /// Spec overview §7.9: 0 is the one cost-center type ("standard cost centers").
    pub bu_type: Option<i64>,
}

/// The cost center a request names: `bu_type` must be 0 (or absent), `business_unit_id` an
/// existing cost center of the organisation (404 naming it).
pub(crate) async fn cost_center(
    state: &AppState,
    org_id: &str,
    req: &CostCenterRequest,
) -> ApiResult<CostCenter> {
    if let Some(t) = req.bu_type
        && t != 0
    {
        return Err(ApiError::BadRequest(format!(
            "invalid field bu_type: {t}; the one cost center type is 0 (standard cost centers)"
        )));
    }
    let Some(id) = &req.business_unit_id else {
        return Err(ApiError::BadRequest(
            "missing field business_unit_id: name the cost center".into(),
        ));
    };
    state.meta.cost_center(org_id, &id.0).await?.ok_or_else(|| {
        ApiError::NotFound(format!(
            "business_unit_id: cost center {:?} not found",
            id.0
        ))
    })
}

/// The account references of a cost-center query: the cost center's own, or the request's
/// when it names some, each of which must lie inside the cost center (400 otherwise).
fn center_accounts(center: &CostCenter, req: &CostRequest) -> ApiResult<Vec<AccountRef>> {
    let own = |a: &skyledger_meta::cost_centers::CostCenterAccount| AccountRef {
        cost_account_id: IdText(a.cost_account_id.clone()),
        billing_account_ids: a
            .billing_account_ids
            .iter()
            .map(|b| IdText(b.clone()))
            .collect(),
    };
    let mut refs = req.accounts.clone();
    if let Some(id) = &req.cost_account_id
        && refs.is_empty()
    {
        refs.push(AccountRef {
            cost_account_id: id.clone(),
            billing_account_ids: vec![],
        });
    }
    if refs.is_empty() {
        return Ok(center.def.accounts.iter().map(own).collect());
    }
    let mut out = vec![];
    for (i, r) in refs.iter().enumerate() {
        let Some(mine) = center
            .def
            .accounts
            .iter()
            .find(|a| a.cost_account_id == r.cost_account_id.0)
        else {
            return Err(ApiError::BadRequest(format!(
                "accounts[{i}].cost_account_id: cost account {:?} is not part of cost center {}",
                r.cost_account_id.0, center.id
            )));
        };
        if r.billing_account_ids.is_empty() {
            out.push(own(mine));
            continue;
        }
        // A cost center holding the whole account allows any of its billing accounts (the
        // scope resolution checks they exist); otherwise only the ones it lists.
        if !mine.billing_account_ids.is_empty() {
            for (j, b) in r.billing_account_ids.iter().enumerate() {
                if !mine.billing_account_ids.contains(&b.0) {
                    return Err(ApiError::BadRequest(format!(
                        "accounts[{i}].billing_account_ids[{j}]: billing account {:?} is not \
                         part of cost center {}",
                        b.0, center.id
                    )));
                }
            }
        }
        out.push(r.clone());
    }
    Ok(out)
}

/// The cost store of this server, or 503.
pub(crate) fn ledger(state: &AppState) -> ApiResult<Arc<Ledger>> {
    state
        .cost_store
        .clone()
        .ok_or_else(|| ApiError::Unavailable("this server has no cost store open".to_string()))
}

/// The first and last charge start (µs since the epoch, UTC) of some cost accounts' data
/// (None: no data), from the store's manifest.
pub(crate) async fn data_span(
    ledger: &Ledger,
    cost_accounts: &[String],
) -> ApiResult<Option<(i64, i64)>> {
    let periods = ledger
        .periods()
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(span_of(&periods, cost_accounts))
}

/// [`data_span`] over periods already read.
pub(crate) fn span_of(
    periods: &[skyledger_ledger::PeriodInfo],
    cost_accounts: &[String],
) -> Option<(i64, i64)> {
    let mine: Vec<_> = periods
        .iter()
        .filter(|p| {
            cost_accounts
                .iter()
                .any(|a| a == p.cost_account_id.as_str())
        })
        .collect();
    let min = mine.iter().filter_map(|p| p.charge_start_min_us).min();
    let max = mine.iter().filter_map(|p| p.charge_start_max_us).max();
    min.zip(max)
}

/// The first and last day with data of some cost accounts (None: no data).
pub(crate) async fn data_days(
    ledger: &Ledger,
    cost_accounts: &[String],
) -> ApiResult<Option<(NaiveDate, NaiveDate)>> {
    Ok(days_of(data_span(ledger, cost_accounts).await?))
}

/// The UTC days of a span of charge starts.
pub(crate) fn days_of(span: Option<(i64, i64)>) -> Option<(NaiveDate, NaiveDate)> {
    let day = |us: i64| DateTime::<Utc>::from_timestamp_micros(us).map(|t| t.date_naive());
    span.and_then(|(lo, hi)| day(lo).zip(day(hi)))
}

/// The cost accounts a request names (all of the organisation's when it names none); unknown
/// ids are 404 naming them.
pub(crate) async fn accounts(
    state: &AppState,
    org_id: &str,
    req: &CostRequest,
) -> ApiResult<Vec<ScopedAccount>> {
    let meta = &state.meta;
    let mut refs = req.accounts.clone();
    if let Some(id) = &req.cost_account_id
        && refs.is_empty()
    {
        refs.push(request::AccountRef {
            cost_account_id: id.clone(),
            billing_account_ids: vec![],
        });
    }
    if refs.is_empty() {
        let mut out = vec![];
        for account in meta.cost_accounts(org_id).await? {
            let billing = meta.billing_accounts(org_id, &account.id).await?;
            out.push(ScopedAccount {
                account,
                billing,
                narrowed: false,
            });
        }
        return Ok(out);
    }
    let mut out: Vec<ScopedAccount> = vec![];
    for (i, r) in refs.iter().enumerate() {
        let id = &r.cost_account_id.0;
        let account = meta.cost_account(org_id, id).await?.ok_or_else(|| {
            ApiError::NotFound(format!(
                "accounts[{i}].cost_account_id: cost account {id:?} not found"
            ))
        })?;
        if out.iter().any(|a| a.account.id == account.id) {
            return Err(ApiError::BadRequest(format!(
                "accounts[{i}].cost_account_id: cost account {id} is listed twice"
            )));
        }
        let all = meta.billing_accounts(org_id, &account.id).await?;
        let mut billing = vec![];
        for (j, b) in r.billing_account_ids.iter().enumerate() {
            // The metadata id, or the provider's own id (linked account, subscription, project).
            let found = all
                .iter()
                .find(|x| x.id == b.0)
                .or_else(|| all.iter().find(|x| x.account_key == b.0))
                .ok_or_else(|| {
                    ApiError::NotFound(format!(
                        "accounts[{i}].billing_account_ids[{j}]: billing account {:?} not found \
                         in cost account {id}",
                        b.0
                    ))
                })?;
            if !billing.iter().any(|x: &BillingAccount| x.id == found.id) {
                billing.push(found.clone());
            }
        }
        let narrowed = !billing.is_empty();
        out.push(ScopedAccount {
            account,
            billing: if narrowed { billing } else { all },
            narrowed,
        });
    }
    Ok(out)
}

/// The tag a reference names, or 404.
pub(crate) async fn tag(state: &AppState, org_id: &str, field: &str, r: &TagRef) -> ApiResult<Tag> {
    let t = state
        .meta
        .tag(org_id, &r.id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("{field}: tag {:?} not found", r.id)))?;
    if let Some(v) = r.variation
        && v != t.variation
        && !(v > 0 && t.variation > 0)
    {
        return Err(ApiError::BadRequest(format!(
            "{field}: tag {} has variation {}, not {v}",
            t.id, t.variation
        )));
    }
    Ok(t)
}

/// Which days a request covers when it gives no dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DefaultDays {
    /// From the first day of the month before the newest data to the newest day with data.
    RecentMonths,
    /// Every day with data.
    AllData,
}

/// Which days a request covers: its dates, or the default (ending on the newest day with data,
/// today when there is none). Dates must be ordered and overlap the data.
pub(crate) fn days(
    req: &CostRequest,
    data: Option<(NaiveDate, NaiveDate)>,
    default: DefaultDays,
) -> ApiResult<(NaiveDate, NaiveDate)> {
    let today = Utc::now().date_naive();
    let newest = data.map_or(today, |d| d.1);
    let end = match &req.end_date {
        Some(s) => request::date("end_date", s)?,
        None => newest,
    };
    let start = match &req.start_date {
        Some(s) => request::date("start_date", s)?,
        None if default == DefaultDays::AllData => data.map_or(end, |d| d.0.min(end)),
        None => {
            let first = end.with_day(1).unwrap_or(end);
            first
                .checked_sub_months(chrono::Months::new(1))
                .unwrap_or(first)
        }
    };
    if start > end {
        return Err(ApiError::BadRequest(format!(
            "invalid field start_date: {start} is after end_date {end}"
        )));
    }
    if (end - start).num_days() > 3660 {
        return Err(ApiError::BadRequest(format!(
            "invalid field start_date: the range {start}..{end} is longer than ten years"
        )));
    }
    if let Some((first, last)) = data {
        if start > last {
            return Err(ApiError::BadRequest(format!(
                "invalid field start_date: {start} is after the newest data ({last})"
            )));
        }
        if end < first {
            return Err(ApiError::BadRequest(format!(
                "invalid field end_date: {end} is before the oldest data ({first})"
            )));
        }
    }
    Ok((start, end))
}

/// What some tag references select, ANDed into a scope: provider tags filter rows by key
/// (values of one key ORed, keys ANDed); custom resource tags select resources; custom account
/// tags select cost accounts; property tags select values of a line-item property.
#[derive(Debug, Default)]
struct TagConstraints {
    by_key: BTreeMap<String, BTreeSet<String>>,
    resource_sets: HashMap<String, BTreeSet<String>>,
    account_sets: HashMap<String, BTreeSet<String>>,
    property_sets: BTreeMap<i64, BTreeSet<String>>,
}

/// The constraints of some tag references (`(field, reference)`); unknown tags are 404.
async fn tag_constraints(
    state: &AppState,
    org_id: &str,
    refs: &[(String, &TagRef)],
) -> ApiResult<TagConstraints> {
    let mut c = TagConstraints::default();
    for (field, r) in refs {
        let t = tag(state, org_id, field, r).await?;
        match t.variation {
            VARIATION_CUSTOM_RESOURCE => {
                let targets = state.meta.tag_targets(org_id, &t.id).await?;
                c.resource_sets
                    .entry(t.key.clone())
                    .or_default()
                    .extend(targets.into_iter().map(|a| a.resource_id));
            }
            VARIATION_CUSTOM_ACCOUNT => {
                let targets = state.meta.tag_targets(org_id, &t.id).await?;
                c.account_sets
                    .entry(t.key.clone())
                    .or_default()
                    .extend(targets.into_iter().map(|a| a.cost_account_id));
            }
            VARIATION_OPERATION
            | VARIATION_USAGE_TYPE
            | VARIATION_REGION
            | VARIATION_SERVICE
            | VARIATION_RESOURCE_GROUP => {
                c.property_sets
                    .entry(t.variation)
                    .or_default()
                    .insert(t.value);
            }
            _ => {
                c.by_key.entry(t.key).or_default().insert(t.value);
            }
        }
    }
    Ok(c)
}

impl Scope {
    /// Resolves a cost request: accounts, days (by default the recent months), cost type and
    /// tags.
    pub(crate) async fn resolve(
        state: &AppState,
        org_id: &str,
        req: &CostRequest,
    ) -> ApiResult<Scope> {
        Self::resolve_with(state, org_id, req, DefaultDays::RecentMonths).await
    }

    pub(crate) async fn resolve_with(
        state: &AppState,
        org_id: &str,
        req: &CostRequest,
        default_days: DefaultDays,
    ) -> ApiResult<Scope> {
        let ledger = ledger(state)?;
        let accounts = accounts(state, org_id, req).await?;
        let ids: Vec<String> = accounts.iter().map(|a| a.account.id.clone()).collect();
        let data = data_days(&ledger, &ids).await?;
        let (start, end) = days(req, data, default_days)?;
        let cost_type = request::cost_type(req.cost_type)?;

        let mut scope = Scope {
            ledger,
            accounts,
            start,
            end,
            cost_type,
            tag_filters: vec![],
            resources: None,
            properties: BTreeMap::new(),
        };
        let refs: Vec<(String, &TagRef)> = req
            .cost_tags
            .iter()
            .enumerate()
            .map(|(i, r)| (format!("cost_tags[{i}]"), r))
            .collect();
        scope.constrain(tag_constraints(state, org_id, &refs).await?);
        Ok(scope)
    }

    /// ANDs tag constraints into the scope.
    fn constrain(&mut self, c: TagConstraints) {
        self.tag_filters
            .extend(c.by_key.into_iter().map(|(key, values)| TagFilter {
                key,
                values: values.into_iter().collect(),
                untagged: false,
            }));
        for allowed in c.account_sets.values() {
            self.accounts.retain(|a| allowed.contains(&a.account.id));
        }
        if let Some(only) = c.resource_sets.into_values().reduce(|a, b| &a & &b) {
            self.resources = Some(match self.resources.take() {
                Some(had) => had.into_iter().filter(|r| only.contains(r)).collect(),
                None => only.into_iter().collect(),
            });
        }
        for (variation, values) in c.property_sets {
            self.restrict(variation, values);
        }
    }

    /// Narrows the scope to one group of a `group_by_property` answer: `property` names the
    /// group of `group_by_type` (a billing account, region or service by id or name, or a tag
    /// by id). Without `property`, the scope is unchanged.
    pub(crate) async fn drill_down(
        &mut self,
        state: &AppState,
        org_id: &str,
        req: &CostRequest,
    ) -> ApiResult<()> {
        let Some(p) = &req.property else {
            return Ok(());
        };
        let one = |v: &str| BTreeSet::from([v.to_string()]);
        match req.group_by_type.as_deref() {
            Some("accounts" | "account" | "billing_account") => {
                let found = self.accounts.iter().find_map(|a| {
                    a.billing
                        .iter()
                        .find(|b| b.id == p.id || b.account_key == p.id)
                        .map(|b| (a.account.id.clone(), b.clone()))
                });
                let Some((account, billing)) = found else {
                    return Err(ApiError::NotFound(format!(
                        "property.id: billing account {:?} is not in the request's scope",
                        p.id
                    )));
                };
                self.accounts.retain(|a| a.account.id == account);
                for a in &mut self.accounts {
                    a.billing = vec![billing.clone()];
                    a.narrowed = true;
                }
            }
            Some("region") => self.restrict(VARIATION_REGION, one(&p.id)),
            Some("service") => self.restrict(VARIATION_SERVICE, one(&p.id)),
            Some("resource_group" | "resourcegroup") => {
                self.restrict(VARIATION_RESOURCE_GROUP, one(&p.id));
            }
            Some("tag" | "usage_type" | "usagetype" | "operation") => {
                let c = tag_constraints(state, org_id, &[("property".to_string(), p)]).await?;
                self.constrain(c);
            }
            Some(other) => {
                return Err(ApiError::BadRequest(format!(
                    "invalid field group_by_type: {other:?}; a property drill-down groups by \
                     accounts, region, service, resource_group, usage_type, operation or tag"
                )));
            }
            None => {
                return Err(ApiError::BadRequest(
                    "missing field group_by_type: property names a group of it".into(),
                ));
            }
        }
        Ok(())
    }

    /// Restricts the scope to rows whose property (a `VARIATION_*` of a line-item property)
    /// is one of `values`, ANDed with what it already selects.
    pub(crate) fn restrict(&mut self, variation: i64, values: BTreeSet<String>) {
        match self.properties.get_mut(&variation) {
            Some(had) => had.retain(|v| values.contains(v)),
            None => {
                self.properties.insert(variation, values);
            }
        }
    }

    /// Resolves a cost-center request: the cost center's accounts (the request's `accounts` may
    /// narrow them, never widen), its tag rules ANDed with the request's `cost_tags`, and the
    /// request's days and cost type (docs/api-decisions.md C3).
    pub(crate) async fn resolve_cost_center(
        state: &AppState,
        org_id: &str,
        req: &CostCenterRequest,
    ) -> ApiResult<(Scope, CostCenter)> {
        Self::resolve_cost_center_with(state, org_id, req, DefaultDays::RecentMonths).await
    }

    pub(crate) async fn resolve_cost_center_with(
        state: &AppState,
        org_id: &str,
        req: &CostCenterRequest,
        default_days: DefaultDays,
    ) -> ApiResult<(Scope, CostCenter)> {
        let center = cost_center(state, org_id, req).await?;
        let mut cost = req.cost.clone();
        cost.accounts = center_accounts(&center, &req.cost)?;
        cost.cost_account_id = None;
        let mut scope = Self::resolve_with(state, org_id, &cost, default_days).await?;
        if center.def.accounts.is_empty() {
            scope.accounts.clear();
        }
        scope
            .tag_filters
            .extend(center.def.tag_rules.iter().map(|r| TagFilter {
                key: r.key.clone(),
                values: r.values.clone(),
                untagged: false,
            }));
        Ok((scope, center))
    }

    /// The ledger query of this scope: its days, accounts, tags and cost type; no grouping.
    pub(crate) fn query(&self) -> CostQuery {
        self.query_for(self.start, self.end)
    }

    /// As [`Scope::query`] over other days (previous periods, forecasts' history).
    pub(crate) fn query_for(&self, start: NaiveDate, end: NaiveDate) -> CostQuery {
        let range = DateRange::new(start.min(end), end.max(start)).expect("ordered days");
        let mut q = CostQuery::new(range);
        q.cost_type = self.cost_type;
        q.tag_filters = self.tag_filters.clone();
        q.account_scopes = self
            .accounts
            .iter()
            .map(|a| AccountScope {
                cost_account: a.account.id.clone(),
                billing_accounts: if a.narrowed {
                    a.billing.iter().map(|b| b.account_key.clone()).collect()
                } else {
                    vec![]
                },
            })
            .collect();
        if self.accounts.is_empty() {
            // Nothing in scope: a filter that matches no row.
            q.account_scopes = vec![AccountScope {
                cost_account: String::new(),
                billing_accounts: vec![],
            }];
        }
        if let Some(resources) = &self.resources {
            q.resource_ids = if resources.is_empty() {
                vec![String::new()]
            } else {
                resources.clone()
            };
        }
        for (variation, values) in &self.properties {
            let list = match *variation {
                VARIATION_OPERATION => &mut q.operations,
                VARIATION_USAGE_TYPE => &mut q.usage_types,
                VARIATION_REGION => &mut q.regions,
                VARIATION_SERVICE => &mut q.services,
                VARIATION_RESOURCE_GROUP => &mut q.resource_groups,
                _ => continue,
            };
            narrow(list, values);
        }
        q
    }

    /// Runs a query on the cost store; store failures are 500s.
    pub(crate) async fn run(&self, q: &CostQuery) -> ApiResult<skyledger_ledger::CostTable> {
        self.ledger
            .query(q)
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))
    }

    /// The display name of a billing account by its provider id (the id itself when unknown).
    pub(crate) fn billing_name(&self, account_key: &str) -> String {
        self.accounts
            .iter()
            .flat_map(|a| a.billing.iter())
            .find(|b| b.account_key == account_key)
            .map_or_else(|| account_key.to_string(), |b| b.name.clone())
    }

    /// The name of a cost account by id (the id itself when unknown).
    pub(crate) fn account_name(&self, id: &str) -> String {
        self.accounts
            .iter()
            .find(|a| a.account.id == id)
            .map_or_else(|| id.to_string(), |a| a.account.name.clone())
    }

    /// The same-length range just before this one (for changes "vs previous period").
    pub(crate) fn previous_range(&self) -> (NaiveDate, NaiveDate) {
        let len = (self.end - self.start).num_days() + 1;
        let end = self.start - chrono::Days::new(1);
        (end - chrono::Days::new(len as u64 - 1), end)
    }
}

#[cfg(test)]
mod tests {
    use skyledger_meta::cost_centers::{CostCenterAccount, CostCenterDef};

    use super::*;

    fn center() -> CostCenter {
        CostCenter {
            id: "10000000000000001".into(),
            org_id: "o".into(),
            def: CostCenterDef {
                name: "cc".into(),
                cloud_type: 0,
                accounts: vec![
                    CostCenterAccount {
                        cost_account_id: "A".into(),
                        billing_account_ids: vec![],
                    },
                    CostCenterAccount {
                        cost_account_id: "B".into(),
                        billing_account_ids: vec!["b1".into(), "b2".into()],
                    },
                ],
                ..CostCenterDef::default()
            },
            created_at: 0,
            updated_at: 0,
        }
    }

    fn request(accounts: serde_json::Value) -> CostRequest {
        serde_json::from_value(serde_json::json!({ "accounts": accounts })).unwrap()
    }

    #[test]
    fn a_request_narrows_a_cost_center_but_never_widens_it() {
        let c = center();
        let own = center_accounts(&c, &CostRequest::default()).unwrap();
        assert_eq!(own.len(), 2);
        assert!(own[0].billing_account_ids.is_empty());
        assert_eq!(own[1].billing_account_ids.len(), 2);

        // Narrowing: an account of the cost center without billing accounts keeps its own.
        let narrowed = center_accounts(
            &c,
            &request(serde_json::json!([
                {"cost_account_id": "B"},
            ])),
        )
        .unwrap();
        assert_eq!(narrowed.len(), 1);
        assert_eq!(narrowed[0].billing_account_ids.len(), 2);
        // A whole account allows any of its billing accounts; a listed one only its own.
        assert!(
            center_accounts(
                &c,
                &request(serde_json::json!([
                    {"cost_account_id": "A", "billing_account_ids": ["anything"]},
                    {"cost_account_id": "B", "billing_account_ids": ["b2"]},
                ]))
            )
            .is_ok()
        );
        let err = center_accounts(
            &c,
            &request(serde_json::json!([
                {"cost_account_id": "B", "billing_account_ids": ["b3"]},
            ])),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("billing_account_ids[0]") && err.contains("b3"),
            "{err}"
        );
        let err = center_accounts(
            &c,
            &request(serde_json::json!([
                {"cost_account_id": "C"},
            ])),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("accounts[0].cost_account_id"), "{err}");
    }
}
