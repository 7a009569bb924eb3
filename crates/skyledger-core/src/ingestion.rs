//! Ingestion: one billing delivery (a file, a CUR manifest or a folder holding one) read by the
//! streaming readers, written to the cost store as whole billing periods in one atomic commit,
//! and recorded in the metadata store (cost account, billing accounts, ingest job).
//!
//! Nothing is half-done: a read error, a second billing account or a store failure aborts before
//! the commit, so the previous data stays served; a new cost account is recorded only after its
//! data is committed.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::UNIX_EPOCH;

use arrow_array::{Array, Int8Array, RecordBatch, StringArray};
use serde::Serialize;
use skyledger_ingest::{BatchReader, Format, IngestError, ReadOptions, ReadStats};
use skyledger_ledger::{Ledger, LedgerError, Periods};
use skyledger_meta::cost_accounts::{NewCostAccount, STATUS_PROCESSED};
use skyledger_meta::{Meta, MetaError, now_ms};
use skyledger_types::cost_row::{
    BILLING_ACCOUNT_ID, BILLING_ACCOUNT_NAME, BILLING_CURRENCY, CostType, MONEY_SCALE,
    PROVIDER_NAME, SUB_ACCOUNT_ID, SUB_ACCOUNT_NAME, X_CLOUD_TYPE,
};
use tokio::sync::mpsc;

/// One delivery to ingest.
#[derive(Debug, Clone)]
pub struct IngestRequest {
    pub org_id: String,
    /// A billing file, a CUR manifest, or a folder holding a delivery.
    pub path: PathBuf,
    /// Name of the cost account (default: from the data).
    pub account_name: Option<String>,
    pub format: Option<Format>,
    pub skip_bad_rows: bool,
    /// Ingest even when this delivery is unchanged since it was last ingested.
    pub force: bool,
}

/// How far an ingest has come.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    pub rows: u64,
    /// Bytes of the file read so far (when the reader reads a plain stream).
    pub bytes: u64,
    /// Size of the delivery on disk.
    pub total_bytes: u64,
}

/// What an ingest did.
#[derive(Debug, Clone, Serialize)]
pub struct IngestSummary {
    pub job_id: String,
    pub source: String,
    /// Set when nothing was done, with the reason (an unchanged duplicate delivery).
    pub skipped: Option<String>,
    pub format: String,
    pub files: Vec<String>,
    pub cost_account_id: String,
    pub cost_account_name: String,
    pub cloud_type: i64,
    pub rows: u64,
    pub bad_rows_skipped: u64,
    pub bad_row_samples: Vec<String>,
    pub bytes: u64,
    pub periods: Vec<PeriodSummary>,
    pub billing_accounts: Vec<String>,
    pub totals: Vec<Total>,
}

impl IngestSummary {
    /// The summary of a delivery skipped because it has not changed since it was ingested.
    pub fn unchanged(source: &str) -> IngestSummary {
        IngestSummary {
            job_id: String::new(),
            source: source.to_string(),
            skipped: Some("this delivery was already ingested and has not changed since (use --force to ingest it again)".into()),
            format: String::new(),
            files: Vec::new(),
            cost_account_id: String::new(),
            cost_account_name: String::new(),
            cloud_type: -1,
            rows: 0,
            bad_rows_skipped: 0,
            bad_row_samples: Vec::new(),
            bytes: 0,
            periods: Vec::new(),
            billing_accounts: Vec::new(),
            totals: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PeriodSummary {
    pub billing_period: String,
    pub rows: u64,
}

/// The sum of one cost type in one currency, as an exact decimal string.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Total {
    pub currency: String,
    pub cost_type: &'static str,
    pub cost_type_code: i64,
    pub amount: String,
}

#[derive(Debug, thiserror::Error)]
pub enum IngestFailure {
    #[error(transparent)]
    Read(#[from] IngestError),
    #[error("{0}")]
    Store(#[from] LedgerError),
    #[error(transparent)]
    Meta(#[from] MetaError),
    #[error("{path}: the delivery holds no cost rows; nothing was ingested")]
    NoRows { path: String },
    #[error("{path}: {reason}")]
    Source { path: String, reason: String },
}

/// The identity of a delivery's billing source, read from its first rows.
#[derive(Debug, Clone)]
struct SourceIdentity {
    provider: String,
    billing_account_id: String,
    billing_account_name: String,
    currency: String,
    cloud_type: i64,
    /// The delivery is a FOCUS file (which may mix providers).
    focus: bool,
}

/// What the reading thread hands back when it is done.
struct ReadOutcome {
    format: Format,
    stats: ReadStats,
    /// SubAccountId → SubAccountName as seen in the data.
    sub_accounts: BTreeMap<String, String>,
}

/// Size and modification time of a file or of a folder's files: a changed fingerprint means a
/// new or restated delivery.
pub fn fingerprint(path: &Path) -> std::io::Result<(String, u64)> {
    let meta = std::fs::metadata(path)?;
    let mut parts = Vec::new();
    let mut total = 0;
    let mut add = |p: &Path, m: &std::fs::Metadata| {
        let modified = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_millis());
        total += m.len();
        parts.push(format!("{}:{}:{}", p.display(), m.len(), modified));
    };
    if meta.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.path());
        for entry in entries {
            let m = entry.metadata()?;
            if m.is_file() {
                add(&entry.path(), &m);
            }
        }
    } else {
        add(path, &meta);
    }
    Ok((parts.join("|"), total))
}

/// A reader that counts the bytes it hands on.
struct Counting {
    inner: File,
    count: Arc<AtomicU64>,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens the delivery. Plain files that are not Parquet are streamed through a byte counter so
/// progress can show bytes; Parquet, manifests and folders are opened by path.
fn open_delivery(
    path: &Path,
    amortized: Option<&Path>,
    opts: &ReadOptions,
    count: &Arc<AtomicU64>,
) -> Result<Box<dyn BatchReader>, IngestError> {
    if let Some(amortized) = amortized {
        return skyledger_ingest::azure_pair::open_pair(path, amortized, opts);
    }
    let name = path.display().to_string();
    let is_manifest =
        path.is_dir() || name.ends_with("Manifest.json") || name.ends_with("manifest.json");
    if !is_manifest {
        let mut file = File::open(path).map_err(|source| IngestError::Io {
            file: name.clone(),
            source,
        })?;
        let mut magic = [0u8; 4];
        let n = file.read(&mut magic).unwrap_or(0);
        if !(n == 4 && &magic == b"PAR1") {
            let file = File::open(path).map_err(|source| IngestError::Io {
                file: name.clone(),
                source,
            })?;
            let counting = Counting {
                inner: file,
                count: Arc::clone(count),
            };
            return skyledger_ingest::open_reader(&name, Box::new(counting), opts);
        }
    }
    skyledger_ingest::open(path, opts)
}

fn text_column<'a>(batch: &'a RecordBatch, name: &str) -> Option<&'a StringArray> {
    batch
        .column_by_name(name)?
        .as_any()
        .downcast_ref::<StringArray>()
}

fn first_text(batch: &RecordBatch, name: &str) -> String {
    text_column(batch, name)
        .and_then(|a| {
            (0..a.len())
                .find(|i| a.is_valid(*i))
                .map(|i| a.value(i).to_string())
        })
        .unwrap_or_default()
}

fn identity_of(batch: &RecordBatch) -> SourceIdentity {
    let cloud_type = batch
        .column_by_name(X_CLOUD_TYPE)
        .and_then(|c| c.as_any().downcast_ref::<Int8Array>())
        .and_then(|a| {
            (0..a.len())
                .find(|i| a.is_valid(*i))
                .map(|i| a.value(i) as i64)
        })
        .unwrap_or(-1);
    SourceIdentity {
        provider: first_text(batch, PROVIDER_NAME),
        billing_account_id: first_text(batch, BILLING_ACCOUNT_ID),
        billing_account_name: first_text(batch, BILLING_ACCOUNT_NAME),
        currency: first_text(batch, BILLING_CURRENCY),
        cloud_type,
        focus: false,
    }
}

/// Adds the batch's (SubAccountId, SubAccountName) pairs not seen yet.
fn note_sub_accounts(batch: &RecordBatch, seen: &mut BTreeMap<String, String>) {
    let (Some(ids), names) = (
        text_column(batch, SUB_ACCOUNT_ID),
        text_column(batch, SUB_ACCOUNT_NAME),
    ) else {
        return;
    };
    let mut previous: Option<&str> = None;
    for i in 0..ids.len() {
        if ids.is_null(i) {
            continue;
        }
        let id = ids.value(i);
        // Rows come in runs of one account; look up only where the account changes.
        if previous == Some(id) {
            continue;
        }
        previous = Some(id);
        let name = names.filter(|n| n.is_valid(i)).map_or("", |n| n.value(i));
        match seen.get_mut(id) {
            Some(known) if known.is_empty() && !name.is_empty() => *known = name.to_string(),
            Some(_) => {}
            None => {
                seen.insert(id.to_string(), name.to_string());
            }
        }
    }
}

type Batches = mpsc::Receiver<Result<RecordBatch, IngestError>>;

/// Starts reading on a blocking thread. Returns the delivery's identity (from its first batch,
/// or `None` when it has no rows), the stream of batches, and the thread's outcome.
async fn start_reading(
    path: PathBuf,
    amortized: Option<PathBuf>,
    opts: ReadOptions,
    count: Arc<AtomicU64>,
    rows: Arc<AtomicU64>,
) -> Result<
    (
        Option<SourceIdentity>,
        Batches,
        tokio::task::JoinHandle<Option<ReadOutcome>>,
    ),
    IngestFailure,
> {
    let (identity_tx, identity_rx) = tokio::sync::oneshot::channel();
    let (batch_tx, batch_rx) = mpsc::channel::<Result<RecordBatch, IngestError>>(4);
    let handle = tokio::task::spawn_blocking(move || -> Option<ReadOutcome> {
        let mut reader = match open_delivery(&path, amortized.as_deref(), &opts, &count) {
            Ok(r) => r,
            Err(e) => {
                // Reported through the identity channel; there is nothing more to say.
                let _ = identity_tx.send(Err(e));
                return None;
            }
        };
        let focus = reader.format() == Format::Focus;
        let mut sub_accounts = BTreeMap::new();
        let mut identity_tx = Some(identity_tx);
        for item in reader.by_ref() {
            match item {
                Ok(batch) => {
                    if batch.num_rows() == 0 {
                        continue;
                    }
                    if let Some(tx) = identity_tx.take() {
                        let _ = tx.send(Ok(Some(SourceIdentity {
                            focus,
                            ..identity_of(&batch)
                        })));
                    }
                    note_sub_accounts(&batch, &mut sub_accounts);
                    rows.fetch_add(batch.num_rows() as u64, Ordering::Relaxed);
                    if batch_tx.blocking_send(Ok(batch)).is_err() {
                        // The store stopped taking batches; it reports why.
                        break;
                    }
                }
                Err(e) => {
                    if let Some(tx) = identity_tx.take() {
                        let _ = tx.send(Err(e));
                    } else {
                        let _ = batch_tx.blocking_send(Err(e));
                    }
                    return Some(ReadOutcome {
                        format: reader.format(),
                        stats: reader.stats(),
                        sub_accounts,
                    });
                }
            }
        }
        if let Some(tx) = identity_tx.take() {
            let _ = tx.send(Ok(None));
        }
        let stats = reader.stats();
        // One cost account is one billing source: refuse a delivery mixing several, before
        // the store commits anything.
        if stats.billing_account_ids.len() > 1 && reader.format() != Format::Focus {
            let accounts = stats
                .billing_account_ids
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            let _ = batch_tx.blocking_send(Err(IngestError::Manifest {
                file: path.display().to_string(),
                reason: format!("several billing accounts in one delivery: {accounts}"),
            }));
        }
        Some(ReadOutcome {
            format: reader.format(),
            stats,
            sub_accounts,
        })
    });
    let identity = match identity_rx.await {
        Ok(Ok(identity)) => identity,
        Ok(Err(e)) => return Err(IngestFailure::Read(e)),
        Err(_) => None,
    };
    Ok((identity, batch_rx, handle))
}

/// Where a delivery read from a local copy came from (a source such as `s3://bucket/prefix`):
/// it is named and recorded by this instead of by its local path.
#[derive(Debug, Clone)]
pub struct DeliveryOrigin {
    /// The delivery's URL, shown in jobs, summaries and the cost account.
    pub name: String,
    /// The source and the delivery in it, as recorded with the fingerprint.
    pub source: String,
    pub object: String,
    /// Changes when the delivery does (ETags, sizes and times of its objects).
    pub fingerprint: String,
    pub bytes: u64,
}

/// Ingests one delivery; `on_progress` is called from a timer while it runs.
pub async fn ingest(
    meta: &Meta,
    ledger: &Ledger,
    request: &IngestRequest,
    on_progress: Arc<dyn Fn(Progress) + Send + Sync>,
) -> Result<IngestSummary, IngestFailure> {
    ingest_from(meta, ledger, request, None, on_progress).await
}

/// [`ingest`], for a local copy of a delivery from `origin` when given.
pub async fn ingest_from(
    meta: &Meta,
    ledger: &Ledger,
    request: &IngestRequest,
    origin: Option<&DeliveryOrigin>,
    on_progress: Arc<dyn Fn(Progress) + Send + Sync>,
) -> Result<IngestSummary, IngestFailure> {
    ingest_delivery(meta, ledger, request, None, origin, on_progress).await
}

/// Ingests an Azure actual export (`request.path`) and the `amortized` export of the same
/// billing account and month as one delivery: one period of one cost account holding both
/// views (see `skyledger_ingest::azure_pair`).
pub async fn ingest_azure_pair(
    meta: &Meta,
    ledger: &Ledger,
    request: &IngestRequest,
    amortized: &Path,
    on_progress: Arc<dyn Fn(Progress) + Send + Sync>,
) -> Result<IngestSummary, IngestFailure> {
    ingest_delivery(meta, ledger, request, Some(amortized), None, on_progress).await
}

/// [`ingest_azure_pair`] of a delivery from a source, recorded under `origin`.
pub async fn ingest_azure_pair_from(
    meta: &Meta,
    ledger: &Ledger,
    request: &IngestRequest,
    amortized: &Path,
    origin: &DeliveryOrigin,
    on_progress: Arc<dyn Fn(Progress) + Send + Sync>,
) -> Result<IngestSummary, IngestFailure> {
    ingest_delivery(
        meta,
        ledger,
        request,
        Some(amortized),
        Some(origin),
        on_progress,
    )
    .await
}

async fn ingest_delivery(
    meta: &Meta,
    ledger: &Ledger,
    request: &IngestRequest,
    amortized: Option<&Path>,
    origin: Option<&DeliveryOrigin>,
    on_progress: Arc<dyn Fn(Progress) + Send + Sync>,
) -> Result<IngestSummary, IngestFailure> {
    let (source, (fp, total_bytes), (record_source, record_object)) = match origin {
        Some(o) => (
            o.name.clone(),
            (o.fingerprint.clone(), o.bytes),
            (o.source.clone(), o.object.clone()),
        ),
        None => {
            let source = std::fs::canonicalize(&request.path)
                .unwrap_or_else(|_| request.path.clone())
                .display()
                .to_string();
            let fp = fingerprint(&request.path).map_err(|e| IngestFailure::Source {
                path: request.path.display().to_string(),
                reason: format!("cannot read: {e}"),
            })?;
            let (source, fp) = crate::azure_pair::with_amortized(source, fp, amortized)?;
            (source.clone(), fp, (source, String::new()))
        }
    };
    let mut job = meta
        .start_ingest_job(
            &request.org_id,
            &source,
            request.format.map_or("auto", |f| f.as_str()),
        )
        .await?;
    if !request.force
        && meta
            .delivery_fingerprint(&request.org_id, &record_source, &record_object)
            .await?
            .as_deref()
            == Some(fp.as_str())
    {
        let mut skipped = IngestSummary::unchanged(&source);
        job.status = "skipped".into();
        job.message = skipped.skipped.clone().unwrap_or_default();
        meta.finish_ingest_job(&job).await?;
        skipped.job_id = job.id;
        return Ok(skipped);
    }
    let result = run(
        meta,
        ledger,
        request,
        amortized,
        &source,
        total_bytes,
        on_progress,
    )
    .await;
    match &result {
        Ok(summary) => {
            job.cost_account_id = Some(summary.cost_account_id.clone());
            job.format = summary.format.clone();
            job.status = "succeeded".into();
            job.rows_read = summary.rows as i64;
            job.bad_rows = summary.bad_rows_skipped as i64;
            job.bytes_read = summary.bytes as i64;
            job.summary = serde_json::to_string(summary).unwrap_or_else(|_| "{}".into());
            meta.record_delivery(&request.org_id, &record_source, &record_object, &fp)
                .await?;
        }
        Err(e) => {
            job.status = "failed".into();
            job.message = e.to_string();
        }
    }
    job.finished_at = Some(now_ms());
    meta.finish_ingest_job(&job).await?;
    result.map(|mut s| {
        s.job_id = job.id;
        s
    })
}

async fn run(
    meta: &Meta,
    ledger: &Ledger,
    request: &IngestRequest,
    amortized: Option<&Path>,
    source: &str,
    total_bytes: u64,
    on_progress: Arc<dyn Fn(Progress) + Send + Sync>,
) -> Result<IngestSummary, IngestFailure> {
    let path_text = request.path.display().to_string();
    let opts = ReadOptions {
        format: request.format,
        skip_bad_rows: request.skip_bad_rows,
        ..ReadOptions::default()
    };
    let bytes = Arc::new(AtomicU64::new(0));
    let rows = Arc::new(AtomicU64::new(0));
    let ticker = {
        let (bytes, rows, on_progress) = (
            Arc::clone(&bytes),
            Arc::clone(&rows),
            Arc::clone(&on_progress),
        );
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_millis(200));
            loop {
                tick.tick().await;
                on_progress(Progress {
                    rows: rows.load(Ordering::Relaxed),
                    bytes: bytes.load(Ordering::Relaxed),
                    total_bytes,
                });
            }
        })
    };
    let outcome = async {
        let (identity, batches, reading) = start_reading(
            request.path.clone(),
            amortized.map(Path::to_path_buf),
            opts,
            Arc::clone(&bytes),
            Arc::clone(&rows),
        )
        .await?;
        let Some(identity) = identity else {
            let _ = reading.await;
            return Err(IngestFailure::NoRows {
                path: path_text.clone(),
            });
        };
        // A sniffed FOCUS file counts as a feed even when its first rows name one provider.
        let is_focus =
            request.format == Some(Format::Focus) || identity.focus || identity.cloud_type < 0;
        // A FOCUS file may mix providers: the feed is the source, named by the user.
        let (source_key, provider) = if is_focus {
            let name = request
                .account_name
                .clone()
                .unwrap_or_else(|| "FOCUS feed".to_string());
            (format!("focus:{name}"), "FOCUS".to_string())
        } else {
            (
                identity.billing_account_id.clone(),
                identity.provider.clone(),
            )
        };
        let existing = meta
            .cost_accounts(&request.org_id)
            .await?
            .into_iter()
            .find(|a| a.provider == provider && a.source_key == source_key);
        let account_id = match &existing {
            Some(a) => a.id.clone(),
            None => meta.next_id().await?.to_string(),
        };
        let stream = tokio_stream::wrappers::ReceiverStream::new(batches);
        let commit = ledger
            .replace_periods(&account_id, Periods::Seen, stream)
            .await;
        let read = reading.await.map_err(|e| IngestFailure::Source {
            path: path_text.clone(),
            reason: format!("reader stopped: {e}"),
        })?;
        let commit = commit?;
        let read = read.ok_or_else(|| IngestFailure::Source {
            path: path_text.clone(),
            reason: "the reader stopped before the end".into(),
        })?;
        Ok((
            identity, is_focus, provider, source_key, existing, account_id, commit, read,
        ))
    }
    .await;
    ticker.abort();
    let (identity, is_focus, provider, source_key, existing, account_id, commit, read) = outcome?;

    let name = request
        .account_name
        .clone()
        .or_else(|| existing.as_ref().map(|a| a.name.clone()))
        .unwrap_or_else(|| {
            if identity.billing_account_name.is_empty() {
                format!("{} {}", identity.provider, identity.billing_account_id)
            } else {
                identity.billing_account_name.clone()
            }
        });
    let cloud_type = if is_focus { -1 } else { identity.cloud_type };
    let new = NewCostAccount {
        org_id: &request.org_id,
        name: &name,
        cloud_type,
        provider: &provider,
        source_key: &source_key,
        source,
        currency: &identity.currency,
    };
    let account = meta.upsert_cost_account_with_id(&account_id, &new).await?;
    meta.set_cost_account_status(&account.id, STATUS_PROCESSED, "", Some(now_ms()))
        .await?;
    let seen: Vec<(String, String)> = read.sub_accounts.into_iter().collect();
    meta.record_billing_accounts(&request.org_id, &account.id, &seen)
        .await?;

    on_progress(Progress {
        rows: read.stats.rows,
        bytes: total_bytes,
        total_bytes,
    });
    Ok(IngestSummary {
        job_id: String::new(),
        source: source.to_string(),
        skipped: None,
        format: read.format.as_str().to_string(),
        files: read.stats.files.clone(),
        cost_account_id: account.id,
        cost_account_name: account.name,
        cloud_type,
        rows: read.stats.rows,
        bad_rows_skipped: read.stats.bad_rows_skipped,
        bad_row_samples: read.stats.bad_row_samples.clone(),
        bytes: total_bytes,
        periods: commit
            .periods
            .iter()
            .map(|p| PeriodSummary {
                billing_period: p.billing_period.to_string(),
                rows: p.rows,
            })
            .collect(),
        billing_accounts: seen.into_iter().map(|(id, _)| id).collect(),
        totals: totals(&read.stats),
    })
}

/// Totals per currency and cost type, as exact decimals.
pub fn totals(stats: &ReadStats) -> Vec<Total> {
    let mut out = Vec::new();
    for (currency, sums) in &stats.totals {
        for cost_type in CostType::ALL {
            out.push(Total {
                currency: currency.clone(),
                cost_type: cost_type_name(cost_type),
                cost_type_code: cost_type.code(),
                amount: skyledger_ingest::decimal::format_scaled(
                    sums.get(cost_type),
                    MONEY_SCALE as u32,
                ),
            });
        }
    }
    out
}

pub fn cost_type_name(cost_type: CostType) -> &'static str {
    match cost_type {
        CostType::Blended => "blended",
        CostType::Unblended => "unblended",
        CostType::Amortized => "amortized",
        CostType::Recurring => "recurring",
        CostType::Actual => "actual",
    }
}
