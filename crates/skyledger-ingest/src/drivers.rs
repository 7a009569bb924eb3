//! Record sources: delimited text (CSV), Parquet and JSON lines, each feeding a [`RowSink`].

use std::cell::OnceCell;
use std::io::{BufRead, BufReader, Read};
use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::cast::AsArray;
use arrow_array::types::{Decimal128Type, Float32Type, Float64Type, Int32Type, Int64Type};
use arrow_array::{Array, ArrayRef, MapArray, PrimitiveArray, RecordBatch, StringArray};
use arrow_buffer::NullBuffer;
use arrow_schema::{DataType, TimeUnit};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReader,
    ParquetRecordBatchReaderBuilder,
};
use skyledger_types::cost_row::SourceFormat;

use crate::BatchReader;
use crate::columnar::{Decimals, Entries, SourceColumns, Text};
use crate::decimal::{float_on_grid, float_scaled, parse_scaled, rescale};
use crate::error::IngestError;
use crate::header::Header;
use crate::source::{Fields, ReadStats, RowSink};

/// A CSV record (validated as UTF-8 once) viewed as [`Fields`].
struct CsvFields<'a> {
    rec: &'a csv::StringRecord,
    null_token: Option<&'static str>,
}

impl Fields for CsvFields<'_> {
    fn get(&self, col: usize) -> Option<&str> {
        let s = self.rec.get(col)?;
        if s.is_empty() {
            return None;
        }
        match self.null_token {
            Some(t) if s.eq_ignore_ascii_case(t) => None,
            _ => Some(s),
        }
    }
}

/// Read the header row of a CSV stream.
pub fn csv_reader(r: Box<dyn Read + Send>) -> csv::Reader<Box<dyn Read + Send>> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .buffer_capacity(1 << 20)
        .from_reader(r)
}

/// The header names of a CSV reader (a UTF-8 BOM is dropped by [`Header`]).
pub fn csv_header(
    name: &str,
    rdr: &mut csv::Reader<Box<dyn Read + Send>>,
) -> Result<Header, IngestError> {
    let h = rdr.byte_headers().map_err(|e| csv_err(name, e))?;
    if h.is_empty() || (h.len() == 1 && h[0].is_empty()) {
        return Err(IngestError::Empty { file: name.into() });
    }
    let names = h
        .iter()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect();
    Ok(Header::new(names))
}

fn csv_err(file: &str, e: csv::Error) -> IngestError {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    match e.into_kind() {
        csv::ErrorKind::Io(io) => IngestError::io(file, io),
        other => IngestError::BadRow {
            file: file.into(),
            line,
            column: String::new(),
            reason: format!("{other:?}"),
        },
    }
}

/// Streams a CSV file through a mapper.
pub struct CsvBatchReader {
    rdr: csv::Reader<Box<dyn Read + Send>>,
    rec: csv::ByteRecord,
    sink: RowSink,
    ncols: usize,
    null_token: Option<&'static str>,
    allow_short_rows: bool,
    /// Line where the next record starts, counted from embedded newlines (the csv crate's
    /// own count lags by one line on CRLF files).
    next_line: u64,
    done: bool,
}

impl CsvBatchReader {
    pub fn new(
        rdr: csv::Reader<Box<dyn Read + Send>>,
        ncols: usize,
        sink: RowSink,
        null_token: Option<&'static str>,
        allow_short_rows: bool,
    ) -> Self {
        Self {
            rdr,
            rec: csv::ByteRecord::new(),
            sink,
            ncols,
            null_token,
            allow_short_rows,
            next_line: 2,
            done: false,
        }
    }

    fn step(&mut self) -> Result<Option<RecordBatch>, IngestError> {
        loop {
            match self.rdr.read_byte_record(&mut self.rec) {
                Ok(true) => {
                    let own = self.next_line;
                    let embedded =
                        self.rec.as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
                    self.next_line += 1 + embedded;
                    // Blank lines the csv crate skips only show in its own count.
                    let line = own.max(self.rec.position().map(|p| p.line()).unwrap_or(0));
                    self.next_line = self.next_line.max(line + 1 + embedded);
                    if self.rec.len() == 1 && self.rec[0].is_empty() {
                        continue;
                    }
                    let short_ok = self.allow_short_rows && self.rec.len() < self.ncols;
                    if self.rec.len() != self.ncols && !short_ok {
                        let reason = format!(
                            "the row has {} fields, the header has {}",
                            self.rec.len(),
                            self.ncols
                        );
                        self.sink.bad(line, "", reason)?;
                        continue;
                    }
                    // Moving the record in and out of StringRecord copies nothing.
                    let rec = std::mem::take(&mut self.rec);
                    let rec = match csv::StringRecord::from_byte_record(rec) {
                        Ok(r) => r,
                        Err(e) => {
                            self.rec = e.into_byte_record();
                            self.sink.bad(line, "", "not UTF-8 text".into())?;
                            continue;
                        }
                    };
                    let f = CsvFields {
                        rec: &rec,
                        null_token: self.null_token,
                    };
                    let res = self.sink.accept(&f, line);
                    self.rec = rec.into_byte_record();
                    res?;
                    if self.sink.full() {
                        return Ok(self.sink.take());
                    }
                }
                Ok(false) => {
                    self.done = true;
                    return Ok(self.sink.take());
                }
                Err(e) => {
                    let file = self.sink.file.clone();
                    let err = csv_err(&file, e);
                    match err {
                        IngestError::BadRow { line, reason, .. } => {
                            self.sink.bad(line, "", reason)?
                        }
                        other => return Err(other),
                    }
                }
            }
        }
    }
}

impl Iterator for CsvBatchReader {
    type Item = Result<RecordBatch, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.step() {
            Ok(Some(b)) => Some(Ok(b)),
            Ok(None) => None,
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

impl BatchReader for CsvBatchReader {
    fn format(&self) -> SourceFormat {
        self.sink.format()
    }
    fn stats(&self) -> ReadStats {
        self.sink.stats.clone()
    }
}

/// A Parquet column prepared for row access.
enum PqCol {
    Str(StringArray),
    /// Text decoded as a dictionary.
    Dict(Box<DictCol>),
    Map(Box<(MapArray, StringArray, StringArray)>),
    /// Numbers and timestamps, read as values; their text is made only if a mapper asks.
    Typed(Box<TypedCol>),
}

/// A number or timestamp column of one batch. The first row asked for converts the whole
/// column in one typed loop (rows then index a vector instead of dispatching on the array's
/// type for every value); decimals that loop leaves to the per-value code (nulls, floats off
/// the 10⁻¹⁰ grid) hold [`SLOW`], null timestamps [`NULL_MICROS`].
struct TypedCol {
    array: ArrayRef,
    text: OnceCell<Option<StringArray>>,
    /// Scaled decimals at the scale first asked for (a column is always read at one).
    scaled: OnceCell<(u32, Vec<i128>)>,
    micros: OnceCell<Vec<i64>>,
}

/// A text column of one batch decoded as a dictionary: keys, values, and numbers parsed once
/// per distinct value (CUR 2.0 writes rates as text) when a mapper reads it as a decimal.
struct DictCol {
    keys: PrimitiveArray<Int32Type>,
    values: StringArray,
    /// Per dictionary value, at the scale first asked for; [`SLOW`] for empty text and text
    /// that does not parse (the per-value code gives their answer).
    scaled: OnceCell<(u32, Vec<i128>)>,
}

impl DictCol {
    fn parse_values(&self, scale: u32) -> Vec<i128> {
        let v = &self.values;
        (0..v.len())
            .map(|i| match v.is_valid(i).then(|| v.value(i)) {
                Some(s) if !s.is_empty() => parse_scaled(s, scale).unwrap_or(SLOW),
                _ => SLOW,
            })
            .collect()
    }
}

/// No Decimal128 value (|v| < 10³⁸) and no float on the grid (|v| < 2⁵¹·10¹⁴) is `i128::MIN`.
const SLOW: i128 = i128::MIN;
/// A null timestamp in [`TypedCol::micros`] (a value can saturate to it too: the array's
/// validity tells them apart).
const NULL_MICROS: i64 = i64::MIN;

impl TypedCol {
    fn new(array: &ArrayRef) -> Self {
        Self {
            array: Arc::clone(array),
            text: OnceCell::new(),
            scaled: OnceCell::new(),
            micros: OnceCell::new(),
        }
    }

    fn convert_scaled(&self, scale: u32) -> Vec<i128> {
        let a = &self.array;
        let fast = |valid: bool, v: Option<i128>| if valid { v.unwrap_or(SLOW) } else { SLOW };
        match a.data_type() {
            DataType::Float64 => {
                let p = a.as_primitive::<Float64Type>();
                (0..p.len())
                    .map(|i| fast(p.is_valid(i), float_on_grid(p.value(i), scale)))
                    .collect()
            }
            DataType::Decimal128(_, s) => {
                let p = a.as_primitive::<Decimal128Type>();
                (0..p.len())
                    .map(|i| fast(p.is_valid(i), rescale(p.value(i), *s, scale).ok()))
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    fn convert_micros(&self) -> Vec<i64> {
        let a = &self.array;
        let DataType::Timestamp(unit, _) = a.data_type() else {
            return Vec::new();
        };
        let Ok(ints) = arrow_cast::cast(a, &DataType::Int64) else {
            return Vec::new();
        };
        let ints = ints.as_primitive::<Int64Type>();
        (0..ints.len())
            .map(|i| {
                if ints.is_valid(i) {
                    unit_micros(ints.value(i), *unit)
                } else {
                    NULL_MICROS
                }
            })
            .collect()
    }
}

struct PqFields<'a> {
    file: &'a str,
    cols: &'a [Option<PqCol>],
    row: usize,
}

/// Microseconds of a timestamp value of `unit`.
fn unit_micros(v: i64, unit: TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second => v.saturating_mul(1_000_000),
        TimeUnit::Millisecond => v.saturating_mul(1_000),
        TimeUnit::Microsecond => v,
        TimeUnit::Nanosecond => v / 1_000,
    }
}

impl Fields for PqFields<'_> {
    fn get(&self, col: usize) -> Option<&str> {
        let a = match self.cols.get(col)? {
            Some(PqCol::Str(a)) => a,
            Some(PqCol::Dict(d)) => {
                if d.keys.is_null(self.row) {
                    return None;
                }
                let s = d.values.value(d.keys.value(self.row) as usize);
                return (!s.is_empty()).then_some(s);
            }
            Some(PqCol::Typed(t)) => t
                .text
                .get_or_init(|| to_str(self.file, &t.array).ok())
                .as_ref()?,
            _ => return None,
        };
        if a.is_valid(self.row) {
            let s = a.value(self.row);
            (!s.is_empty()).then_some(s)
        } else {
            None
        }
    }

    fn map_entries(&self, col: usize, f: &mut dyn FnMut(&str, &str)) {
        if let Some(Some(PqCol::Map(mkv))) = self.cols.get(col)
            && let (m, k, v) = &**mkv
            && m.is_valid(self.row)
        {
            let offs = m.value_offsets();
            let (a, b) = (offs[self.row] as usize, offs[self.row + 1] as usize);
            for i in a..b {
                if k.is_valid(i) {
                    f(k.value(i), if v.is_valid(i) { v.value(i) } else { "" });
                }
            }
        }
    }

    fn decimal(&self, col: usize, scale: u32) -> Option<Result<i128, String>> {
        let t = match self.cols.get(col) {
            Some(Some(PqCol::Typed(t))) => t,
            Some(Some(PqCol::Dict(d))) => {
                let (at, parsed) = d.scaled.get_or_init(|| (scale, d.parse_values(scale)));
                if *at == scale
                    && d.keys.is_valid(self.row)
                    && let Some(&v) = parsed.get(d.keys.value(self.row) as usize)
                    && v != SLOW
                {
                    return Some(Ok(v));
                }
                return self.get(col).map(|s| parse_scaled(s, scale));
            }
            _ => return self.get(col).map(|s| parse_scaled(s, scale)),
        };
        let row = self.row;
        let (at, scaled) = t.scaled.get_or_init(|| (scale, t.convert_scaled(scale)));
        if *at == scale
            && let Some(&v) = scaled.get(row)
            && v != SLOW
        {
            return Some(Ok(v));
        }
        typed_decimal(&t.array, row, scale)
            .or_else(|| self.get(col).map(|s| parse_scaled(s, scale)))
    }

    fn micros(&self, col: usize) -> Option<i64> {
        let Some(Some(PqCol::Typed(t))) = self.cols.get(col) else {
            return None;
        };
        // Empty for a column that is not a timestamp.
        let v = *t.micros.get_or_init(|| t.convert_micros()).get(self.row)?;
        (v != NULL_MICROS || t.array.is_valid(self.row)).then_some(v)
    }
}

/// A non-null number of a typed column, by the per-value code: floats go through their
/// shortest round-trip text (what Arrow's cast to text and AWS's own CSV write), never through
/// binary arithmetic. `None` for null, and for a type that is read as text.
fn typed_decimal(a: &ArrayRef, row: usize, scale: u32) -> Option<Result<i128, String>> {
    if a.is_null(row) {
        return None;
    }
    Some(match a.data_type() {
        DataType::Float64 => float_scaled(a.as_primitive::<Float64Type>().value(row), scale),
        DataType::Float32 => {
            let mut b = ryu::Buffer::new();
            parse_scaled(b.format(a.as_primitive::<Float32Type>().value(row)), scale)
        }
        DataType::Decimal128(_, s) => {
            rescale(a.as_primitive::<Decimal128Type>().value(row), *s, scale)
        }
        _ => return None,
    })
}

/// A column's numbers at `scale`: the batch's cached conversion when it was made at that
/// scale (a column is normally read at one), else a fresh one.
fn at_scale<'a>(
    cache: &'a OnceCell<(u32, Vec<i128>)>,
    scale: u32,
    convert: impl Fn(u32) -> Vec<i128>,
) -> std::borrow::Cow<'a, [i128]> {
    match cache.get_or_init(|| (scale, convert(scale))) {
        (at, v) if *at == scale => std::borrow::Cow::Borrowed(v),
        _ => std::borrow::Cow::Owned(convert(scale)),
    }
}

/// One decoded Parquet batch seen whole, for [`Mapper::map_columns`](crate::source::Mapper::map_columns).
struct PqColumns<'a> {
    cols: &'a [Option<PqCol>],
    rows: usize,
}

impl SourceColumns for PqColumns<'_> {
    fn rows(&self) -> usize {
        self.rows
    }

    fn text(&self, col: usize) -> Option<Text<'_>> {
        match self.cols.get(col)?.as_ref()? {
            PqCol::Str(a) => Some(Text::Plain(a)),
            PqCol::Dict(d) => Some(Text::Dict {
                keys: &d.keys,
                values: &d.values,
            }),
            _ => None,
        }
    }

    fn decimals(&self, col: usize, scale: u32) -> Option<Decimals> {
        let rows = self.rows;
        let mut nulls = arrow_buffer::BooleanBufferBuilder::new(rows);
        let mut values = Vec::with_capacity(rows);
        match self.cols.get(col)?.as_ref()? {
            PqCol::Typed(t) => {
                let scaled = at_scale(&t.scaled, scale, |s| t.convert_scaled(s));
                if scaled.len() != rows {
                    return None;
                }
                // No null and no value for the per-value code: the vector is the column.
                if !scaled.contains(&SLOW) {
                    return Some(Decimals {
                        values: scaled.into_owned(),
                        nulls: None,
                    });
                }
                for (row, &v) in scaled.iter().enumerate() {
                    let v = if v != SLOW {
                        Some(v)
                    } else {
                        typed_decimal(&t.array, row, scale).transpose().ok()?
                    };
                    nulls.append(v.is_some());
                    values.push(v.unwrap_or(0));
                }
            }
            PqCol::Dict(d) => {
                let parsed = at_scale(&d.scaled, scale, |s| d.parse_values(s));
                for row in 0..rows {
                    let v = if d.keys.is_null(row) {
                        None
                    } else {
                        let k = d.keys.value(row) as usize;
                        match parsed[k] {
                            // Empty text is null; other text that does not parse declines.
                            SLOW if d.values.value(k).is_empty() => None,
                            SLOW => return None,
                            v => Some(v),
                        }
                    };
                    nulls.append(v.is_some());
                    values.push(v.unwrap_or(0));
                }
            }
            _ => return None,
        }
        let nulls = NullBuffer::new(nulls.finish());
        Some(Decimals {
            values,
            nulls: (nulls.null_count() > 0).then_some(nulls),
        })
    }

    fn micros(&self, col: usize) -> Option<Vec<i64>> {
        let Some(PqCol::Typed(t)) = self.cols.get(col)?.as_ref() else {
            return None;
        };
        if t.array.null_count() > 0 {
            return None;
        }
        let v = t.micros.get_or_init(|| t.convert_micros());
        (v.len() == self.rows).then(|| v.clone())
    }

    fn entries(&self, col: usize) -> Option<Entries<'_>> {
        let Some(PqCol::Map(mkv)) = self.cols.get(col)?.as_ref() else {
            return None;
        };
        let (m, k, v) = &**mkv;
        Some(Entries {
            offsets: m.value_offsets(),
            nulls: m.nulls(),
            keys: k,
            values: v,
        })
    }
}

/// Whether a Parquet column is read as values rather than text.
fn is_typed(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Float64 | DataType::Float32 | DataType::Timestamp(_, _)
    ) || matches!(t, DataType::Decimal128(_, s) if *s >= 0)
}

fn to_str(file: &str, a: &ArrayRef) -> Result<StringArray, IngestError> {
    if let DataType::Timestamp(unit, _) = a.data_type() {
        return timestamps_to_str(file, a, *unit);
    }
    let casted = arrow_cast::cast(a, &DataType::Utf8).map_err(|e| IngestError::Parquet {
        file: file.into(),
        reason: e.to_string(),
    })?;
    Ok(casted
        .as_any()
        .downcast_ref::<StringArray>()
        .cloned()
        .unwrap_or_else(|| StringArray::new_null(a.len())))
}

/// Timestamps as ISO text without Arrow's time-zone machinery: the stored value is UTC
/// whatever the zone annotation (`UTC`, `+00:00`), so only the unit matters.
fn timestamps_to_str(file: &str, a: &ArrayRef, unit: TimeUnit) -> Result<StringArray, IngestError> {
    let ints = arrow_cast::cast(a, &DataType::Int64).map_err(|e| IngestError::Parquet {
        file: file.into(),
        reason: e.to_string(),
    })?;
    let ints = ints.as_primitive::<Int64Type>();
    let per_micro = |v: i64| unit_micros(v, unit);
    let mut b = StringBuilder::with_capacity(ints.len(), ints.len() * 20);
    let mut last: Option<(i64, String)> = None;
    for v in ints.iter() {
        match v {
            None => b.append_null(),
            Some(v) => {
                let m = per_micro(v);
                match &last {
                    Some((lm, s)) if *lm == m => b.append_value(s),
                    _ => {
                        let s = crate::time::format_micros_exact(m);
                        b.append_value(&s);
                        last = Some((m, s));
                    }
                }
            }
        }
    }
    Ok(b.finish())
}

/// Open a Parquet file: its header (column names), and the file with its metadata to read from.
pub fn parquet_header<T: parquet::file::reader::ChunkReader + 'static>(
    name: &str,
    src: T,
) -> Result<(Header, T, ArrowReaderMetadata), IngestError> {
    let meta = ArrowReaderMetadata::load(&src, ArrowReaderOptions::new()).map_err(|e| {
        IngestError::Parquet {
            file: name.into(),
            reason: e.to_string(),
        }
    })?;
    let names = meta
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    Ok((Header::new(names), src, meta))
}

/// Streams a Parquet file through a mapper, reading only the columns the mapper uses.
pub struct ParquetBatchReader {
    /// Decoded batches from the decoding thread (Parquet decoding runs on the second core).
    inner: std::sync::mpsc::Receiver<Result<RecordBatch, arrow_schema::ArrowError>>,
    used: Vec<usize>,
    ncols: usize,
    sink: RowSink,
    next_row: u64,
    cols: Vec<Option<PqCol>>,
    done: bool,
}

impl ParquetBatchReader {
    pub fn new<T: parquet::file::reader::ChunkReader + 'static>(
        src: T,
        meta: ArrowReaderMetadata,
        header: &Header,
        sink: RowSink,
        batch_size: usize,
    ) -> Result<Self, IngestError> {
        let used = header.used();
        let mut sink = sink;
        // Source text columns that map 1:1 onto output columns skip the row staging.
        let fields = meta.schema().fields().clone();
        let is_text = |col: usize| {
            fields.get(col).is_some_and(|f| {
                used.contains(&col)
                    && !is_typed(f.data_type())
                    && !matches!(f.data_type(), DataType::Map(_, _))
            })
        };
        let pairs = sink.mapper.pass_through(&is_text);
        // The other text columns the mapper reads are decoded as dictionaries: rows then look
        // their value up instead of the decoder copying every string out of the file's
        // dictionary pages.
        let as_dictionary: Vec<Arc<arrow_schema::Field>> = fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let read_by_rows = used.contains(&i) && !pairs.iter().any(|&(_, src)| src == i);
                if read_by_rows && f.data_type() == &DataType::Utf8 {
                    let t =
                        DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
                    Arc::new(f.as_ref().clone().with_data_type(t))
                } else {
                    Arc::clone(f)
                }
            })
            .collect();
        let schema = Arc::new(arrow_schema::Schema::new_with_metadata(
            as_dictionary,
            meta.schema().metadata().clone(),
        ));
        let parquet_err = |e: parquet::errors::ParquetError| IngestError::Parquet {
            file: sink.file.clone(),
            reason: e.to_string(),
        };
        let meta = ArrowReaderMetadata::try_new(
            Arc::clone(meta.metadata()),
            ArrowReaderOptions::new().with_schema(schema),
        )
        .map_err(parquet_err)?;
        let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(src, meta);
        sink.builder.set_pass_through(pairs);
        let mask = ProjectionMask::roots(builder.parquet_schema(), used.iter().copied());
        let inner = builder
            .with_projection(mask)
            .with_batch_size(batch_size)
            .build()
            .map_err(parquet_err)?;
        let (tx, rx) = std::sync::mpsc::sync_channel(2);
        std::thread::spawn(move || {
            let inner: ParquetRecordBatchReader = inner;
            for b in inner {
                if tx.send(b).is_err() {
                    return;
                }
            }
        });
        Ok(Self {
            inner: rx,
            used,
            ncols: header.names().len(),
            sink,
            next_row: 0,
            cols: Vec::new(),
            done: false,
        })
    }

    fn step(&mut self) -> Result<Option<RecordBatch>, IngestError> {
        loop {
            if self.sink.full() {
                return Ok(self.sink.take());
            }
            let Ok(batch) = self.inner.recv() else {
                // Drained: the pending rows and batches, one a call.
                let last = self.sink.take();
                self.done = last.is_none();
                return Ok(last);
            };
            let file = self.sink.file.clone();
            let batch = batch.map_err(|e| IngestError::Parquet {
                file: file.clone(),
                reason: e.to_string(),
            })?;
            self.cols.clear();
            self.cols.resize_with(self.ncols, || None);
            for (pos, &orig) in self.used.iter().enumerate() {
                let a = batch.column(pos);
                let col =
                    match a.data_type() {
                        DataType::Map(_, _) => {
                            let m = a.as_any().downcast_ref::<MapArray>().cloned().ok_or_else(
                                || IngestError::Parquet {
                                    file: file.clone(),
                                    reason: "bad map column".into(),
                                },
                            )?;
                            let k = to_str(&file, m.keys())?;
                            let v = to_str(&file, m.values())?;
                            PqCol::Map(Box::new((m, k, v)))
                        }
                        t if is_typed(t) => PqCol::Typed(Box::new(TypedCol::new(a))),
                        // Only the dictionaries asked for above; a file's own (other key
                        // types) is read as text below, as before.
                        DataType::Dictionary(k, v)
                            if **k == DataType::Int32 && **v == DataType::Utf8 =>
                        {
                            let d = a.as_dictionary::<Int32Type>();
                            let values = to_str(&file, d.values())?;
                            PqCol::Dict(Box::new(DictCol {
                                keys: d.keys().clone(),
                                values,
                                scaled: OnceCell::new(),
                            }))
                        }
                        _ => PqCol::Str(to_str(&file, a)?),
                    };
                self.cols[orig] = Some(col);
            }
            let view = PqColumns {
                cols: &self.cols,
                rows: batch.num_rows(),
            };
            if self.sink.columnar
                && let Some(mapped) = self.sink.mapper.map_columns(&view)
                && self.sink.accept_columns(mapped, self.next_row)?
            {
                self.next_row += batch.num_rows() as u64;
                return Ok(self.sink.take());
            }
            if !self.sink.builder.pass_through().is_empty() {
                let mut arrays = Vec::with_capacity(self.sink.builder.pass_through().len());
                for &(_, src) in self.sink.builder.pass_through() {
                    match &self.cols[src] {
                        Some(PqCol::Str(a)) => arrays.push(a.clone()),
                        _ => {
                            return Err(IngestError::Parquet {
                                file,
                                reason: format!("column {src} is not text in every row group"),
                            });
                        }
                    }
                }
                self.sink.builder.add_source_chunk(arrays);
            }
            for row in 0..batch.num_rows() {
                self.sink.builder.set_source_row(row);
                self.next_row += 1;
                let f = PqFields {
                    file: &file,
                    cols: &self.cols,
                    row,
                };
                self.sink.accept(&f, self.next_row)?;
            }
            if self.sink.full() {
                return Ok(self.sink.take());
            }
        }
    }
}

impl Iterator for ParquetBatchReader {
    type Item = Result<RecordBatch, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.step() {
            Ok(Some(b)) => Some(Ok(b)),
            Ok(None) => None,
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

impl BatchReader for ParquetBatchReader {
    fn format(&self) -> SourceFormat {
        self.sink.format()
    }
    fn stats(&self) -> ReadStats {
        self.sink.stats.clone()
    }
}

/// JSON value paths exposed as columns of a JSON-lines record (GCP BigQuery export).
pub struct JsonFields<'a> {
    pub paths: &'a [&'a str],
    pub value: &'a serde_json::Value,
    pub scratch: Vec<Option<String>>,
}

fn lookup<'v>(v: &'v serde_json::Value, path: &str) -> Option<&'v serde_json::Value> {
    let mut cur = v;
    for part in path.split('.') {
        cur = cur.get(part)?;
    }
    Some(cur)
}

impl<'a> JsonFields<'a> {
    pub fn new(paths: &'a [&'a str], value: &'a serde_json::Value) -> Self {
        let scratch = paths
            .iter()
            .map(|p| match lookup(value, p) {
                Some(serde_json::Value::String(_)) | None | Some(serde_json::Value::Null) => None,
                // serde_json reads numbers as f64 and writes them back in their shortest
                // round-trip form, which is the text BigQuery wrote for up to 17 digits.
                Some(serde_json::Value::Array(_)) | Some(serde_json::Value::Object(_)) => None,
                Some(other) => Some(other.to_string()),
            })
            .collect();
        Self {
            paths,
            value,
            scratch,
        }
    }
}

impl Fields for JsonFields<'_> {
    fn get(&self, col: usize) -> Option<&str> {
        if let Some(Some(s)) = self.scratch.get(col) {
            return Some(s);
        }
        match lookup(self.value, self.paths.get(col)?)? {
            serde_json::Value::String(s) if !s.is_empty() => Some(s),
            _ => None,
        }
    }

    /// Arrays of `{key, value}` (labels) or of `{name, amount}` (credits) as entries.
    fn map_entries(&self, col: usize, f: &mut dyn FnMut(&str, &str)) {
        let Some(path) = self.paths.get(col) else {
            return;
        };
        let Some(serde_json::Value::Array(items)) = lookup(self.value, path) else {
            return;
        };
        for it in items {
            let k = it.get("key").or_else(|| it.get("name"));
            let v = it.get("value").or_else(|| it.get("amount"));
            let k = match k {
                Some(serde_json::Value::String(s)) => s.clone(),
                _ => continue,
            };
            let v = match v {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            f(&k, &v);
        }
    }
}

/// Streams newline-delimited JSON through a mapper whose header is `paths`.
pub struct JsonLinesReader {
    lines: std::io::Lines<BufReader<Box<dyn Read + Send>>>,
    paths: Arc<Vec<&'static str>>,
    sink: RowSink,
    line: u64,
    done: bool,
}

impl JsonLinesReader {
    pub fn new(r: Box<dyn Read + Send>, paths: Arc<Vec<&'static str>>, sink: RowSink) -> Self {
        Self {
            lines: BufReader::with_capacity(1 << 20, r).lines(),
            paths,
            sink,
            line: 0,
            done: false,
        }
    }

    fn step(&mut self) -> Result<Option<RecordBatch>, IngestError> {
        loop {
            let Some(line) = self.lines.next() else {
                self.done = true;
                return Ok(self.sink.take());
            };
            self.line += 1;
            let line = line.map_err(|e| IngestError::io(&self.sink.file, e))?;
            let text = line.trim();
            if text.is_empty() {
                continue;
            }
            let value: serde_json::Value = match serde_json::from_str(text) {
                Ok(v) => v,
                Err(e) => {
                    self.sink
                        .bad(self.line, "", format!("not a JSON object: {e}"))?;
                    continue;
                }
            };
            let f = JsonFields::new(&self.paths, &value);
            self.sink.accept(&f, self.line)?;
            if self.sink.full() {
                return Ok(self.sink.take());
            }
        }
    }
}

impl Iterator for JsonLinesReader {
    type Item = Result<RecordBatch, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.step() {
            Ok(Some(b)) => Some(Ok(b)),
            Ok(None) => None,
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

impl BatchReader for JsonLinesReader {
    fn format(&self) -> SourceFormat {
        self.sink.format()
    }
    fn stats(&self) -> ReadStats {
        self.sink.stats.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{DictionaryArray, Float64Array, TimestampMillisecondArray};

    fn fields<'a>(cols: &'a [Option<PqCol>], row: usize) -> PqFields<'a> {
        PqFields {
            file: "t.parquet",
            cols,
            row,
        }
    }

    #[test]
    fn batch_converted_floats_equal_their_shortest_text() {
        let values = [
            Some(0.1 + 0.2),
            None,
            Some(1.5e-12),
            Some(-3.3333333333),
            Some(12_345_678.123_456_78),
            Some(f64::NAN),
            Some(0.0),
            Some(2.5e15),
        ];
        let array: ArrayRef = Arc::new(Float64Array::from(values.to_vec()));
        let cols = [Some(PqCol::Typed(Box::new(TypedCol::new(&array))))];
        for scale in [24, 18] {
            let cols = [Some(PqCol::Typed(Box::new(TypedCol::new(&array))))];
            for (row, v) in values.iter().enumerate() {
                let want = v.map(|v| {
                    let mut b = ryu::Buffer::new();
                    parse_scaled(b.format(v), scale)
                });
                assert_eq!(fields(&cols, row).decimal(0, scale), want, "row {row}");
            }
        }
        // A column is converted at the scale first asked for; another scale still answers.
        assert_eq!(
            fields(&cols, 0).decimal(0, 24),
            Some(parse_scaled("0.30000000000000004", 24))
        );
        assert_eq!(fields(&cols, 6).decimal(0, 18), Some(Ok(0)));
    }

    #[test]
    fn dictionary_text_is_parsed_once_per_value_with_the_same_answers() {
        let keys = PrimitiveArray::<Int32Type>::from(vec![
            Some(0),
            Some(1),
            None,
            Some(2),
            Some(3),
            Some(0),
        ]);
        let values = StringArray::from(vec!["0.0104", "", "abc", "-7"]);
        let d = DictionaryArray::new(keys, Arc::new(values));
        let col = || {
            Some(PqCol::Dict(Box::new(DictCol {
                keys: d.keys().clone(),
                values: d.values().as_string::<i32>().clone(),
                scaled: OnceCell::new(),
            })))
        };
        let cols = [col()];
        let got: Vec<_> = (0..6).map(|r| fields(&cols, r).decimal(0, 24)).collect();
        assert_eq!(got[0], Some(parse_scaled("0.0104", 24)));
        assert_eq!(got[1], None, "empty text is null");
        assert_eq!(got[2], None, "a null key is null");
        assert!(
            matches!(got[3], Some(Err(_))),
            "bad text keeps its error: {:?}",
            got[3]
        );
        assert_eq!(got[4], Some(Ok(-7 * 10i128.pow(24))));
        assert_eq!(got[5], got[0]);
    }

    #[test]
    fn batch_converted_timestamps_keep_nulls_and_units() {
        let array: ArrayRef = Arc::new(TimestampMillisecondArray::from(vec![
            Some(1_700_000_000_123),
            None,
            Some(-1),
        ]));
        let cols = [Some(PqCol::Typed(Box::new(TypedCol::new(&array))))];
        assert_eq!(fields(&cols, 0).micros(0), Some(1_700_000_000_123_000));
        assert_eq!(fields(&cols, 1).micros(0), None);
        assert_eq!(fields(&cols, 2).micros(0), Some(-1000));
    }
}
