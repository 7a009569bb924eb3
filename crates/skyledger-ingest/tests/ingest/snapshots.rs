//! Snapshots of each format's normalised output: the first rows of each small fixture, every column.

use arrow_array::cast::AsArray;
use arrow_array::types::{Decimal128Type, Int8Type, TimestampMicrosecondType, UInt64Type};
use arrow_array::{Array, RecordBatch};
use skyledger_ingest::decimal::format_scaled;
use skyledger_ingest::time::format_micros_exact;
use skyledger_ingest::{Format, ReadOptions};
use skyledger_types::cost_row::{COLUMNS, ColumnKind, X_SOURCE_FILE};

use crate::util::{fixture, read_with};

/// Render rows as CSV text: decimals without trailing zeros, timestamps ISO, tags `k=v` sorted.
fn render(b: &RecordBatch, rows: usize) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS.iter().map(|(n, _)| *n)).unwrap();
    for r in 0..rows.min(b.num_rows()) {
        let mut rec = Vec::new();
        for (i, (name, kind)) in COLUMNS.iter().enumerate() {
            let a = b.column(i);
            if a.is_null(r) {
                rec.push(String::new());
                continue;
            }
            rec.push(match kind {
                ColumnKind::Text if *name == X_SOURCE_FILE => {
                    let v = a.as_string::<i32>().value(r);
                    v.rsplit(['/', '\\']).next().unwrap_or(v).to_string()
                }
                ColumnKind::Text => a.as_string::<i32>().value(r).to_string(),
                ColumnKind::Money | ColumnKind::Quantity => {
                    let d = a.as_primitive::<Decimal128Type>();
                    format_scaled(d.value(r), d.scale() as u32)
                }
                ColumnKind::Timestamp => {
                    format_micros_exact(a.as_primitive::<TimestampMicrosecondType>().value(r))
                }
                ColumnKind::Int8 => a.as_primitive::<Int8Type>().value(r).to_string(),
                ColumnKind::UInt64 => a.as_primitive::<UInt64Type>().value(r).to_string(),
                ColumnKind::TagMap => {
                    let m = a.as_map();
                    let e = m.value(r);
                    let keys = e.column(0).as_string::<i32>();
                    let vals = e.column(1).as_string::<i32>();
                    let mut kv: Vec<String> = (0..keys.len())
                        .map(|j| format!("{}={}", keys.value(j), vals.value(j)))
                        .collect();
                    kv.sort();
                    kv.join(";")
                }
            });
        }
        w.write_record(&rec).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

fn check(name: &str, file: &str, opts: &ReadOptions, rows: usize) {
    let r = read_with(&fixture(file), opts).unwrap_or_else(|e| panic!("{e}"));
    let got = render(&r.batches[0], rows);
    let path = fixture(&format!("snapshots/{name}.csv"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing; run with UPDATE_SNAPSHOTS=1", path.display()));
    assert!(
        got == want,
        "normalised output of {file} differs from {}:\n{got}",
        path.display()
    );
}

#[test]
fn focus_snapshot() {
    check(
        "focus",
        "focus/focus_sample_1000.csv",
        &ReadOptions::default(),
        6,
    );
}

#[test]
fn aws_cur_snapshot() {
    check(
        "aws_cur",
        "aws/cur-legacy-sample-anonymous-aws-export-dataset.csv",
        &ReadOptions::default(),
        6,
    );
}

#[test]
fn aws_cur2_snapshot() {
    check(
        "aws_cur2",
        "aws/cur2-data-export-sample.snappy.parquet",
        &ReadOptions::default(),
        13,
    );
}

#[test]
fn azure_snapshots() {
    check(
        "azure_actual",
        "azure/finops-toolkit-EA_ActualCost_Small.csv",
        &ReadOptions::default(),
        11,
    );
    check(
        "azure_amortized",
        "azure/finops-toolkit-EA_AmortizedCost_Small.csv",
        &ReadOptions::default(),
        6,
    );
    let opts = ReadOptions {
        column_defaults: vec![("BillingCurrency".into(), "USD".into())],
        format: Some(Format::Azure),
        ..Default::default()
    };
    check(
        "azure_german",
        "azure/opencost-billingexport-fixtures/headersets/German.csv",
        &opts,
        2,
    );
    check(
        "azure_mca_camel",
        "azure/opencost-billingexport-fixtures/headersets/EnterpriseCamel.csv",
        &opts,
        2,
    );
}

#[test]
fn gcp_snapshot() {
    check(
        "gcp",
        "gcp/gcp-billing-export-detailed.jsonl",
        &ReadOptions::default(),
        8,
    );
}

#[test]
fn oci_snapshot() {
    check(
        "oci",
        "oci/oci-cost-report-reports_cost-csv_0000000030000269.csv",
        &ReadOptions::default(),
        6,
    );
}
