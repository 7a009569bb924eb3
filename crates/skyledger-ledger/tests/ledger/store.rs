//! Atomic period replacement, failures that change nothing, garbage collection.

use chrono::Datelike;
use skyledger_ledger::{CostQuery, DateRange, Dimension, LedgerError, Periods, batches_of};

use crate::common::*;

async fn total(ledger: &skyledger_ledger::Ledger, from: &str, to: &str) -> rust_decimal::Decimal {
    let q = CostQuery::new(DateRange::new(date(from), date(to)).unwrap());
    let t = ledger.query(&q).await.unwrap();
    assert_eq!(t.rows.len(), 1);
    t.rows[0].cost
}

fn files_under(dir: &std::path::Path) -> Vec<String> {
    let mut out = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                out.push(e.path().strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn replacing_a_period_swaps_all_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = open(dir.path()).await;
    let schema = ledger.schema().clone();
    let v1 = rows(1, 5_000, date("2025-03-01"), 31);
    let v2 = rows(2, 3_000, date("2025-03-01"), 31);

    let c1 = ledger
        .replace_period(
            "33240000000059001",
            period("2025-03"),
            batches_of(batches(&schema, &v1, 700)),
        )
        .await
        .unwrap();
    assert_eq!(c1.rows, 5_000);
    let expected_v1 = sums(&v1, |_| Some(())).remove(&()).unwrap();
    assert_eq!(
        total(&ledger, "2025-03-01", "2025-03-31").await,
        expected_v1
    );

    let c2 = ledger
        .replace_period(
            "33240000000059001",
            period("2025-03"),
            batches_of(batches(&schema, &v2, 999)),
        )
        .await
        .unwrap();
    assert_ne!(c1.version, c2.version);
    let expected_v2 = sums(&v2, |_| Some(())).remove(&()).unwrap();
    assert_eq!(
        total(&ledger, "2025-03-01", "2025-03-31").await,
        expected_v2
    );
    let periods = ledger.periods().await.unwrap();
    assert_eq!(periods.len(), 1);
    assert_eq!(periods[0].version, c2.version);
    assert_eq!(periods[0].rows, 3_000);

    // Once history no longer holds v1, garbage collection deletes exactly its files.
    let mut opts = options();
    opts.keep_versions = 1;
    let reopened = skyledger_ledger::Ledger::open(dir.path().to_str().unwrap(), opts)
        .await
        .unwrap();
    let left = files_under(&dir.path().join("cost"));
    assert!(!left.is_empty());
    assert!(left.iter().all(|f| f.contains(&c2.version)), "{left:?}");
    assert_eq!(
        total(&reopened, "2025-03-01", "2025-03-31").await,
        expected_v2
    );
}

/// A process killed mid-write leaves object_store's staging file (`part-….parquet#<n>`) that
/// store listings never show; GC removes it (after the grace period) with its directory.
#[tokio::test]
async fn staging_files_of_an_interrupted_write_are_collected() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = open(dir.path()).await;
    let schema = ledger.schema().clone();
    let v1 = rows(5, 1_000, date("2025-05-01"), 31);
    let c1 = ledger
        .replace_period(
            "acc1",
            period("2025-05"),
            batches_of(batches(&schema, &v1, 500)),
        )
        .await
        .unwrap();
    let period_dir = dir
        .path()
        .join("cost/cost_account=acc1/billing_period=2025-05");
    let orphan = period_dir.join("20250101T000000.000Z-deadbeef");
    std::fs::create_dir_all(&orphan).unwrap();
    std::fs::write(orphan.join("part-00000.parquet#3"), b"half a parquet file").unwrap();
    let kept = files_under(&dir.path().join("cost"));

    // Within the grace period an in-flight write is left alone.
    let mut patient = options();
    patient.gc_grace = std::time::Duration::from_secs(3600);
    let l = skyledger_ledger::Ledger::open(dir.path().to_str().unwrap(), patient)
        .await
        .unwrap();
    assert_eq!(l.gc().await.unwrap().deleted_files, 0);
    assert_eq!(files_under(&dir.path().join("cost")), kept);

    let report = ledger.gc().await.unwrap();
    assert_eq!(report.deleted_files, 1);
    assert_eq!(report.deleted_bytes, 19);
    assert!(!orphan.exists(), "the emptied version directory is removed");
    let left = files_under(&dir.path().join("cost"));
    assert!(!left.is_empty());
    assert!(left.iter().all(|f| f.contains(&c1.version)), "{left:?}");
    assert_eq!(
        total(&ledger, "2025-05-01", "2025-05-31").await,
        sums(&v1, |_| Some(())).remove(&()).unwrap()
    );
}

#[tokio::test]
async fn a_failing_source_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = open(dir.path()).await;
    let schema = ledger.schema().clone();
    let v1 = rows(3, 2_000, date("2025-04-01"), 30);
    ledger
        .replace_period(
            "acc1",
            period("2025-04"),
            batches_of(batches(&schema, &v1, 500)),
        )
        .await
        .unwrap();
    let before = files_under(dir.path());

    let mut bad = batches(&schema, &rows(4, 4_000, date("2025-04-01"), 30), 500);
    bad.insert(5, Err(std::io::Error::other("disk on fire")));
    let err = ledger
        .replace_period("acc1", period("2025-04"), batches_of(bad))
        .await
        .unwrap_err();
    assert!(matches!(err, LedgerError::Source { batch: 5, .. }), "{err}");
    assert!(err.to_string().contains("disk on fire"));
    assert_eq!(files_under(dir.path()), before, "written parts are removed");
    assert_eq!(
        total(&ledger, "2025-04-01", "2025-04-30").await,
        sums(&v1, |_| Some(())).remove(&()).unwrap()
    );
}

#[tokio::test]
async fn rows_of_another_period_are_rejected_with_their_position() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = open(dir.path()).await;
    let schema = ledger.schema().clone();
    let mut r = rows(5, 10, date("2025-05-01"), 10);
    r[7].day = date("2025-06-02");
    let err = ledger
        .replace_period(
            "acc1",
            period("2025-05"),
            batches_of(batches(&schema, &r, 4)),
        )
        .await
        .unwrap_err();
    match err {
        LedgerError::PeriodMismatch {
            batch,
            row,
            expected,
            found,
        } => {
            assert_eq!((batch, row), (1, 3));
            assert_eq!((expected.as_str(), found.as_str()), ("2025-05", "2025-06"));
        }
        other => panic!("{other}"),
    }
    assert!(ledger.periods().await.unwrap().is_empty());
    assert!(
        files_under(dir.path())
            .iter()
            .all(|f| f.starts_with("_manifest"))
    );
}

#[tokio::test]
async fn bad_batches_name_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = open(dir.path()).await;
    let schema = ledger.schema().clone();
    let good = batch(&schema, &rows(6, 5, date("2025-05-01"), 3));
    let mut extra_fields: Vec<_> = schema.fields().iter().cloned().collect();
    extra_fields.push(std::sync::Arc::new(
        datafusion::arrow::datatypes::Field::new(
            "Surprise",
            datafusion::arrow::datatypes::DataType::Utf8,
            true,
        ),
    ));
    let mut cols = good.columns().to_vec();
    cols.push(datafusion::arrow::array::new_null_array(
        &datafusion::arrow::datatypes::DataType::Utf8,
        5,
    ));
    let extra = datafusion::arrow::array::RecordBatch::try_new(
        std::sync::Arc::new(datafusion::arrow::datatypes::Schema::new(extra_fields)),
        cols,
    )
    .unwrap();
    let err = ledger
        .replace_period(
            "acc1",
            period("2025-05"),
            batches_of([Ok::<_, std::io::Error>(extra)]),
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("unknown column \"Surprise\""),
        "{err}"
    );
    let err = ledger
        .replace_period(
            "bad/id",
            period("2025-05"),
            batches_of([Ok::<_, std::io::Error>(good)]),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, LedgerError::InvalidCostAccount(_)), "{err}");
}

#[tokio::test]
async fn one_ingest_commits_several_periods_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = open(dir.path()).await;
    let schema = ledger.schema().clone();
    let r = rows(7, 6_000, date("2025-01-01"), 90);
    let commit = ledger
        .replace_periods(
            "acc1",
            Periods::Seen,
            batches_of(batches(&schema, &r, 1_000)),
        )
        .await
        .unwrap();
    assert_eq!(
        commit
            .periods
            .iter()
            .map(|p| p.billing_period.to_string())
            .collect::<Vec<_>>(),
        ["2025-01", "2025-02", "2025-03"]
    );
    assert_eq!(
        ledger.snapshot().await.unwrap().version,
        commit.manifest_version
    );
    assert_eq!(commit.periods.iter().map(|p| p.rows).sum::<u64>(), 6_000);

    let mut q = CostQuery::new(DateRange::new(date("2025-01-01"), date("2025-03-31")).unwrap());
    q.granularity = Some(skyledger_ledger::Granularity::Month);
    let got: Vec<_> = ledger
        .query(&q)
        .await
        .unwrap()
        .rows
        .into_iter()
        .map(|r| (r.period_start.unwrap(), r.cost))
        .collect();
    let want: Vec<_> = sums(&r, |r| Some(r.day.with_day0(0).unwrap()))
        .into_iter()
        .collect();
    assert_eq!(got, want);

    // AtLeast empties a listed period the data no longer has.
    let jan_only: Vec<_> = r
        .iter()
        .filter(|r| r.day < date("2025-02-01"))
        .cloned()
        .collect();
    ledger
        .replace_periods(
            "acc1",
            Periods::AtLeast(vec![period("2025-02")]),
            batches_of(batches(&schema, &jan_only, 1_000)),
        )
        .await
        .unwrap();
    let feb = ledger
        .periods()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.billing_period == period("2025-02"))
        .unwrap();
    assert_eq!(feb.rows, 0);
    assert_eq!(
        total(&ledger, "2025-01-01", "2025-03-31").await,
        sums(&r, |r| (r.day < date("2025-02-01")
            || r.day >= date("2025-03-01"))
        .then_some(()))
        .remove(&())
        .unwrap()
    );
}

#[tokio::test]
async fn deleting_a_cost_account_removes_only_its_periods() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = open(dir.path()).await;
    let schema = ledger.schema().clone();
    let a = rows(8, 1_000, date("2025-01-01"), 31);
    let b = rows(9, 1_000, date("2025-01-01"), 31);
    for (id, r) in [("a", &a), ("b", &b)] {
        ledger
            .replace_period(id, period("2025-01"), batches_of(batches(&schema, r, 400)))
            .await
            .unwrap();
    }
    let mut q = CostQuery::new(DateRange::new(date("2025-01-01"), date("2025-01-31")).unwrap());
    q.group_by = vec![Dimension::CostAccount];
    let t = ledger.query(&q).await.unwrap();
    assert_eq!(t.rows.len(), 2);
    assert_eq!(t.rows[0].keys, [Some("a".to_string())]);
    assert_eq!(t.rows[0].cost, sums(&a, |_| Some(())).remove(&()).unwrap());
    assert!(!ledger.delete_period("b", period("2025-02")).await.unwrap());
    assert_eq!(ledger.delete_cost_account("a").await.unwrap(), 1);
    assert_eq!(ledger.delete_cost_account("a").await.unwrap(), 0);
    let t = ledger.query(&q).await.unwrap();
    assert_eq!(t.rows.len(), 1);
    assert_eq!(t.rows[0].keys, [Some("b".to_string())]);
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_writers_both_commit() {
    let dir = tempfile::tempdir().unwrap();
    let one = open(dir.path()).await;
    let two = open(dir.path()).await;
    let schema = one.schema().clone();
    let jan = rows(41, 3_000, date("2025-01-01"), 31);
    let feb = rows(42, 3_000, date("2025-02-01"), 28);
    // Several rounds so the commits really race.
    for _ in 0..4 {
        let (a, b) = tokio::join!(
            one.replace_period(
                "acc",
                period("2025-01"),
                batches_of(batches(&schema, &jan, 500))
            ),
            two.replace_period(
                "acc",
                period("2025-02"),
                batches_of(batches(&schema, &feb, 500))
            ),
        );
        a.unwrap();
        b.unwrap();
        assert_eq!(one.periods().await.unwrap().len(), 2);
    }
    let all: Vec<Row> = jan.iter().chain(feb.iter()).cloned().collect();
    assert_eq!(
        total(&two, "2025-01-01", "2025-02-28").await,
        sums(&all, |_| Some(())).remove(&()).unwrap()
    );
    assert_eq!(one.snapshot().await.unwrap().version, 8);
}

/// `x_SourceLine` is delta encoded (it counts up by one in a delivery); every line number,
/// including jumps back and gaps between files, reads back exactly through another engine's
/// path (the Parquet files read on their own, outside the ledger).
#[tokio::test]
async fn source_lines_are_delta_encoded_and_read_back_exactly() {
    use datafusion::arrow::array::{Array, AsArray, RecordBatch, UInt64Array};
    use datafusion::arrow::datatypes::UInt64Type;
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let ledger = open(dir.path()).await;
    let schema = ledger.schema().clone();
    let v = rows(7, 3_000, date("2025-04-01"), 30);
    let lines: Vec<u64> = (0..v.len() as u64)
        .map(|i| match i {
            0..1000 => i + 1,
            1000..2000 => 5_000_000_000 + i,
            _ => 3_000 - i,
        })
        .collect();
    let line_col = schema.index_of("x_SourceLine").unwrap();
    let with_lines: Vec<Result<RecordBatch, std::io::Error>> = v
        .chunks(700)
        .zip(lines.chunks(700))
        .map(|(r, l)| {
            let mut cols = batch(&schema, r).columns().to_vec();
            cols[line_col] = Arc::new(UInt64Array::from(l.to_vec()));
            Ok(RecordBatch::try_new(schema.clone(), cols).unwrap())
        })
        .collect();
    ledger
        .replace_period(
            "33240000000059001",
            period("2025-04"),
            batches_of(with_lines),
        )
        .await
        .unwrap();

    let mut got = Vec::new();
    for f in files_under(dir.path()) {
        if !(f.contains("/part-") && f.ends_with(".parquet")) {
            continue;
        }
        let file = std::fs::File::open(dir.path().join(&f)).unwrap();
        let reader =
            parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
        let meta = reader.metadata().clone();
        for rg in meta.row_groups() {
            let c = rg
                .columns()
                .iter()
                .find(|c| c.column_path().string() == "x_SourceLine")
                .unwrap();
            assert!(
                c.encodings()
                    .any(|e| e == parquet::basic::Encoding::DELTA_BINARY_PACKED),
                "x_SourceLine encodings: {:?}",
                c.encodings().collect::<Vec<_>>()
            );
        }
        for b in reader.build().unwrap() {
            let b = b.unwrap();
            let a = b.column_by_name("x_SourceLine").unwrap();
            assert_eq!(a.null_count(), 0);
            got.extend(a.as_primitive::<UInt64Type>().values().iter().copied());
        }
    }
    let mut want = lines;
    want.sort_unstable();
    got.sort_unstable();
    assert_eq!(got, want);
}
