//! Writing one ingest's rows as zstd Parquet files, one directory per (cost account, billing period).

use std::collections::BTreeMap;
use std::sync::Arc;

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
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

use crate::columns;
use crate::error::{LedgerError, Result};
use crate::manifest::FileEntry;
use crate::period::{BillingPeriod, CostAccountKey};
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
    pub(crate) fn properties(&self) -> Result<WriterProperties> {
        let mut b = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::try_new(self.zstd_level)?))
            .set_max_row_group_row_count(Some(self.row_group_rows.max(1)))
            // Row-group min/max is what queries prune with; page-level statistics only cost.
            .set_statistics_enabled(EnabledStatistics::Chunk)
            .set_created_by("skyledger-ledger".to_string());
        // Nearly unique values: a dictionary is built, overflows and is thrown away.
        for column in columns::money().into_iter().chain([columns::SOURCE_LINE]) {
            b = b.set_column_dictionary_enabled(ColumnPath::from(column), false);
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
fn micros(batch: &RecordBatch, name: &str) -> Result<TimestampMicrosecondArray> {
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
    pub rows: u64,
    pub bytes: u64,
    pub charge_min: Option<i64>,
    pub charge_max: Option<i64>,
}

struct OpenFile {
    writer: AsyncArrowWriter<BufWriter>,
    path: String,
    rows: u64,
}

struct PeriodWriter {
    dir: String,
    next_part: usize,
    open: Option<OpenFile>,
    done: PeriodFiles,
}

/// Writes batches of several periods of one cost account; each period gets its own
/// directory, rolled into a new part file every `file_rows` rows.
pub(crate) struct IngestWriter {
    store: Arc<dyn ObjectStore>,
    root: Path,
    schema: SchemaRef,
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
        account: CostAccountKey,
        version: String,
        settings: WriteSettings,
    ) -> Result<Self> {
        let props = settings.properties()?;
        Ok(Self {
            store,
            root,
            schema,
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
        let w = self.periods.entry(period).or_insert_with(|| PeriodWriter {
            dir: period_dir(&self.account, period, &self.version),
            next_part: 0,
            open: None,
            done: PeriodFiles::default(),
        });
        w.done.charge_min = min_opt(w.done.charge_min, lo);
        w.done.charge_max = max_opt(w.done.charge_max, hi);
        w.done.rows += batch.num_rows() as u64;
        let mut offset = 0;
        while offset < batch.num_rows() {
            if w.open.is_none() {
                let path = format!("{}/part-{:05}.parquet", w.dir, w.next_part);
                w.next_part += 1;
                let sink = BufWriter::new(Arc::clone(&self.store), join(&self.root, &path));
                let writer = AsyncArrowWriter::try_new(
                    sink,
                    Arc::clone(&self.schema),
                    Some(self.props.clone()),
                )?;
                w.open = Some(OpenFile {
                    writer,
                    path,
                    rows: 0,
                });
            }
            let file = w.open.as_mut().expect("opened above");
            let room = (self.settings.file_rows as u64)
                .saturating_sub(file.rows)
                .max(1) as usize;
            let take = room.min(batch.num_rows() - offset);
            file.writer.write(&batch.slice(offset, take)).await?;
            file.rows += take as u64;
            offset += take;
            if file.rows >= self.settings.file_rows as u64 {
                let file = w.open.take().expect("open file");
                close(file, &mut w.done).await?;
            }
        }
        Ok(())
    }

    /// Closes all files; returns what was written per period.
    pub(crate) async fn finish(mut self) -> Result<BTreeMap<BillingPeriod, PeriodFiles>> {
        let mut out = BTreeMap::new();
        for (period, mut w) in std::mem::take(&mut self.periods) {
            if let Some(file) = w.open.take() {
                close(file, &mut w.done).await?;
            }
            out.insert(period, w.done);
        }
        Ok(out)
    }

    /// Best-effort removal of everything written so far (after a failed ingest).
    pub(crate) async fn abort(mut self) {
        let mut paths = vec![];
        for (_, mut w) in std::mem::take(&mut self.periods) {
            if let Some(f) = w.open.take() {
                // Abandon the multipart upload (or staged local file) of the open part.
                let _ = f.writer.into_inner().abort().await;
                paths.push(f.path);
            }
            paths.extend(w.done.files.into_iter().map(|f| f.path));
        }
        for p in paths {
            let _ = self.store.delete(&join(&self.root, &p)).await;
        }
    }
}

async fn close(mut file: OpenFile, done: &mut PeriodFiles) -> Result<()> {
    file.writer.finish().await?;
    let size = file.writer.bytes_written() as u64;
    done.bytes += size;
    done.files.push(FileEntry {
        path: file.path,
        size,
        rows: file.rows,
    });
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
