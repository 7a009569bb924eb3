//! Pairing Azure actual and amortized exports of one billing account and month into one delivery.
//!
//! The two exports are two views of the same usage. Given together (two files in one ingest, or
//! a folder holding both), they are read as one delivery (`ingestion::ingest_azure_pair`), so the
//! period holds the billed cost of the actual export and the amortized cost of the amortized one.
//! A view given alone is paired with the other view's export of the same month that an earlier
//! ingest read, when that file is still there ([`pair_with_history`]); otherwise it replaces its
//! periods as any delivery does, and [`Planned::note`] says that both cost types then come from
//! that one view.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use skyledger_ingest::azure_pair::{AzureView, azure_view};
use skyledger_ingest::{AzureCostKind, ReadOptions};

use skyledger_meta::{Meta, MetaError};

use crate::ingestion::IngestFailure;

/// One ingest to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// A file, manifest, folder or source URL, ingested on its own.
    One(PathBuf),
    /// An Azure actual export and the amortized export of the same billing account and month.
    AzurePair { actual: PathBuf, amortized: PathBuf },
}

/// A delivery and what the user should know about it before it replaces stored periods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub delivery: Delivery,
    pub note: Option<String>,
    /// The Azure view of a single file (`None` for pairs and everything else).
    pub view: Option<AzureView>,
}

/// Orders `paths` into deliveries: Azure actual and amortized exports of the same billing
/// account and billing period become one pair (at the place of the first of the two); a local
/// folder holding only Azure exports (as Cost Management writes them,
/// `<export>/<yyyymmdd-yyyymmdd>/…csv`) is opened into its files first. Everything else stays
/// one delivery per path, in order. Files that cannot be read stay single so that the ingest
/// reports why.
pub fn plan(paths: &[PathBuf]) -> Vec<Planned> {
    let opts = ReadOptions::default();
    let mut items: Vec<(PathBuf, Option<AzureView>)> = Vec::new();
    for path in paths {
        match azure_folder(path, &opts) {
            Some(files) => items.extend(files.into_iter().map(|(p, v)| (p, Some(v)))),
            None => {
                let view = local_file(path)
                    .then(|| azure_view(path, &opts).ok().flatten())
                    .flatten();
                items.push((path.clone(), view));
            }
        }
    }
    let views: Vec<Option<AzureView>> = items.iter().map(|(_, v)| v.clone()).collect();
    let partner = twins(&views);
    let mut out = Vec::new();
    for (i, (path, view)) in items.iter().enumerate() {
        match partner.get(&i) {
            Some(&j) if j < i => {}
            Some(&j) => {
                let (actual, amortized) = match view.as_ref().map(|v| v.kind) {
                    Some(AzureCostKind::Amortized) => (items[j].0.clone(), path.clone()),
                    _ => (path.clone(), items[j].0.clone()),
                };
                out.push(Planned {
                    delivery: Delivery::AzurePair { actual, amortized },
                    note: None,
                    view: None,
                });
            }
            None => out.push(Planned {
                delivery: Delivery::One(path.clone()),
                note: view.as_ref().map(|v| single_view_note(path, v)),
                view: view.clone(),
            }),
        }
    }
    out
}

/// The twins among some files' Azure views: the first actual and the first amortized export of
/// each billing account and billing period, each index mapped to its partner's.
pub fn twins(views: &[Option<AzureView>]) -> BTreeMap<usize, usize> {
    // (billing account, period) → first actual and first amortized item.
    type Firsts = (Option<usize>, Option<usize>);
    let mut firsts: BTreeMap<(&str, i64), Firsts> = BTreeMap::new();
    for (i, view) in views.iter().enumerate() {
        if let Some(v) = view {
            let slot = firsts
                .entry((v.billing_account_id.as_str(), v.billing_period_start))
                .or_default();
            match v.kind {
                AzureCostKind::Actual => slot.0 = slot.0.or(Some(i)),
                AzureCostKind::Amortized => slot.1 = slot.1.or(Some(i)),
            }
        }
    }
    let mut partner = BTreeMap::new();
    for (actual, amortized) in firsts.values() {
        if let (Some(a), Some(b)) = (actual, amortized) {
            partner.insert(*a, *b);
            partner.insert(*b, *a);
        }
    }
    partner
}

/// Completes single Azure views with the other view's export of the same billing account and
/// month that an earlier ingest read (the newest one whose file is still there and still its
/// twin): Cost Management writes the two exports on their own schedules, and the view that
/// lands second must not drop the first.
pub async fn pair_with_history(
    meta: &Meta,
    org_id: &str,
    planned: Vec<Planned>,
) -> Result<Vec<Planned>, MetaError> {
    let mut out = Vec::with_capacity(planned.len());
    for p in planned {
        let (Delivery::One(path), Some(view)) = (&p.delivery, &p.view) else {
            out.push(p);
            continue;
        };
        let Some(twin) = recorded_twin(meta, org_id, view).await? else {
            out.push(p);
            continue;
        };
        let (actual, amortized, other) = match view.kind {
            AzureCostKind::Actual => (path.clone(), twin.clone(), "amortized"),
            AzureCostKind::Amortized => (twin.clone(), path.clone(), "actual"),
        };
        out.push(Planned {
            note: Some(format!(
                "{}: paired with the {other} export of the same month ingested before: {}",
                path.display(),
                twin.display()
            )),
            delivery: Delivery::AzurePair { actual, amortized },
            view: None,
        });
    }
    Ok(out)
}

/// The newest file of the other view of `view`'s billing account and month among the files of
/// the succeeded ingests of that cost account.
async fn recorded_twin(
    meta: &Meta,
    org_id: &str,
    view: &AzureView,
) -> Result<Option<PathBuf>, MetaError> {
    let Some(account) = meta
        .cost_accounts(org_id)
        .await?
        .into_iter()
        .find(|a| a.provider == "Microsoft" && a.source_key == view.billing_account_id)
    else {
        return Ok(None);
    };
    let month = chrono_month(view.billing_period_start);
    let opts = ReadOptions::default();
    for job in meta.ingest_jobs(org_id, HISTORY).await? {
        if job.status != "succeeded" || job.cost_account_id.as_deref() != Some(&account.id) {
            continue;
        }
        let Ok(summary) = serde_json::from_str::<serde_json::Value>(&job.summary) else {
            continue;
        };
        let covers = summary["periods"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["billing_period"] == month.as_str()));
        if !covers {
            continue;
        }
        for file in summary["files"].as_array().into_iter().flatten() {
            let Some(file) = file.as_str().map(PathBuf::from) else {
                continue;
            };
            if !local_file(&file) {
                continue;
            }
            if let Ok(Some(v)) = azure_view(&file, &opts)
                && v.kind != view.kind
                && v.billing_account_id == view.billing_account_id
                && v.billing_period_start == view.billing_period_start
            {
                return Ok(Some(file));
            }
        }
    }
    Ok(None)
}

/// How many recent ingest jobs of the organisation are searched for a twin export.
const HISTORY: i64 = 500;

fn local_file(path: &Path) -> bool {
    !path.to_string_lossy().contains("://") && path.is_file()
}

/// What a view ingested alone does to the stored period.
fn single_view_note(path: &Path, v: &AzureView) -> String {
    let (given, other) = match v.kind {
        AzureCostKind::Actual => ("actual", "amortized"),
        AzureCostKind::Amortized => ("amortized", "actual"),
    };
    let month = chrono_month(v.billing_period_start);
    format!(
        "{}: only the {given} view of Azure billing account {} for {month} was given and no \
         {other} export of it was ingested before: it replaces that period, and the {other} cost is derived from it ({}); give the {given} and {other} \
         exports of the month in one ingest to store both views",
        path.display(),
        v.billing_account_id,
        match v.kind {
            AzureCostKind::Actual => "reservation purchases stay unamortized",
            AzureCostKind::Amortized => "reservation purchases are not shown as billed",
        }
    )
}

/// `YYYY-MM` of a microsecond timestamp (UTC).
fn chrono_month(micros: i64) -> String {
    let (year, month, _) =
        skyledger_ingest::time::civil_from_days(micros.div_euclid(86_400_000_000));
    format!("{year:04}-{month:02}")
}

/// The files of a local folder that holds Azure cost exports and nothing else that bills (no
/// manifest), with their views; `None` for anything else.
fn azure_folder(path: &Path, opts: &ReadOptions) -> Option<Vec<(PathBuf, AzureView)>> {
    if !path.is_dir() {
        return None;
    }
    let mut files = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .ok()?
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let name = f.file_name()?.to_string_lossy().to_ascii_lowercase();
        if name.starts_with('.') {
            continue;
        }
        if name.ends_with(".json") {
            // A manifest delivery: the folder is read as a source.
            return None;
        }
        out.push((f.clone(), azure_view(&f, opts).ok().flatten()?));
    }
    (!out.is_empty()).then_some(out)
}

/// The source name and fingerprint of a delivery, extended by its amortized twin when it has
/// one (so a pair is skipped only when neither file changed).
pub(crate) fn with_amortized(
    source: String,
    (fp, bytes): (String, u64),
    amortized: Option<&Path>,
) -> Result<(String, (String, u64)), IngestFailure> {
    let Some(amortized) = amortized else {
        return Ok((source, (fp, bytes)));
    };
    let (fp2, bytes2) =
        crate::ingestion::fingerprint(amortized).map_err(|e| IngestFailure::Source {
            path: amortized.display().to_string(),
            reason: format!("cannot read: {e}"),
        })?;
    let name = std::fs::canonicalize(amortized)
        .unwrap_or_else(|_| amortized.to_path_buf())
        .display()
        .to_string();
    Ok((
        format!("{source} + {name}"),
        (format!("{fp}|{fp2}"), bytes + bytes2),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../skyledger-ingest/tests/fixtures/azure")
            .join(name)
    }

    #[test]
    fn an_actual_and_amortized_export_of_one_month_pair_in_any_order() {
        let actual = fixture("finops-toolkit-EA_ActualCost_Small.csv");
        let amortized = fixture("finops-toolkit-EA_AmortizedCost_Small.csv");
        let other = fixture("ea-export-sample-anonymous.csv");
        let planned = plan(&[amortized.clone(), other.clone(), actual.clone()]);
        assert_eq!(planned.len(), 2);
        assert_eq!(
            planned[0].delivery,
            Delivery::AzurePair {
                actual: actual.clone(),
                amortized: amortized.clone()
            }
        );
        assert_eq!(planned[1].delivery, Delivery::One(other));
        let note = planned[1].note.as_deref().unwrap_or_default();
        assert!(note.contains("only the actual view"), "{note}");
    }

    #[test]
    fn a_folder_of_azure_exports_is_opened_into_its_pair() {
        let dir = tempfile::tempdir().unwrap();
        for (sub, name) in [
            (
                "actual/20230901-20230930",
                "finops-toolkit-EA_ActualCost_Small.csv",
            ),
            (
                "amortized/20230901-20230930",
                "finops-toolkit-EA_AmortizedCost_Small.csv",
            ),
        ] {
            let to = dir.path().join(sub);
            std::fs::create_dir_all(&to).unwrap();
            std::fs::copy(fixture(name), to.join(name)).unwrap();
        }
        let planned = plan(&[dir.path().to_path_buf()]);
        assert_eq!(planned.len(), 1);
        assert!(matches!(planned[0].delivery, Delivery::AzurePair { .. }));
        assert_eq!(chrono_month(1_693_526_400_000_000), "2023-09");
    }
}
