//! Writing one ingest's rows as zstd Parquet files, one directory per (cost account, billing period).

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Datelike};
use datafusion::arrow::array::{
    Array, ArrayRef, StringArray, TimestampMicrosecondArray, UInt32Array,
};
use datafusion::arrow::compute::{self, CastOptions};
use datafusion::arrow::datatypes::{DataType, SchemaRef, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use object_store::buffered::BufWriter;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};
use parquet::arrow::AsyncArrowWriter;
use parquet::arrow::arrow_writer::{
    ArrowRowGroupWriterFactory, ArrowWriter, ArrowWriterOptions, compute_leaves,
};
use parquet::basic::{Compression, Encoding, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::ColumnPath;
use tokio::io::AsyncWriteExt;

use crate::columns;
use crate::encoder::ColumnPool;
use crate::error::{LedgerError, Result};
use crate::manifest::FileEntry;
use crate::period::{BillingPeriod, CostAccountKey};
use crate::rollup::DailySums;
use crate::table::join;

/// Relative directory of one written version of a period.
pub(crate) fn period_dir(account: &CostAccountKey, period: BillingPeriod, version: &str) -> String {
    format!("cost/cost_account={account}/billing_period={period}/{version}")
}

/// Parquet writer settings.
#[derive(Debug, Clone)]
pub(crate) struct WriteSettings {
    pub row_group_rows: usize,
    pub file_rows: usize,
    pub zstd_level: i32,
}

impl WriteSettings {
    /// Properties for files of `schema`.
    pub(crate) fn properties(&self, schema: &SchemaRef) -> Result<WriterProperties> {
        let mut b = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::try_new(self.zstd_level)?))
            .set_max_row_group_row_count(Some(self.row_group_rows.max(1)))
            // Row-group min/max is what queries prune with, and only on the columns they
            // filter; page-level statistics and those of other columns only cost.
            .set_statistics_enabled(EnabledStatistics::None)
            .set_created_by("skyledger-ledger".to_string());
        for column in columns::PRUNING {
            b = b.set_column_statistics_enabled(ColumnPath::from(column), EnabledStatistics::Chunk);
        }
        // Nearly unique values: a dictionary is built, overflows and is thrown away.
        for column in columns::money().into_iter().chain([columns::SOURCE_LINE]) {
            b = b.set_column_dictionary_enabled(ColumnPath::from(column), false);
        }
        // Source line numbers count up by one: delta encoding stores them in a few bits
        // instead of 8 bytes a row through zstd.
        b = b.set_column_encoding(
            ColumnPath::from(columns::SOURCE_LINE),
            Encoding::DELTA_BINARY_PACKED,
        );
        // 16-byte decimals (money and quantities, most of the bytes written) compress no
        // better above level 1: one month of CUR 2.0 (868 k rows) gave 6.03 MB per cost
        // column at level 1 and at level 3, while level 3 took about twice the CPU of level 1.
        let fast = Compression::ZSTD(ZstdLevel::try_new(self.zstd_level.min(1))?);
        for f in schema.fields() {
            if matches!(f.data_type(), DataType::Decimal128(_, _)) {
                b = b.set_column_compression(ColumnPath::from(f.name().as_str()), fast);
            }
        }
        Ok(b.build())
    }
}

/// Makes input batches fit the store's schema: columns by name, cast where the type differs,
/// absent nullable columns as nulls, and `x_CostAccountId` set to the account being written.
pub(crate) fn conform(
    batch: &RecordBatch,
    schema: &SchemaRef,
    account: &CostAccountKey,
    batch_no: usize,
) -> Result<RecordBatch> {
    let invalid = |reason: String| LedgerError::InvalidInput {
        batch: batch_no,
        reason,
    };
    for f in batch.schema().fields() {
        if schema.field_with_name(f.name()).is_err() {
            return Err(invalid(format!("unknown column {:?}", f.name())));
        }
    }
    let rows = batch.num_rows();
    let opts = CastOptions {
        safe: false,
        ..Default::default()
    };
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(schema.fields().len());
    for f in schema.fields() {
        let col: ArrayRef = if f.name() == columns::COST_ACCOUNT_ID {
            let constant: ArrayRef = Arc::new(StringArray::from(vec![account.as_str(); rows]));
            compute::cast(&constant, f.data_type())?
        } else {
            match batch.column_by_name(f.name()) {
                Some(c) if c.data_type() == f.data_type() => Arc::clone(c),
                Some(c) => compute::cast_with_options(c, f.data_type(), &opts).map_err(|e| {
                    invalid(format!(
                        "column {:?}: cannot convert {} to {}: {e}",
                        f.name(),
                        c.data_type(),
                        f.data_type()
                    ))
                })?,
                None if f.is_nullable() => {
                    datafusion::arrow::array::new_null_array(f.data_type(), rows)
                }
                None => return Err(invalid(format!("missing required column {:?}", f.name()))),
            }
        };
        if !f.is_nullable() && col.null_count() > 0 {
            return Err(invalid(format!("column {:?} has null values", f.name())));
        }
        columns.push(col);
    }
    Ok(RecordBatch::try_new(Arc::clone(schema), columns)?)
}

/// Microseconds of a timestamp column, whatever its unit.
pub(crate) fn micros(batch: &RecordBatch, name: &str) -> Result<TimestampMicrosecondArray> {
    let c = batch
        .column_by_name(name)
        .ok_or_else(|| LedgerError::InvalidInput {
            batch: 0,
            reason: format!("the store schema lacks {name:?}"),
        })?;
    let target = DataType::Timestamp(TimeUnit::Microsecond, None);
    let c = match c.data_type() {
        DataType::Timestamp(_, _) => compute::cast(c, &target)?,
        other => {
            return Err(LedgerError::InvalidInput {
                batch: 0,
                reason: format!("{name:?} must be a timestamp, not {other}"),
            });
        }
    };
    Ok(c.as_any()
        .downcast_ref::<TimestampMicrosecondArray>()
        .expect("cast to µs timestamp")
        .clone())
}

/// Splits a conformed batch by the month of BillingPeriodStart.
pub(crate) fn split_by_period(
    batch: &RecordBatch,
    batch_no: usize,
) -> Result<Vec<(BillingPeriod, RecordBatch)>> {
    let starts = micros(batch, columns::BILLING_PERIOD_START)?;
    let mut rows_of: BTreeMap<BillingPeriod, Vec<u32>> = BTreeMap::new();
    let mut last: Option<(i64, BillingPeriod)> = None;
    for row in 0..starts.len() {
        if starts.is_null(row) {
            return Err(LedgerError::InvalidInput {
                batch: batch_no,
                reason: format!("row {row}: BillingPeriodStart is empty"),
            });
        }
        let day = starts.value(row).div_euclid(86_400_000_000);
        let period = match last {
            Some((d, p)) if d == day => p,
            _ => {
                let date = DateTime::from_timestamp(day * 86_400, 0)
                    .ok_or_else(|| LedgerError::InvalidInput {
                        batch: batch_no,
                        reason: format!("row {row}: BillingPeriodStart out of range"),
                    })?
                    .date_naive();
                let p = BillingPeriod::new(date.year(), date.month()).map_err(|_| {
                    LedgerError::InvalidInput {
                        batch: batch_no,
                        reason: format!("row {row}: BillingPeriodStart {date} out of range"),
                    }
                })?;
                last = Some((day, p));
                p
            }
        };
        rows_of.entry(period).or_default().push(row as u32);
    }
    if rows_of.len() == 1 {
        let (p, _) = rows_of.pop_first().expect("one period");
        return Ok(vec![(p, batch.clone())]);
    }
    rows_of
        .into_iter()
        .map(|(p, rows)| {
            let idx = UInt32Array::from(rows);
            Ok((p, compute::take_record_batch(batch, &idx)?))
        })
        .collect()
}

/// Smallest and largest ChargePeriodStart of a batch, in µs.
fn charge_bounds(batch: &RecordBatch) -> Result<(Option<i64>, Option<i64>)> {
    let c = micros(batch, columns::CHARGE_PERIOD_START)?;
    Ok((compute::min(&c), compute::max(&c)))
}

/// Files written so far for one period.
#[derive(Debug, Default)]
pub(crate) struct PeriodFiles {
    pub files: Vec<FileEntry>,
    /// The daily rollup file, written when the period is finished.
    pub rollup: Option<FileEntry>,
    pub rows: u64,
    pub bytes: u64,
    pub charge_min: Option<i64>,
    pub charge_max: Option<i64>,
}

/// One Parquet part file being written: row groups are encoded in memory, their columns on
/// two threads, and each finished row group is handed to the object store.
struct PartFile {
    file: SerializedFileWriter<Vec<u8>>,
    factory: ArrowRowGroupWriterFactory,
    sink: BufWriter,
    /// Column writers of the row group being encoded (none between row groups).
    columns: ColumnPool,
    group_rows: usize,
    row_groups: usize,
    path: String,
    rows: u64,
}

impl PartFile {
    fn new(
        sink: BufWriter,
        path: String,
        schema: &SchemaRef,
        props: &WriterProperties,
    ) -> Result<Self> {
        let options = ArrowWriterOptions::new().with_properties(props.clone());
        // The Arrow writer puts the Arrow schema into the footer's key-value metadata.
        let (file, factory) =
            ArrowWriter::try_new_with_options(Vec::new(), Arc::clone(schema), options)?
                .into_serialized_writer()?;
        Ok(Self {
            file,
            factory,
            sink,
            columns: ColumnPool::new(),
            group_rows: 0,
            row_groups: 0,
            path,
            rows: 0,
        })
    }

    /// Queues `batch` (which must fit in the current row group) for encoding and, while the
    /// helper thread encodes, folds it into `sums`. Returns once at most one batch is left to
    /// encode, so that the next batch is queued before the helper runs out of work.
    fn encode(&mut self, batch: &RecordBatch, sums: Option<&mut DailySums>) -> Result<()> {
        if !self.columns.is_open() {
            let writers = self.factory.create_column_writers(self.row_groups)?;
            self.columns.open(writers)?;
        }
        let mut leaves = Vec::with_capacity(batch.num_columns());
        for (field, array) in batch.schema().fields().iter().zip(batch.columns()) {
            leaves.extend(compute_leaves(field, array)?);
        }
        self.columns.queue(leaves)?;
        if let Some(sums) = sums {
            sums.add(batch)?;
        }
        self.columns.catch_up_to_one_batch()?;
        self.group_rows += batch.num_rows();
        self.rows += batch.num_rows() as u64;
        Ok(())
    }

    /// Closes the current row group and hands its bytes to the object store.
    async fn flush_group(&mut self) -> Result<()> {
        if !self.columns.is_open() {
            return Ok(());
        }
        let chunks = self.columns.close()?;
        let mut group = self.file.next_row_group()?;
        for chunk in chunks {
            chunk.append_to_row_group(&mut group)?;
        }
        group.close()?;
        self.row_groups += 1;
        self.group_rows = 0;
        self.drain().await
    }

    async fn drain(&mut self) -> Result<()> {
        let bytes = std::mem::take(self.file.inner_mut());
        if !bytes.is_empty() {
            self.sink.put(Bytes::from(bytes)).await?;
        }
        Ok(())
    }

    /// Writes the footer and completes the upload; returns the file's size.
    async fn finish(mut self) -> Result<(String, u64, u64)> {
        self.flush_group().await?;
        self.file.finish()?;
        self.drain().await?;
        self.sink
            .shutdown()
            .await
            .map_err(|e| LedgerError::Internal(format!("cannot complete {}: {e}", self.path)))?;
        Ok((self.path, self.file.bytes_written() as u64, self.rows))
    }
}

struct PeriodWriter {
    dir: String,
    next_part: usize,
    open: Option<PartFile>,
    done: PeriodFiles,
    sums: Option<DailySums>,
}

/// Writes batches of several periods of one cost account; each period gets its own
/// directory, rolled into a new part file every `file_rows` rows, and (when `rollup` is
/// given) a daily rollup summed while its rows are encoded.
pub(crate) struct IngestWriter {
    store: Arc<dyn ObjectStore>,
    root: Path,
    schema: SchemaRef,
    rollup: Option<SchemaRef>,
    account: CostAccountKey,
    version: String,
    settings: WriteSettings,
    props: WriterProperties,
    periods: BTreeMap<BillingPeriod, PeriodWriter>,
}

impl IngestWriter {
    pub(crate) fn new(
        store: Arc<dyn ObjectStore>,
        root: Path,
        schema: SchemaRef,
        rollup: Option<SchemaRef>,
        account: CostAccountKey,
        version: String,
        settings: WriteSettings,
    ) -> Result<Self> {
        let props = settings.properties(&schema)?;
        Ok(Self {
            store,
            root,
            schema,
            rollup,
            account,
            version,
            settings,
            props,
            periods: BTreeMap::new(),
        })
    }

    pub(crate) async fn write(&mut self, period: BillingPeriod, batch: &RecordBatch) -> Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let (lo, hi) = charge_bounds(batch)?;
        let w = match self.periods.entry(period) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => e.insert(PeriodWriter {
                dir: period_dir(&self.account, period, &self.version),
                next_part: 0,
                open: None,
                done: PeriodFiles::default(),
                sums: match &self.rollup {
                    Some(r) => Some(DailySums::new(&self.schema, r)?),
                    None => None,
                },
            }),
        };
        w.done.charge_min = min_opt(w.done.charge_min, lo);
        w.done.charge_max = max_opt(w.done.charge_max, hi);
        w.done.rows += batch.num_rows() as u64;
        let group_rows = self.settings.row_group_rows.max(1);
        let file_rows = self.settings.file_rows.max(1) as u64;
        let mut offset = 0;
        while offset < batch.num_rows() {
            if w.open.is_none() {
                let path = format!("{}/part-{:05}.parquet", w.dir, w.next_part);
                w.next_part += 1;
                let sink = BufWriter::new(Arc::clone(&self.store), join(&self.root, &path));
                w.open = Some(PartFile::new(sink, path, &self.schema, &self.props)?);
            }
            let file = w.open.as_mut().expect("opened above");
            let room_in_file = file_rows.saturating_sub(file.rows).max(1) as usize;
            let room_in_group = group_rows.saturating_sub(file.group_rows).max(1);
            let take = room_in_file
                .min(room_in_group)
                .min(batch.num_rows() - offset);
            file.encode(&batch.slice(offset, take), w.sums.as_mut())?;
            offset += take;
            if file.rows >= file_rows {
                let file = w.open.take().expect("open file");
                close(file, &mut w.done).await?;
            } else if file.group_rows >= group_rows {
                file.flush_group().await?;
            }
        }
        Ok(())
    }

    /// Closes all files and writes the rollups; returns what was written per period.
    pub(crate) async fn finish(mut self) -> Result<BTreeMap<BillingPeriod, PeriodFiles>> {
        let mut out = BTreeMap::new();
        for (period, mut w) in std::mem::take(&mut self.periods) {
            if let Some(file) = w.open.take() {
                close(file, &mut w.done).await?;
            }
            if let (Some(sums), Some(schema)) = (w.sums.take(), &self.rollup)
                && !w.done.files.is_empty()
            {
                let path = format!("{}/rollup-day.parquet", w.dir);
                let sink = BufWriter::new(Arc::clone(&self.store), join(&self.root, &path));
                let rollup = write_rollup(sink, sums, schema, &self.props, path).await?;
                w.done.rollup = Some(rollup);
            }
            out.insert(period, w.done);
        }
        Ok(out)
    }

    /// Best-effort removal of everything written so far (after a failed ingest).
    pub(crate) async fn abort(mut self) {
        let mut paths = vec![];
        for (_, mut w) in std::mem::take(&mut self.periods) {
            if let Some(mut f) = w.open.take() {
                // Abandon the multipart upload (or staged local file) of the open part.
                let _ = f.sink.abort().await;
                paths.push(f.path);
            }
            paths.extend(w.done.files.into_iter().map(|f| f.path));
        }
        for p in paths {
            let _ = self.store.delete(&join(&self.root, &p)).await;
        }
    }
}

async fn write_rollup(
    sink: BufWriter,
    sums: DailySums,
    schema: &SchemaRef,
    props: &WriterProperties,
    path: String,
) -> Result<FileEntry> {
    let batch = sums.finish()?;
    let mut w = AsyncArrowWriter::try_new(sink, Arc::clone(schema), Some(props.clone()))?;
    w.write(&batch).await?;
    w.finish().await?;
    Ok(FileEntry {
        path,
        size: w.bytes_written() as u64,
        rows: batch.num_rows() as u64,
    })
}

async fn close(file: PartFile, done: &mut PeriodFiles) -> Result<()> {
    let (path, size, rows) = file.finish().await?;
    done.bytes += size;
    done.files.push(FileEntry { path, size, rows });
    Ok(())
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn max_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}
