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
use datafusion::functions_aggregate::expr_fn::{count_distinct, sum};
use datafusion::logical_expr::{Expr, SortExpr, cast, lit};
use datafusion::prelude::ident;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::columns as c;
use crate::error::{LedgerError, Result};
use skyledger_types::cost_row as cr;
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
    ResourceName,
    ResourceType,
    AvailabilityZone,
    /// The provider's line item type (AWS `lineItem/LineItemType`: Usage, RIFee, Tax, …).
    ChargeType,
    /// FOCUS ProviderName.
    Provider,
    /// 0 AWS, 1 Azure, 2 Google Cloud, 3 Oracle (as text).
    CloudType,
    /// Azure resource group (or the provider's equivalent).
    ResourceGroup,
    Operation,
    /// BillingCurrency.
    Currency,
    /// FOCUS PublisherName (the marketplace seller, or the provider itself).
    Publisher,
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
            Self::ResourceName => ident(cr::RESOURCE_NAME),
            Self::ResourceType => ident(cr::RESOURCE_TYPE),
            Self::AvailabilityZone => ident(cr::AVAILABILITY_ZONE),
            Self::ChargeType => ident(cr::X_LINE_ITEM_TYPE),
            Self::Provider => ident(cr::PROVIDER_NAME),
            Self::CloudType => ident(cr::X_CLOUD_TYPE),
            Self::ResourceGroup => ident(cr::X_RESOURCE_GROUP),
            Self::Operation => ident(cr::X_OPERATION),
            Self::Currency => ident(c::BILLING_CURRENCY),
            Self::Publisher => ident(cr::PUBLISHER_NAME),
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
                | Self::Currency
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

/// One cost account, optionally narrowed to some of its billing accounts (FOCUS SubAccountId
/// values; empty: all of them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountScope {
    pub cost_account: String,
    pub billing_accounts: Vec<String>,
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
    /// Rows of any of these scopes (ORed; empty: no filter). ANDed with the other filters.
    pub account_scopes: Vec<AccountScope>,
    pub tag_filters: Vec<TagFilter>,
    pub services: Vec<String>,
    pub regions: Vec<String>,
    pub resource_ids: Vec<String>,
    pub charge_categories: Vec<String>,
    /// x_UsageType values (AWS `lineItem/UsageType`, Azure meter, Google SKU).
    pub usage_types: Vec<String>,
    /// x_Operation values (AWS `lineItem/Operation`).
    pub operations: Vec<String>,
    /// x_ResourceGroup values (Azure resource groups).
    pub resource_groups: Vec<String>,
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
            account_scopes: vec![],
            tag_filters: vec![],
            services: vec![],
            regions: vec![],
            resource_ids: vec![],
            charge_categories: vec![],
            usage_types: vec![],
            operations: vec![],
            resource_groups: vec![],
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

    /// Whether rows of `cost_account` can match the account filters.
    pub(crate) fn may_include(&self, cost_account: &str) -> bool {
        (self.cost_accounts.is_empty() || self.cost_accounts.iter().any(|a| a == cost_account))
            && (self.account_scopes.is_empty()
                || self
                    .account_scopes
                    .iter()
                    .any(|s| s.cost_account == cost_account))
    }

    /// Whether the daily rollup can answer this query.
    pub fn fits_rollup(&self) -> bool {
        self.tag_filters.is_empty()
            && self.resource_ids.is_empty()
            && self.usage_types.is_empty()
            && self.operations.is_empty()
            && self.resource_groups.is_empty()
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

/// Keeps the rows of `df` (line items or rollup, same column names) that `q`'s range and filters
/// select.
pub(crate) fn filter(df: DataFrame, q: &CostQuery) -> Result<DataFrame> {
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
    let scopes = q.account_scopes.iter().map(|a| {
        let account = ident(c::COST_ACCOUNT_ID).eq(lit(a.cost_account.clone()));
        match in_list(c::SUB_ACCOUNT_ID, &a.billing_accounts) {
            Some(sub) => account.and(sub),
            None => account,
        }
    });
    filters.extend(scopes.reduce(Expr::or));
    filters.extend(in_list(c::SERVICE_NAME, &q.services));
    filters.extend(in_list(c::REGION_ID, &q.regions));
    filters.extend(in_list(c::RESOURCE_ID, &q.resource_ids));
    filters.extend(in_list(c::CHARGE_CATEGORY, &q.charge_categories));
    filters.extend(in_list(c::USAGE_TYPE, &q.usage_types));
    filters.extend(in_list(cr::X_OPERATION, &q.operations));
    filters.extend(in_list(cr::X_RESOURCE_GROUP, &q.resource_groups));
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
    Ok(df.filter(predicate)?)
}

/// What each result row measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Measure<'a> {
    /// The sum of the cost type's column, as `cost`.
    Cost,
    /// The number of distinct values of a dimension, as `count`.
    Distinct(&'a Dimension),
}

/// Applies `q` to `df` (line items or rollup, same column names) and returns the aggregated frame
/// with columns `period` (if a granularity is set), `k0..kn` (group keys) and `cost`.
pub(crate) fn plan(df: DataFrame, q: &CostQuery) -> Result<DataFrame> {
    plan_measure(df, q, Measure::Cost)
}

pub(crate) fn plan_measure(df: DataFrame, q: &CostQuery, measure: Measure) -> Result<DataFrame> {
    let df = filter(df, q)?;
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
    let (aggregate, value) = match measure {
        Measure::Cost => (sum(ident(q.cost_type.column())), "cost"),
        Measure::Distinct(d) => (count_distinct(d.expr()), "count"),
    };
    let df = df.aggregate(groups, vec![aggregate.alias(value)])?;

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
            order.push(ident(value).sort(false, false));
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

/// One row of a distinct count: the time bucket, the group keys, and how many distinct values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountRow {
    pub period_start: Option<NaiveDate>,
    pub keys: Vec<Option<String>>,
    pub count: u64,
}

/// A tag key/value pair seen on the selected rows, with the cost of those rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagUse {
    pub key: String,
    pub value: String,
    pub cost: Decimal,
    pub rows: u64,
}

/// Sums cost per tag pair over batches of (Tags map, cost decimal).
#[derive(Debug, Default)]
pub(crate) struct TagAccumulator {
    pairs: std::collections::HashMap<(String, String), (i128, u64)>,
    scale: i8,
}

impl TagAccumulator {
    pub(crate) fn add(&mut self, batch: &RecordBatch) -> Result<()> {
        let tags = batch.column(0).as_map();
        let cost = batch.column(1);
        let DataType::Decimal128(_, scale) = cost.data_type() else {
            return Err(LedgerError::InvalidQuery(format!(
                "cost is stored as {}, expected Decimal128",
                cost.data_type()
            )));
        };
        self.scale = *scale;
        let cost = cost.as_primitive::<Decimal128Type>();
        let keys = tags.keys().as_string::<i32>();
        let values = tags.values().as_string::<i32>();
        let offsets = tags.value_offsets();
        for row in 0..batch.num_rows() {
            if tags.is_null(row) {
                continue;
            }
            let c = if cost.is_null(row) {
                0
            } else {
                cost.value(row)
            };
            for i in offsets[row] as usize..offsets[row + 1] as usize {
                if values.is_null(i) {
                    continue;
                }
                let (k, v) = (keys.value(i), values.value(i));
                // Look up by reference first: most pairs repeat, and allocating per entry would
                // dominate the scan.
                let entry = match self.pairs.get_mut(&(k.to_string(), v.to_string())) {
                    Some(e) => e,
                    None => self
                        .pairs
                        .entry((k.to_string(), v.to_string()))
                        .or_insert((0, 0)),
                };
                entry.0 = entry.0.saturating_add(c);
                entry.1 += 1;
            }
        }
        Ok(())
    }

    pub(crate) fn finish(self) -> Vec<TagUse> {
        let scale = self.scale;
        let mut out: Vec<TagUse> = self
            .pairs
            .into_iter()
            .map(|((key, value), (cost, rows))| TagUse {
                key,
                value,
                cost: decimal(cost, scale).unwrap_or(Decimal::ZERO),
                rows,
            })
            .collect();
        out.sort_by(|a, b| {
            b.cost
                .cmp(&a.cost)
                .then_with(|| a.key.cmp(&b.key))
                .then_with(|| a.value.cmp(&b.value))
        });
        out
    }
}

/// Converts the batches of a [`Measure::Distinct`] plan into rows.
pub(crate) fn count_rows_of(batches: &[RecordBatch], q: &CostQuery) -> Result<Vec<CountRow>> {
    let mut out = vec![];
    for b in batches {
        let (periods, keys) = periods_and_keys(b, q)?;
        let count = compute::cast(
            b.column_by_name("count").expect("planned column"),
            &DataType::Int64,
        )?;
        let count = count.as_primitive::<datafusion::arrow::datatypes::Int64Type>();
        for (row, (period_start, keys)) in periods.into_iter().zip(keys).enumerate() {
            out.push(CountRow {
                period_start,
                keys,
                count: u64::try_from(count.value(row)).unwrap_or(0),
            });
        }
    }
    Ok(out)
}

type PeriodsAndKeys = (Vec<Option<NaiveDate>>, Vec<Vec<Option<String>>>);

/// The time bucket and group keys of every row of one planned batch.
fn periods_and_keys(b: &RecordBatch, q: &CostQuery) -> Result<PeriodsAndKeys> {
    let period = match q.granularity {
        Some(_) => Some(compute::cast(
            b.column_by_name("period").expect("planned column"),
            &DataType::Timestamp(TimeUnit::Microsecond, None),
        )?),
        None => None,
    };
    let keys = (0..q.group_by.len())
        .map(|i| {
            let col = b.column_by_name(&format!("k{i}")).expect("planned column");
            Ok(compute::cast(col, &DataType::Utf8)?)
        })
        .collect::<Result<Vec<_>>>()?;
    let mut periods = Vec::with_capacity(b.num_rows());
    let mut all_keys = Vec::with_capacity(b.num_rows());
    for row in 0..b.num_rows() {
        periods.push(match &period {
            Some(p) if !p.is_null(row) => {
                let us = p
                    .as_primitive::<datafusion::arrow::datatypes::TimestampMicrosecondType>()
                    .value(row);
                DateTime::from_timestamp_micros(us).map(|t| t.date_naive())
            }
            _ => None,
        });
        all_keys.push(
            keys.iter()
                .map(|k| {
                    let s = k.as_string::<i32>();
                    (!s.is_null(row)).then(|| s.value(row).to_string())
                })
                .collect(),
        );
    }
    Ok((periods, all_keys))
}

/// Converts the batches of [`plan`]'s frame into rows.
pub(crate) fn rows_of(batches: &[RecordBatch], q: &CostQuery) -> Result<Vec<CostRow>> {
    let mut out = vec![];
    for b in batches {
        let (periods, keys) = periods_and_keys(b, q)?;
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
        for (row, (period_start, keys)) in periods.into_iter().zip(keys).enumerate() {
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
        q.resource_ids.clear();
        assert!(q.fits_rollup());
        q.usage_types.push("USW1-DataTransfer-Out-Bytes".into());
        assert!(!q.fits_rollup());
        q.usage_types.clear();
        q.operations.push("FargateTask".into());
        assert!(!q.fits_rollup());
        q.operations.clear();
        q.resource_groups.push("rg-web".into());
        assert!(!q.fits_rollup());
    }
}
