//! Determinism, row counts, layout and the anomalies file.

use std::collections::BTreeMap;
use std::path::Path;

use skyledger_demo::{Formats, InjectedAnomaly, MONTHS};

use crate::{ROWS, run, shared, spec};

fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn same_seed_gives_identical_bytes_and_another_seed_differs() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let s = spec(11, 12_000, Formats::ALL);
    let out_a = run(&s, a.path());
    run(&s, b.path());
    run(&spec(12, 12_000, Formats::ALL), c.path());
    let (ta, tb, tc) = (tree(a.path()), tree(b.path()), tree(c.path()));
    assert!(ta.len() > 4 * MONTHS, "{} files", ta.len());
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (k, v) in &ta {
        assert!(
            v == &tb[k],
            "{k} differs between two runs with the same seed"
        );
    }
    let data: Vec<_> = out_a
        .files
        .iter()
        .map(|f| {
            f.path
                .strip_prefix(a.path())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let changed = data
        .iter()
        .filter(|k| tc.get(*k).is_none_or(|v| v != &ta[*k]))
        .count();
    assert_eq!(changed, data.len(), "every data file changes with the seed");
}

#[test]
fn generating_format_by_format_writes_the_same_files() {
    let (all, each) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let s = spec(5, 9_000, Formats::ALL);
    run(&s, all.path());
    let parts = s.per_format();
    assert_eq!(parts.len(), 4);
    let mut anomalies = 0;
    for part in &parts {
        anomalies += run(part, each.path()).anomalies.len();
    }
    let (ta, mut te) = (tree(all.path()), tree(each.path()));
    // Each run writes its own anomaly list; the data files are byte for byte the same.
    let list: Vec<serde_json::Value> = serde_json::from_slice(&ta["demo-anomalies.json"]).unwrap();
    assert_eq!(list.len(), anomalies);
    te.remove("demo-anomalies.json");
    let mut ta = ta;
    ta.remove("demo-anomalies.json");
    assert_eq!(ta.keys().collect::<Vec<_>>(), te.keys().collect::<Vec<_>>());
    for (k, v) in &ta {
        assert!(v == &te[k], "{k} differs");
    }
}

#[test]
fn rows_match_the_request_per_format() {
    let (_, out) = shared();
    let total = out.rows();
    assert!(
        total.abs_diff(ROWS) <= ROWS / 100,
        "{total} rows for {ROWS} requested"
    );
    let mut by = BTreeMap::<&str, u64>::new();
    for f in &out.files {
        *by.entry(f.format).or_default() += f.rows;
    }
    let want = [
        ("aws-cur2-parquet", ROWS * 35 / 100),
        ("aws-cur-csv-gz", ROWS * 25 / 100),
        ("azure-ea-actual-csv", ROWS * 25 / 200),
        ("azure-ea-amortized-csv", ROWS * 25 / 200),
        ("gcp-billing-jsonl", ROWS * 15 / 100),
    ];
    for (format, n) in want {
        let got = by[format];
        assert!(
            got.abs_diff(n) <= n / 50 + 2,
            "{format}: {got} rows, wanted about {n}"
        );
    }
    // One file per billing period and format.
    assert_eq!(out.files.len(), 5 * MONTHS);
}

#[test]
fn a_single_format_scales_with_rows() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&spec(3, 60_000, Formats::AWS_LEGACY), dir.path());
    assert!(out.files.iter().all(|f| f.format == "aws-cur-csv-gz"));
    assert!(out.rows().abs_diff(60_000) <= 600, "{}", out.rows());
    assert_eq!(out.cost_accounts.len(), 1);
    assert!(
        out.files
            .iter()
            .all(|f| f.manifest.as_ref().is_some_and(|m| m.exists()))
    );
}

#[test]
fn anomalies_are_described_and_visible_in_the_data() {
    let (_, out) = shared();
    assert!(
        (5..=8).contains(&out.anomalies.len()),
        "{}",
        out.anomalies.len()
    );
    let text = std::fs::read_to_string(&out.anomalies_path).unwrap();
    let parsed: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed.len(), out.anomalies.len());
    for a in &out.anomalies {
        let InjectedAnomaly {
            cost,
            baseline_cost,
            factor,
            start,
            end,
            ..
        } = a;
        assert!(start <= end);
        assert!(*baseline_cost > rust_decimal::Decimal::ZERO, "{a:?}");
        let ratio = (*cost / *baseline_cost).round_dp(1);
        let f = rust_decimal::Decimal::try_from(*factor)
            .unwrap()
            .round_dp(1);
        assert!(
            (ratio - f).abs() <= rust_decimal::Decimal::new(2, 1),
            "{a:?}: ratio {ratio}"
        );
        assert!(
            out.cost_accounts
                .iter()
                .any(|c| c.name == a.cost_account_name
                    && c.sub_accounts.iter().any(|s| s.0 == a.sub_account_id))
        );
    }
    for p in ["AWS", "Azure", "GCP"] {
        assert!(
            out.anomalies.iter().any(|a| a.provider == p),
            "no {p} anomaly"
        );
    }
}

#[test]
fn rejects_a_bad_month() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = spec(1, 1000, Formats::GCP);
    s.end_month = (2026, 13);
    assert!(skyledger_demo::generate(&s, dir.path(), &|_| {}).is_err());
}
