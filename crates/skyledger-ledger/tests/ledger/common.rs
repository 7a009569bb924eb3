//! Test rows with independently computed expectations, and batches built from them.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use datafusion::arrow::array::{
    ArrayRef, Decimal128Array, MapBuilder, RecordBatch, StringArray, StringBuilder,
    TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, SchemaRef, TimeUnit};
use datafusion::common::ScalarValue;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use skyledger_ledger::{BillingPeriod, Ledger, LedgerOptions};

pub const SCALE: i8 = 24;

/// The normalised cost row schema (money as `Decimal128(38, 24)`).
pub fn schema() -> SchemaRef {
    let s = skyledger_types::cost_row::cost_row_schema();
    assert_eq!(skyledger_types::cost_row::MONEY_SCALE, SCALE);
    s
}

#[derive(Debug, Clone)]
pub struct Row {
    pub sub_account: String,
    pub service: String,
    pub region: String,
    pub resource: Option<String>,
    pub category: &'static str,
    pub usage_type: String,
    pub day: NaiveDate,
    pub hour: u32,
    /// Mantissas at scale 24.
    pub billed: i128,
    pub effective: i128,
    pub tags: Vec<(String, String)>,
}

/// A scale-24 mantissa as a `Decimal`, exact (test costs use at most 10 fractional digits so
/// that sums of thousands of rows still fit 28 significant digits).
pub fn to_decimal(mut mantissa: i128) -> Decimal {
    let mut scale = SCALE as u32;
    while scale > 0 && mantissa % 10 == 0 {
        mantissa /= 10;
        scale -= 1;
    }
    Decimal::from_i128_with_scale(mantissa, scale)
}

/// The smallest cost step of test rows (10^-10).
pub const STEP: i128 = 100_000_000_000_000;

/// Deterministic random rows for `days` starting at `first_day`.
pub fn rows(seed: u64, n: usize, first_day: NaiveDate, days: u32) -> Vec<Row> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let sub = rng.random_range(0..3);
            let svc = ["AmazonEC2", "AmazonS3", "AWSLambda", "AmazonRDS"][rng.random_range(0..4)];
            let region = ["us-east-1", "eu-west-1", "ap-south-1"][rng.random_range(0..3)];
            let mut tags = vec![];
            if rng.random_bool(0.6) {
                tags.push((
                    "env".to_string(),
                    ["prod", "dev", "test"][rng.random_range(0..3)].to_string(),
                ));
            }
            if rng.random_bool(0.3) {
                tags.push(("team".to_string(), format!("t{}", rng.random_range(0..4))));
            }
            // -100 to 1000 in steps of 10^-10.
            let billed: i128 = rng.random_range(-1_000_000_000_000i128..10_000_000_000_000) * STEP;
            Row {
                sub_account: format!("1111000000{sub:02}"),
                service: svc.to_string(),
                region: region.to_string(),
                resource: rng
                    .random_bool(0.9)
                    .then(|| format!("arn:{svc}:{}", rng.random_range(0..40))),
                category: if billed < 0 { "Credit" } else { "Usage" },
                usage_type: format!("{region}:{svc}-Usage{}", rng.random_range(0..3)),
                day: first_day + chrono::Days::new(u64::from(rng.random_range(0..days))),
                hour: rng.random_range(0..24),
                billed,
                effective: billed / 2 / STEP * STEP,
                tags,
            }
        })
        .collect()
}

fn micros(day: NaiveDate, hour: u32) -> i64 {
    day.and_hms_opt(hour, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_micros()
}

/// One batch of `rows` in `schema`; columns the rows do not describe are defaulted.
pub fn batch(schema: &SchemaRef, rows: &[Row]) -> RecordBatch {
    let money = |f: &dyn Fn(&Row) -> i128| -> ArrayRef {
        Arc::new(
            Decimal128Array::from(rows.iter().map(f).collect::<Vec<_>>())
                .with_precision_and_scale(38, SCALE)
                .unwrap(),
        )
    };
    let text = |f: &dyn Fn(&Row) -> Option<String>| -> ArrayRef {
        Arc::new(StringArray::from(rows.iter().map(f).collect::<Vec<_>>()))
    };
    let ts = |f: &dyn Fn(&Row) -> i64| -> ArrayRef {
        Arc::new(
            TimestampMicrosecondArray::from(rows.iter().map(f).collect::<Vec<_>>())
                .with_timezone("UTC"),
        )
    };
    let columns = schema
        .fields()
        .iter()
        .map(|field| match field.name().as_str() {
            "BilledCost" => money(&|r| r.billed),
            "EffectiveCost" => money(&|r| r.effective),
            "ListCost" => money(&|r| r.billed * 2),
            "x_BlendedCost" => money(&|r| r.billed + STEP),
            "x_UnblendedCost" => money(&|r| r.billed),
            "x_AmortizedCost" => money(&|r| r.effective),
            "x_RecurringCost" => money(&|r| r.billed - STEP),
            "ChargePeriodStart" => ts(&|r| micros(r.day, r.hour)),
            "BillingPeriodStart" => ts(&|r| micros(r.day.with_day(1).unwrap(), 0)),
            "BillingAccountId" => text(&|_| Some("999900000000".into())),
            "SubAccountId" => text(&|r| Some(r.sub_account.clone())),
            "ServiceName" => text(&|r| Some(r.service.clone())),
            "RegionId" => text(&|r| Some(r.region.clone())),
            "ResourceId" => text(&|r| r.resource.clone()),
            "ChargeCategory" => text(&|r| Some(r.category.to_string())),
            "BillingCurrency" => text(&|_| Some("USD".into())),
            "x_UsageType" => text(&|r| Some(r.usage_type.clone())),
            "Tags" => {
                let mut b = MapBuilder::new(None, StringBuilder::new(), StringBuilder::new());
                for r in rows {
                    for (k, v) in &r.tags {
                        b.keys().append_value(k);
                        b.values().append_value(v);
                    }
                    b.append(true).unwrap();
                }
                let a: ArrayRef = Arc::new(b.finish());
                datafusion::arrow::compute::cast(&a, field.data_type()).unwrap()
            }
            _ => filler(field, rows.len()),
        })
        .collect();
    RecordBatch::try_new(Arc::clone(schema), columns).unwrap()
}

fn filler(field: &Field, n: usize) -> ArrayRef {
    if field.is_nullable() {
        return datafusion::arrow::array::new_null_array(field.data_type(), n);
    }
    let scalar = match field.data_type() {
        DataType::Utf8 => ScalarValue::Utf8(Some("x".into())),
        DataType::Timestamp(TimeUnit::Microsecond, tz) => {
            ScalarValue::TimestampMicrosecond(Some(0), tz.clone())
        }
        other => ScalarValue::new_zero(other).unwrap(),
    };
    scalar.to_array_of_size(n).unwrap()
}

/// Batches of at most `size` rows.
pub fn batches(
    schema: &SchemaRef,
    rows: &[Row],
    size: usize,
) -> Vec<Result<RecordBatch, std::io::Error>> {
    rows.chunks(size).map(|c| Ok(batch(schema, c))).collect()
}

/// Sum of BilledCost per key, computed without the store.
pub fn sums<K: Ord>(rows: &[Row], key: impl Fn(&Row) -> Option<K>) -> BTreeMap<K, Decimal> {
    let mut m: BTreeMap<K, i128> = BTreeMap::new();
    for r in rows {
        if let Some(k) = key(r) {
            *m.entry(k).or_default() += r.billed;
        }
    }
    m.into_iter().map(|(k, v)| (k, to_decimal(v))).collect()
}

pub fn options() -> LedgerOptions {
    let mut o = LedgerOptions::new(schema());
    o.gc_grace = std::time::Duration::ZERO;
    o
}

pub async fn open(dir: &std::path::Path) -> Ledger {
    Ledger::open(dir.to_str().unwrap(), options())
        .await
        .unwrap()
}

pub fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub fn period(s: &str) -> BillingPeriod {
    s.parse().unwrap()
}
