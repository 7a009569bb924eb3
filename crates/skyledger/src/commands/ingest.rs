//! `skyledger ingest` and `skyledger accounts list`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use skyledger_core::azure_pair::{Delivery, pair_with_history, plan};
use skyledger_core::ingestion::{
    IngestRequest, IngestSummary, Progress, ingest, ingest_azure_pair,
};
use skyledger_core::sources::{
    SourceOptions, SourceRequest, SourceUrl, ingest_source, is_manifest_key, node_id,
};
use skyledger_ingest::Format;
use skyledger_ledger::Ledger;
use skyledger_meta::Meta;

use super::Context;

/// Ingest billing deliveries: files, CUR manifests, folders, or object-store sources.
#[derive(Debug, clap::Args)]
pub struct IngestArgs {
    /// Billing files (CSV, csv.gz, zip, Parquet, JSON lines), CUR manifests, a folder holding
    /// one manifest, or a source: `s3://bucket/prefix`, `gs://bucket/prefix`,
    /// `az://container/prefix`, or a folder laid out like a bucket. A source is listed and each
    /// delivery in it (the newest manifest of each billing period, each standalone export file)
    /// is ingested; a delivery's billing periods replace the stored ones atomically.
    /// Credentials come from AWS_*, GOOGLE_* and AZURE_* variables (see docs/operations.md).
    #[arg(required = true, value_name = "PATH_OR_URL")]
    pub paths: Vec<PathBuf>,
    /// Name of the cost account (default: the billing account's name in the data).
    #[arg(long)]
    pub account_name: Option<String>,
    /// Format instead of sniffing it: focus, aws_cur, aws_cur2, azure, gcp, oci.
    #[arg(long, value_parser = parse_format)]
    pub format: Option<Format>,
    /// Ingest the good rows and count the bad ones instead of refusing the delivery.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// Ingest again even when a delivery has not changed since it was last ingested.
    #[arg(long)]
    pub force: bool,
    /// Print each summary as one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

fn parse_format(s: &str) -> Result<Format, String> {
    Format::parse(s).ok_or_else(|| {
        format!(
            "unknown format {s:?}; supported: {}",
            skyledger_ingest::supported_formats()
        )
    })
}

#[derive(Debug, clap::Subcommand)]
pub enum AccountsCommand {
    /// List the cost accounts and their billing accounts.
    List {
        /// One JSON object per cost account.
        #[arg(long)]
        json: bool,
    },
}

/// A source to list rather than one delivery: a URL, or a folder without a manifest of its own.
fn as_source(path: &Path) -> Option<SourceUrl> {
    let text = path.to_str()?;
    if text.contains("://") {
        return SourceUrl::parse(text).ok();
    }
    let holds_manifest = |dir: &Path| {
        std::fs::read_dir(dir).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| is_manifest_key(&e.file_name().to_string_lossy()))
        })
    };
    (path.is_dir() && !holds_manifest(path)).then(|| SourceUrl::parse(text).ok())?
}

/// A progress bar on a terminal (hidden otherwise) and the callback that moves it: bytes read
/// of the delivery, rows and rows/s, ETA.
fn progress_bar(prefix: String, quiet: bool) -> (ProgressBar, Arc<dyn Fn(Progress) + Send + Sync>) {
    let bar = if quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix} [{bar:30}] {bytes}/{total_bytes} {msg} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_prefix(prefix);
        bar
    };
    let started = std::time::Instant::now();
    let on_progress = {
        let bar = bar.clone();
        Arc::new(move |p: Progress| {
            bar.set_length(p.total_bytes);
            bar.set_position(p.bytes.min(p.total_bytes));
            let rate = p.rows as f64 / started.elapsed().as_secs_f64().max(0.001);
            bar.set_message(format!("{} rows, {:.0} rows/s", p.rows, rate));
        })
    };
    (bar, on_progress)
}

/// Ingests `paths` one delivery after another, with a progress bar on a terminal.
pub async fn ingest_all(
    meta: &Meta,
    ledger: &Ledger,
    org_id: &str,
    args: &IngestArgs,
    quiet: bool,
) -> anyhow::Result<Vec<IngestSummary>> {
    ingest_all_in(meta, ledger, org_id, args, quiet, None).await
}

/// [`ingest_all`], downloading object-store deliveries into `work_dir` (default: the system's
/// temporary folder).
pub async fn ingest_all_in(
    meta: &Meta,
    ledger: &Ledger,
    org_id: &str,
    args: &IngestArgs,
    quiet: bool,
    work_dir: Option<PathBuf>,
) -> anyhow::Result<Vec<IngestSummary>> {
    let mut summaries = Vec::new();
    // Azure actual and amortized exports of one month, given together, are one delivery.
    for planned in pair_with_history(meta, org_id, plan(&args.paths)).await? {
        if let Some(note) = &planned.note {
            eprintln!("note: {note}");
        }
        let (path, amortized) = match planned.delivery {
            Delivery::One(path) => (path, None),
            Delivery::AzurePair { actual, amortized } => (actual, Some(amortized)),
        };
        let path = &path;
        if let Some(url) = as_source(path).filter(|_| amortized.is_none()) {
            let request = SourceRequest {
                org_id: org_id.to_string(),
                url,
                account_name: args.account_name.clone(),
                format: args.format,
                skip_bad_rows: args.skip_bad_rows,
                force: args.force,
                options: SourceOptions::default(),
                work_dir: work_dir.clone(),
            };
            let (bar, on_progress) = progress_bar(request.url.to_string(), quiet);
            let outcomes = ingest_source(meta, ledger, &request, &node_id(), on_progress).await;
            bar.finish_and_clear();
            let outcomes = outcomes?;
            if outcomes.is_empty() {
                bail!("{}: holds no billing files or manifests", request.url);
            }
            let mut failed = Vec::new();
            for outcome in outcomes {
                match outcome.result {
                    Some(Ok(summary)) => summaries.push(summary),
                    Some(Err(e)) => failed.push(format!(
                        "{} was not ingested; its stored data is unchanged: {e}",
                        outcome.url
                    )),
                    None => summaries.push(IngestSummary::unchanged(&outcome.url)),
                }
            }
            if !failed.is_empty() {
                for summary in &summaries {
                    print_summary(summary, 0.0);
                }
                bail!("{}", failed.join("\n"));
            }
            continue;
        }
        let shown = match &amortized {
            Some(a) => format!("{} + {}", path.display(), a.display()),
            None => path.display().to_string(),
        };
        let (bar, on_progress) = progress_bar(shown.clone(), quiet);
        let request = IngestRequest {
            org_id: org_id.to_string(),
            path: path.clone(),
            account_name: args.account_name.clone(),
            format: args.format,
            skip_bad_rows: args.skip_bad_rows,
            force: args.force,
        };
        let result = match &amortized {
            Some(a) => ingest_azure_pair(meta, ledger, &request, a, on_progress).await,
            None => ingest(meta, ledger, &request, on_progress).await,
        };
        bar.finish_and_clear();
        let summary = result
            .with_context(|| format!("{shown} was not ingested; the stored data is unchanged"))?;
        summaries.push(summary);
    }
    Ok(summaries)
}

pub fn print_summary(summary: &IngestSummary, seconds: f64) {
    if let Some(reason) = &summary.skipped {
        println!("{}: skipped: {reason}", summary.source);
        return;
    }
    println!(
        "{}: {} rows ({} format) into cost account {} \"{}\" in {:.1} s ({:.0} rows/s)",
        summary.source,
        summary.rows,
        summary.format,
        summary.cost_account_id,
        summary.cost_account_name,
        seconds,
        summary.rows as f64 / seconds.max(0.001)
    );
    if summary.bad_rows_skipped > 0 {
        println!("  skipped {} bad rows, e.g.:", summary.bad_rows_skipped);
        for sample in summary.bad_row_samples.iter().take(5) {
            println!("    {sample}");
        }
    }
    let periods: Vec<String> = summary
        .periods
        .iter()
        .map(|p| format!("{} ({} rows)", p.billing_period, p.rows))
        .collect();
    println!("  periods: {}", periods.join(", "));
    println!(
        "  billing accounts: {}",
        summary.billing_accounts.join(", ")
    );
    for total in &summary.totals {
        println!(
            "  total {} {:<9} (cost_type {:>2}): {}",
            total.currency, total.cost_type, total.cost_type_code, total.amount
        );
    }
}

pub async fn run(ctx: &Context, args: &IngestArgs) -> anyhow::Result<()> {
    let meta = ctx.meta().await?;
    let ledger = ctx.ledger().await?;
    let org = ctx.org(&meta).await?;
    let started = std::time::Instant::now();
    let summaries = ingest_all(&meta, &ledger, &org, args, args.json).await?;
    let seconds = started.elapsed().as_secs_f64();
    for summary in &summaries {
        if args.json {
            println!("{}", serde_json::to_string(summary)?);
        } else {
            print_summary(summary, seconds / summaries.len().max(1) as f64);
        }
    }
    Ok(())
}

pub async fn accounts(ctx: &Context, command: &AccountsCommand) -> anyhow::Result<()> {
    let AccountsCommand::List { json } = command;
    let meta = ctx.meta().await?;
    let org = ctx.org(&meta).await?;
    let accounts = meta.cost_accounts(&org).await?;
    if accounts.is_empty() && !json {
        println!("no cost accounts yet: `skyledger ingest PATH` adds one per billing source");
    }
    for account in accounts {
        let billing = meta.billing_accounts(&org, &account.id).await?;
        if *json {
            let value = serde_json::json!({
                "cost_account_id": account.id,
                "name": account.name,
                "cloud_type": account.cloud_type,
                "provider": account.provider,
                "billing_source": account.source_key,
                "currency": account.currency,
                "status": account.status,
                "last_processed_at": account.last_processed_at,
                "billing_accounts": billing.iter().map(|b| serde_json::json!({"id": b.account_key, "name": b.name})).collect::<Vec<_>>(),
            });
            println!("{value}");
        } else {
            println!(
                "{}  {:<28} cloud_type {:>2}  {:<12} {}  {} billing accounts",
                account.id,
                account.name,
                account.cloud_type,
                account.provider,
                account.currency,
                billing.len()
            );
        }
    }
    Ok(())
}

/// Refuses paths that do not exist, and source URLs that do not parse, before anything is
/// opened.
pub fn check_paths(paths: &[PathBuf]) -> anyhow::Result<()> {
    for path in paths {
        if let Some(text) = path.to_str().filter(|t| t.contains("://")) {
            SourceUrl::parse(text)?;
            continue;
        }
        if !path.exists() {
            bail!("{}: no such file or folder", path.display());
        }
    }
    Ok(())
}
