//! The polling job of `serve`: each configured source is listed every interval and its new or
//! changed deliveries are ingested; restated periods replace the stored ones.

use std::sync::Arc;
use std::time::Duration;

use skyledger_ledger::Ledger;
use skyledger_meta::Meta;
use tokio::sync::watch;

use crate::sources::{SourceError, SourceRequest, ingest_source};

/// One source to poll.
#[derive(Debug, Clone)]
pub struct PolledSource {
    pub request: SourceRequest,
    pub interval: Duration,
}

/// What one poll of a source did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PollReport {
    pub ingested: usize,
    pub unchanged: usize,
    pub failed: usize,
    /// Another node held the source's lease, so this node left it alone.
    pub leased_elsewhere: bool,
}

/// Lists `source` once and ingests what is new, logging each delivery.
pub async fn poll_once(
    meta: &Meta,
    ledger: &Ledger,
    source: &SourceRequest,
    holder: &str,
) -> Result<PollReport, SourceError> {
    let mut report = PollReport::default();
    let outcomes = match ingest_source(meta, ledger, source, holder, Arc::new(|_| {})).await {
        Ok(o) => o,
        Err(SourceError::Leased { .. }) => {
            report.leased_elsewhere = true;
            return Ok(report);
        }
        Err(e) => return Err(e),
    };
    for outcome in outcomes {
        match outcome.result {
            None => report.unchanged += 1,
            Some(Ok(summary)) => {
                report.ingested += 1;
                let periods: Vec<&str> = summary
                    .periods
                    .iter()
                    .map(|p| p.billing_period.as_str())
                    .collect();
                tracing::info!(
                    delivery = %outcome.url,
                    rows = summary.rows,
                    cost_account = %summary.cost_account_id,
                    periods = %periods.join(","),
                    "ingested a delivery"
                );
            }
            Some(Err(e)) => {
                report.failed += 1;
                tracing::warn!(delivery = %outcome.url, error = %e, "delivery not ingested; the stored data is unchanged");
            }
        }
    }
    Ok(report)
}

/// Polls every source at its interval until `stop` turns true. A poll under way when `stop`
/// arrives is dropped: the cost store commits a delivery's periods atomically, so an
/// interrupted ingest leaves the previous data served, and its lease runs out on its own.
pub async fn run(
    meta: Meta,
    ledger: Arc<Ledger>,
    sources: Vec<PolledSource>,
    holder: String,
    stop: watch::Receiver<bool>,
) {
    let mut tasks = tokio::task::JoinSet::new();
    for source in sources {
        let (meta, ledger, holder, mut stop) = (
            meta.clone(),
            Arc::clone(&ledger),
            holder.clone(),
            stop.clone(),
        );
        tasks.spawn(async move {
            let url = source.request.url.to_string();
            tracing::info!(source = %url, interval_secs = source.interval.as_secs(), "polling");
            loop {
                tokio::select! {
                    result = poll_once(&meta, &ledger, &source.request, &holder) => match result {
                        Ok(r) if r.leased_elsewhere => {
                            tracing::debug!(source = %url, "another node is polling this source");
                        }
                        Ok(r) => tracing::debug!(source = %url, ingested = r.ingested, unchanged = r.unchanged, failed = r.failed, "polled"),
                        Err(e) => tracing::warn!(source = %url, error = %e, "cannot poll the source"),
                    },
                    _ = stop.wait_for(|s| *s) => break,
                }
                tokio::select! {
                    _ = tokio::time::sleep(source.interval) => {}
                    _ = stop.wait_for(|s| *s) => break,
                }
            }
            // A poll abandoned by the stop may have left this node's lease behind.
            if let Err(e) = meta
                .release_source_lease(&source.request.org_id, &url, &holder)
                .await
            {
                tracing::warn!(source = %url, error = %e, "cannot release the lease");
            }
            tracing::info!(source = %url, "polling stopped");
        });
    }
    while tasks.join_next().await.is_some() {}
}
