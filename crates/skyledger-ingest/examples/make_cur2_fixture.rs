//! Writes the hand-made CUR 2.0 (AWS Data Exports) fixture `tests/fixtures/aws/cur2-data-export-sample.snappy.parquet`.
//!
//! Column names and types follow the documented CUR 2.0 table (snake_case columns; costs as
//! double, dates as timestamps, `product` / `resource_tags` / `cost_category` / `discount` as
//! `MAP<string,string>`). Run: `cargo run -p skyledger-ingest --example make_cur2_fixture`.

use std::fs::File;
use std::sync::Arc;

use arrow_array::builder::{MapBuilder, StringBuilder};
use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray, TimestampMillisecondArray};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

struct Line {
    item_type: &'static str,
    account: &'static str,
    product_code: &'static str,
    usage_type: &'static str,
    operation: &'static str,
    resource: &'static str,
    start: i64,
    hours: i64,
    amount: f64,
    unblended: f64,
    blended: f64,
    public: f64,
    ri_effective: Option<f64>,
    ri_unused_upfront: Option<f64>,
    ri_unused_recurring: Option<f64>,
    sp_effective: Option<f64>,
    sp_total: Option<f64>,
    sp_used: Option<f64>,
    ri_arn: &'static str,
    sp_arn: &'static str,
    legal_entity: &'static str,
    billing_entity: &'static str,
    instance_type: &'static str,
    tags: &'static [(&'static str, &'static str)],
}

const H: i64 = 3_600_000;
const NOV1: i64 = 1_698_796_800_000; // 2023-11-01T00:00:00Z in ms
const DEC1: i64 = NOV1 + 30 * 24 * H;
const RI: &str =
    "arn:aws:ec2:us-east-1:111122223333:reserved-instances/4f3c1f0e-0000-4000-8000-000000000001";
const SP: &str =
    "arn:aws:savingsplans::111122223333:savingsplan/7b1c2d3e-0000-4000-8000-000000000002";

fn base() -> Line {
    Line {
        item_type: "Usage",
        account: "444455556666",
        product_code: "AmazonEC2",
        usage_type: "BoxUsage:m5.large",
        operation: "RunInstances",
        resource: "i-0abc1234def567890",
        start: NOV1 + 10 * H,
        hours: 1,
        amount: 1.0,
        unblended: 0.096,
        blended: 0.096,
        public: 0.096,
        ri_effective: None,
        ri_unused_upfront: None,
        ri_unused_recurring: None,
        sp_effective: None,
        sp_total: None,
        sp_used: None,
        ri_arn: "",
        sp_arn: "",
        legal_entity: "Amazon Web Services, Inc.",
        billing_entity: "AWS",
        instance_type: "m5.large",
        tags: &[("user_team", "web"), ("user_env", "prod")],
    }
}

fn lines() -> Vec<Line> {
    vec![
        base(),
        Line {
            amount: 2.0,
            unblended: 0.192,
            blended: 0.18,
            public: 0.192,
            account: "777788889999",
            resource: "i-0fff1234def567890",
            tags: &[("user_team", "data")],
            ..base()
        },
        Line {
            item_type: "DiscountedUsage",
            unblended: 0.0,
            blended: 0.061,
            ri_effective: Some(0.0615),
            ri_arn: RI,
            ..base()
        },
        Line {
            item_type: "RIFee",
            usage_type: "HeavyUsage:m5.large",
            operation: "RunInstances",
            resource: "",
            start: NOV1,
            hours: 720,
            amount: 720.0,
            unblended: 44.28,
            blended: 44.28,
            public: 0.0,
            ri_unused_upfront: Some(1.25),
            ri_unused_recurring: Some(2.5),
            ri_arn: RI,
            tags: &[],
            ..base()
        },
        Line {
            item_type: "Fee",
            usage_type: "HeavyUsage:m5.large",
            resource: "",
            start: NOV1,
            hours: 720,
            amount: 1.0,
            unblended: 300.0,
            blended: 300.0,
            public: 0.0,
            ri_arn: RI,
            tags: &[],
            ..base()
        },
        Line {
            item_type: "SavingsPlanCoveredUsage",
            usage_type: "BoxUsage:c6g.xlarge",
            instance_type: "c6g.xlarge",
            unblended: 0.136,
            blended: 0.136,
            public: 0.136,
            sp_effective: Some(0.0952),
            sp_arn: SP,
            ..base()
        },
        Line {
            item_type: "SavingsPlanNegation",
            usage_type: "BoxUsage:c6g.xlarge",
            instance_type: "c6g.xlarge",
            unblended: -0.136,
            blended: -0.136,
            public: 0.0,
            sp_arn: SP,
            ..base()
        },
        Line {
            item_type: "SavingsPlanRecurringFee",
            product_code: "ComputeSavingsPlans",
            usage_type: "ComputeSP:1yrNoUpfront",
            operation: "",
            resource: "",
            start: NOV1,
            hours: 720,
            amount: 720.0,
            unblended: 72.0,
            blended: 72.0,
            public: 0.0,
            sp_total: Some(72.0),
            sp_used: Some(68.5432),
            sp_arn: SP,
            instance_type: "",
            tags: &[],
            ..base()
        },
        Line {
            item_type: "Usage",
            product_code: "AmazonS3",
            usage_type: "TimedStorage-ByteHrs",
            operation: "StandardStorage",
            resource: "shop-assets",
            instance_type: "",
            amount: 12.5,
            unblended: 0.2875,
            blended: 0.2875,
            public: 0.2875,
            tags: &[("user_team", "web")],
            ..base()
        },
        Line {
            item_type: "Tax",
            product_code: "AmazonEC2",
            usage_type: "",
            operation: "",
            resource: "",
            start: NOV1,
            hours: 720,
            amount: 1.0,
            unblended: 4.17,
            blended: 4.17,
            public: 0.0,
            instance_type: "",
            tags: &[],
            ..base()
        },
        Line {
            item_type: "Credit",
            usage_type: "",
            operation: "",
            resource: "",
            start: NOV1,
            hours: 720,
            amount: 0.0,
            unblended: -25.0,
            blended: -25.0,
            public: 0.0,
            instance_type: "",
            tags: &[],
            ..base()
        },
        Line {
            item_type: "Refund",
            usage_type: "",
            operation: "",
            resource: "",
            start: NOV1,
            hours: 720,
            amount: 0.0,
            unblended: -3.0,
            blended: -3.0,
            public: 0.0,
            instance_type: "",
            tags: &[],
            ..base()
        },
        Line {
            item_type: "Usage",
            product_code: "prod-abc123xyz",
            usage_type: "SoftwareUsage:m5.large",
            operation: "",
            resource: "",
            billing_entity: "AWS Marketplace",
            legal_entity: "Example Software LLC",
            instance_type: "",
            amount: 1.0,
            unblended: 0.05,
            blended: 0.05,
            public: 0.05,
            tags: &[],
            ..base()
        },
    ]
}

fn s(v: Vec<&str>) -> ArrayRef {
    Arc::new(StringArray::from(
        v.into_iter()
            .map(|x| (!x.is_empty()).then_some(x))
            .collect::<Vec<_>>(),
    ))
}
fn f(v: Vec<f64>) -> ArrayRef {
    Arc::new(Float64Array::from(v))
}
fn fo(v: Vec<Option<f64>>) -> ArrayRef {
    Arc::new(Float64Array::from(v))
}
fn ts(v: Vec<i64>) -> ArrayRef {
    Arc::new(TimestampMillisecondArray::from(v))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/aws/cur2-data-export-sample.snappy.parquet"
        )
        .to_string()
    });
    let ls = lines();
    let n = ls.len();
    let mut tags = MapBuilder::new(None, StringBuilder::new(), StringBuilder::new());
    let mut product = MapBuilder::new(None, StringBuilder::new(), StringBuilder::new());
    for l in &ls {
        for (k, v) in l.tags {
            tags.keys().append_value(k);
            tags.values().append_value(v);
        }
        tags.append(true)?;
        product.keys().append_value("product_name");
        product.values().append_value(match l.product_code {
            "AmazonEC2" => "Amazon Elastic Compute Cloud",
            "AmazonS3" => "Amazon Simple Storage Service",
            "ComputeSavingsPlans" => "Savings Plans for AWS Compute usage",
            _ => "Example Marketplace Software",
        });
        product.keys().append_value("tenancy");
        product.values().append_value("Shared");
        product.append(true)?;
    }
    let cols: Vec<(&str, ArrayRef)> = vec![
        (
            "identity_line_item_id",
            s((0..n)
                .map(|i| {
                    [
                        "li-a", "li-b", "li-c", "li-d", "li-e", "li-f", "li-g", "li-h", "li-i",
                        "li-j", "li-k", "li-l", "li-m",
                    ][i]
                })
                .collect()),
        ),
        (
            "identity_time_interval",
            s(vec!["2023-11-01T00:00:00Z/2023-12-01T00:00:00Z"; n]),
        ),
        ("bill_invoice_id", s(vec!["EUINUS23-000123"; n])),
        (
            "bill_invoicing_entity",
            s(vec!["Amazon Web Services, Inc."; n]),
        ),
        (
            "bill_billing_entity",
            s(ls.iter().map(|l| l.billing_entity).collect()),
        ),
        ("bill_bill_type", s(vec!["Anniversary"; n])),
        ("bill_payer_account_id", s(vec!["111122223333"; n])),
        ("bill_payer_account_name", s(vec!["Example Payer"; n])),
        ("bill_billing_period_start_date", ts(vec![NOV1; n])),
        ("bill_billing_period_end_date", ts(vec![DEC1; n])),
        (
            "line_item_usage_account_id",
            s(ls.iter().map(|l| l.account).collect()),
        ),
        (
            "line_item_usage_account_name",
            s(ls.iter()
                .map(|l| {
                    if l.account == "444455556666" {
                        "shop-prod"
                    } else {
                        "data-dev"
                    }
                })
                .collect()),
        ),
        (
            "line_item_line_item_type",
            s(ls.iter().map(|l| l.item_type).collect()),
        ),
        (
            "line_item_usage_start_date",
            ts(ls.iter().map(|l| l.start).collect()),
        ),
        (
            "line_item_usage_end_date",
            ts(ls.iter().map(|l| l.start + l.hours * H).collect()),
        ),
        (
            "line_item_product_code",
            s(ls.iter().map(|l| l.product_code).collect()),
        ),
        (
            "line_item_usage_type",
            s(ls.iter().map(|l| l.usage_type).collect()),
        ),
        (
            "line_item_operation",
            s(ls.iter().map(|l| l.operation).collect()),
        ),
        (
            "line_item_availability_zone",
            s(ls.iter()
                .map(|l| {
                    if l.resource.starts_with("i-") {
                        "us-east-1a"
                    } else {
                        ""
                    }
                })
                .collect()),
        ),
        (
            "line_item_resource_id",
            s(ls.iter().map(|l| l.resource).collect()),
        ),
        (
            "line_item_usage_amount",
            f(ls.iter().map(|l| l.amount).collect()),
        ),
        ("line_item_currency_code", s(vec!["USD"; n])),
        (
            "line_item_unblended_rate",
            s(ls.iter().map(|_| "0.096").collect()),
        ),
        (
            "line_item_unblended_cost",
            f(ls.iter().map(|l| l.unblended).collect()),
        ),
        (
            "line_item_blended_rate",
            s(ls.iter().map(|_| "0.096").collect()),
        ),
        (
            "line_item_blended_cost",
            f(ls.iter().map(|l| l.blended).collect()),
        ),
        (
            "line_item_line_item_description",
            s(ls.iter().map(|l| l.item_type).collect()),
        ),
        (
            "line_item_legal_entity",
            s(ls.iter().map(|l| l.legal_entity).collect()),
        ),
        (
            "line_item_tax_type",
            s(ls.iter()
                .map(|l| {
                    if l.item_type == "Tax" {
                        "Sales Tax"
                    } else {
                        ""
                    }
                })
                .collect()),
        ),
        (
            "product_instance_type",
            s(ls.iter().map(|l| l.instance_type).collect()),
        ),
        (
            "product_product_family",
            s(ls.iter()
                .map(|l| {
                    if l.product_code == "AmazonS3" {
                        "Storage"
                    } else {
                        "Compute Instance"
                    }
                })
                .collect()),
        ),
        ("product_region_code", s(vec!["us-east-1"; n])),
        ("product_location", s(vec!["US East (N. Virginia)"; n])),
        (
            "product_servicecode",
            s(ls.iter().map(|l| l.product_code).collect()),
        ),
        ("product_sku", s(vec!["6QCMYABX3D"; n])),
        ("product", Arc::new(product.finish())),
        (
            "pricing_public_on_demand_cost",
            f(ls.iter().map(|l| l.public).collect()),
        ),
        ("pricing_public_on_demand_rate", s(vec!["0.096"; n])),
        (
            "pricing_term",
            s(ls.iter()
                .map(|l| {
                    if l.ri_arn.is_empty() && l.sp_arn.is_empty() {
                        "OnDemand"
                    } else {
                        "Reserved"
                    }
                })
                .collect()),
        ),
        (
            "pricing_unit",
            s(ls.iter()
                .map(|l| {
                    if l.product_code == "AmazonS3" {
                        "GB-Mo"
                    } else {
                        "Hrs"
                    }
                })
                .collect()),
        ),
        (
            "reservation_reservation_a_r_n",
            s(ls.iter().map(|l| l.ri_arn).collect()),
        ),
        (
            "reservation_effective_cost",
            fo(ls.iter().map(|l| l.ri_effective).collect()),
        ),
        (
            "reservation_unused_amortized_upfront_fee_for_billing_period",
            fo(ls.iter().map(|l| l.ri_unused_upfront).collect()),
        ),
        (
            "reservation_unused_recurring_fee",
            fo(ls.iter().map(|l| l.ri_unused_recurring).collect()),
        ),
        (
            "savings_plan_savings_plan_a_r_n",
            s(ls.iter().map(|l| l.sp_arn).collect()),
        ),
        (
            "savings_plan_savings_plan_effective_cost",
            fo(ls.iter().map(|l| l.sp_effective).collect()),
        ),
        (
            "savings_plan_total_commitment_to_date",
            fo(ls.iter().map(|l| l.sp_total).collect()),
        ),
        (
            "savings_plan_used_commitment",
            fo(ls.iter().map(|l| l.sp_used).collect()),
        ),
        ("resource_tags", Arc::new(tags.finish())),
    ];
    let batch = RecordBatch::try_from_iter(cols)?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut w = ArrowWriter::try_new(File::create(&out)?, batch.schema(), Some(props))?;
    w.write(&batch)?;
    w.close()?;
    println!("wrote {n} rows to {out}");
    Ok(())
}
