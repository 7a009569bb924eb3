//! The columnar CUR 2.0 path (a whole Parquet batch mapped at once) against the row path,
//! which stays the reference: same rows, same stats, same errors, on the real fixture and on
//! hand-made batches full of edge cases.

use std::sync::Arc;

use arrow_array::builder::{MapBuilder, StringBuilder};
use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray, TimestampMillisecondArray};
use parquet::arrow::ArrowWriter;
use skyledger_ingest::{IngestError, ReadOptions};

use crate::util::{Read, fixture, read_with};

fn both(
    path: &std::path::Path,
    opts: &ReadOptions,
) -> (Result<Read, IngestError>, Result<Read, IngestError>) {
    let columnar = read_with(path, opts);
    let rows = read_with(
        path,
        &ReadOptions {
            row_by_row: true,
            ..opts.clone()
        },
    );
    (columnar, rows)
}

/// Same batches (after concatenation) and same stats, apart from the columnar row count.
fn assert_same(columnar: &Read, rows: &Read) {
    let schema = skyledger_types::cost_row::cost_row_schema();
    let a = arrow_select::concat::concat_batches(&schema, &columnar.batches).unwrap();
    let b = arrow_select::concat::concat_batches(&schema, &rows.batches).unwrap();
    assert_eq!(a.num_rows(), b.num_rows());
    for (i, f) in schema.fields().iter().enumerate() {
        assert_eq!(a.column(i), b.column(i), "column {}", f.name());
    }
    let (s, t) = (&columnar.stats, &rows.stats);
    assert_eq!(s.rows, t.rows);
    assert_eq!(t.columnar_rows, 0);
    assert_eq!(s.billing_periods, t.billing_periods);
    assert_eq!(s.billing_account_ids, t.billing_account_ids);
    assert_eq!(s.sub_account_ids, t.sub_account_ids);
    assert_eq!(s.account_currency, t.account_currency);
    assert_eq!(s.totals, t.totals);
}

#[test]
fn the_cur2_fixture_maps_the_same_whole_batch_as_row_by_row() {
    let path = fixture("aws/cur2-data-export-sample.snappy.parquet");
    for batch_size in [3, 8192] {
        let opts = ReadOptions {
            batch_size,
            ..Default::default()
        };
        let (c, r) = both(&path, &opts);
        let (c, r) = (c.unwrap(), r.unwrap());
        assert_eq!(
            c.stats.columnar_rows, c.stats.rows,
            "every batch went columnar"
        );
        assert_same(&c, &r);
    }
}

/// One hand-made CUR 2.0 row.
#[derive(Clone)]
struct Row {
    item_type: Option<&'static str>,
    bill_type: Option<&'static str>,
    payer: Option<&'static str>,
    currency: &'static str,
    unblended: Option<f64>,
    net_unblended: Option<f64>,
    rate: Option<&'static str>,
    public_cost: Option<f64>,
    amount: Option<f64>,
    product_code: Option<&'static str>,
    instance_type: Option<&'static str>,
    resource: Option<&'static str>,
    purchase_option: Option<&'static str>,
    term: Option<&'static str>,
    ri_arn: Option<&'static str>,
    sp_arn: Option<&'static str>,
    sp_effective: Option<f64>,
    ri_unused_upfront: Option<f64>,
    ri_unused_recurring: Option<f64>,
    start: Option<i64>,
    product: &'static [(&'static str, Option<&'static str>)],
    tags: Option<&'static [(&'static str, Option<&'static str>)]>,
}

const NOV1: i64 = 1_698_796_800_000;
const H: i64 = 3_600_000;

fn row() -> Row {
    Row {
        item_type: Some("Usage"),
        bill_type: Some("Anniversary"),
        payer: Some("111122223333"),
        currency: "USD",
        unblended: Some(0.096),
        net_unblended: None,
        rate: Some("0.096"),
        public_cost: Some(0.096),
        amount: Some(1.0),
        product_code: Some("AmazonEC2"),
        instance_type: Some("m5.large"),
        resource: Some("arn:aws:ec2:us-east-1:111122223333:instance/i-0abc"),
        purchase_option: Some("On-Demand"),
        term: Some("OnDemand"),
        ri_arn: None,
        sp_arn: None,
        sp_effective: None,
        ri_unused_upfront: None,
        ri_unused_recurring: None,
        start: Some(NOV1),
        product: &[("product_name", Some("Amazon Elastic Compute Cloud"))],
        tags: Some(&[("user_team", Some("web"))]),
    }
}

/// Rows covering each rule's branches and the odd values exports hold.
fn edge_rows() -> Vec<Row> {
    let r = row();
    vec![
        r.clone(),
        Row {
            item_type: Some("Tax"),
            bill_type: Some("Purchase"),
            rate: Some(""),
            product: &[],
            tags: None,
            ..r.clone()
        },
        Row {
            item_type: Some("Tax"),
            unblended: Some(1.0 / 3.0),
            ..r.clone()
        },
        Row {
            item_type: Some("Refund"),
            unblended: Some(-2.5),
            net_unblended: Some(-2.25),
            resource: Some("arn:aws:s3:::bucket/"),
            ..r.clone()
        },
        Row {
            item_type: Some("SavingsPlanCoveredUsage"),
            sp_arn: Some("arn:aws:savingsplans::1:savingsplan/abc"),
            sp_effective: Some(0.05),
            purchase_option: None,
            term: Some("Reserved"),
            ..r.clone()
        },
        Row {
            item_type: Some("RIFee"),
            ri_arn: Some("arn:aws:ec2:us-east-1:1:reserved-instances/xyz"),
            ri_unused_upfront: Some(1.25),
            ri_unused_recurring: Some(0.75),
            unblended: None,
            amount: None,
            ..r.clone()
        },
        Row {
            item_type: Some("Fee"),
            ri_arn: Some("arn:aws:ec2:us-east-1:1:reserved-instances/xyz"),
            purchase_option: Some("Spot Instances"),
            ..r.clone()
        },
        Row {
            item_type: Some(""),
            product_code: Some("NoSuchService"),
            instance_type: None,
            product: &[
                ("instance_type", Some("t3.micro")),
                ("instance_type", Some("")),
                ("product_name", None),
                ("product_family", Some("Compute Instance")),
            ],
            tags: Some(&[
                ("user_", Some("x")),
                ("", Some("y")),
                ("env", None),
                ("user_cost-center", Some("42")),
            ]),
            resource: Some("plain-id"),
            ..r.clone()
        },
        Row {
            item_type: None,
            product_code: None,
            product: &[],
            resource: None,
            tags: Some(&[]),
            start: Some(NOV1 + 24 * H),
            ..r.clone()
        },
        Row {
            payer: Some("999988887777"),
            currency: "EUR",
            item_type: Some("Credit"),
            unblended: Some(-0.5),
            ..r
        },
    ]
}

fn opt_strings(rows: &[Row], f: impl Fn(&Row) -> Option<&'static str>) -> ArrayRef {
    Arc::new(StringArray::from(rows.iter().map(f).collect::<Vec<_>>()))
}

fn floats(rows: &[Row], f: impl Fn(&Row) -> Option<f64>) -> ArrayRef {
    Arc::new(Float64Array::from(rows.iter().map(f).collect::<Vec<_>>()))
}

fn map(
    rows: &[Row],
    f: impl Fn(&Row) -> Option<&'static [(&'static str, Option<&'static str>)]>,
) -> ArrayRef {
    let mut b = MapBuilder::new(None, StringBuilder::new(), StringBuilder::new());
    for r in rows {
        match f(r) {
            Some(entries) => {
                for (k, v) in entries {
                    b.keys().append_value(k);
                    b.values().append_option(*v);
                }
                b.append(true).unwrap();
            }
            None => b.append(false).unwrap(),
        }
    }
    Arc::new(b.finish())
}

/// A CUR 2.0 Parquet file of `rows`, `per_group` rows to a row group.
fn write_cur2(path: &std::path::Path, rows: &[Row], per_group: usize) {
    let ts = |f: &dyn Fn(&Row) -> Option<i64>| -> ArrayRef {
        Arc::new(
            TimestampMillisecondArray::from(rows.iter().map(f).collect::<Vec<_>>())
                .with_timezone("UTC"),
        )
    };
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("bill_payer_account_id", opt_strings(rows, |r| r.payer)),
        ("bill_bill_type", opt_strings(rows, |r| r.bill_type)),
        ("bill_billing_period_start_date", ts(&|_| Some(NOV1))),
        (
            "bill_billing_period_end_date",
            ts(&|_| Some(NOV1 + 30 * 24 * H)),
        ),
        (
            "line_item_usage_account_id",
            opt_strings(rows, |_| Some("444455556666")),
        ),
        (
            "line_item_line_item_type",
            opt_strings(rows, |r| r.item_type),
        ),
        ("line_item_usage_start_date", ts(&|r| r.start)),
        ("line_item_usage_end_date", ts(&|r| r.start.map(|s| s + H))),
        (
            "line_item_product_code",
            opt_strings(rows, |r| r.product_code),
        ),
        ("line_item_resource_id", opt_strings(rows, |r| r.resource)),
        ("line_item_usage_amount", floats(rows, |r| r.amount)),
        (
            "line_item_currency_code",
            opt_strings(rows, |r| Some(r.currency)),
        ),
        ("line_item_unblended_rate", opt_strings(rows, |r| r.rate)),
        ("line_item_unblended_cost", floats(rows, |r| r.unblended)),
        (
            "line_item_net_unblended_cost",
            floats(rows, |r| r.net_unblended),
        ),
        ("line_item_blended_cost", floats(rows, |r| r.unblended)),
        (
            "product_instance_type",
            opt_strings(rows, |r| r.instance_type),
        ),
        (
            "pricing_public_on_demand_cost",
            floats(rows, |r| r.public_cost),
        ),
        (
            "pricing_purchase_option",
            opt_strings(rows, |r| r.purchase_option),
        ),
        ("pricing_term", opt_strings(rows, |r| r.term)),
        (
            "reservation_reservation_a_r_n",
            opt_strings(rows, |r| r.ri_arn),
        ),
        (
            "reservation_unused_amortized_upfront_fee_for_billing_period",
            floats(rows, |r| r.ri_unused_upfront),
        ),
        (
            "reservation_unused_recurring_fee",
            floats(rows, |r| r.ri_unused_recurring),
        ),
        (
            "savings_plan_savings_plan_a_r_n",
            opt_strings(rows, |r| r.sp_arn),
        ),
        (
            "savings_plan_savings_plan_effective_cost",
            floats(rows, |r| r.sp_effective),
        ),
        // Coalesced pairs: some rows need the second column, one second column is all
        // null, one first column has no gap.
        (
            "bill_invoicing_entity",
            opt_strings(rows, |r| (r.item_type != Some("Tax")).then_some("AWS Inc.")),
        ),
        (
            "line_item_legal_entity",
            opt_strings(rows, |r| r.sp_arn.is_none().then_some("AWS EMEA SARL")),
        ),
        ("bill_billing_entity", opt_strings(rows, |_| None)),
        (
            "product_region_code",
            opt_strings(rows, |_| Some("us-east-1")),
        ),
        (
            "product_region",
            opt_strings(rows, |r| r.resource.map(|_| "us-east-1 (N. Virginia)")),
        ),
        ("product", map(rows, |r| Some(r.product))),
        ("resource_tags", map(rows, |r| r.tags)),
    ];
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let props = parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_row_count(Some(per_group))
        .build();
    let mut w = ArrowWriter::try_new(
        std::fs::File::create(path).unwrap(),
        batch.schema(),
        Some(props),
    )
    .unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

#[test]
fn edge_case_batches_map_the_same_whole_as_row_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("edge.parquet");
    let rows = edge_rows();
    for (per_group, batch_size) in [(rows.len(), 8192), (4, 3), (1, 2)] {
        write_cur2(&path, &rows, per_group);
        let opts = ReadOptions {
            batch_size,
            ..Default::default()
        };
        let (c, r) = both(&path, &opts);
        let (c, r) = (c.unwrap(), r.unwrap());
        assert_eq!(c.stats.columnar_rows, rows.len() as u64);
        assert_same(&c, &r);
    }
}

#[test]
fn batches_off_the_fast_paths_go_row_by_row_with_the_same_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("odd.parquet");
    let good = row();
    let cases: Vec<(&str, Row)> = vec![
        (
            "a rate that is not a number",
            Row {
                rate: Some("n/a"),
                ..good.clone()
            },
        ),
        (
            "a null usage start",
            Row {
                start: None,
                ..good.clone()
            },
        ),
        (
            "a missing payer",
            Row {
                payer: None,
                ..good.clone()
            },
        ),
        (
            "a NaN cost",
            Row {
                unblended: Some(f64::NAN),
                ..good.clone()
            },
        ),
        // The effective cost of an RIFee adds two fees: 1.2e14 has 39 digits at scale 24,
        // and 1.8e14 does not even fit an i128.
        (
            "RI fees whose sum has 39 digits",
            Row {
                item_type: Some("RIFee"),
                ri_arn: Some("arn:aws:ec2:us-east-1:111122223333:reserved-instances/r-1"),
                ri_unused_upfront: Some(6e13),
                ri_unused_recurring: Some(6e13),
                ..good.clone()
            },
        ),
        (
            "RI fees whose sum overflows an i128",
            Row {
                item_type: Some("RIFee"),
                ri_arn: Some("arn:aws:ec2:us-east-1:111122223333:reserved-instances/r-1"),
                ri_unused_upfront: Some(9e13),
                ri_unused_recurring: Some(9e13),
                ..good.clone()
            },
        ),
    ];
    for (what, odd) in cases {
        let rows = vec![good.clone(), good.clone(), odd, good.clone()];
        write_cur2(&path, &rows, rows.len());
        for skip_bad_rows in [false, true] {
            let opts = ReadOptions {
                batch_size: 2,
                skip_bad_rows,
                ..Default::default()
            };
            let (c, r) = both(&path, &opts);
            match (c, r) {
                (Ok(c), Ok(r)) => {
                    assert_eq!(c.stats.columnar_rows, 2, "{what}: only the clean batch");
                    assert_eq!(c.stats.bad_rows_skipped, r.stats.bad_rows_skipped, "{what}");
                    assert_eq!(c.stats.bad_row_samples, r.stats.bad_row_samples, "{what}");
                    assert_same(&c, &r);
                }
                (Err(c), Err(r)) => {
                    assert!(!skip_bad_rows, "{what}: {c}");
                    assert_eq!(c.to_string(), r.to_string(), "{what}");
                    if what.starts_with("RI fees") {
                        let e = c.to_string();
                        assert!(e.contains(":3:"), "{what}: at its line: {e}");
                        assert!(e.contains("does not fit a decimal of 38 digits"), "{e}");
                    }
                }
                (c, r) => panic!("{what}: columnar {:?} vs rows {:?}", c.err(), r.err()),
            }
        }
    }
}

#[test]
fn an_account_changing_currency_is_reported_at_its_line_either_way() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.parquet");
    let good = row();
    let rows = vec![
        good.clone(),
        good.clone(),
        good.clone(),
        Row {
            currency: "EUR",
            ..good
        },
    ];
    write_cur2(&path, &rows, rows.len());
    let opts = ReadOptions {
        batch_size: 2,
        ..Default::default()
    };
    let (c, r) = both(&path, &opts);
    let (c, r) = (c.err().expect("mixed currencies fail"), r.err().unwrap());
    assert_eq!(c.to_string(), r.to_string());
    assert!(c.to_string().contains(":4"), "{c}");
}
