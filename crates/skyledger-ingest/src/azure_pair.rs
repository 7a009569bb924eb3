//! Azure actual + amortized exports of one billing account and month read as one delivery.
//!
//! Microsoft's FOCUS conversion (Cost Management FOCUS export, FinOps toolkit) joins the two
//! views: amortized rows carry `EffectiveCost`; commitment purchases, billed now and spread
//! later, carry `BilledCost` with `EffectiveCost` 0; usage covered by a commitment and unused
//! commitment carry `BilledCost` 0 and `EffectiveCost` = amortized cost. Here each amortized row
//! is matched with the actual row of the same usage (same day, subscription, resource, meter,
//! charge type, pricing model, commitment, quantity, tags): the pair becomes one row whose
//! `BilledCost` comes from the actual export and whose `EffectiveCost` comes from the amortized
//! one. An amortized row without an actual partner is billed 0; an actual row without an
//! amortized partner (a commitment purchase) is effective 0. So `BilledCost` sums to the actual
//! export's total and `EffectiveCost` to the amortized export's total, exactly, and usage seen
//! in both views is one row.
//!
//! Memory: the actual export is read twice (an index of one hash and one cost per row, then the
//! unmatched rows); batches stay bounded by the batch size.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Decimal128Type, TimestampMicrosecondType};
use arrow_array::{Array, ArrayRef, Decimal128Array, MapArray, RecordBatch, StringArray};
use skyledger_types::cost_row::{self as c, DECIMAL_PRECISION, MONEY_SCALE};

use crate::{AzureCostKind, BatchReader, CostTotals, Format, IngestError, ReadOptions, ReadStats};

/// Columns that identify one usage line in both views (costs and prices differ between them).
const KEY_COLUMNS: &[&str] = &[
    c::CHARGE_PERIOD_START,
    c::SUB_ACCOUNT_ID,
    c::RESOURCE_ID,
    c::SKU_PRICE_ID,
    c::SKU_ID,
    c::X_LINE_ITEM_TYPE,
    c::PRICING_CATEGORY,
    c::COMMITMENT_DISCOUNT_ID,
    c::CONSUMED_QUANTITY,
    c::REGION_ID,
    c::X_OPERATION,
    c::CHARGE_DESCRIPTION,
    c::X_RESOURCE_GROUP,
    c::TAGS,
];

/// Which view of Azure cost a file holds, its billing account and its first billing period:
/// what pairs an actual export with its amortized twin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AzureView {
    pub kind: AzureCostKind,
    pub billing_account_id: String,
    /// Start of the billing period, microseconds UTC.
    pub billing_period_start: i64,
}

/// The Azure view a billing file holds, read from its first rows; `None` when it is not an
/// Azure cost export (or holds no rows). The kind comes from the file name (`…amortized…`),
/// as [`ReadOptions::azure_cost_kind`] documents.
pub fn azure_view(path: &Path, opts: &ReadOptions) -> Result<Option<AzureView>, IngestError> {
    if path.is_dir() {
        return Ok(None);
    }
    let mut reader = crate::open(path, opts)?;
    if reader.format() != Format::Azure {
        return Ok(None);
    }
    for batch in reader.by_ref() {
        let batch = batch?;
        if batch.num_rows() == 0 {
            continue;
        }
        let (Some(account), Some(start)) = (
            batch
                .column_by_name(c::BILLING_ACCOUNT_ID)
                .and_then(|a| a.as_string_opt::<i32>()),
            batch
                .column_by_name(c::BILLING_PERIOD_START)
                .and_then(|a| a.as_primitive_opt::<TimestampMicrosecondType>()),
        ) else {
            return Ok(None);
        };
        let name = path.display().to_string();
        return Ok(Some(AzureView {
            kind: opts
                .azure_cost_kind
                .unwrap_or_else(|| crate::azure::kind_from_name(&name)),
            billing_account_id: account.value(0).to_string(),
            billing_period_start: start.value(0),
        }));
    }
    Ok(None)
}

/// The actual rows of one key: their billed costs in file order (the first inline: most keys
/// have one row, and then nothing is allocated), and how many of them amortized rows have taken
/// (those are left out when the actual file is read again).
#[derive(Default)]
struct Slot {
    first: i128,
    more: Vec<i128>,
    len: u32,
    matched: u32,
}

impl Slot {
    fn push(&mut self, cost: i128) {
        if self.len == 0 {
            self.first = cost;
        } else {
            self.more.push(cost);
        }
        self.len += 1;
    }

    /// The billed cost of the next actual row not taken yet, taking it.
    fn take(&mut self) -> Option<i128> {
        let i = self.matched;
        (i < self.len).then(|| {
            self.matched += 1;
            if i == 0 {
                self.first
            } else {
                self.more[i as usize - 1]
            }
        })
    }
}

enum Phase {
    Amortized(Box<dyn BatchReader>),
    Actual(Box<dyn BatchReader>),
    Done,
}

/// Reads an actual and an amortized export of the same billing account and period as one
/// delivery (see the module documentation).
pub struct AzurePairReader {
    actual: PathBuf,
    opts: ReadOptions,
    index: HashMap<u64, Slot>,
    phase: Phase,
    /// Stats of the finished passes (their totals are replaced by `totals`).
    stats: ReadStats,
    totals: std::collections::BTreeMap<String, CostTotals>,
    rows: u64,
    pending: std::collections::VecDeque<RecordBatch>,
}

/// Opens the pair; the actual export is indexed here, before the first batch.
pub fn open_pair(
    actual: &Path,
    amortized: &Path,
    opts: &ReadOptions,
) -> Result<Box<dyn BatchReader>, IngestError> {
    let actual_opts = ReadOptions {
        format: Some(Format::Azure),
        azure_cost_kind: Some(AzureCostKind::Actual),
        ..opts.clone()
    };
    let amortized_opts = ReadOptions {
        azure_cost_kind: Some(AzureCostKind::Amortized),
        ..actual_opts.clone()
    };
    let mut index: HashMap<u64, Slot> = HashMap::new();
    let mut reader = crate::open(actual, &actual_opts)?;
    for batch in reader.by_ref() {
        let batch = batch?;
        let billed = money(&batch, c::BILLED_COST);
        for (row, key) in keys(&batch).into_iter().enumerate() {
            let cost = billed
                .filter(|a| a.is_valid(row))
                .map_or(0, |a| a.value(row));
            index.entry(key).or_default().push(cost);
        }
    }
    let amortized_reader = crate::open(amortized, &amortized_opts)?;
    Ok(Box::new(AzurePairReader {
        actual: actual.to_path_buf(),
        opts: actual_opts,
        index,
        phase: Phase::Amortized(amortized_reader),
        stats: identity_only(reader.stats()),
        totals: Default::default(),
        rows: 0,
        pending: Default::default(),
    }))
}

/// The index pass's stats keep what identifies the delivery (accounts, periods); rows, files,
/// bad rows and totals are counted by the passes that emit rows.
fn identity_only(s: ReadStats) -> ReadStats {
    ReadStats {
        billing_periods: s.billing_periods,
        billing_account_ids: s.billing_account_ids,
        account_currency: s.account_currency,
        ..ReadStats::default()
    }
}

fn money<'a>(batch: &'a RecordBatch, name: &str) -> Option<&'a Decimal128Array> {
    batch
        .column_by_name(name)?
        .as_primitive_opt::<Decimal128Type>()
}

/// One identifying column, its type resolved once per batch.
enum KeyColumn<'a> {
    Text(&'a StringArray),
    Number(&'a Decimal128Array),
    Time(&'a arrow_array::TimestampMicrosecondArray),
    Tags(&'a MapArray),
}

/// A hash of each row's identifying columns (SipHash with fixed keys: the same in every pass).
fn keys(batch: &RecordBatch) -> Vec<u64> {
    let cols: Vec<KeyColumn> = KEY_COLUMNS
        .iter()
        .filter_map(|name| {
            let col = batch.column_by_name(name)?;
            col.as_string_opt::<i32>()
                .map(KeyColumn::Text)
                .or_else(|| {
                    col.as_primitive_opt::<Decimal128Type>()
                        .map(KeyColumn::Number)
                })
                .or_else(|| {
                    col.as_primitive_opt::<TimestampMicrosecondType>()
                        .map(KeyColumn::Time)
                })
                .or_else(|| col.as_map_opt().map(KeyColumn::Tags))
        })
        .collect();
    (0..batch.num_rows())
        .map(|row| {
            let mut h = DefaultHasher::new();
            for col in &cols {
                match col {
                    KeyColumn::Text(a) => a.is_valid(row).then(|| a.value(row)).hash(&mut h),
                    KeyColumn::Number(a) => a.is_valid(row).then(|| a.value(row)).hash(&mut h),
                    KeyColumn::Time(a) => a.is_valid(row).then(|| a.value(row)).hash(&mut h),
                    KeyColumn::Tags(m) => hash_tags(&mut h, m, row),
                }
            }
            h.finish()
        })
        .collect()
}

fn hash_tags(h: &mut DefaultHasher, m: &MapArray, row: usize) {
    if m.is_null(row) {
        0u8.hash(h);
        return;
    }
    let (Some(k), Some(v)) = (
        m.keys().as_string_opt::<i32>(),
        m.values().as_string_opt::<i32>(),
    ) else {
        return;
    };
    let offsets = m.value_offsets();
    let (from, to) = (offsets[row] as usize, offsets[row + 1] as usize);
    (to - from).hash(h);
    for i in from..to {
        k.value(i).hash(h);
        v.is_valid(i).then(|| v.value(i)).hash(h);
    }
}

fn decimal(values: Vec<Option<i128>>) -> ArrayRef {
    Arc::new(
        Decimal128Array::from(values)
            .with_precision_and_scale(DECIMAL_PRECISION, MONEY_SCALE)
            .expect("the cost schema's decimal type"),
    )
}

/// The batch with the named money columns replaced.
fn with_money(
    batch: &RecordBatch,
    replace: &[(&str, ArrayRef)],
) -> Result<RecordBatch, IngestError> {
    let schema = batch.schema();
    let mut columns = batch.columns().to_vec();
    for (name, array) in replace {
        if let Ok(i) = schema.index_of(name) {
            columns[i] = Arc::clone(array);
        }
    }
    RecordBatch::try_new(schema, columns).map_err(|e| IngestError::Manifest {
        file: String::new(),
        reason: format!("pairing Azure views: {e}"),
    })
}

impl AzurePairReader {
    /// An amortized batch with `BilledCost` (and the cost types derived from it) taken from
    /// the matching actual rows, 0 where there is none.
    fn merge_amortized(&mut self, batch: &RecordBatch) -> Result<RecordBatch, IngestError> {
        let one_time = batch
            .column_by_name(c::CHARGE_FREQUENCY)
            .and_then(|a| a.as_string_opt::<i32>());
        let mut billed = Vec::with_capacity(batch.num_rows());
        let mut recurring = Vec::with_capacity(batch.num_rows());
        for (row, key) in keys(batch).into_iter().enumerate() {
            let cost = self.index.get_mut(&key).and_then(Slot::take).unwrap_or(0);
            billed.push(Some(cost));
            let once = one_time.is_some_and(|a| is_one_time(a, row));
            recurring.push(Some(if once { 0 } else { cost }));
        }
        let billed = decimal(billed);
        with_money(
            batch,
            &[
                (c::BILLED_COST, Arc::clone(&billed)),
                (c::X_UNBLENDED_COST, Arc::clone(&billed)),
                (c::X_BLENDED_COST, billed),
                (c::X_RECURRING_COST, decimal(recurring)),
            ],
        )
    }

    /// The actual rows no amortized row took, as slices of the batch, with no effective cost.
    fn unmatched_actual(&mut self, batch: &RecordBatch) -> Result<Vec<RecordBatch>, IngestError> {
        let zeros = decimal(vec![Some(0); batch.num_rows()]);
        let batch = with_money(
            batch,
            &[
                (c::EFFECTIVE_COST, Arc::clone(&zeros)),
                (c::X_AMORTIZED_COST, zeros),
            ],
        )?;
        let mut out = Vec::new();
        let mut run: Option<usize> = None;
        for (row, key) in keys(&batch).into_iter().enumerate() {
            let keep = match self.index.get_mut(&key) {
                Some(slot) if slot.matched > 0 => {
                    slot.matched -= 1;
                    false
                }
                _ => true,
            };
            match (keep, run) {
                (true, None) => run = Some(row),
                (false, Some(start)) => {
                    out.push(batch.slice(start, row - start));
                    run = None;
                }
                _ => {}
            }
        }
        if let Some(start) = run {
            out.push(batch.slice(start, batch.num_rows() - start));
        }
        Ok(out)
    }

    fn count(&mut self, batch: &RecordBatch) {
        self.rows += batch.num_rows() as u64;
        crate::source::add_batch_totals(&mut self.totals, batch);
    }

    /// Folds a finished pass's stats in; after the amortized pass, checks that it is the
    /// actual export's twin.
    fn finish_pass(
        &mut self,
        reader: &dyn BatchReader,
        amortized: bool,
    ) -> Result<(), IngestError> {
        let mut s = reader.stats();
        let file = s.files.first().cloned().unwrap_or_default();
        if amortized {
            // One pair, one billing source and one month: anything else is two deliveries.
            if s.billing_account_ids != self.stats.billing_account_ids
                || s.billing_periods != self.stats.billing_periods
            {
                return Err(IngestError::Manifest {
                    file,
                    reason: format!(
                        "the amortized export (billing accounts {:?}, {} periods) is not of the \
                         same billing account and period as the actual export {} ({:?}, {} periods)",
                        s.billing_account_ids,
                        s.billing_periods.len(),
                        self.actual.display(),
                        self.stats.billing_account_ids,
                        self.stats.billing_periods.len()
                    ),
                });
            }
        }
        s.rows = 0;
        s.totals.clear();
        self.stats.merge(&s, &file)
    }
}

fn is_one_time(a: &StringArray, row: usize) -> bool {
    a.is_valid(row) && a.value(row) == "One-Time"
}

impl Iterator for AzurePairReader {
    type Item = Result<RecordBatch, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(b) = self.pending.pop_front() {
                self.count(&b);
                return Some(Ok(b));
            }
            let phase = std::mem::replace(&mut self.phase, Phase::Done);
            match phase {
                Phase::Done => return None,
                Phase::Amortized(mut r) => match r.next() {
                    Some(Ok(b)) => {
                        let merged = self.merge_amortized(&b);
                        self.phase = Phase::Amortized(r);
                        match merged {
                            Ok(m) => self.pending.push_back(m),
                            Err(e) => return Some(Err(e)),
                        }
                    }
                    Some(Err(e)) => return Some(Err(e)),
                    None => {
                        if let Err(e) = self.finish_pass(r.as_ref(), true) {
                            return Some(Err(e));
                        }
                        match crate::open(&self.actual, &self.opts) {
                            Ok(a) => self.phase = Phase::Actual(a),
                            Err(e) => return Some(Err(e)),
                        }
                    }
                },
                Phase::Actual(mut r) => match r.next() {
                    Some(Ok(b)) => {
                        let kept = self.unmatched_actual(&b);
                        self.phase = Phase::Actual(r);
                        match kept {
                            Ok(k) => self.pending.extend(k),
                            Err(e) => return Some(Err(e)),
                        }
                    }
                    Some(Err(e)) => return Some(Err(e)),
                    None => {
                        if let Err(e) = self.finish_pass(r.as_ref(), false) {
                            return Some(Err(e));
                        }
                    }
                },
            }
        }
    }
}

impl BatchReader for AzurePairReader {
    fn format(&self) -> Format {
        Format::Azure
    }

    fn stats(&self) -> ReadStats {
        let mut s = self.stats.clone();
        s.rows = self.rows;
        s.totals = self.totals.clone();
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/azure")
            .join(name)
    }

    fn scaled(text: &str) -> i128 {
        crate::decimal::parse_scaled(text, MONEY_SCALE as u32).expect("a decimal")
    }

    fn read_all(r: &mut dyn BatchReader) -> Vec<RecordBatch> {
        r.map(|b| b.expect("a batch")).collect()
    }

    fn sum(batches: &[RecordBatch], name: &str) -> i128 {
        batches
            .iter()
            .flat_map(|b| money(b, name).expect("a money column").iter())
            .map(|v| v.unwrap_or(0))
            .sum()
    }

    #[test]
    fn the_finops_toolkit_pair_keeps_both_totals_and_merges_shared_usage() {
        let actual = fixture("finops-toolkit-EA_ActualCost_Small.csv");
        let amortized = fixture("finops-toolkit-EA_AmortizedCost_Small.csv");
        let mut r = open_pair(&actual, &amortized, &ReadOptions::default()).unwrap();
        let batches = read_all(r.as_mut());
        // shared/data/README.md: actual Cost = 8.5450077867419368 (11 rows), amortized
        // Cost = 16.29693213663664462748541900 (28 rows); 10 usage rows are in both.
        assert_eq!(sum(&batches, c::BILLED_COST), scaled("8.5450077867419368"));
        assert_eq!(
            sum(&batches, c::X_UNBLENDED_COST),
            scaled("8.5450077867419368")
        );
        assert_eq!(
            sum(&batches, c::EFFECTIVE_COST),
            scaled("16.29693213663664462748541900")
        );
        assert_eq!(
            sum(&batches, c::X_AMORTIZED_COST),
            scaled("16.29693213663664462748541900")
        );
        let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        assert_eq!(
            rows,
            28 + 1,
            "28 amortized rows and the one reservation purchase"
        );
        let stats = r.stats();
        assert_eq!(stats.rows, 29);
        let usd = &stats.totals["USD"];
        assert_eq!(usd.billed, scaled("8.5450077867419368"));
        assert_eq!(usd.amortized, scaled("16.29693213663664462748541900"));
        assert_eq!(stats.files.len(), 2);
        // The purchase is billed and not amortized: FOCUS counts it once, as BilledCost.
        let purchase: Vec<(i128, i128)> = batches
            .iter()
            .flat_map(|b| {
                let kind = b
                    .column_by_name(c::X_LINE_ITEM_TYPE)
                    .unwrap()
                    .as_string::<i32>()
                    .clone();
                let billed = money(b, c::BILLED_COST).unwrap().clone();
                let effective = money(b, c::EFFECTIVE_COST).unwrap().clone();
                (0..b.num_rows())
                    .filter(move |i| kind.value(*i) == "Purchase")
                    .map(move |i| (billed.value(i), effective.value(i)))
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(purchase, vec![(scaled("3.25"), 0)]);
    }

    /// The fixture with its line holding `needle` written `times` times in all.
    fn repeated(dir: &Path, name: &str, needle: &str, times: usize) -> PathBuf {
        let text = std::fs::read_to_string(fixture(name)).unwrap();
        let mut out = String::new();
        for line in text.lines() {
            let n = if line.contains(needle) { times } else { 1 };
            for _ in 0..n {
                out.push_str(line);
                out.push('\n');
            }
        }
        let path = dir.join(name);
        std::fs::write(&path, out).unwrap();
        path
    }

    #[test]
    fn repeated_usage_lines_are_matched_one_to_one() {
        // The 2.64 VM usage line: three times in the actual export, twice in the amortized one.
        let dir = tempfile::tempdir().unwrap();
        let vm = "ec8c7b49-9790-4261-b46f-293dabb53fd9,Compute,Virtual Machines,Dv3/DSv3 Series,Texas,D2 v3/D2s v3,24,0.11,2.64,";
        let actual = repeated(dir.path(), "finops-toolkit-EA_ActualCost_Small.csv", vm, 3);
        let amortized = repeated(
            dir.path(),
            "finops-toolkit-EA_AmortizedCost_Small.csv",
            vm,
            2,
        );
        let mut r = open_pair(&actual, &amortized, &ReadOptions::default()).unwrap();
        let batches = read_all(r.as_mut());
        let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        // 29 amortized rows, the purchase, and the third VM line no amortized row took.
        assert_eq!(rows, 29 + 2);
        assert_eq!(
            sum(&batches, c::BILLED_COST),
            scaled("8.5450077867419368") + 2 * scaled("2.64")
        );
        assert_eq!(
            sum(&batches, c::EFFECTIVE_COST),
            scaled("16.29693213663664462748541900") + scaled("2.64")
        );
    }

    #[test]
    fn views_are_told_by_name_and_pairs_of_different_months_are_refused() {
        let actual = fixture("finops-toolkit-EA_ActualCost_Small.csv");
        let amortized = fixture("finops-toolkit-EA_AmortizedCost_Small.csv");
        let opts = ReadOptions::default();
        let a = azure_view(&actual, &opts).unwrap().unwrap();
        let b = azure_view(&amortized, &opts).unwrap().unwrap();
        assert_eq!(
            (a.kind, b.kind),
            (AzureCostKind::Actual, AzureCostKind::Amortized)
        );
        assert_eq!(a.billing_account_id, "8611537");
        assert_eq!(a.billing_period_start, b.billing_period_start);
        // The same amortized export moved to October is not the September actual's twin.
        let dir = tempfile::tempdir().unwrap();
        let text = std::fs::read_to_string(&amortized)
            .unwrap()
            .replace("09/01/2023,09/30/2023", "10/01/2023,10/31/2023");
        let october = dir.path().join("october-amortized.csv");
        std::fs::write(&october, text).unwrap();
        let mut r = open_pair(&actual, &october, &opts).unwrap();
        let err = r.find_map(Result::err).expect("refused");
        assert!(
            err.to_string().contains("same billing account and period"),
            "{err}"
        );
    }
}
