//! Realistic, deterministic billing exports for the demo and benchmarks: AWS CUR 2.0 Parquet and
//! legacy CUR csv.gz, Azure EA actual and amortized cost CSV, and Google Cloud billing JSONL.
//!
//! [`generate`] writes 13 months of line items ending with [`DemoSpec::end_month`] under an
//! output folder laid out the way each provider delivers its exports, and reports every file
//! with the exact sums of its cost columns as written, plus the anomalies it injected
//! (also written to `demo-anomalies.json`). The same seed gives byte-identical files; the
//! random choices come from SplitMix64 hashes implemented here, never from a library stream.
//!
//! Layout under `out_dir` (one cost account per top folder):
//! - `aws-cur2/cur2/acme-cur2/data/BILLING_PERIOD=YYYY-MM/acme-cur2-00001.snappy.parquet`
//!   and `.../metadata/BILLING_PERIOD=YYYY-MM/acme-cur2-Manifest.json` (AWS Data Exports);
//! - `aws-cur-legacy/cur/globex-daily/YYYYMMDD-YYYYMMDD/<assembly>/globex-daily-1.csv.gz`
//!   and `.../YYYYMMDD-YYYYMMDD/globex-daily-Manifest.json` (legacy CUR);
//! - `azure-ea/{actual,amortized}/YYYYMMDD-YYYYMMDD/<export>_<guid>.csv` (Cost Management exports);
//! - `gcp-billing/gcp_billing_export_resource_v1_<ACCOUNT>_YYYYMM.jsonl` (BigQuery export rows).

mod aws;
mod azure;
mod calendar;
mod fleet;
mod gcp;
mod money;
mod rng;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

pub use calendar::MONTHS;

/// Default number of line items for `skyledger demo`.
pub const DEFAULT_ROWS: u64 = 300_000;

/// Which exports to write. The row budget is shared among the selected ones in proportion
/// AWS CUR 2.0 35 : AWS legacy CUR 25 : Azure (both files) 25 : Google Cloud 15.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Formats {
    /// AWS Data Exports CUR 2.0, Parquet (cost account `acme-aws`).
    pub aws_cur2: bool,
    /// AWS legacy Cost and Usage Report, csv.gz (cost account `globex-aws`).
    pub aws_legacy: bool,
    /// Azure EA actual and amortized cost exports, CSV (cost account `contoso-azure`).
    pub azure: bool,
    /// Google Cloud detailed billing export rows, JSONL (cost account `initech-gcp`).
    pub gcp: bool,
}

impl Formats {
    pub const ALL: Formats = Formats {
        aws_cur2: true,
        aws_legacy: true,
        azure: true,
        gcp: true,
    };
    pub const NONE: Formats = Formats {
        aws_cur2: false,
        aws_legacy: false,
        azure: false,
        gcp: false,
    };
    pub const AWS_CUR2: Formats = Formats {
        aws_cur2: true,
        ..Formats::NONE
    };
    pub const AWS_LEGACY: Formats = Formats {
        aws_legacy: true,
        ..Formats::NONE
    };
    pub const AZURE: Formats = Formats {
        azure: true,
        ..Formats::NONE
    };
    pub const GCP: Formats = Formats {
        gcp: true,
        ..Formats::NONE
    };

    fn weights(&self) -> [u64; 4] {
        [
            if self.aws_cur2 { 35 } else { 0 },
            if self.aws_legacy { 25 } else { 0 },
            if self.azure { 25 } else { 0 },
            if self.gcp { 15 } else { 0 },
        ]
    }
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DemoSpec {
    pub seed: u64,
    /// Total line items across all selected formats. Each format receives its share within
    /// 1% (plus at most a few hundred month-end rows) once its share is at least 5,000 rows.
    pub rows: u64,
    /// Last billing month generated, (year, month 1–12); the CLI passes the last complete month.
    pub end_month: (i32, u32),
    pub formats: Formats,
}

impl DemoSpec {
    /// All formats, [`DEFAULT_ROWS`] rows.
    pub fn new(seed: u64, end_month: (i32, u32)) -> Self {
        DemoSpec {
            seed,
            rows: DEFAULT_ROWS,
            end_month,
            formats: Formats::ALL,
        }
    }

    /// This spec as one spec per selected format, each with the rows [`generate`] gives that
    /// format: generating them one by one writes the same files as generating this spec (so a
    /// caller can ingest and delete each format's exports before writing the next).
    pub fn per_format(&self) -> Vec<DemoSpec> {
        let weights = self.formats.weights();
        let total_w: u64 = weights.iter().sum();
        if total_w == 0 {
            return vec![];
        }
        let mut shares: Vec<u64> = weights.iter().map(|w| self.rows * w / total_w).collect();
        let rest = self.rows - shares.iter().sum::<u64>();
        if let Some(i) = weights.iter().position(|&w| w > 0) {
            shares[i] += rest;
        }
        let single = [
            Formats::AWS_CUR2,
            Formats::AWS_LEGACY,
            Formats::AZURE,
            Formats::GCP,
        ];
        (0..4)
            .filter(|&i| weights[i] > 0)
            .map(|i| DemoSpec {
                rows: shares[i],
                formats: single[i],
                ..*self
            })
            .collect()
    }
}

/// The last complete month before `today`, (year, month): what `skyledger demo` passes as
/// [`DemoSpec::end_month`].
pub fn last_complete_month(today: NaiveDate) -> (i32, u32) {
    use chrono::Datelike;
    let prev = calendar::first_of_month(today).pred_opt().unwrap_or(today);
    (prev.year(), prev.month())
}

/// Exact sums of one file's columns, as written, and its row count per line-item/charge type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileTotals {
    /// Column name as it appears in the file (e.g. `lineItem/UnblendedCost`,
    /// `line_item_unblended_cost`, `Cost`, `cost`, `credits.amount`) → sum. The key
    /// `EffectiveCost` (AWS) is the amortized cost by the FOCUS rule of the focus_converters
    /// AWS mapping (SavingsPlanCoveredUsage → SP effective cost, DiscountedUsage → RI effective
    /// cost, RIFee → unused fees, SavingsPlanRecurringFee → unused commitment, negation and
    /// RI upfront Fee → 0, else unblended cost).
    pub sums: BTreeMap<String, Decimal>,
    /// `lineItem/LineItemType` (AWS), `ChargeType` (Azure) or `cost_type` (GCP) → rows.
    pub rows_by_type: BTreeMap<String, u64>,
}

/// One data file written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GeneratedFile {
    pub path: PathBuf,
    /// `aws-cur2-parquet`, `aws-cur-csv-gz`, `azure-ea-actual-csv`, `azure-ea-amortized-csv`
    /// or `gcp-billing-jsonl`.
    pub format: &'static str,
    pub rows: u64,
    /// The cost account (billing source) the file belongs to.
    pub cost_account_name: String,
    /// Billing period (year, month).
    pub billing_period: (i32, u32),
    /// The delivery manifest describing this file, where the provider writes one.
    pub manifest: Option<PathBuf>,
    pub totals: FileTotals,
}

/// One billing source of the demo (a Skyledger cost account).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoCostAccount {
    pub name: String,
    /// `AWS`, `Azure` or `GCP`.
    pub provider: &'static str,
    /// The payer account id, EA enrollment number or GCP billing account id.
    pub billing_account_id: String,
    /// Folder holding all of this account's exports (what an ingest source points at).
    pub root: PathBuf,
    /// The linked accounts, subscriptions or projects seen in its data: (id, name).
    pub sub_accounts: Vec<(String, String)>,
}

/// A spike injected on purpose: `service` usage in one linked account/subscription/project was
/// multiplied by `factor` from `start` to `end` inclusive.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InjectedAnomaly {
    pub provider: &'static str,
    pub cost_account_name: String,
    /// The linked account id, subscription GUID or project id.
    pub sub_account_id: String,
    /// As the provider names the service in the file: AWS `lineItem/ProductCode`, Azure
    /// `MeterCategory`, GCP `service.description`.
    pub service: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub factor: f64,
    /// Sum of the primary cost column (AWS unblended, Azure actual `Cost`, GCP `cost`) of the
    /// service in that sub-account over the window, as written.
    pub cost: Decimal,
    /// The same rows' cost without the spike.
    pub baseline_cost: Decimal,
}

/// Everything [`generate`] wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemoOutput {
    pub files: Vec<GeneratedFile>,
    pub cost_accounts: Vec<DemoCostAccount>,
    pub anomalies: Vec<InjectedAnomaly>,
    /// `demo-anomalies.json`: the anomalies, for later checks of the detector.
    pub anomalies_path: PathBuf,
}

impl DemoOutput {
    /// Rows over all files.
    pub fn rows(&self) -> u64 {
        self.files.iter().map(|f| f.rows).sum()
    }
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("end_month {year}-{month:02} is not a month")]
    BadMonth { year: i32, month: u32 },
    #[error("no format selected")]
    NoFormat,
    #[error("writing {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("writing {path}: {source}")]
    Csv { path: PathBuf, source: csv::Error },
    #[error("writing {path}: {source}")]
    Parquet {
        path: PathBuf,
        source: parquet::errors::ParquetError,
    },
    #[error("building the Arrow batch for {path}: {source}")]
    Arrow {
        path: PathBuf,
        source: arrow_schema::ArrowError,
    },
    #[error("writing {path}: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> DemoError + '_ {
    move |source| DemoError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Reports rows written so far (over all formats) to the caller's callback.
pub(crate) struct Progress<'a> {
    f: &'a dyn Fn(u64),
    base: u64,
    last: u64,
}

impl Progress<'_> {
    /// Called by generators with their own running row count.
    pub(crate) fn tick(&mut self, stream_rows: u64) {
        let total = self.base + stream_rows;
        if total >= self.last + 65_536 {
            self.last = total;
            (self.f)(total);
        }
    }
}

/// What one provider's generator returns.
pub(crate) struct StreamOutput {
    pub(crate) files: Vec<GeneratedFile>,
    pub(crate) account: DemoCostAccount,
    pub(crate) anomalies: Vec<InjectedAnomaly>,
}

/// Writes the selected exports under `out_dir` (created if missing). `progress` receives the
/// number of rows written so far, about every 65,536 rows and once at the end.
pub fn generate(
    spec: &DemoSpec,
    out_dir: &Path,
    progress: &dyn Fn(u64),
) -> Result<DemoOutput, DemoError> {
    let (year, month) = spec.end_month;
    let end = NaiveDate::from_ymd_opt(year, month, 1).ok_or(DemoError::BadMonth { year, month })?;
    let weights = spec.formats.weights();
    let total_w: u64 = weights.iter().sum();
    if total_w == 0 {
        return Err(DemoError::NoFormat);
    }
    std::fs::create_dir_all(out_dir).map_err(io_err(out_dir))?;
    let cal = calendar::Calendar::ending(end);
    // Split the budget exactly: shares by weight, the remainder to the first selected format.
    let mut parts = spec.per_format().into_iter().map(|p| p.rows);
    let shares: Vec<u64> = weights
        .iter()
        .map(|&w| if w > 0 { parts.next().unwrap_or(0) } else { 0 })
        .collect();
    let mut p = Progress {
        f: progress,
        base: 0,
        last: 0,
    };
    let mut out = DemoOutput {
        files: vec![],
        cost_accounts: vec![],
        anomalies: vec![],
        anomalies_path: out_dir.join("demo-anomalies.json"),
    };
    let mut absorb = |s: StreamOutput, p: &mut Progress| {
        p.base += s.files.iter().map(|f| f.rows).sum::<u64>();
        out.files.extend(s.files);
        out.cost_accounts.push(s.account);
        out.anomalies.extend(s.anomalies);
    };
    if weights[0] > 0 {
        let s = aws::generate(
            spec.seed,
            aws::Flavour::Cur2,
            &cal,
            shares[0],
            out_dir,
            &mut p,
        )?;
        absorb(s, &mut p);
    }
    if weights[1] > 0 {
        let s = aws::generate(
            spec.seed,
            aws::Flavour::Legacy,
            &cal,
            shares[1],
            out_dir,
            &mut p,
        )?;
        absorb(s, &mut p);
    }
    if weights[2] > 0 {
        let s = azure::generate(spec.seed, &cal, shares[2], out_dir, &mut p)?;
        absorb(s, &mut p);
    }
    if weights[3] > 0 {
        let s = gcp::generate(spec.seed, &cal, shares[3], out_dir, &mut p)?;
        absorb(s, &mut p);
    }
    progress(out.rows());
    let json = serde_json::to_vec_pretty(&out.anomalies).map_err(|source| DemoError::Json {
        path: out.anomalies_path.clone(),
        source,
    })?;
    std::fs::write(&out.anomalies_path, json).map_err(io_err(&out.anomalies_path))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_format_specs_split_the_rows_as_generate_does() {
        let spec = DemoSpec {
            rows: 1_000_003,
            ..DemoSpec::new(7, (2026, 10))
        };
        let parts = spec.per_format();
        let rows: Vec<u64> = parts.iter().map(|p| p.rows).collect();
        // 35 : 25 : 25 : 15, the remainder to the first.
        assert_eq!(rows, vec![350_003, 250_000, 250_000, 150_000]);
        assert_eq!(rows.iter().sum::<u64>(), spec.rows);
        assert_eq!(parts[2].formats, Formats::AZURE);
        assert!(
            parts
                .iter()
                .all(|p| p.seed == 7 && p.end_month == (2026, 10))
        );
        let none = DemoSpec {
            formats: Formats::NONE,
            ..spec
        };
        assert!(none.per_format().is_empty());
    }

    #[test]
    fn last_complete_month_is_the_previous_one() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(last_complete_month(d(2026, 11, 27)), (2026, 10));
        assert_eq!(last_complete_month(d(2027, 1, 1)), (2026, 12));
    }
}
