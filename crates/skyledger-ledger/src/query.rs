//! The typed cost query and its translation into a DataFusion plan (no SQL text anywhere).

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate};
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::compute;
use datafusion::arrow::datatypes::{DataType, Decimal128Type, Schema, TimeUnit};
use datafusion::common::ScalarValue;
use datafusion::dataframe::DataFrame;
use datafusion::functions::core::expr_fn::get_field;
use datafusion::functions::datetime::expr_fn::date_trunc;
use datafusion::functions_aggregate::expr_fn::sum;
use datafusion::logical_expr::{Expr, SortExpr, cast, lit};
use datafusion::prelude::ident;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::columns as c;
use crate::error::{LedgerError, Result};
pub use skyledger_types::cost_row::CostType;

/// An inclusive range of UTC calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    start: NaiveDate,
    end: NaiveDate,
}

impl DateRange {
    /// Days `start..=end`; `start` must not be after `end`.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self> {
        if start > end {
            return Err(LedgerError::InvalidQuery(format!(
                "date range start {start} is after its end {end}"
            )));
        }
        Ok(Self { start, end })
    }

    pub fn start(&self) -> NaiveDate {
        self.start
    }

    pub fn end(&self) -> NaiveDate {
        self.end
    }

    /// `[start 00:00, end+1 00:00)` in µs since the epoch.
    pub fn micros(&self) -> (i64, i64) {
        let us = |d: NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .expect("midnight")
                .and_utc()
                .timestamp_micros()
        };
        (us(self.start), us(self.end) + 86_400_000_000)
    }
}

/// What to group costs by (besides the time bucket).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Dimension {
    Service,
    Region,
    /// The cost account (billing source) the rows were ingested for.
    CostAccount,
    /// FOCUS SubAccountId: linked account, subscription, project.
    BillingAccount,
    Resource,
    UsageType,
    InstanceType,
    ChargeCategory,
    /// The value of one tag key (null when the row lacks it).
    Tag(String),
}

impl Dimension {
    fn expr(&self) -> Expr {
        match self {
            Self::Service => ident(c::SERVICE_NAME),
            Self::Region => ident(c::REGION_ID),
            Self::CostAccount => ident(c::COST_ACCOUNT_ID),
            Self::BillingAccount => ident(c::SUB_ACCOUNT_ID),
            Self::Resource => ident(c::RESOURCE_ID),
            Self::UsageType => ident(c::USAGE_TYPE),
            Self::InstanceType => ident(c::INSTANCE_TYPE),
            Self::ChargeCategory => ident(c::CHARGE_CATEGORY),
            Self::Tag(key) => tag_value(key),
        }
    }

    /// Whether the daily rollup holds this dimension.
    fn in_rollup(&self) -> bool {
        matches!(
            self,
            Self::Service
                | Self::Region
                | Self::CostAccount
                | Self::BillingAccount
                | Self::ChargeCategory
        )
    }
}

/// Time bucket of the result rows (UTC; weeks start on Monday).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Granularity {
    Day,
    Week,
    Month,
}

impl Granularity {
    fn unit(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
        }
    }
}

/// Rows whose tag `key` has one of `values`, or (with `untagged`) lacks the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagFilter {
    pub key: String,
    pub values: Vec<String>,
    pub untagged: bool,
}

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Order {
    /// By time bucket, then group keys.
    #[default]
    Keys,
    /// Largest cost first (with `limit`: top N).
    CostDescending,
}

/// A cost query. Empty filter lists mean "no filter"; filters are ANDed.
#[derive(Debug, Clone, PartialEq)]
pub struct CostQuery {
    /// ChargePeriodStart days.
    pub range: DateRange,
    pub cost_accounts: Vec<String>,
    /// FOCUS SubAccountId values.
    pub billing_accounts: Vec<String>,
    pub tag_filters: Vec<TagFilter>,
    pub services: Vec<String>,
    pub regions: Vec<String>,
    pub resource_ids: Vec<String>,
    pub charge_categories: Vec<String>,
    pub group_by: Vec<Dimension>,
    pub granularity: Option<Granularity>,
    pub cost_type: CostType,
    pub order: Order,
    pub limit: Option<usize>,
}

impl CostQuery {
    /// Total cost over `range`, no filters, no grouping.
    pub fn new(range: DateRange) -> Self {
        Self {
            range,
            cost_accounts: vec![],
            billing_accounts: vec![],
            tag_filters: vec![],
            services: vec![],
            regions: vec![],
            resource_ids: vec![],
            charge_categories: vec![],
            group_by: vec![],
            granularity: None,
            cost_type: CostType::Actual,
            order: Order::default(),
            limit: None,
        }
    }

    pub(crate) fn validate(&self, schema: &Schema) -> Result<()> {
        let bad = |m: String| Err(LedgerError::InvalidQuery(m));
        let mut seen = HashSet::new();
        for d in &self.group_by {
            if !seen.insert(d) {
                return bad(format!("group_by lists {d:?} twice"));
            }
            if let Dimension::Tag(k) = d
                && k.is_empty()
            {
                return bad("group_by tag key is empty".into());
            }
        }
        for t in &self.tag_filters {
            if t.key.is_empty() {
                return bad("tag filter key is empty".into());
            }
            if t.values.is_empty() && !t.untagged {
                return bad(format!(
                    "tag filter {:?} selects nothing: give values or untagged",
                    t.key
                ));
            }
        }
        if self.limit == Some(0) {
            return bad("limit must be at least 1".into());
        }
        if schema.field_with_name(self.cost_type.column()).is_err() {
            return bad(format!(
                "cost type {:?} is not stored (no column {})",
                self.cost_type,
                self.cost_type.column()
            ));
        }
        Ok(())
    }

    /// Whether the daily rollup can answer this query.
    pub(crate) fn fits_rollup(&self) -> bool {
        self.tag_filters.is_empty()
            && self.resource_ids.is_empty()
            && self.group_by.iter().all(Dimension::in_rollup)
    }
}

fn tag_value(key: &str) -> Expr {
    // The key is a literal value, never spliced into text: no injection is possible.
    get_field(ident(c::TAGS), key.to_string())
}

fn in_list(column: &str, values: &[String]) -> Option<Expr> {
    if values.is_empty() {
        return None;
    }
    let list = values.iter().map(|v| lit(v.clone())).collect();
    Some(ident(column).in_list(list, false))
}

/// Applies `q` to `df` (line items or rollup, same column names) and returns the aggregated frame
/// with columns `period` (if a granularity is set), `k0..kn` (group keys) and `cost`.
pub(crate) fn plan(df: DataFrame, q: &CostQuery) -> Result<DataFrame> {
    let time_type = df
        .schema()
        .field_with_unqualified_name(c::CHARGE_PERIOD_START)?
        .data_type()
        .clone();
    let tz = match &time_type {
        DataType::Timestamp(TimeUnit::Microsecond, tz) => tz.clone(),
        other => {
            return Err(LedgerError::InvalidQuery(format!(
                "ChargePeriodStart is stored as {other}, expected a µs timestamp"
            )));
        }
    };
    let (start, end) = q.range.micros();
    let ts = |us: i64| lit(ScalarValue::TimestampMicrosecond(Some(us), tz.clone()));
    let mut filters = vec![
        ident(c::CHARGE_PERIOD_START).gt_eq(ts(start)),
        ident(c::CHARGE_PERIOD_START).lt(ts(end)),
    ];
    filters.extend(in_list(c::COST_ACCOUNT_ID, &q.cost_accounts));
    filters.extend(in_list(c::SUB_ACCOUNT_ID, &q.billing_accounts));
    filters.extend(in_list(c::SERVICE_NAME, &q.services));
    filters.extend(in_list(c::REGION_ID, &q.regions));
    filters.extend(in_list(c::RESOURCE_ID, &q.resource_ids));
    filters.extend(in_list(c::CHARGE_CATEGORY, &q.charge_categories));
    for t in &q.tag_filters {
        let value = tag_value(&t.key);
        let mut any: Option<Expr> = None;
        if !t.values.is_empty() {
            let list = t.values.iter().map(|v| lit(v.clone())).collect();
            any = Some(value.clone().in_list(list, false));
        }
        if t.untagged {
            let missing = value.is_null();
            any = Some(match any {
                Some(e) => e.or(missing),
                None => missing,
            });
        }
        filters.extend(any);
    }
    let predicate = filters
        .into_iter()
        .reduce(Expr::and)
        .expect("the date range is always a filter");
    let df = df.filter(predicate)?;

    let mut groups = vec![];
    if let Some(g) = q.granularity {
        // Truncate the naive UTC timestamp: truncating in a named zone converts every value.
        let utc = cast(
            ident(c::CHARGE_PERIOD_START),
            DataType::Timestamp(TimeUnit::Microsecond, None),
        );
        groups.push(date_trunc(lit(g.unit()), utc).alias("period"));
    }
    for (i, d) in q.group_by.iter().enumerate() {
        groups.push(d.expr().alias(format!("k{i}")));
    }
    let df = df.aggregate(groups, vec![sum(ident(q.cost_type.column())).alias("cost")])?;

    let mut order: Vec<SortExpr> = vec![];
    let keys = || {
        let mut v = vec![];
        if q.granularity.is_some() {
            v.push(ident("period").sort(true, false));
        }
        for i in 0..q.group_by.len() {
            v.push(ident(format!("k{i}")).sort(true, false));
        }
        v
    };
    match q.order {
        Order::Keys => order.extend(keys()),
        Order::CostDescending => {
            order.push(ident("cost").sort(false, false));
            order.extend(keys());
        }
    }
    let df = if order.is_empty() {
        df
    } else {
        df.sort(order)?
    };
    Ok(match q.limit {
        Some(n) => df.limit(0, Some(n))?,
        None => df,
    })
}

/// Which data answered a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum QuerySource {
    /// Daily rollups.
    Rollup,
    /// Normalised line items.
    LineItems,
}

/// One result row: the time bucket start (if grouped by time), the group keys in
/// `CostQuery::group_by` order (null: the row lacks that value), and the exact cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostRow {
    pub period_start: Option<NaiveDate>,
    pub keys: Vec<Option<String>>,
    pub cost: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostTable {
    pub group_by: Vec<Dimension>,
    pub granularity: Option<Granularity>,
    pub rows: Vec<CostRow>,
    pub source: QuerySource,
}

/// Converts the batches of [`plan`]'s frame into rows.
pub(crate) fn rows_of(batches: &[RecordBatch], q: &CostQuery) -> Result<Vec<CostRow>> {
    let mut out = vec![];
    for b in batches {
        let period = match q.granularity {
            Some(_) => {
                let c = compute::cast(
                    b.column_by_name("period").expect("planned column"),
                    &DataType::Timestamp(TimeUnit::Microsecond, None),
                )?;
                Some(c)
            }
            None => None,
        };
        let keys = (0..q.group_by.len())
            .map(|i| {
                let col = b.column_by_name(&format!("k{i}")).expect("planned column");
                Ok(compute::cast(col, &DataType::Utf8)?)
            })
            .collect::<Result<Vec<_>>>()?;
        let cost = b.column_by_name("cost").expect("planned column");
        let DataType::Decimal128(_, scale) = cost.data_type() else {
            return Err(LedgerError::InvalidQuery(format!(
                "{} is stored as {}, expected Decimal128",
                q.cost_type.column(),
                cost.data_type()
            )));
        };
        let scale = *scale;
        let cost = cost.as_primitive::<Decimal128Type>();
        for row in 0..b.num_rows() {
            let period_start = match &period {
                Some(p) if !p.is_null(row) => {
                    let us = p
                        .as_primitive::<datafusion::arrow::datatypes::TimestampMicrosecondType>()
                        .value(row);
                    DateTime::from_timestamp_micros(us).map(|t| t.date_naive())
                }
                _ => None,
            };
            let keys = keys
                .iter()
                .map(|k| {
                    let s = k.as_string::<i32>();
                    (!s.is_null(row)).then(|| s.value(row).to_string())
                })
                .collect();
            let cost = if cost.is_null(row) {
                Decimal::ZERO
            } else {
                decimal(cost.value(row), scale)?
            };
            out.push(CostRow {
                period_start,
                keys,
                cost,
            });
        }
    }
    Ok(out)
}

/// An Arrow decimal as a `rust_decimal`. Exact when it fits rust_decimal's 96-bit mantissa and
/// scale 28; otherwise rounded half away from zero at the last fractional digit that fits
/// (e.g. a sum of `Decimal128(38, 24)` costs above 10^4 keeps 24 - n fractional digits).
fn decimal(mut value: i128, scale: i8) -> Result<Decimal> {
    const MAX_MANTISSA: i128 = 79_228_162_514_264_337_593_543_950_335;
    let mut scale = i32::from(scale);
    if scale < 0 {
        let factor = 10i128
            .checked_pow(scale.unsigned_abs())
            .ok_or_else(|| LedgerError::InvalidQuery("decimal scale out of range".into()))?;
        value = value
            .checked_mul(factor)
            .ok_or_else(|| LedgerError::InvalidQuery("cost out of range".into()))?;
        scale = 0;
    }
    // Digits to drop, then one rounding division (no double rounding).
    let mut drop = 0u32;
    let mut truncated = value;
    while scale - (drop as i32) > 0
        && (scale - (drop as i32) > 28 || truncated.abs() > MAX_MANTISSA)
    {
        truncated /= 10;
        drop += 1;
    }
    if drop > 0 {
        let factor = 10i128.pow(drop);
        let (q, r) = (value / factor, value % factor);
        value = if r.abs() * 2 >= factor {
            q + value.signum()
        } else {
            q
        };
        scale -= drop as i32;
    }
    Decimal::try_from_i128_with_scale(value, scale as u32)
        .map_err(|e| LedgerError::InvalidQuery(format!("cost {value}e-{scale} does not fit: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_range_is_inclusive_and_ordered() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let r = DateRange::new(d("2025-01-01"), d("2025-01-01")).unwrap();
        assert_eq!(r.micros().1 - r.micros().0, 86_400_000_000);
        assert!(DateRange::new(d("2025-01-02"), d("2025-01-01")).is_err());
    }

    #[test]
    fn decimals_convert_exactly() {
        assert_eq!(decimal(12345, 2).unwrap().to_string(), "123.45");
        assert_eq!(decimal(-5, 0).unwrap().to_string(), "-5");
        assert_eq!(decimal(12, -2).unwrap().to_string(), "1200");
        assert_eq!(decimal(1_000, 30).unwrap(), Decimal::new(1, 27));
        // 1234567.(24 digits) needs 31 digits: rounded at the 22nd fractional digit.
        let v: i128 = 1_234_567_123_456_789_012_345_678_955_555;
        assert_eq!(
            decimal(v, 24).unwrap().to_string(),
            "1234567.1234567890123456789556"
        );
        assert_eq!(
            decimal(-v, 24).unwrap().to_string(),
            "-1234567.1234567890123456789556"
        );
    }

    #[test]
    fn rollup_eligibility() {
        let d = "2025-01-01".parse::<NaiveDate>().unwrap();
        let mut q = CostQuery::new(DateRange::new(d, d).unwrap());
        q.group_by = vec![Dimension::Service, Dimension::BillingAccount];
        assert!(q.fits_rollup());
        q.group_by.push(Dimension::Tag("env".into()));
        assert!(!q.fits_rollup());
        q.group_by.pop();
        q.resource_ids.push("i-1".into());
        assert!(!q.fits_rollup());
    }
}
