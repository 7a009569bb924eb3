//! Solution reports (spec section 10): the catalogue of report types, finding the reports the
//! billing data holds (one per region, service, ECS Fargate operation and data-transfer-out
//! usage type of each cost account), and the scope of one report (docs/api-decisions.md D15).

use std::collections::BTreeSet;

use skyledger_ledger::{AccountScope, CostQuery, DateRange, Dimension};
use skyledger_meta::solution_reports::{FoundReport, SolutionReport};
use skyledger_meta::tags::{
    VARIATION_OPERATION, VARIATION_REGION, VARIATION_SERVICE, VARIATION_USAGE_TYPE,
};

use super::Scope;
use super::request::{AccountRef, IdText};
use super::scope::{CostCenterRequest, DefaultDays, days_of, ledger, span_of};
use crate::AppState;
use crate::envelope::{ApiError, ApiResult};

/// A kind of solution report: one report per value the data holds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReportType {
    pub id: i64,
    /// As the spec's `solution_reports_meta` shows it (`ECSTASK_FARGATE`).
    pub name: &'static str,
}

pub(crate) const REGION: i64 = 1;
pub(crate) const SERVICE: i64 = 2;
pub(crate) const ECS_FARGATE: i64 = 6;
pub(crate) const DATA_TRANSFER_OUT: i64 = 32;

/// Every report type, by id (the spec's examples name 1 regions, 2 services, 6 ECS Fargate
/// tasks and 32 data transfer out).
pub(crate) const REPORT_TYPES: &[ReportType] = &[
    ReportType {
        id: REGION,
        name: "REGION",
    },
    ReportType {
        id: SERVICE,
        name: "SERVICE",
    },
    ReportType {
        id: ECS_FARGATE,
        name: "ECSTASK_FARGATE",
    },
    ReportType {
        id: DATA_TRANSFER_OUT,
        name: "DATA_TRANSFER_OUT",
    },
];

/// The report type of an id, or 400 listing them.
pub(crate) fn report_type(field: &str, id: i64) -> ApiResult<ReportType> {
    REPORT_TYPES
        .iter()
        .find(|t| t.id == id)
        .copied()
        .ok_or_else(|| {
            let known: Vec<String> = REPORT_TYPES
                .iter()
                .map(|t| format!("{} ({})", t.id, t.name))
                .collect();
            ApiError::BadRequest(format!(
                "invalid field {field}: {id} is not a report type; known: {}",
                known.join(", ")
            ))
        })
}

/// The line-item properties a report selects, as `(variation, value)`, ANDed.
pub(crate) fn rule(report: &FoundReport) -> Vec<(i64, String)> {
    let key = report.report_key.clone();
    match report.report_type {
        REGION => vec![(VARIATION_REGION, key)],
        SERVICE => vec![(VARIATION_SERVICE, key)],
        // `service<TAB>operation`: the service as the data names it (code or product name).
        ECS_FARGATE => match key.split_once('\t') {
            Some((service, operation)) => vec![
                (VARIATION_SERVICE, service.to_string()),
                (VARIATION_OPERATION, operation.to_string()),
            ],
            None => vec![(VARIATION_OPERATION, key)],
        },
        DATA_TRANSFER_OUT => vec![(VARIATION_USAGE_TYPE, key)],
        _ => vec![],
    }
}

/// Amazon ECS as CUR 2.0 (product code) and legacy CUR (product name) name it.
const ECS_SERVICES: [&str; 2] = ["AmazonECS", "Amazon Elastic Container Service"];
const TRANSFER_OUT: &str = "DataTransfer-Out-Bytes";

/// The data-transfer-out report a usage type belongs to, by name: `USW1 (OUT)` for
/// `USW1-DataTransfer-Out-Bytes`; AWS writes us-east-1's without a region prefix.
fn transfer_out_name(usage_type: &str) -> Option<String> {
    let prefix = usage_type.strip_suffix(TRANSFER_OUT)?;
    let region = prefix.strip_suffix('-').unwrap_or(prefix);
    Some(format!(
        "{} (OUT)",
        if region.is_empty() { "USE1" } else { region }
    ))
}

/// The reports of one line-item group `[cost account, region, service, operation, usage
/// type]`.
fn reports_of(keys: &[Option<String>]) -> Vec<FoundReport> {
    let text = |i: usize| keys.get(i).cloned().flatten().filter(|s| !s.is_empty());
    let Some(account) = text(0) else {
        return vec![];
    };
    let mut out = vec![];
    let mut add = |report_type: i64, key: String, name: String| {
        out.push(FoundReport {
            cost_account_id: account.clone(),
            report_type,
            report_key: key,
            name,
        });
    };
    if let Some(region) = text(1) {
        add(REGION, region.clone(), region);
    }
    if let Some(service) = text(2) {
        if ECS_SERVICES.contains(&service.as_str())
            && let (Some(op), Some(usage)) = (text(3), text(4))
            && usage.contains("Fargate")
        {
            add(ECS_FARGATE, format!("{service}\t{op}"), op);
        }
        add(SERVICE, service.clone(), service);
    }
    if let Some(usage) = text(4)
        && let Some(name) = transfer_out_name(&usage)
    {
        add(DATA_TRANSFER_OUT, usage, name);
    }
    out
}

/// Finds the solution reports of every cost account of the organisation in its billing data
/// (all days), stores the new ones and returns all of them. One pass over the line items, only
/// when the organisation's periods changed since the last pass (an ingest, a restatement).
pub(crate) async fn discover(state: &AppState, org_id: &str) -> ApiResult<Vec<SolutionReport>> {
    let ledger = ledger(state)?;
    let accounts = state.meta.cost_accounts(org_id).await?;
    let ids: Vec<String> = accounts.iter().map(|a| a.id.clone()).collect();
    let periods = ledger
        .periods()
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut versions: Vec<String> = periods
        .iter()
        .filter(|p| ids.iter().any(|id| id == p.cost_account_id.as_str()))
        .map(|p| format!("{}/{}", p.cost_account_id.as_str(), p.version))
        .collect();
    versions.sort();
    let signature = versions.join(",");
    let scanned = |state: &AppState| {
        state
            .report_scans
            .lock()
            .map(|m| m.get(org_id) == Some(&signature))
            .unwrap_or(false)
    };
    if scanned(state) {
        return Ok(state.meta.solution_reports(org_id).await?);
    }
    let Some((first, last)) = days_of(span_of(&periods, &ids)) else {
        return Ok(state.meta.solution_reports(org_id).await?);
    };
    let range = DateRange::new(first, last).map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut q = CostQuery::new(range);
    q.account_scopes = ids
        .iter()
        .map(|id| AccountScope {
            cost_account: id.clone(),
            billing_accounts: vec![],
        })
        .collect();
    q.group_by = vec![
        Dimension::CostAccount,
        Dimension::Region,
        Dimension::Service,
        Dimension::Operation,
        Dimension::UsageType,
    ];
    let table = ledger
        .query(&q)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut seen = BTreeSet::new();
    let found: Vec<FoundReport> = table
        .rows
        .iter()
        .flat_map(|r| reports_of(&r.keys))
        .filter(|f| {
            seen.insert((
                f.cost_account_id.clone(),
                f.report_type,
                f.report_key.clone(),
            ))
        })
        .collect();
    let saved = state.meta.save_solution_reports(org_id, &found).await?;
    if let Ok(mut m) = state.report_scans.lock() {
        m.insert(org_id.to_string(), signature);
    }
    Ok(saved)
}

/// What a solution-report request covers: a report by id, or a whole cost account by its id
/// (the account's own report), narrowed by the request's billing accounts and tags.
pub(crate) async fn resolve_report(
    state: &AppState,
    org_id: &str,
    req: &CostCenterRequest,
    default_days: DefaultDays,
) -> ApiResult<(Scope, Option<SolutionReport>)> {
    if let Some(t) = req.bu_type
        && t != 1
    {
        return Err(ApiError::BadRequest(format!(
            "invalid field bu_type: {t}; solution reports are type 1"
        )));
    }
    let Some(IdText(id)) = &req.business_unit_id else {
        return Err(ApiError::BadRequest(
            "missing field business_unit_id: name the solution report".into(),
        ));
    };
    let report = state.meta.solution_report(org_id, id).await?;
    let account = match &report {
        Some(r) => r.found.cost_account_id.clone(),
        None if state.meta.cost_account(org_id, id).await?.is_some() => id.clone(),
        None => {
            return Err(ApiError::NotFound(format!(
                "business_unit_id: solution report {id:?} not found"
            )));
        }
    };
    let mut cost = req.cost.clone();
    if let Some(other) = cost.cost_account_id.take()
        && cost.accounts.is_empty()
    {
        cost.accounts.push(AccountRef {
            cost_account_id: other,
            billing_account_ids: vec![],
        });
    }
    for (i, a) in cost.accounts.iter().enumerate() {
        if a.cost_account_id.0 != account {
            return Err(ApiError::BadRequest(format!(
                "accounts[{i}].cost_account_id: cost account {:?} is not the report's ({account})",
                a.cost_account_id.0
            )));
        }
    }
    if cost.accounts.is_empty() {
        cost.accounts.push(AccountRef {
            cost_account_id: IdText(account),
            billing_account_ids: vec![],
        });
    }
    let mut scope = Scope::resolve_with(state, org_id, &cost, default_days).await?;
    if let Some(r) = &report {
        for (variation, value) in rule(&r.found) {
            scope.restrict(variation, BTreeSet::from([value]));
        }
    }
    Ok((scope, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(list: &[&str]) -> Vec<Option<String>> {
        list.iter()
            .map(|s| (!s.is_empty()).then(|| s.to_string()))
            .collect()
    }

    #[test]
    fn groups_name_their_reports() {
        let found = reports_of(&keys(&[
            "A",
            "us-east-1",
            "AmazonECS",
            "FargateTask",
            "USE1-Fargate-vCPU-Hours:perCPU",
        ]));
        let got: Vec<(i64, &str, &str)> = found
            .iter()
            .map(|f| (f.report_type, f.report_key.as_str(), f.name.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (REGION, "us-east-1", "us-east-1"),
                (ECS_FARGATE, "AmazonECS\tFargateTask", "FargateTask"),
                (SERVICE, "AmazonECS", "AmazonECS"),
            ]
        );
        let dt = reports_of(&keys(&[
            "A",
            "",
            "AmazonS3",
            "GetObject",
            "USW1-DataTransfer-Out-Bytes",
        ]));
        assert_eq!(dt.len(), 2, "{dt:?}");
        assert_eq!(dt[1].name, "USW1 (OUT)");
        assert_eq!(
            transfer_out_name("DataTransfer-Out-Bytes").unwrap(),
            "USE1 (OUT)"
        );
        assert_eq!(transfer_out_name("USE1-USW2-AWS-Out-Bytes"), None);
        // An ECS line that is not Fargate makes no Fargate report.
        let ec2 = reports_of(&keys(&["A", "", "AmazonECS", "RunTask", "USE1-ECS-EC2"]));
        assert!(ec2.iter().all(|f| f.report_type != ECS_FARGATE));
        assert!(reports_of(&keys(&["", "us-east-1", "", "", ""])).is_empty());
    }

    #[test]
    fn rules_select_what_the_type_names() {
        let f = FoundReport {
            cost_account_id: "A".into(),
            report_type: ECS_FARGATE,
            report_key: "Amazon Elastic Container Service\tFargateTask".into(),
            name: "FargateTask".into(),
        };
        assert_eq!(
            rule(&f),
            vec![
                (
                    VARIATION_SERVICE,
                    "Amazon Elastic Container Service".to_string()
                ),
                (VARIATION_OPERATION, "FargateTask".to_string())
            ]
        );
        assert!(report_type("report_type", 99).is_err());
        assert_eq!(
            report_type("report_type", 32).unwrap().name,
            "DATA_TRANSFER_OUT"
        );
    }
}
