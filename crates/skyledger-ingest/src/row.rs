//! One normalised row staged as cells, and the builder turning staged rows into record batches.

use std::sync::Arc;

use arrow_array::builder::{
    Decimal128Builder, Int8Builder, MapBuilder, StringBuilder, TimestampMicrosecondBuilder,
    UInt64Builder,
};
use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
use arrow_buffer::{BooleanBuffer, NullBuffer};
use skyledger_types::cost_row::{
    self as cr, COLUMNS, CloudType, ColumnKind, MONEY_SCALE, NON_NULL_COLUMNS, QUANTITY_SCALE,
    SourceFormat, TIMESTAMP_TZ, cost_row_schema,
};

use crate::decimal::parse_scaled;
use crate::source::{Fields, dec, g};
use crate::time::{month_start, next_month_start, parse_timestamp};

/// Number of columns of the normalised row.
pub const NCOLS: usize = COLUMNS.len();

const fn eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Index of a column in the normalised schema, at compile time.
pub const fn col(name: &str) -> usize {
    let mut i = 0;
    while i < COLUMNS.len() {
        if eq(COLUMNS[i].0, name) {
            return i;
        }
        i += 1;
    }
    panic!("unknown cost row column")
}

/// Column indexes used by the readers (the whole schema, so some go unused).
#[allow(dead_code)]
pub mod c {
    use super::col;
    use skyledger_types::cost_row as cr;
    macro_rules! cols {
        ($($n:ident),* $(,)?) => { $(pub const $n: usize = col(cr::$n);)* };
    }
    cols!(
        AVAILABILITY_ZONE,
        BILLED_COST,
        BILLING_ACCOUNT_ID,
        BILLING_ACCOUNT_NAME,
        BILLING_ACCOUNT_TYPE,
        BILLING_CURRENCY,
        BILLING_PERIOD_END,
        BILLING_PERIOD_START,
        CAPACITY_RESERVATION_ID,
        CAPACITY_RESERVATION_STATUS,
        CHARGE_CATEGORY,
        CHARGE_CLASS,
        CHARGE_DESCRIPTION,
        CHARGE_FREQUENCY,
        CHARGE_PERIOD_END,
        CHARGE_PERIOD_START,
        COMMITMENT_DISCOUNT_CATEGORY,
        COMMITMENT_DISCOUNT_ID,
        COMMITMENT_DISCOUNT_NAME,
        COMMITMENT_DISCOUNT_QUANTITY,
        COMMITMENT_DISCOUNT_STATUS,
        COMMITMENT_DISCOUNT_TYPE,
        COMMITMENT_DISCOUNT_UNIT,
        CONSUMED_QUANTITY,
        CONSUMED_UNIT,
        CONTRACTED_COST,
        CONTRACTED_UNIT_PRICE,
        EFFECTIVE_COST,
        INVOICE_ID,
        INVOICE_ISSUER_NAME,
        LIST_COST,
        LIST_UNIT_PRICE,
        PRICING_CATEGORY,
        PRICING_CURRENCY,
        PRICING_CURRENCY_CONTRACTED_UNIT_PRICE,
        PRICING_CURRENCY_EFFECTIVE_COST,
        PRICING_CURRENCY_LIST_UNIT_PRICE,
        PRICING_QUANTITY,
        PRICING_UNIT,
        PROVIDER_NAME,
        PUBLISHER_NAME,
        REGION_ID,
        REGION_NAME,
        RESOURCE_ID,
        RESOURCE_NAME,
        RESOURCE_TYPE,
        SERVICE_CATEGORY,
        SERVICE_NAME,
        SERVICE_SUBCATEGORY,
        SKU_ID,
        SKU_METER,
        SKU_PRICE_DETAILS,
        SKU_PRICE_ID,
        SUB_ACCOUNT_ID,
        SUB_ACCOUNT_NAME,
        SUB_ACCOUNT_TYPE,
        TAGS,
        X_COST_ACCOUNT_ID,
        X_CLOUD_TYPE,
        X_SOURCE_FORMAT,
        X_SOURCE_FILE,
        X_SOURCE_LINE,
        X_BLENDED_COST,
        X_UNBLENDED_COST,
        X_AMORTIZED_COST,
        X_RECURRING_COST,
        X_LINE_ITEM_TYPE,
        X_SERVICE_CODE,
        X_USAGE_TYPE,
        X_OPERATION,
        X_INSTANCE_TYPE,
        X_PRODUCT_FAMILY,
        X_RESOURCE_GROUP,
        X_CREDITS,
    );
}

/// Indexes of [`NON_NULL_COLUMNS`], resolved at compile time.
pub(crate) const NON_NULL_IDX: [usize; NON_NULL_COLUMNS.len()] = {
    let mut out = [0; NON_NULL_COLUMNS.len()];
    let mut i = 0;
    while i < out.len() {
        out[i] = col(NON_NULL_COLUMNS[i]);
        i += 1;
    }
    out
};

/// A cell problem: the source column it came from and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    pub column: String,
    pub reason: String,
}

impl CellError {
    pub fn new(column: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            column: column.into(),
            reason: reason.into(),
        }
    }
}

/// `a + b`, two money values of columns `a_column` and `b_column` that a mapping adds, or an
/// error on `a_column` when the sum has more than 38 digits.
pub(crate) fn money_sum(
    a: i128,
    b: i128,
    a_column: &str,
    b_column: &str,
) -> Result<i128, CellError> {
    crate::decimal::checked_sum(a, b).ok_or_else(|| {
        let what = if a_column == b_column {
            format!("the sum of the {a_column} values")
        } else {
            format!("{a_column} combined with {b_column}")
        };
        CellError::new(
            a_column,
            format!("{what} does not fit a decimal of 38 digits"),
        )
    })
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Cell {
    Null,
    Text(u32, u32),
    Dec(i128),
    Ts(i64),
}

/// One row being assembled; text is kept in one buffer to avoid an allocation per cell.
pub struct RowStage {
    buf: String,
    /// Cells of the row; only those with their bit in `set` are meaningful.
    cells: Vec<Cell>,
    /// Bit `i`: column `i` has a value in this row.
    set: u128,
    tags: Vec<(u32, u32, u32, u32)>,
    has_tags: bool,
    ts_cache: Vec<(String, i64)>,
}

impl Default for RowStage {
    fn default() -> Self {
        Self::new()
    }
}

impl RowStage {
    pub fn new() -> Self {
        Self {
            buf: String::with_capacity(4096),
            cells: vec![Cell::Null; NCOLS],
            set: 0,
            tags: Vec::new(),
            has_tags: false,
            ts_cache: vec![(String::new(), 0); NCOLS],
        }
    }

    /// Forget the previous row.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.set = 0;
        self.tags.clear();
        self.has_tags = false;
    }

    fn push_str(&mut self, s: &str) -> (u32, u32) {
        let a = self.buf.len() as u32;
        self.buf.push_str(s);
        (a, self.buf.len() as u32)
    }

    fn put(&mut self, col: usize, cell: Cell) {
        self.cells[col] = cell;
        if cell == Cell::Null {
            self.set &= !(1u128 << col);
        } else {
            self.set |= 1u128 << col;
        }
    }

    fn cell(&self, col: usize) -> Cell {
        if self.is_set(col) {
            self.cells[col]
        } else {
            Cell::Null
        }
    }

    /// Set a text column; empty text stays null.
    pub fn text(&mut self, col: usize, s: &str) {
        if s.is_empty() {
            self.put(col, Cell::Null);
        } else {
            let (a, b) = self.push_str(s);
            self.put(col, Cell::Text(a, b));
        }
    }

    /// Set a text column from an optional value.
    pub fn opt_text(&mut self, col: usize, s: Option<&str>) {
        if let Some(s) = s {
            self.text(col, s);
        }
    }

    /// The text of a column, if set.
    pub fn get_text(&self, col: usize) -> Option<&str> {
        match self.cell(col) {
            Cell::Text(a, b) => Some(&self.buf[a as usize..b as usize]),
            _ => None,
        }
    }

    /// Set a decimal column from an already scaled value.
    pub fn dec(&mut self, col: usize, v: i128) {
        self.put(col, Cell::Dec(v));
    }

    /// The scaled value of a decimal column, if set.
    pub fn get_dec(&self, col: usize) -> Option<i128> {
        match self.cell(col) {
            Cell::Dec(v) => Some(v),
            _ => None,
        }
    }

    /// Parse money text into a column; `source` names the provider column for errors.
    pub fn money(&mut self, col: usize, source: &str, s: Option<&str>) -> Result<(), CellError> {
        if let Some(s) = s {
            let v = parse_money(source, s)?;
            self.put(col, Cell::Dec(v));
        }
        Ok(())
    }

    /// Parse quantity text into a column.
    pub fn quantity(&mut self, col: usize, source: &str, s: Option<&str>) -> Result<(), CellError> {
        if let Some(s) = s {
            let v =
                parse_scaled(s, QUANTITY_SCALE as u32).map_err(|e| CellError::new(source, e))?;
            self.put(col, Cell::Dec(v));
        }
        Ok(())
    }

    /// Set a money column from a source column (typed or text).
    pub fn money_of(
        &mut self,
        col: usize,
        source: &str,
        row: &dyn Fields,
        c: Option<usize>,
    ) -> Result<(), CellError> {
        if let Some(v) = dec(row, c, MONEY_SCALE as u32, source)? {
            self.put(col, Cell::Dec(v));
        }
        Ok(())
    }

    /// Set a timestamp column from a source column (typed or text).
    pub fn ts_of(
        &mut self,
        col: usize,
        source: &str,
        row: &dyn Fields,
        c: Option<usize>,
    ) -> Result<(), CellError> {
        match c.and_then(|c| row.micros(c)) {
            Some(v) => {
                self.put(col, Cell::Ts(v));
                Ok(())
            }
            None => self.ts(col, source, g(row, c)),
        }
    }

    /// Parse a timestamp into a column (a one-entry cache per column: exports repeat them).
    pub fn ts(&mut self, col: usize, source: &str, s: Option<&str>) -> Result<(), CellError> {
        if let Some(s) = s {
            let cache = &mut self.ts_cache[col];
            let v = if cache.0 == s {
                cache.1
            } else {
                let v = parse_timestamp(s).map_err(|e| CellError::new(source, e))?;
                cache.0.clear();
                cache.0.push_str(s);
                cache.1 = v;
                v
            };
            self.put(col, Cell::Ts(v));
        }
        Ok(())
    }

    /// Set a timestamp column from micros.
    pub fn ts_micros(&mut self, col: usize, v: i64) {
        self.put(col, Cell::Ts(v));
    }

    /// The micros of a timestamp column, if set.
    pub fn get_ts(&self, col: usize) -> Option<i64> {
        match self.cell(col) {
            Cell::Ts(v) => Some(v),
            _ => None,
        }
    }

    /// Whether a column is set.
    pub fn is_set(&self, col: usize) -> bool {
        self.set & (1u128 << col) != 0
    }

    /// Add one tag (an empty key is ignored). Marks the row as having a tag map.
    pub fn tag(&mut self, key: &str, value: &str) {
        if key.is_empty() {
            return;
        }
        let (a, b) = self.push_str(key);
        let (x, y) = self.push_str(value);
        self.tags.push((a, b, x, y));
        self.has_tags = true;
    }

    /// Parse a JSON object of tags (`{"k":"v"}`; Azure also writes it without braces).
    pub fn tags_json(&mut self, source: &str, s: &str) -> Result<(), CellError> {
        let t = s.trim();
        if t.is_empty() || t == "{}" || t == "\"\"" {
            return Ok(());
        }
        let owned;
        let text = if t.starts_with('{') {
            t
        } else {
            owned = format!("{{{t}}}");
            &owned
        };
        let v: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| CellError::new(source, format!("tags are not a JSON object: {e}")))?;
        let obj = v
            .as_object()
            .ok_or_else(|| CellError::new(source, "tags are not a JSON object"))?;
        for (k, v) in obj {
            match v {
                serde_json::Value::String(s) => self.tag(k, s),
                serde_json::Value::Null => self.tag(k, ""),
                other => self.tag(k, &other.to_string()),
            }
        }
        Ok(())
    }

    /// Fill the columns every reader derives the same way, then check the non-null ones.
    /// `x_` cost columns default to the FOCUS costs; `x_RecurringCost` is 0 for one-time rows.
    pub fn finish(&mut self, format: SourceFormat) -> Result<(), CellError> {
        if !self.is_set(c::EFFECTIVE_COST)
            && let Some(v) = self.get_dec(c::BILLED_COST)
        {
            self.dec(c::EFFECTIVE_COST, v);
        }
        let billed = self.get_dec(c::BILLED_COST);
        if !self.is_set(c::X_UNBLENDED_COST)
            && let Some(v) = billed
        {
            self.dec(c::X_UNBLENDED_COST, v);
        }
        if !self.is_set(c::X_BLENDED_COST)
            && let Some(v) = self.get_dec(c::X_UNBLENDED_COST)
        {
            self.dec(c::X_BLENDED_COST, v);
        }
        if !self.is_set(c::X_AMORTIZED_COST)
            && let Some(v) = self.get_dec(c::EFFECTIVE_COST)
        {
            self.dec(c::X_AMORTIZED_COST, v);
        }
        if !self.is_set(c::X_RECURRING_COST) {
            let one_time = self.get_text(c::CHARGE_FREQUENCY) == Some("One-Time");
            let v = if one_time {
                Some(0)
            } else {
                self.get_dec(c::X_UNBLENDED_COST)
            };
            if let Some(v) = v {
                self.dec(c::X_RECURRING_COST, v);
            }
        }
        if !self.is_set(c::BILLING_PERIOD_START)
            && let Some(t) = self.get_ts(c::CHARGE_PERIOD_START)
        {
            self.ts_micros(c::BILLING_PERIOD_START, month_start(t));
        }
        if !self.is_set(c::BILLING_PERIOD_END)
            && let Some(t) = self.get_ts(c::BILLING_PERIOD_START)
        {
            self.ts_micros(c::BILLING_PERIOD_END, next_month_start(t));
        }
        if !self.is_set(c::CHARGE_PERIOD_END)
            && let Some(t) = self.get_ts(c::CHARGE_PERIOD_START)
        {
            // A provider giving only a usage day: the charge period is that day.
            self.ts_micros(c::CHARGE_PERIOD_END, t + 86_400_000_000);
        }
        if !self.is_set(c::X_CLOUD_TYPE) {
            let ct = match format {
                SourceFormat::AwsCur | SourceFormat::AwsCur2 => Some(CloudType::Aws),
                SourceFormat::Azure => Some(CloudType::Azure),
                SourceFormat::Gcp => Some(CloudType::Gcp),
                SourceFormat::Oci => Some(CloudType::Oci),
                SourceFormat::Focus => self
                    .get_text(c::PROVIDER_NAME)
                    .and_then(CloudType::from_provider_name),
            };
            if let Some(ct) = ct {
                self.put(c::X_CLOUD_TYPE, Cell::Dec(ct.code() as i128));
            }
        }
        self.text(c::X_SOURCE_FORMAT, format.as_str());
        for &i in &NON_NULL_IDX {
            if i == c::X_SOURCE_FILE || i == c::X_SOURCE_LINE {
                continue;
            }
            if !self.is_set(i) {
                return Err(CellError::new(COLUMNS[i].0, "required value is missing"));
            }
        }
        Ok(())
    }
}

/// Parse money text at the schema's money scale.
pub fn parse_money(source: &str, s: &str) -> Result<i128, CellError> {
    parse_scaled(s, MONEY_SCALE as u32).map_err(|e| CellError::new(source, e))
}

enum ColBuilder {
    Text(StringBuilder),
    Dec(Decimal128Builder, i8),
    Ts(TimestampMicrosecondBuilder),
    Tags(Box<MapBuilder<StringBuilder, StringBuilder>>),
    I8(Int8Builder),
    U64(UInt64Builder),
}

/// Accumulates staged rows into a record batch of the normalised schema.
pub struct BatchBuilder {
    cols: Vec<ColBuilder>,
    rows: usize,
    capacity: usize,
    file: String,
    /// Output columns taken whole from source text columns instead of staged cells.
    pass: PassThrough,
    /// Rows appended to each column's builder: a column is only touched in the rows that
    /// give it a value, and the nulls in between are appended in one go when it next gets one
    /// (most columns of a provider's rows are always null).
    filled: Vec<usize>,
    /// Bit `i`: column `i` is built from staged cells (not passed through, not a source
    /// file or line column).
    staged: u128,
}

/// Output columns copied 1:1 from a text column of the source (see
/// [`Mapper::pass_through`](crate::source::Mapper::pass_through)): rows only record where
/// they came from, and [`BatchBuilder::finish`] slices the source arrays (no copy at all
/// when the batch's rows are one run of one source batch, the usual case).
struct PassThrough {
    /// `(output column, source column)` pairs.
    pairs: Vec<(usize, usize)>,
    /// Whether an output column is in `pairs`.
    is_passed: [bool; NCOLS],
    /// For each source batch still referenced, its arrays in `pairs` order.
    chunks: Vec<Vec<StringArray>>,
    /// The row of the current source batch that the next pushed row comes from.
    row: u32,
    /// `(chunk, row)` of each pushed row.
    picks: Vec<(u32, u32)>,
}

impl ColBuilder {
    /// An empty builder for `capacity` rows (`text_bytes` of text, for text columns).
    fn new(kind: ColumnKind, capacity: usize, text_bytes: usize) -> Self {
        match kind {
            ColumnKind::Text => {
                ColBuilder::Text(StringBuilder::with_capacity(capacity, text_bytes))
            }
            ColumnKind::Money => {
                ColBuilder::Dec(Decimal128Builder::with_capacity(capacity), MONEY_SCALE)
            }
            ColumnKind::Quantity => {
                ColBuilder::Dec(Decimal128Builder::with_capacity(capacity), QUANTITY_SCALE)
            }
            ColumnKind::Timestamp => {
                ColBuilder::Ts(TimestampMicrosecondBuilder::with_capacity(capacity))
            }
            ColumnKind::TagMap => ColBuilder::Tags(Box::new(MapBuilder::new(
                None,
                StringBuilder::with_capacity(capacity, text_bytes),
                StringBuilder::with_capacity(capacity, text_bytes),
            ))),
            ColumnKind::Int8 => ColBuilder::I8(Int8Builder::with_capacity(capacity)),
            ColumnKind::UInt64 => ColBuilder::U64(UInt64Builder::with_capacity(capacity)),
        }
    }
}

impl ColBuilder {
    fn append_nulls(&mut self, n: usize) {
        match self {
            ColBuilder::Text(b) => b.append_nulls(n),
            ColBuilder::Dec(b, _) => b.append_nulls(n),
            ColBuilder::Ts(b) => b.append_nulls(n),
            ColBuilder::I8(b) => b.append_nulls(n),
            ColBuilder::U64(b) => b.append_nulls(n),
            ColBuilder::Tags(b) => {
                // Appending null maps cannot fail.
                let _ = b.append_nulls(n);
            }
        }
    }
}

impl BatchBuilder {
    /// A builder for rows of `file` (written to `x_SourceFile`).
    pub fn new(file: &str, capacity: usize) -> Self {
        let cols = COLUMNS
            .iter()
            .map(|(_, kind)| ColBuilder::new(*kind, capacity, capacity * 8))
            .collect();
        Self {
            cols,
            rows: 0,
            capacity,
            file: file.to_string(),
            pass: PassThrough::default(),
            filled: vec![0; NCOLS],
            staged: staged_mask(&[false; NCOLS]),
        }
    }

    /// Take the output columns of `pairs` (`(output column, source column)`, output columns
    /// of text kind) from whole source columns; [`add_source_chunk`](Self::add_source_chunk)
    /// gives them per source batch.
    pub fn set_pass_through(&mut self, pairs: Vec<(usize, usize)>) {
        self.pass.is_passed = [false; NCOLS];
        for &(out, _) in &pairs {
            self.pass.is_passed[out] = true;
        }
        self.pass.pairs = pairs;
        self.staged = staged_mask(&self.pass.is_passed);
    }

    /// The `(output column, source column)` pairs taken from source columns.
    pub fn pass_through(&self) -> &[(usize, usize)] {
        &self.pass.pairs
    }

    /// The source columns of the pass-through pairs for the next source batch (in
    /// [`pass_through`](Self::pass_through) order); rows pushed afterwards refer to it.
    pub fn add_source_chunk(&mut self, arrays: Vec<StringArray>) {
        self.pass.chunks.push(arrays);
    }

    /// The row of the current source batch the next pushed row is read from.
    pub fn set_source_row(&mut self, row: usize) {
        self.pass.row = row as u32;
    }

    /// Rows appended since the last [`finish`](Self::finish).
    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Append a finished row found at `line` of the source.
    pub fn push(&mut self, st: &RowStage, line: u64) {
        if !self.pass.pairs.is_empty() {
            let chunk = self.pass.chunks.len().saturating_sub(1) as u32;
            self.pass.picks.push((chunk, self.pass.row));
        }
        let row = self.rows;
        if let ColBuilder::Text(b) = &mut self.cols[c::X_SOURCE_FILE] {
            b.append_value(&self.file);
        }
        if let ColBuilder::U64(b) = &mut self.cols[c::X_SOURCE_LINE] {
            b.append_value(line);
        }
        let mut bits = st.set & self.staged;
        if st.has_tags {
            bits |= 1u128 << c::TAGS;
        }
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let b = &mut self.cols[i];
            let behind = row - self.filled[i];
            if behind > 0 {
                b.append_nulls(behind);
            }
            self.filled[i] = row + 1;
            let cell = st.cells[i];
            match b {
                ColBuilder::Text(b) => match cell {
                    Cell::Text(x, y) => b.append_value(&st.buf[x as usize..y as usize]),
                    _ => b.append_null(),
                },
                ColBuilder::Dec(b, _) => match cell {
                    Cell::Dec(v) => b.append_value(v),
                    _ => b.append_null(),
                },
                ColBuilder::Ts(b) => match cell {
                    Cell::Ts(v) => b.append_value(v),
                    _ => b.append_null(),
                },
                ColBuilder::I8(b) => match cell {
                    Cell::Dec(v) => b.append_value(v as i8),
                    _ => b.append_null(),
                },
                ColBuilder::U64(b) => match cell {
                    Cell::Dec(v) => b.append_value(v as u64),
                    _ => b.append_null(),
                },
                ColBuilder::Tags(b) => {
                    for &(a, bb, x, y) in &st.tags {
                        b.keys().append_value(&st.buf[a as usize..bb as usize]);
                        b.values().append_value(&st.buf[x as usize..y as usize]);
                    }
                    // Appending to a MapBuilder cannot fail for matching key/value counts.
                    let _ = b.append(true);
                }
            }
        }
        self.rows += 1;
    }

    /// Take the rows appended so far as a batch.
    pub fn finish(&mut self) -> RecordBatch {
        let capacity = self.capacity.max(self.rows);
        let rows = self.rows;
        for (i, (b, n)) in self.cols.iter_mut().zip(self.filled.iter_mut()).enumerate() {
            if self.staged & (1u128 << i) != 0 && *n < rows {
                b.append_nulls(rows - *n);
            }
            *n = 0;
        }
        let mut passed: Vec<Option<ArrayRef>> = vec![None; NCOLS];
        for (k, &(out, _)) in self.pass.pairs.iter().enumerate() {
            passed[out] = Some(Arc::new(self.pass.gather(k)));
        }
        // Later rows come from the newest source batch (or newer ones) only.
        let last = self.pass.chunks.pop();
        self.pass.chunks.clear();
        self.pass.chunks.extend(last);
        self.pass.picks.clear();
        let arrays: Vec<ArrayRef> = self
            .cols
            .iter_mut()
            .zip(COLUMNS)
            .zip(passed)
            .map(|((b, (_, kind)), passed)| -> ArrayRef {
                if let Some(a) = passed {
                    return a;
                }
                // Finishing leaves a builder without buffers; start the next batch with
                // room for as much text as this one had, so appends never reallocate.
                let text_bytes = match b {
                    ColBuilder::Text(t) => t.values_slice().len(),
                    ColBuilder::Tags(m) => {
                        m.keys().values_slice().len() + m.values().values_slice().len()
                    }
                    _ => 0,
                };
                let next = ColBuilder::new(*kind, capacity, text_bytes + text_bytes / 4 + 64);
                let mut b = std::mem::replace(b, next);
                match &mut b {
                    ColBuilder::Text(b) => Arc::new(b.finish()),
                    ColBuilder::Dec(b, scale) => Arc::new(
                        b.finish()
                            .with_precision_and_scale(cr::DECIMAL_PRECISION, *scale)
                            .expect("valid decimal precision and scale"),
                    ),
                    ColBuilder::Ts(b) => Arc::new(b.finish().with_timezone(TIMESTAMP_TZ)),
                    ColBuilder::Tags(b) => Arc::new(b.finish()),
                    ColBuilder::I8(b) => Arc::new(b.finish()),
                    ColBuilder::U64(b) => Arc::new(b.finish()),
                }
            })
            .collect();
        self.rows = 0;
        RecordBatch::try_new(cost_row_schema(), arrays).expect("builders match the cost row schema")
    }
}

/// The columns [`BatchBuilder::push`] takes from staged cells: all but the passed-through
/// ones and the source file and line, which it appends itself.
fn staged_mask(is_passed: &[bool; NCOLS]) -> u128 {
    (0..NCOLS)
        .filter(|&i| !is_passed[i] && i != c::X_SOURCE_FILE && i != c::X_SOURCE_LINE)
        .fold(0, |m, i| m | 1u128 << i)
}

// `RowStage::set` and `BatchBuilder::staged` have a bit per output column.
const _: () = assert!(NCOLS <= 128);

impl Default for PassThrough {
    fn default() -> Self {
        Self {
            pairs: Vec::new(),
            is_passed: [false; NCOLS],
            chunks: Vec::new(),
            row: 0,
            picks: Vec::new(),
        }
    }
}

impl PassThrough {
    /// Output column `k` of `pairs` for the picked rows; empty text becomes null, as
    /// [`RowStage::text`] makes it.
    fn gather(&self, k: usize) -> StringArray {
        let picks = &self.picks;
        let run = picks.first().and_then(|&(chunk, row)| {
            let n = picks.len() as u32;
            let contiguous = picks
                .iter()
                .enumerate()
                .all(|(i, &(c, r))| c == chunk && r == row + i as u32);
            contiguous.then(|| self.chunks[chunk as usize][k].slice(row as usize, n as usize))
        });
        let a = run.unwrap_or_else(|| {
            let bytes = picks
                .iter()
                .map(|&(c, r)| {
                    let a = &self.chunks[c as usize][k];
                    a.value_length(r as usize) as usize
                })
                .sum();
            let mut b = StringBuilder::with_capacity(picks.len(), bytes);
            for &(c, r) in picks {
                let a = &self.chunks[c as usize][k];
                if a.is_valid(r as usize) {
                    b.append_value(a.value(r as usize));
                } else {
                    b.append_null();
                }
            }
            b.finish()
        });
        null_empty(a)
    }
}

/// `a` with empty values made null.
pub(crate) fn null_empty(a: StringArray) -> StringArray {
    let offsets = a.value_offsets();
    let empty = |i: usize| offsets[i] == offsets[i + 1];
    if !(0..a.len()).any(|i| empty(i) && a.is_valid(i)) {
        return a;
    }
    let valid = BooleanBuffer::collect_bool(a.len(), |i| !empty(i) && a.is_valid(i));
    let (offsets, values, _) = a.into_parts();
    StringArray::new(offsets, values, Some(NullBuffer::new(valid)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finished_row_fills_derived_columns_and_builds_a_valid_batch() {
        let mut st = RowStage::new();
        st.text(c::BILLING_ACCOUNT_ID, "123");
        st.text(c::BILLING_CURRENCY, "USD");
        st.text(c::CHARGE_CATEGORY, "Usage");
        st.text(c::PROVIDER_NAME, "AWS");
        st.money(c::BILLED_COST, "cost", Some("1.5")).unwrap();
        st.ts(
            c::CHARGE_PERIOD_START,
            "start",
            Some("2024-03-05T10:00:00Z"),
        )
        .unwrap();
        st.ts(c::CHARGE_PERIOD_END, "end", Some("2024-03-05T11:00:00Z"))
            .unwrap();
        st.tag("team", "a");
        st.finish(SourceFormat::Focus).unwrap();
        assert_eq!(st.get_dec(c::X_RECURRING_COST), st.get_dec(c::BILLED_COST));
        let mut b = BatchBuilder::new("f.csv", 4);
        b.push(&st, 2);
        let batch = b.finish();
        assert_eq!(batch.num_rows(), 1);
        assert_eq!(batch.schema(), cost_row_schema());
    }

    #[test]
    fn passed_columns_come_from_the_source_rows_pushed() {
        let text = |b: &RecordBatch, col: usize| -> Vec<Option<String>> {
            let a = b
                .column(col)
                .as_any()
                .downcast_ref::<StringArray>()
                .unwrap();
            (0..a.len())
                .map(|i| a.is_valid(i).then(|| a.value(i).to_string()))
                .collect()
        };
        let mut st = RowStage::new();
        st.text(c::BILLING_ACCOUNT_ID, "1");
        st.text(c::BILLING_CURRENCY, "USD");
        st.text(c::CHARGE_CATEGORY, "Usage");
        st.text(c::PROVIDER_NAME, "AWS");
        st.money(c::BILLED_COST, "cost", Some("1.5")).unwrap();
        st.ts(
            c::CHARGE_PERIOD_START,
            "start",
            Some("2024-03-05T10:00:00Z"),
        )
        .unwrap();
        st.finish(SourceFormat::AwsCur2).unwrap();
        let mut b = BatchBuilder::new("f.parquet", 8);
        b.set_pass_through(vec![(c::RESOURCE_ID, 0)]);
        b.add_source_chunk(vec![StringArray::from(vec![Some("r0"), None, Some("")])]);
        for row in 0..3 {
            b.set_source_row(row);
            b.push(&st, row as u64 + 1);
        }
        // One run of one source batch: sliced, empty text made null.
        let batch = b.finish();
        assert_eq!(
            text(&batch, c::RESOURCE_ID),
            [Some("r0".into()), None, None]
        );
        assert_eq!(
            text(&batch, c::BILLING_ACCOUNT_ID),
            vec![Some("1".into()); 3]
        );
        // A skipped row and two source batches: gathered.
        b.add_source_chunk(vec![StringArray::from(vec!["a", "b", "c"])]);
        for row in [0, 2] {
            b.set_source_row(row);
            b.push(&st, 9);
        }
        b.add_source_chunk(vec![StringArray::from(vec!["d"])]);
        b.set_source_row(0);
        b.push(&st, 9);
        let batch = b.finish();
        let want = ["a", "c", "d"].map(|s| Some(s.to_string()));
        assert_eq!(text(&batch, c::RESOURCE_ID), want);
        assert_eq!(batch.schema(), cost_row_schema());
    }

    #[test]
    fn a_row_without_required_values_is_rejected_by_column() {
        let mut st = RowStage::new();
        st.text(c::BILLING_ACCOUNT_ID, "123");
        let e = st.finish(SourceFormat::Focus).unwrap_err();
        assert_eq!(e.column, "BilledCost");
    }

    #[test]
    fn one_time_rows_are_not_recurring() {
        let mut st = RowStage::new();
        st.text(c::CHARGE_FREQUENCY, "One-Time");
        st.money(c::BILLED_COST, "cost", Some("100")).unwrap();
        let _ = st.finish(SourceFormat::Focus);
        assert_eq!(st.get_dec(c::X_RECURRING_COST), Some(0));
    }

    #[test]
    fn azure_tags_without_braces_parse() {
        let mut st = RowStage::new();
        st.tags_json("Tags", r#""tagA": "valueA","tagB": "valueB""#)
            .unwrap();
        assert_eq!(st.tags.len(), 2);
        assert!(st.tags_json("Tags", "{not json").is_err());
    }
}
