//! Helpers: read a whole file, sum money columns exactly, locate fixtures.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use arrow_array::{Array, Decimal128Array, RecordBatch, StringArray};
use rust_decimal::Decimal;
use skyledger_ingest::{BatchReader, IngestError, ReadOptions, ReadStats, open};
use skyledger_types::cost_row::MONEY_SCALE;

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

pub struct Read {
    pub batches: Vec<RecordBatch>,
    pub stats: ReadStats,
    pub format: skyledger_ingest::Format,
}

impl Read {
    pub fn rows(&self) -> usize {
        self.batches.iter().map(|b| b.num_rows()).sum()
    }

    /// Exact sum of a money column, optionally only rows where `filter_col == filter_val`.
    pub fn sum(&self, col: &str, filter: Option<(&str, &str)>) -> Decimal {
        let mut total: i128 = 0;
        for b in &self.batches {
            let a = b
                .column_by_name(col)
                .unwrap()
                .as_any()
                .downcast_ref::<Decimal128Array>()
                .unwrap();
            let f = filter.map(|(c, v)| {
                (
                    b.column_by_name(c)
                        .unwrap()
                        .as_any()
                        .downcast_ref::<StringArray>()
                        .unwrap()
                        .clone(),
                    v,
                )
            });
            for i in 0..b.num_rows() {
                if let Some((fa, v)) = &f
                    && (!fa.is_valid(i) || fa.value(i) != *v)
                {
                    continue;
                }
                if a.is_valid(i) {
                    total += a.value(i);
                }
            }
        }
        // rust_decimal holds 28 digits: drop trailing zeros first (exact).
        let mut scale = MONEY_SCALE as u32;
        while scale > 0 && total % 10 == 0 {
            total /= 10;
            scale -= 1;
        }
        Decimal::from_i128_with_scale(total, scale).normalize()
    }

    /// Distinct non-null values of a text column.
    pub fn distinct(&self, col: &str) -> std::collections::BTreeSet<String> {
        let mut out = std::collections::BTreeSet::new();
        for b in &self.batches {
            let a = b
                .column_by_name(col)
                .unwrap()
                .as_any()
                .downcast_ref::<StringArray>()
                .unwrap();
            for i in 0..a.len() {
                if a.is_valid(i) {
                    out.insert(a.value(i).to_string());
                }
            }
        }
        out
    }

    pub fn count(&self, col: &str, val: &str) -> usize {
        let mut n = 0;
        for b in &self.batches {
            let a = b
                .column_by_name(col)
                .unwrap()
                .as_any()
                .downcast_ref::<StringArray>()
                .unwrap();
            n += (0..a.len())
                .filter(|&i| a.is_valid(i) && a.value(i) == val)
                .count();
        }
        n
    }
}

pub fn read_with(path: &Path, opts: &ReadOptions) -> Result<Read, IngestError> {
    let mut r: Box<dyn BatchReader> = open(path, opts)?;
    let mut batches = Vec::new();
    for b in r.by_ref() {
        batches.push(b?);
    }
    Ok(Read {
        batches,
        stats: r.stats(),
        format: r.format(),
    })
}

pub fn read(path: &Path) -> Read {
    read_with(path, &ReadOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

pub fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap().normalize()
}

/// Independent exact sum of one CSV column (rust_decimal, not the reader's parser).
pub fn csv_column_sum(path: &Path, column: &str) -> Decimal {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .unwrap();
    let idx = rdr
        .headers()
        .unwrap()
        .iter()
        .position(|h| h.trim_start_matches('\u{feff}') == column)
        .unwrap();
    let mut total = Decimal::ZERO;
    for rec in rdr.records() {
        let rec = rec.unwrap();
        // Spreadsheet-formatted examples write "$10,000.00 ".
        let v: String = rec
            .get(idx)
            .unwrap()
            .trim()
            .chars()
            .filter(|c| *c != '$' && *c != ',')
            .collect();
        let v = v.as_str();
        if !v.is_empty() && v != "NULL" {
            total += Decimal::from_str(v)
                .or_else(|_| Decimal::from_scientific(v))
                .unwrap();
        }
    }
    total.normalize()
}
