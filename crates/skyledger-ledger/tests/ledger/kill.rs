//! kill -9 of an ingesting process at many points: the previous period stays served, the store
//! stays consistent, and the next open collects the orphaned files.

use std::collections::BTreeSet;
use std::process::Command;
use std::time::{Duration, Instant};

use skyledger_ledger::{CostQuery, DateRange, Ledger, batches_of};

use crate::common::*;

const CHILD_DIR: &str = "SKYLEDGER_LEDGER_TEST_KILL_DIR";
const CHILD_BATCHES: usize = 60;
const CHILD_BATCH_ROWS: usize = 5_000;

fn child_rows() -> Vec<Row> {
    rows(22, CHILD_BATCHES * CHILD_BATCH_ROWS, date("2025-06-01"), 30)
}

/// The child process: ingests a large replacement of 2025-06 (only when started by the test
/// below, which kills it).
#[tokio::test(flavor = "multi_thread")]
#[ignore = "child process of kill_9_during_ingest_keeps_the_store_consistent"]
async fn child_ingest() {
    let Ok(dir) = std::env::var(CHILD_DIR) else {
        return;
    };
    let mut opts = options();
    opts.gc_on_open = false;
    opts.file_rows = 20_000;
    opts.row_group_rows = 10_000;
    let ledger = Ledger::open(&dir, opts).await.unwrap();
    let schema = ledger.schema().clone();
    let rows = child_rows();
    ledger
        .replace_period(
            "acc",
            period("2025-06"),
            batches_of(batches(&schema, &rows, CHILD_BATCH_ROWS)),
        )
        .await
        .unwrap();
    println!("child committed");
}

async fn total(ledger: &Ledger) -> rust_decimal::Decimal {
    let q = CostQuery::new(DateRange::new(date("2025-06-01"), date("2025-06-30")).unwrap());
    ledger.query(&q).await.unwrap().rows[0].cost
}

fn version_dirs(root: &std::path::Path) -> BTreeSet<String> {
    let dir = root.join("cost/cost_account=acc/billing_period=2025-06");
    std::fs::read_dir(dir)
        .map(|it| {
            it.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Finished part files outside the `committed` version directories.
fn part_files(root: &std::path::Path, committed: &BTreeSet<String>) -> usize {
    let dir = root.join("cost/cost_account=acc/billing_period=2025-06");
    version_dirs(root)
        .into_iter()
        .filter(|v| !committed.contains(v))
        .map(|v| {
            std::fs::read_dir(dir.join(v))
                .map(|it| {
                    it.flatten()
                        .filter(|e| {
                            let n = e.file_name().to_string_lossy().into_owned();
                            n.starts_with("part-") && n.ends_with(".parquet")
                        })
                        .count()
                })
                .unwrap_or(0)
        })
        .sum()
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_during_ingest_keeps_the_store_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = options();
    opts.gc_on_open = false;
    let reader = Ledger::open(dir.path().to_str().unwrap(), opts.clone())
        .await
        .unwrap();
    let schema = reader.schema().clone();
    let old_rows = rows(21, 3_000, date("2025-06-01"), 30);
    let old = sums(&old_rows, |_| Some(())).remove(&()).unwrap();
    let new = sums(&child_rows(), |_| Some(())).remove(&()).unwrap();
    assert_ne!(old, new);

    let mut killed_mid_write = 0;
    let mut committed = 0;
    let mut bases = BTreeSet::new();
    // Kill once the child has finished this many part files (of 15; then it writes the rollup
    // and commits); `None`: let it finish.
    for threshold in [Some(0), Some(1), Some(4), Some(8), Some(12), Some(15), None] {
        // Start every round from the old data.
        let base = reader
            .replace_period(
                "acc",
                period("2025-06"),
                batches_of(batches(&schema, &old_rows, 1_000)),
            )
            .await
            .unwrap();
        bases.insert(base.version.clone());
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--ignored",
                "--exact",
                "kill::child_ingest",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_DIR, dir.path())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Read while the child writes: always a whole period, old or new.
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut finished = false;
        loop {
            let t = total(&reader).await;
            assert!(t == old || t == new, "a reader saw a partial period: {t}");
            if child.try_wait().unwrap().is_some() {
                finished = true;
                break;
            }
            let parts = part_files(dir.path(), &bases);
            if threshold.is_some_and(|n| parts >= n) {
                break;
            }
            assert!(Instant::now() < deadline, "child made no progress");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        if !finished {
            child.kill().unwrap(); // SIGKILL
        }
        let status = child.wait().unwrap();
        if finished {
            assert!(status.success(), "child failed: {status}");
        }

        let t = total(&reader).await;
        let current = reader.periods().await.unwrap();
        assert_eq!(current.len(), 1);
        if t == old {
            assert_eq!(current[0].version, base.version);
            assert!(
                !finished,
                "the child ran to completion but its period is not served"
            );
        } else {
            assert_eq!(t, new, "after kill at {threshold:?} parts");
            committed += 1;
        }
        // Garbage collection keeps every committed version in history and removes the rest.
        let report = reader.gc().await.unwrap();
        let dirs = version_dirs(dir.path());
        assert!(dirs.contains(&current[0].version));
        if t == old && report.deleted_files > 0 {
            killed_mid_write += 1;
        }
        bases.insert(current[0].version.clone());
        assert_eq!(part_files(dir.path(), &bases), 0, "orphans collected");
        // Including the staging file of a part the kill interrupted: no other version is left.
        let stray: Vec<_> = version_dirs(dir.path())
            .difference(&bases)
            .cloned()
            .collect();
        assert!(stray.is_empty(), "uncommitted versions left: {stray:?}");
        let fresh = Ledger::open(dir.path().to_str().unwrap(), opts.clone())
            .await
            .unwrap();
        assert_eq!(total(&fresh).await, t);
        if finished {
            break;
        }
    }
    assert!(
        killed_mid_write >= 4,
        "too few kills landed mid-write ({killed_mid_write})"
    );
    // The last child runs to completion and commits; a child killed once all its parts were
    // written may have committed just before the signal (a whole period either way).
    assert!(committed >= 1, "no child committed");

    // After all the kills, only committed versions remain on disk.
    let mut o = options();
    o.keep_versions = 1;
    let l = Ledger::open(dir.path().to_str().unwrap(), o).await.unwrap();
    let current = l.periods().await.unwrap();
    assert_eq!(
        version_dirs(dir.path()),
        BTreeSet::from([current[0].version.clone()])
    );
    assert_eq!(total(&l).await, new);
}
