//! Ingestion end to end: a real AWS CUR sample through the reader, the cost store and the
//! metadata store; duplicates; a broken delivery that must change nothing.

mod azure_pair;
mod emulated_sources;
mod sources;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use rust_decimal::Decimal;
use skyledger_core::ingestion::{IngestFailure, IngestRequest, ingest};
use skyledger_ledger::{CostQuery, DateRange, Ledger, LedgerOptions};
use skyledger_meta::Meta;
use skyledger_types::cost_row::CostType;

/// The AWS legacy CUR sample (1,281 rows) and its golden unblended sum from
/// `shared/data/README.md`.
const GOLDEN_UNBLENDED: &str = "1.68230869740";

fn cur_sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../skyledger-ingest/tests/fixtures/aws/cur-legacy-sample-anonymous-aws-export-dataset.csv",
    )
}

struct Stores {
    meta: Meta,
    ledger: Ledger,
    org: String,
    dir: tempfile::TempDir,
}

async fn stores() -> Stores {
    let dir = tempfile::tempdir().unwrap();
    let meta = Meta::connect(&Meta::sqlite_url(dir.path())).await.unwrap();
    meta.migrate().await.unwrap();
    let org = meta.default_org("Test", "UTC").await.unwrap().id;
    let location = dir.path().join("cost").display().to_string();
    let ledger = Ledger::open(&location, LedgerOptions::default())
        .await
        .unwrap();
    Stores {
        meta,
        ledger,
        org,
        dir,
    }
}

fn request(org: &str, path: PathBuf, force: bool) -> IngestRequest {
    IngestRequest {
        org_id: org.to_string(),
        path,
        account_name: Some("Payer".into()),
        format: None,
        skip_bad_rows: false,
        force,
    }
}

async fn stored_unblended(s: &Stores, account: &str) -> Decimal {
    let range = DateRange::new(
        chrono::NaiveDate::from_ymd_opt(2023, 11, 1).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2023, 11, 30).unwrap(),
    )
    .unwrap();
    let mut query = CostQuery::new(range);
    query.cost_accounts = vec![account.to_string()];
    query.cost_type = CostType::Unblended;
    let table = s.ledger.query(&query).await.unwrap();
    table.rows.iter().map(|r| r.cost).sum()
}

fn noop() -> Arc<dyn Fn(skyledger_core::ingestion::Progress) + Send + Sync> {
    Arc::new(|_| {})
}

#[tokio::test]
async fn cur_sample_lands_with_its_golden_sum_and_accounts() {
    let s = stores().await;
    let summary = ingest(
        &s.meta,
        &s.ledger,
        &request(&s.org, cur_sample(), false),
        noop(),
    )
    .await
    .unwrap();
    assert_eq!(summary.rows, 1281);
    assert_eq!(summary.format, "aws_cur");
    assert_eq!(summary.cloud_type, 0);
    let periods: Vec<_> = summary
        .periods
        .iter()
        .map(|p| (p.billing_period.as_str(), p.rows))
        .collect();
    assert_eq!(periods, vec![("2023-11", 1281)]);
    let unblended = summary
        .totals
        .iter()
        .find(|t| t.cost_type == "unblended")
        .unwrap();
    assert_eq!(
        Decimal::from_str(&unblended.amount).unwrap(),
        Decimal::from_str(GOLDEN_UNBLENDED).unwrap()
    );
    assert_eq!(
        stored_unblended(&s, &summary.cost_account_id).await,
        Decimal::from_str(GOLDEN_UNBLENDED).unwrap()
    );
    let accounts = s.meta.cost_accounts(&s.org).await.unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].name, "Payer");
    assert!(accounts[0].last_processed_at.is_some());
    let billing = s
        .meta
        .billing_accounts(&s.org, &accounts[0].id)
        .await
        .unwrap();
    assert_eq!(billing.len(), 1, "the sample has one usage account");
    let jobs = s.meta.ingest_jobs(&s.org, 5).await.unwrap();
    assert_eq!(jobs[0].status, "succeeded");
}

#[tokio::test]
async fn an_unchanged_delivery_is_skipped_and_force_replaces_without_doubling() {
    let s = stores().await;
    let first = ingest(
        &s.meta,
        &s.ledger,
        &request(&s.org, cur_sample(), false),
        noop(),
    )
    .await
    .unwrap();
    let again = ingest(
        &s.meta,
        &s.ledger,
        &request(&s.org, cur_sample(), false),
        noop(),
    )
    .await
    .unwrap();
    assert!(again.skipped.as_deref().unwrap().contains("--force"));
    let forced = ingest(
        &s.meta,
        &s.ledger,
        &request(&s.org, cur_sample(), true),
        noop(),
    )
    .await
    .unwrap();
    assert_eq!(
        forced.cost_account_id, first.cost_account_id,
        "the same billing source"
    );
    assert_eq!(
        stored_unblended(&s, &first.cost_account_id).await,
        Decimal::from_str(GOLDEN_UNBLENDED).unwrap(),
        "a restated period replaces, never adds"
    );
}

#[tokio::test]
async fn a_broken_delivery_names_the_line_and_changes_nothing() {
    let s = stores().await;
    let first = ingest(
        &s.meta,
        &s.ledger,
        &request(&s.org, cur_sample(), false),
        noop(),
    )
    .await
    .unwrap();
    // The same delivery with one unreadable number on its 600th data line (a plain split may
    // land in a neighbouring column where cells hold quoted commas; any number column will do).
    let text = std::fs::read_to_string(cur_sample()).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "lineItem/UnblendedCost")
        .unwrap();
    let mut cells: Vec<String> = lines[600].split(',').map(str::to_string).collect();
    cells[col] = "12,5x".replace(',', "");
    lines[600] = cells.join(",");
    let broken = s.dir.path().join("broken-cur.csv");
    std::fs::write(&broken, lines.join("\n")).unwrap();

    let err = ingest(&s.meta, &s.ledger, &request(&s.org, broken, true), noop())
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(err, IngestFailure::Store(_) | IngestFailure::Read(_)),
        "{message}"
    );
    assert!(
        message.contains("broken-cur.csv:601:lineItem/"),
        "{message}"
    );
    assert_eq!(
        stored_unblended(&s, &first.cost_account_id).await,
        Decimal::from_str(GOLDEN_UNBLENDED).unwrap(),
        "the previous data is still served"
    );
    let jobs = s.meta.ingest_jobs(&s.org, 5).await.unwrap();
    assert_eq!(jobs[0].status, "failed");
    assert!(jobs[0].message.contains("601"));
}

#[tokio::test]
async fn an_empty_file_is_refused_and_no_account_is_created() {
    let s = stores().await;
    let empty = s.dir.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    let err = ingest(&s.meta, &s.ledger, &request(&s.org, empty, false), noop())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("empty"), "{err}");
    assert!(s.meta.cost_accounts(&s.org).await.unwrap().is_empty());
}
