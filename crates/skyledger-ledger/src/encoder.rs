//! Encoding a row group's columns on two threads without a pause between batches.
//!
//! Each column has a queue of leaves (one per batch). The thread that writes the part file
//! queues a batch's leaves and works through queues until at most one batch is left queued;
//! a helper thread works through them all the time. A column is written by one thread at a
//! time, in batch order, so the bytes are the same whichever thread encodes what. Neither
//! thread waits for the other to finish a batch: while the helper encodes the last columns of
//! one batch, the writing thread already queues the next. Closing a row group closes its
//! columns on both threads too.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use parquet::arrow::arrow_writer::{ArrowColumnChunk, ArrowColumnWriter, ArrowLeafColumn};

use crate::error::{LedgerError, Result};

/// The column writers of the row group being encoded, shared with a helper thread.
pub(crate) struct ColumnPool {
    shared: Arc<Shared>,
    helper: Option<JoinHandle<()>>,
}

struct Shared {
    state: Mutex<State>,
    /// Signalled whenever work is queued or finished, and on stop.
    changed: Condvar,
}

#[derive(Default)]
struct State {
    columns: Vec<Column>,
    /// Leaves queued and not yet written, over all columns.
    queued: usize,
    /// The row group is complete: close each column once its queue is empty.
    closing: bool,
    failure: Failure,
    stop: bool,
    /// Where the next search for work starts, so that columns are taken in order.
    cursor: usize,
}

/// The first error (or panic) of a job: reported once by the writing thread, after which
/// every call says that encoding failed.
#[derive(Default)]
enum Failure {
    #[default]
    None,
    Pending(LedgerError),
    Reported,
}

struct Column {
    /// `None` while a thread is writing to it.
    writer: Option<Box<ArrowColumnWriter>>,
    queue: VecDeque<ArrowLeafColumn>,
    closed: Option<Box<ArrowColumnChunk>>,
}

/// One column's work, taken out of the shared state to run without the lock.
struct Job {
    column: usize,
    writer: Box<ArrowColumnWriter>,
    leaves: Vec<ArrowLeafColumn>,
    close: bool,
}

enum Done {
    Open(Box<ArrowColumnWriter>),
    Closed(Box<ArrowColumnChunk>),
}

impl Job {
    fn run(mut self) -> Result<Done> {
        for leaf in &self.leaves {
            self.writer.write(leaf)?;
        }
        if self.close {
            Ok(Done::Closed(Box::new((*self.writer).close()?)))
        } else {
            Ok(Done::Open(self.writer))
        }
    }
}

impl State {
    fn take_job(&mut self) -> Option<Job> {
        let n = self.columns.len();
        for k in 0..n {
            let i = (self.cursor + k) % n;
            let c = &mut self.columns[i];
            if c.writer.is_none() || (c.queue.is_empty() && !self.closing) {
                continue;
            }
            self.cursor = (i + 1) % n;
            return Some(Job {
                column: i,
                writer: c.writer.take().expect("checked above"),
                leaves: c.queue.drain(..).collect(),
                close: self.closing,
            });
        }
        None
    }

    /// The failure to report to the writing thread, if any (the job's own error only once).
    fn error(&mut self) -> Option<LedgerError> {
        if matches!(self.failure, Failure::None) {
            return None;
        }
        match std::mem::replace(&mut self.failure, Failure::Reported) {
            Failure::Pending(e) => Some(e),
            _ => Some(LedgerError::Internal(
                "Parquet encoding failed earlier in this ingest".into(),
            )),
        }
    }

    fn all_closed(&self) -> bool {
        self.columns.iter().all(|c| c.closed.is_some())
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'a>(&self, state: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.changed
            .wait(state)
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `job` without the lock and records its outcome.
    fn run(&self, job: Job) -> MutexGuard<'_, State> {
        let (column, count) = (job.column, job.leaves.len());
        let done = catch_unwind(AssertUnwindSafe(|| job.run())).unwrap_or_else(|_| {
            Err(LedgerError::Internal(
                "a Parquet encoder thread panicked".into(),
            ))
        });
        let mut state = self.lock();
        state.queued -= count;
        match done {
            Ok(Done::Open(w)) => state.columns[column].writer = Some(w),
            Ok(Done::Closed(chunk)) => state.columns[column].closed = Some(chunk),
            Err(e) => {
                if matches!(state.failure, Failure::None) {
                    state.failure = Failure::Pending(e);
                }
            }
        }
        self.changed.notify_all();
        state
    }

    /// Runs jobs until `enough` holds; reports the first failure of any job.
    fn work_until(&self, enough: impl Fn(&State) -> bool) -> Result<()> {
        let mut state = self.lock();
        loop {
            if let Some(e) = state.error() {
                return Err(e);
            }
            if enough(&state) {
                return Ok(());
            }
            state = match state.take_job() {
                Some(job) => {
                    drop(state);
                    self.run(job)
                }
                None => self.wait(state),
            };
        }
    }

    /// The helper thread: runs jobs whenever there are any, until stopped. After a failure
    /// it only waits: the writing thread reports the failure and drops the pool.
    fn help(&self) {
        let mut state = self.lock();
        while !state.stop {
            let failed = !matches!(state.failure, Failure::None);
            let job = if failed { None } else { state.take_job() };
            state = match job {
                Some(job) => {
                    drop(state);
                    self.run(job)
                }
                None => self.wait(state),
            };
        }
    }
}

impl ColumnPool {
    pub(crate) fn new() -> Self {
        Self {
            shared: Arc::new(Shared {
                state: Mutex::new(State::default()),
                changed: Condvar::new(),
            }),
            helper: None,
        }
    }

    /// Whether a row group is being encoded.
    pub(crate) fn is_open(&self) -> bool {
        !self.shared.lock().columns.is_empty()
    }

    /// Starts a row group with these column writers.
    pub(crate) fn open(&mut self, writers: Vec<ArrowColumnWriter>) -> Result<()> {
        if self.helper.is_none() {
            let shared = Arc::clone(&self.shared);
            let helper = std::thread::Builder::new()
                .name("parquet-encoder".into())
                .spawn(move || shared.help())
                .map_err(|e| {
                    LedgerError::Internal(format!("cannot start a Parquet encoder thread: {e}"))
                })?;
            self.helper = Some(helper);
        }
        let mut state = self.shared.lock();
        state.columns = writers
            .into_iter()
            .map(|w| Column {
                writer: Some(Box::new(w)),
                queue: VecDeque::new(),
                closed: None,
            })
            .collect();
        state.closing = false;
        state.cursor = 0;
        Ok(())
    }

    /// Queues one batch's leaves (one per column, in column order).
    pub(crate) fn queue(&self, leaves: Vec<ArrowLeafColumn>) -> Result<()> {
        let mut state = self.shared.lock();
        if leaves.len() != state.columns.len() {
            return Err(LedgerError::Internal(format!(
                "{} leaf columns for {} column writers",
                leaves.len(),
                state.columns.len()
            )));
        }
        state.queued += leaves.len();
        for (c, leaf) in state.columns.iter_mut().zip(leaves) {
            c.queue.push_back(leaf);
        }
        self.shared.changed.notify_all();
        Ok(())
    }

    /// Encodes on this thread too, until at most one batch is left queued: the helper then
    /// still has work while the writing thread fetches the next batch.
    pub(crate) fn catch_up_to_one_batch(&self) -> Result<()> {
        self.shared.work_until(|s| s.queued <= s.columns.len())
    }

    /// Encodes on this thread too, until at most `backlog` leaves are left queued.
    #[cfg(test)]
    fn catch_up(&self, backlog: usize) -> Result<()> {
        self.shared.work_until(|s| s.queued <= backlog)
    }

    /// Encodes what is queued and closes every column (on both threads); returns the chunks
    /// in column order and leaves the pool ready for the next row group.
    pub(crate) fn close(&self) -> Result<Vec<ArrowColumnChunk>> {
        {
            let mut state = self.shared.lock();
            state.closing = true;
            self.shared.changed.notify_all();
        }
        self.shared.work_until(State::all_closed)?;
        let mut state = self.shared.lock();
        state.closing = false;
        Ok(std::mem::take(&mut state.columns)
            .into_iter()
            .map(|c| *c.closed.expect("all closed"))
            .collect())
    }
}

impl Drop for ColumnPool {
    fn drop(&mut self) {
        self.shared.lock().stop = true;
        self.shared.changed.notify_all();
        if let Some(helper) = self.helper.take() {
            let _ = helper.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{ArrayRef, Decimal128Array, Int32Array, StringArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
    use datafusion::arrow::record_batch::RecordBatch;
    use parquet::arrow::ArrowWriter;
    use parquet::arrow::arrow_writer::{ArrowWriterOptions, compute_leaves};
    use parquet::file::properties::WriterProperties;

    use super::*;

    fn schema() -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new("name", DataType::Utf8, true),
            Field::new("cost", DataType::Decimal128(38, 10), true),
            Field::new("n", DataType::Int32, false),
        ]))
    }

    fn batch(schema: &SchemaRef, i: usize) -> RecordBatch {
        let rows = 500 + 37 * i;
        let names: StringArray = (0..rows)
            .map(|r| (r % 7 != 0).then(|| format!("resource-{}", (r * 31 + i) % 97)))
            .collect();
        let costs = Decimal128Array::from_iter(
            (0..rows).map(|r| (r % 5 != 0).then_some((r as i128 * 7919 + i as i128) << 20)),
        )
        .with_precision_and_scale(38, 10)
        .unwrap();
        let ns = Int32Array::from_iter_values((0..rows).map(|r| (r * i) as i32));
        let columns: Vec<ArrayRef> = vec![Arc::new(names), Arc::new(costs), Arc::new(ns)];
        RecordBatch::try_new(Arc::clone(schema), columns).unwrap()
    }

    fn leaves(batch: &RecordBatch) -> Vec<ArrowLeafColumn> {
        let mut out = vec![];
        for (field, array) in batch.schema().fields().iter().zip(batch.columns()) {
            out.extend(compute_leaves(field, array).unwrap());
        }
        out
    }

    fn props() -> WriterProperties {
        WriterProperties::builder()
            .set_data_page_row_count_limit(100)
            .set_write_batch_size(64)
            .build()
    }

    /// Row groups of 5 and 4 batches, written by the pool with `backlog` leaves left queued.
    fn through_pool(backlog: usize) -> Vec<u8> {
        let schema = schema();
        let options = ArrowWriterOptions::new().with_properties(props());
        let (mut file, factory) =
            ArrowWriter::try_new_with_options(vec![], schema.clone(), options)
                .unwrap()
                .into_serialized_writer()
                .unwrap();
        let mut pool = ColumnPool::new();
        for (group, batches) in [0..5, 5..9].into_iter().enumerate() {
            pool.open(factory.create_column_writers(group).unwrap())
                .unwrap();
            assert!(pool.is_open());
            for i in batches {
                pool.queue(leaves(&batch(&schema, i))).unwrap();
                pool.catch_up(backlog).unwrap();
            }
            let mut rg = file.next_row_group().unwrap();
            for chunk in pool.close().unwrap() {
                chunk.append_to_row_group(&mut rg).unwrap();
            }
            rg.close().unwrap();
            assert!(!pool.is_open());
        }
        file.into_inner().unwrap()
    }

    #[test]
    fn the_pool_writes_the_bytes_one_thread_writes() {
        let schema = schema();
        let mut reference = ArrowWriter::try_new(vec![], schema.clone(), Some(props())).unwrap();
        for i in 0..9 {
            reference.write(&batch(&schema, i)).unwrap();
            if i == 4 || i == 8 {
                reference.flush().unwrap();
            }
        }
        let reference = reference.into_inner().unwrap();
        for backlog in [0, 3, 100] {
            assert_eq!(through_pool(backlog), reference, "backlog {backlog}");
        }
    }

    #[test]
    fn a_failed_column_is_reported_once_and_then_every_call_fails() {
        let schema = schema();
        let options = ArrowWriterOptions::new().with_properties(props());
        let (_, factory) = ArrowWriter::try_new_with_options(vec![], schema.clone(), options)
            .unwrap()
            .into_serialized_writer()
            .unwrap();
        let mut pool = ColumnPool::new();
        pool.open(factory.create_column_writers(0).unwrap())
            .unwrap();
        pool.queue(leaves(&batch(&schema, 1))).unwrap();
        // Text where the Int32 column is: its writer fails.
        let mut wrong = leaves(&batch(&schema, 2));
        wrong.swap(0, 2);
        let mut short = leaves(&batch(&schema, 2));
        short.pop();
        assert!(pool.queue(short).is_err(), "too few leaves");
        pool.queue(wrong).unwrap();
        let first = pool.catch_up(0).unwrap_err().to_string();
        assert!(!first.contains("earlier"), "{first}");
        let later = pool.close().unwrap_err().to_string();
        assert!(later.contains("failed earlier"), "{later}");
        let later = pool.catch_up(0).unwrap_err().to_string();
        assert!(later.contains("failed earlier"), "{later}");
        // Dropping the pool stops its helper thread (the test would hang otherwise).
        drop(pool);
    }
}
