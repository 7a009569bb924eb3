//! The reader machinery shared by every format: row access, the mapper trait, the row sink.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Decimal128Type, TimestampMicrosecondType};
use arrow_array::{Array, ArrayRef, Decimal128Array, RecordBatch, StringArray, UInt64Array};
use skyledger_types::cost_row::{COLUMNS, CostType, SourceFormat, cost_row_schema};

use crate::ReadOptions;
use crate::columnar::{MappedColumns, SourceColumns};
use crate::decimal::parse_scaled;
use crate::error::IngestError;
use crate::row::{BatchBuilder, CellError, NON_NULL_IDX, RowStage, c};

/// Access to one source record by column index (of the file's [`Header`](crate::header::Header)).
pub trait Fields {
    /// The text of a column; `None` for null, empty or absent.
    fn get(&self, col: usize) -> Option<&str>;
    /// Call `f` for each entry of a map column (Parquet `MAP<string,string>`).
    fn map_entries(&self, _col: usize, _f: &mut dyn FnMut(&str, &str)) {}
    /// A number as an integer scaled by `10^scale`, exactly as its text would parse; `None`
    /// for null, empty or absent. Typed sources (Parquet) skip the text.
    fn decimal(&self, col: usize, scale: u32) -> Option<Result<i128, String>> {
        self.get(col).map(|s| parse_scaled(s, scale))
    }
    /// A timestamp in microseconds (UTC) when the source stores it typed; `None` means "read
    /// the text" (also for null: [`get`](Self::get) then says `None` too).
    fn micros(&self, _col: usize) -> Option<i64> {
        None
    }
}

/// The text of an optional column.
pub fn g(row: &dyn Fields, col: Option<usize>) -> Option<&str> {
    col.and_then(|c| row.get(c))
}

/// The scaled number of an optional column; errors name `source`.
pub fn dec(
    row: &dyn Fields,
    col: Option<usize>,
    scale: u32,
    source: &str,
) -> Result<Option<i128>, CellError> {
    match col.and_then(|c| row.decimal(c, scale)) {
        None => Ok(None),
        Some(r) => r.map(Some).map_err(|e| CellError::new(source, e)),
    }
}

/// Turns a source record into a normalised row. One per format, built from the header.
pub trait Mapper: Send {
    fn format(&self) -> SourceFormat;
    fn map_row(&mut self, row: &dyn Fields, st: &mut RowStage) -> Result<(), CellError>;
    /// Output text columns that are plain copies of one source column (null or empty source
    /// text gives null), as `(output column, source column)` pairs, for a columnar source
    /// whose source columns `is_text` are text. From then on [`map_row`](Self::map_row)
    /// leaves those columns unset and the reader takes them whole from the source.
    fn pass_through(&mut self, _is_text: &dyn Fn(usize) -> bool) -> Vec<(usize, usize)> {
        Vec::new()
    }
    /// Map a whole source batch at once (see [`columnar`](crate::columnar)); `None` declines
    /// and the batch goes through [`map_row`](Self::map_row) row by row.
    fn map_columns(&mut self, _src: &dyn SourceColumns) -> Option<MappedColumns> {
        None
    }
}

/// Sums of one currency, scaled by 10^MONEY_SCALE.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CostTotals {
    pub billed: i128,
    pub effective: i128,
    pub blended: i128,
    pub unblended: i128,
    pub amortized: i128,
    pub recurring: i128,
    pub list: i128,
}

impl CostTotals {
    /// The total for an API cost type.
    pub fn get(&self, t: CostType) -> i128 {
        match t {
            CostType::Blended => self.blended,
            CostType::Unblended => self.unblended,
            CostType::Amortized => self.amortized,
            CostType::Recurring => self.recurring,
            CostType::Actual => self.billed,
        }
    }

    /// Adds one value per [`TOTALED`] column, in that order.
    fn add_values(&mut self, v: [i128; 7]) {
        self.billed += v[0];
        self.effective += v[1];
        self.blended += v[2];
        self.unblended += v[3];
        self.amortized += v[4];
        self.recurring += v[5];
        self.list += v[6];
    }

    fn add(&mut self, o: &CostTotals) {
        self.billed += o.billed;
        self.effective += o.effective;
        self.blended += o.blended;
        self.unblended += o.unblended;
        self.amortized += o.amortized;
        self.recurring += o.recurring;
        self.list += o.list;
    }
}

/// The cost columns [`CostTotals`] sums, in the order of [`CostTotals::add_values`].
const TOTALED: [usize; 7] = [
    c::BILLED_COST,
    c::EFFECTIVE_COST,
    c::X_BLENDED_COST,
    c::X_UNBLENDED_COST,
    c::X_AMORTIZED_COST,
    c::X_RECURRING_COST,
    c::LIST_COST,
];

/// Adds a batch of normalised rows to `totals`, per billing currency (a null currency counts
/// as ""); absent cost columns and null values count 0.
pub(crate) fn add_batch_totals(totals: &mut BTreeMap<String, CostTotals>, b: &RecordBatch) {
    let currency = b
        .column_by_name(COLUMNS[c::BILLING_CURRENCY].0)
        .and_then(|a| a.as_string_opt::<i32>());
    let cur = |r: usize| {
        currency
            .filter(|a| a.is_valid(r))
            .map_or("", |a| a.value(r))
    };
    let columns = TOTALED.map(|i| {
        b.column_by_name(COLUMNS[i].0)
            .and_then(|a| a.as_primitive_opt::<Decimal128Type>())
    });
    let mut r = 0;
    while r < b.num_rows() {
        let run = cur(r);
        let mut end = r + 1;
        while end < b.num_rows() && cur(end) == run {
            end += 1;
        }
        let sum = |a: Option<&Decimal128Array>| -> i128 {
            let Some(a) = a else { return 0 };
            let values = &a.values()[r..end];
            match a.nulls() {
                None => values.iter().sum(),
                Some(n) => values
                    .iter()
                    .enumerate()
                    .filter(|&(i, _)| n.is_valid(r + i))
                    .map(|(_, v)| v)
                    .sum(),
            }
        };
        let t = match totals.get_mut(run) {
            Some(t) => t,
            None => totals.entry(run.to_string()).or_default(),
        };
        t.add_values(columns.map(sum));
        r = end;
    }
}

/// What a reader saw, available after (and during) reading.
#[derive(Debug, Clone, Default)]
pub struct ReadStats {
    /// Rows yielded.
    pub rows: u64,
    /// Rows mapped a whole batch at a time ([`Mapper::map_columns`]); the others row by row.
    pub columnar_rows: u64,
    /// Rows skipped as bad (only with `skip_bad_rows`).
    pub bad_rows_skipped: u64,
    /// The first few skipped-row messages (`file:line:column: reason`).
    pub bad_row_samples: Vec<String>,
    /// Billing periods seen, as (start, end) microseconds UTC.
    pub billing_periods: BTreeSet<(i64, i64)>,
    /// `BillingAccountId`s seen.
    pub billing_account_ids: BTreeSet<String>,
    /// `SubAccountId`s seen (the API's billing accounts: linked accounts, subscriptions, projects).
    pub sub_account_ids: BTreeSet<String>,
    /// Currency of each billing account (one per account).
    pub account_currency: BTreeMap<String, String>,
    /// Totals per billing currency.
    pub totals: BTreeMap<String, CostTotals>,
    /// Files read (several for a manifest delivery).
    pub files: Vec<String>,
}

/// Number of bad-row messages kept in [`ReadStats::bad_row_samples`].
const SAMPLES: usize = 20;

impl ReadStats {
    /// Currencies seen.
    pub fn currencies(&self) -> Vec<&str> {
        self.totals.keys().map(String::as_str).collect()
    }

    /// Fold another file's stats in; an account billed in two currencies is an error.
    pub fn merge(&mut self, o: &ReadStats, file: &str) -> Result<(), IngestError> {
        for (acct, cur) in &o.account_currency {
            if let Some(prev) = self.account_currency.get(acct)
                && prev != cur
            {
                return Err(IngestError::MixedCurrency {
                    file: file.to_string(),
                    line: 0,
                    account: acct.clone(),
                    first: prev.clone(),
                    second: cur.clone(),
                });
            }
            self.account_currency.insert(acct.clone(), cur.clone());
        }
        self.rows += o.rows;
        self.columnar_rows += o.columnar_rows;
        self.bad_rows_skipped += o.bad_rows_skipped;
        for s in &o.bad_row_samples {
            if self.bad_row_samples.len() < SAMPLES {
                self.bad_row_samples.push(s.clone());
            }
        }
        self.billing_periods
            .extend(o.billing_periods.iter().copied());
        self.billing_account_ids
            .extend(o.billing_account_ids.iter().cloned());
        self.sub_account_ids
            .extend(o.sub_account_ids.iter().cloned());
        for (cur, t) in &o.totals {
            self.totals.entry(cur.clone()).or_default().add(t);
        }
        self.files.extend(o.files.iter().cloned());
        Ok(())
    }
}

/// Where every format's rows go: maps, checks, counts and batches them.
pub struct RowSink {
    pub mapper: Box<dyn Mapper>,
    pub stage: RowStage,
    pub builder: BatchBuilder,
    pub stats: ReadStats,
    pub file: String,
    pub skip_bad_rows: bool,
    pub batch_size: usize,
    /// Whether mappers may map whole batches ([`Mapper::map_columns`]).
    pub columnar: bool,
    last_period: (i64, i64),
    last_account: String,
    last_sub: String,
    /// Finished batches not yet handed out, oldest first.
    ready: VecDeque<RecordBatch>,
}

impl RowSink {
    pub fn new(file: &str, mapper: Box<dyn Mapper>, opts: &ReadOptions) -> Self {
        let batch_size = opts.batch_size.max(1);
        let stats = ReadStats {
            files: vec![file.to_string()],
            ..Default::default()
        };
        Self {
            mapper,
            stage: RowStage::new(),
            builder: BatchBuilder::new(file, batch_size),
            stats,
            file: file.to_string(),
            skip_bad_rows: opts.skip_bad_rows,
            batch_size,
            columnar: !opts.row_by_row,
            last_period: (i64::MIN, i64::MIN),
            last_account: String::new(),
            last_sub: String::new(),
            ready: VecDeque::new(),
        }
    }

    pub fn format(&self) -> SourceFormat {
        self.mapper.format()
    }

    /// A row the source itself could not read (bad CSV quoting, bad JSON).
    pub fn bad(&mut self, line: u64, column: &str, reason: String) -> Result<(), IngestError> {
        let err = IngestError::BadRow {
            file: self.file.clone(),
            line,
            column: column.to_string(),
            reason,
        };
        if self.skip_bad_rows {
            self.stats.bad_rows_skipped += 1;
            if self.stats.bad_row_samples.len() < SAMPLES {
                self.stats.bad_row_samples.push(err.to_string());
            }
            Ok(())
        } else {
            Err(err)
        }
    }

    /// Map one record found at `line`.
    pub fn accept(&mut self, row: &dyn Fields, line: u64) -> Result<(), IngestError> {
        self.stage.clear();
        let format = self.mapper.format();
        let res = self
            .mapper
            .map_row(row, &mut self.stage)
            .and_then(|()| self.stage.finish(format));
        if let Err(e) = res {
            return self.bad(line, &e.column, e.reason);
        }
        self.observe(line)?;
        self.builder.push(&self.stage, line);
        Ok(())
    }

    fn observe(&mut self, line: u64) -> Result<(), IngestError> {
        let st = &self.stage;
        let s = &mut self.stats;
        s.rows += 1;
        let period = (
            st.get_ts(c::BILLING_PERIOD_START).unwrap_or_default(),
            st.get_ts(c::BILLING_PERIOD_END).unwrap_or_default(),
        );
        if period != self.last_period {
            s.billing_periods.insert(period);
            self.last_period = period;
        }
        let account = st.get_text(c::BILLING_ACCOUNT_ID).unwrap_or_default();
        let currency = st.get_text(c::BILLING_CURRENCY).unwrap_or_default();
        // Rows of several accounts interleave: look a changed id up before allocating it.
        if account != self.last_account {
            if !s.billing_account_ids.contains(account) {
                s.billing_account_ids.insert(account.to_string());
            }
            self.last_account.clear();
            self.last_account.push_str(account);
        }
        if let Some(sub) = st.get_text(c::SUB_ACCOUNT_ID)
            && sub != self.last_sub
        {
            if !s.sub_account_ids.contains(sub) {
                s.sub_account_ids.insert(sub.to_string());
            }
            self.last_sub.clear();
            self.last_sub.push_str(sub);
        }
        match s.account_currency.get(account) {
            Some(prev) if prev != currency => {
                return Err(IngestError::MixedCurrency {
                    file: self.file.clone(),
                    line,
                    account: account.to_string(),
                    first: prev.clone(),
                    second: currency.to_string(),
                });
            }
            Some(_) => {}
            None => {
                s.account_currency
                    .insert(account.to_string(), currency.to_string());
            }
        }
        let t = match s.totals.get_mut(currency) {
            Some(t) => t,
            None => s.totals.entry(currency.to_string()).or_default(),
        };
        t.add_values(TOTALED.map(|i| st.get_dec(i).unwrap_or(0)));
        Ok(())
    }

    /// Whether a full batch is ready.
    pub fn full(&self) -> bool {
        !self.ready.is_empty() || self.builder.len() >= self.batch_size
    }

    /// Take the oldest finished batch, or else the pending rows as a batch, if any.
    pub fn take(&mut self) -> Option<RecordBatch> {
        self.ready
            .pop_front()
            .or_else(|| (!self.builder.is_empty()).then(|| self.builder.finish()))
    }

    /// Take a batch a mapper mapped whole, its rows found at lines `first_line + 1 ..`.
    /// `Ok(false)` hands it back to the row path: a required value is missing, or an account
    /// changes currency (the row path reports those with their line).
    pub fn accept_columns(
        &mut self,
        mapped: MappedColumns,
        first_line: u64,
    ) -> Result<bool, IngestError> {
        let rows = mapped.rows;
        if rows == 0 {
            return Ok(true);
        }
        if NON_NULL_IDX
            .iter()
            .any(|&i| i != c::X_SOURCE_FILE && i != c::X_SOURCE_LINE && mapped.has_null(i))
        {
            return Ok(false);
        }
        let mut columns = mapped.columns;
        columns[c::X_SOURCE_FILE] = Some(Arc::new(crate::columnar::constant(&self.file, rows)));
        columns[c::X_SOURCE_LINE] = Some(Arc::new(UInt64Array::from_iter_values(
            first_line + 1..=first_line + rows as u64,
        )));
        let arrays: Vec<ArrayRef> = columns
            .into_iter()
            .zip(cost_row_schema().fields())
            .map(|(a, f)| a.unwrap_or_else(|| arrow_array::new_null_array(f.data_type(), rows)))
            .collect();
        let batch = match RecordBatch::try_new(cost_row_schema(), arrays) {
            Ok(b) => b,
            Err(e) => {
                debug_assert!(false, "mapped columns do not fit the schema: {e}");
                return Ok(false);
            }
        };
        if !self.observe_batch(&batch) {
            return Ok(false);
        }
        if !self.builder.is_empty() {
            let pending = self.builder.finish();
            self.ready.push_back(pending);
        }
        self.ready.push_back(batch);
        Ok(true)
    }

    /// [`observe`](Self::observe) for a whole batch; `false` (and nothing recorded) when an
    /// account would change currency.
    fn observe_batch(&mut self, b: &RecordBatch) -> bool {
        let text = |i: usize| b.column(i).as_string::<i32>();
        let ts = |i: usize| b.column(i).as_primitive::<TimestampMicrosecondType>();
        let (account, currency, sub) = (
            text(c::BILLING_ACCOUNT_ID),
            text(c::BILLING_CURRENCY),
            text(c::SUB_ACCOUNT_ID),
        );
        let mut pairs: BTreeMap<&str, &str> = BTreeMap::new();
        let mut last = ("", "");
        for r in 0..b.num_rows() {
            let pair = (account.value(r), currency.value(r));
            if pair == last {
                continue;
            }
            last = pair;
            let known = self.stats.account_currency.get(pair.0).map(String::as_str);
            match pairs.insert(pair.0, pair.1).or(known) {
                Some(prev) if prev != pair.1 => return false,
                _ => {}
            }
        }
        let s = &mut self.stats;
        s.rows += b.num_rows() as u64;
        s.columnar_rows += b.num_rows() as u64;
        for (a, cur) in pairs {
            if !s.account_currency.contains_key(a) {
                s.account_currency.insert(a.to_string(), cur.to_string());
            }
            if !s.billing_account_ids.contains(a) {
                s.billing_account_ids.insert(a.to_string());
            }
        }
        let (start, end) = (ts(c::BILLING_PERIOD_START), ts(c::BILLING_PERIOD_END));
        for r in 0..b.num_rows() {
            let period = (start.value(r), end.value(r));
            if period != self.last_period {
                s.billing_periods.insert(period);
                self.last_period = period;
            }
        }
        note_texts(sub, &mut s.sub_account_ids);
        add_batch_totals(&mut s.totals, b);
        true
    }
}

/// Add each distinct non-null text of `a` to `set` (runs of equal text looked up once).
fn note_texts(a: &StringArray, set: &mut BTreeSet<String>) {
    let mut last: Option<&str> = None;
    for v in a.iter().flatten() {
        if last != Some(v) {
            if !set.contains(v) {
                set.insert(v.to_string());
            }
            last = Some(v);
        }
    }
}
