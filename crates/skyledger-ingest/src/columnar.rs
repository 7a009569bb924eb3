//! Mapping a whole source batch at once: every output column is built from whole source
//! columns instead of row by row through [`RowStage`](crate::row::RowStage).
//!
//! A mapper offers this through [`Mapper::map_columns`](crate::source::Mapper::map_columns)
//! and declines (`None`) whenever the batch holds anything off its fast paths: a value only
//! the per-value code reads, a required value missing, a column of an unexpected type. The
//! row path then maps that batch and stays the single authority for errors and bad rows, so
//! both paths give the same rows for every batch the columnar one accepts.

use std::sync::Arc;

use arrow_array::builder::{MapBuilder, StringBuilder};
use arrow_array::types::Int32Type;
use arrow_array::{
    Array, ArrayRef, Decimal128Array, Int8Array, PrimitiveArray, StringArray,
    TimestampMicrosecondArray,
};
use arrow_buffer::{NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::DataType;
use skyledger_types::cost_row::{COLUMNS, DECIMAL_PRECISION, TIMESTAMP_TZ};

use crate::row::{NCOLS, null_empty};

/// A text column of one source batch.
#[derive(Clone, Copy)]
pub enum Text<'a> {
    Plain(&'a StringArray),
    /// Decoded as a dictionary (keys index `values`).
    Dict {
        keys: &'a PrimitiveArray<Int32Type>,
        values: &'a StringArray,
    },
}

impl<'a> Text<'a> {
    /// The text of a row; `None` for null or empty, as [`Fields::get`](crate::source::Fields::get) says.
    pub fn get(&self, row: usize) -> Option<&'a str> {
        let s = match self {
            Text::Plain(a) => a.is_valid(row).then(|| a.value(row))?,
            Text::Dict { keys, values } => {
                if keys.is_null(row) {
                    return None;
                }
                let k = keys.value(row) as usize;
                values.is_valid(k).then(|| values.value(k))?
            }
        };
        (!s.is_empty()).then_some(s)
    }

    /// `f` of each row's text (`None` for null or empty), evaluated once per dictionary value,
    /// or once per run of equal text in a plain column.
    pub fn codes<T: Copy>(&self, rows: usize, mut f: impl FnMut(Option<&'a str>) -> T) -> Vec<T> {
        match self {
            Text::Dict { keys, values } => {
                let per_value: Vec<T> = (0..values.len())
                    .map(|k| {
                        let s = values.is_valid(k).then(|| values.value(k));
                        f(s.filter(|s| !s.is_empty()))
                    })
                    .collect();
                let none = f(None);
                (0..rows)
                    .map(|r| {
                        if keys.is_null(r) {
                            none
                        } else {
                            per_value[keys.value(r) as usize]
                        }
                    })
                    .collect()
            }
            Text::Plain(_) => {
                let mut last: Option<(Option<&'a str>, T)> = None;
                (0..rows)
                    .map(|r| {
                        let s = self.get(r);
                        match last {
                            Some((ls, v)) if ls == s => v,
                            _ => {
                                let v = f(s);
                                last = Some((s, v));
                                v
                            }
                        }
                    })
                    .collect()
            }
        }
    }

    /// The column as plain text, empty text made null.
    pub fn to_array(self) -> Option<StringArray> {
        let a = match self {
            Text::Plain(a) => (*a).clone(),
            Text::Dict { keys, values } => {
                let d = arrow_array::DictionaryArray::new(
                    (*keys).clone(),
                    Arc::new((*values).clone()) as ArrayRef,
                );
                let a = arrow_cast::cast(&d, &DataType::Utf8).ok()?;
                a.as_any().downcast_ref::<StringArray>()?.clone()
            }
        };
        Some(null_empty(a))
    }
}

/// A number column of one batch, scaled to integers; null rows hold 0.
pub struct Decimals {
    pub values: Vec<i128>,
    pub nulls: Option<NullBuffer>,
}

impl Decimals {
    /// Every row null.
    pub fn null(rows: usize) -> Self {
        Self {
            values: vec![0; rows],
            nulls: Some(NullBuffer::new_null(rows)),
        }
    }

    pub fn is_valid(&self, row: usize) -> bool {
        self.nulls.as_ref().is_none_or(|n| n.is_valid(row))
    }

    /// The value of a row, 0 for null (what the row mappers' `money_or_zero` gives).
    pub fn or_zero(&self, row: usize) -> i128 {
        if self.is_valid(row) {
            self.values[row]
        } else {
            0
        }
    }

    /// As a `Decimal128(38, scale)` array.
    pub fn into_array(self, scale: i8) -> Option<ArrayRef> {
        let a = Decimal128Array::new(ScalarBuffer::from(self.values), self.nulls)
            .with_precision_and_scale(DECIMAL_PRECISION, scale)
            .ok()?;
        Some(Arc::new(a))
    }
}

/// The entries of a map column (Parquet `MAP<string,string>`) of one batch.
pub struct Entries<'a> {
    pub offsets: &'a [i32],
    pub nulls: Option<&'a NullBuffer>,
    pub keys: &'a StringArray,
    pub values: &'a StringArray,
}

impl<'a> Entries<'a> {
    /// The entries of a row, as [`Fields::map_entries`](crate::source::Fields::map_entries)
    /// gives them: null keys skipped, null values as empty text, a null map without entries.
    pub fn row(&self, row: usize) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        let valid = self.nulls.is_none_or(|n| n.is_valid(row));
        let (a, b) = if valid {
            (self.offsets[row] as usize, self.offsets[row + 1] as usize)
        } else {
            (0, 0)
        };
        let (k, v) = (self.keys, self.values);
        (a..b).filter(move |&i| k.is_valid(i)).map(move |i| {
            let value = if v.is_valid(i) { v.value(i) } else { "" };
            (k.value(i), value)
        })
    }
}

/// One source batch seen whole, by column index of the file's header.
pub trait SourceColumns {
    fn rows(&self) -> usize;
    /// A text column; `None` when the column is not read as text in this batch.
    fn text(&self, col: usize) -> Option<Text<'_>>;
    /// A number column scaled by `10^scale`, each value exactly as
    /// [`Fields::decimal`](crate::source::Fields::decimal) gives it (null, empty text and
    /// absent values null); `None` when a value is not a number or the column cannot be read
    /// so.
    fn decimals(&self, col: usize, scale: u32) -> Option<Decimals>;
    /// A timestamp column in microseconds UTC; `None` unless the column is typed and has no
    /// nulls.
    fn micros(&self, col: usize) -> Option<Vec<i64>>;
    /// A map column's entries.
    fn entries(&self, col: usize) -> Option<Entries<'_>>;
}

/// An optional source text column: `Some(None)` when the file lacks it, `None` (decline)
/// when it is there but not text.
pub fn opt_text(src: &dyn SourceColumns, col: Option<usize>) -> Option<Option<Text<'_>>> {
    match col {
        None => Some(None),
        Some(c) => src.text(c).map(Some),
    }
}

/// An optional source number column, all null when the file lacks it.
pub fn opt_decimals(src: &dyn SourceColumns, col: Option<usize>, scale: u32) -> Option<Decimals> {
    match col {
        None => Some(Decimals::null(src.rows())),
        Some(c) => src.decimals(c, scale),
    }
}

/// The output columns of one mapped batch, in schema order; `None` is an all-null column.
/// `x_SourceFile` and `x_SourceLine` are the sink's to fill.
pub struct MappedColumns {
    pub rows: usize,
    pub columns: Vec<Option<ArrayRef>>,
}

impl MappedColumns {
    pub fn new(rows: usize) -> Self {
        Self {
            rows,
            columns: vec![None; NCOLS],
        }
    }

    pub fn set(&mut self, col: usize, a: ArrayRef) {
        debug_assert_eq!(a.len(), self.rows, "column {}", COLUMNS[col].0);
        self.columns[col] = Some(a);
    }

    pub fn text(&mut self, col: usize, a: StringArray) {
        self.set(col, Arc::new(a));
    }

    /// An optional source text column copied (empty text null).
    pub fn copy_text(&mut self, col: usize, t: Option<Text<'_>>) -> Option<()> {
        if let Some(t) = t {
            self.text(col, t.to_array()?);
        }
        Some(())
    }

    /// Set a decimal column; the array is returned for other columns of the same values.
    pub fn decimals(&mut self, col: usize, d: Decimals, scale: i8) -> Option<ArrayRef> {
        let a = d.into_array(scale)?;
        self.set(col, Arc::clone(&a));
        Some(a)
    }

    pub fn micros(&mut self, col: usize, v: Vec<i64>) {
        let a =
            TimestampMicrosecondArray::new(ScalarBuffer::from(v), None).with_timezone(TIMESTAMP_TZ);
        self.set(col, Arc::new(a));
    }

    pub fn int8_constant(&mut self, col: usize, v: i8) {
        self.set(col, Arc::new(Int8Array::from(vec![v; self.rows])));
    }

    /// Whether an output column has a null (or is all null).
    pub fn has_null(&self, col: usize) -> bool {
        self.columns[col]
            .as_ref()
            .is_none_or(|a| a.null_count() > 0)
    }
}

/// The same text in every row.
pub fn constant(s: &str, rows: usize) -> StringArray {
    let offsets = OffsetBuffer::from_lengths(std::iter::repeat_n(s.len(), rows));
    let values = s.as_bytes().repeat(rows);
    StringArray::new(offsets, values.into(), None)
}

/// Text from a small code per row: `table[code]`, `None` null (empty text null too).
pub fn from_codes(codes: &[u8], table: &[Option<&str>]) -> StringArray {
    let bytes = codes
        .iter()
        .map(|&c| table[c as usize].map_or(0, str::len))
        .sum();
    let mut b = StringBuilder::with_capacity(codes.len(), bytes);
    for &c in codes {
        match table[c as usize] {
            Some(s) if !s.is_empty() => b.append_value(s),
            _ => b.append_null(),
        }
    }
    b.finish()
}

/// Text per row from `f` (`None` and empty text null).
pub fn strings<'a>(rows: usize, mut f: impl FnMut(usize) -> Option<&'a str>) -> StringArray {
    let mut b = StringBuilder::with_capacity(rows, rows * 16);
    for r in 0..rows {
        match f(r) {
            Some(s) if !s.is_empty() => b.append_value(s),
            _ => b.append_null(),
        }
    }
    b.finish()
}

/// Per row the first of `a` and `b` with text (`None` when neither column is in the file).
/// A column wholly taken from one side is that side's copy.
pub fn coalesce(rows: usize, a: Option<Text<'_>>, b: Option<Text<'_>>) -> Option<StringArray> {
    match (a, b) {
        (None, None) => None,
        (Some(t), None) | (None, Some(t)) => t.to_array(),
        (Some(a), Some(b)) => {
            let second = b.to_array()?;
            if second.null_count() == rows {
                return a.to_array();
            }
            let first = a.to_array()?;
            if first.null_count() == 0 {
                return Some(first);
            }
            let pick = |r: usize| {
                let t = if first.is_valid(r) { &first } else { &second };
                t.is_valid(r).then(|| t.value(r))
            };
            Some(strings(rows, pick))
        }
    }
}

impl Entries<'_> {
    /// The map as the tag column, whole, when no entry needs the row-by-row rules: no null
    /// key or value, no key empty once `strip` is cut off its front, and no null map with
    /// entries. Keys lose `strip`; a row without entries is null. `None` otherwise.
    pub fn whole_tags(&self, rows: usize, strip: &str) -> Option<ArrayRef> {
        let offsets = &self.offsets[..=rows];
        let (first, last) = (offsets[0] as usize, offsets[rows] as usize);
        let keys = self.keys.slice(first, last - first);
        let values = self.values.slice(first, last - first);
        if keys.null_count() > 0 || values.null_count() > 0 {
            return None;
        }
        let null_with_entries =
            |r: usize| self.nulls.is_some_and(|n| n.is_null(r)) && offsets[r + 1] > offsets[r];
        if (0..rows).any(null_with_entries) {
            return None;
        }
        let keys = if keys.iter().flatten().any(|k| k.starts_with(strip)) {
            let mut b = StringBuilder::with_capacity(keys.len(), keys.values().len());
            for k in keys.iter().flatten() {
                b.append_value(k.strip_prefix(strip).unwrap_or(k));
            }
            b.finish()
        } else {
            keys
        };
        if keys.iter().flatten().any(str::is_empty) {
            return None;
        }
        let DataType::Map(entries, sorted) = skyledger_types::cost_row::tags_type() else {
            return None;
        };
        let DataType::Struct(fields) = entries.data_type() else {
            return None;
        };
        let pairs = arrow_array::StructArray::try_new(
            fields.clone(),
            vec![Arc::new(keys) as ArrayRef, Arc::new(values)],
            None,
        )
        .ok()?;
        let rebased: Vec<i32> = offsets.iter().map(|&o| o - offsets[0]).collect();
        let valid =
            arrow_buffer::BooleanBuffer::collect_bool(rows, |r| rebased[r + 1] > rebased[r]);
        let map = arrow_array::MapArray::try_new(
            entries,
            OffsetBuffer::new(ScalarBuffer::from(rebased)),
            pairs,
            Some(NullBuffer::new(valid)),
            sorted,
        )
        .ok()?;
        Some(Arc::new(map))
    }
}

/// A tag map column built row by row from `(key, value)` pairs (empty keys skipped; a row
/// without tags is null), as the row path builds it.
pub struct TagColumn {
    b: MapBuilder<StringBuilder, StringBuilder>,
    row_has: bool,
}

impl TagColumn {
    pub fn new(rows: usize) -> Self {
        Self {
            b: MapBuilder::new(
                None,
                StringBuilder::with_capacity(rows, rows * 8),
                StringBuilder::with_capacity(rows, rows * 8),
            ),
            row_has: false,
        }
    }

    pub fn tag(&mut self, key: &str, value: &str) {
        if key.is_empty() {
            return;
        }
        self.b.keys().append_value(key);
        self.b.values().append_value(value);
        self.row_has = true;
    }

    /// Close the current row.
    pub fn end_row(&mut self) {
        // Appending to a MapBuilder cannot fail for matching key/value counts.
        let _ = self.b.append(self.row_has);
        self.row_has = false;
    }

    pub fn finish(mut self) -> ArrayRef {
        Arc::new(self.b.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_and_codes_build_the_text_they_say() {
        let a = constant("AWS", 3);
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![Some("AWS"); 3]);
        assert_eq!(constant("x", 0).len(), 0);
        let a = from_codes(&[0, 1, 2, 1], &[None, Some("Usage"), Some("")]);
        assert_eq!(
            a.iter().collect::<Vec<_>>(),
            vec![None, Some("Usage"), None, Some("Usage")]
        );
    }

    #[test]
    fn dictionary_codes_are_computed_once_per_value() {
        let keys = PrimitiveArray::<Int32Type>::from(vec![Some(0), Some(1), None, Some(0)]);
        let values = StringArray::from(vec!["Tax", ""]);
        let t = Text::Dict {
            keys: &keys,
            values: &values,
        };
        let mut calls = 0;
        let codes = t.codes(4, |s| {
            calls += 1;
            s.map_or(0, str::len)
        });
        assert_eq!(codes, vec![3, 0, 0, 3]);
        assert_eq!(calls, 3, "two values and the null key");
        assert_eq!(t.get(1), None, "empty text is null");
        assert_eq!(
            t.to_array().unwrap().iter().collect::<Vec<_>>(),
            vec![Some("Tax"), None, None, Some("Tax")]
        );
    }
}
