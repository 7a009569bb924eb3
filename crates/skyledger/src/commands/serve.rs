//! `skyledger serve`: the API on one port, with graceful shutdown.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use skyledger_api::{ApiSettings, AppState};
use skyledger_core::poll::PolledSource;
use skyledger_core::sources::{SourceOptions, SourceRequest, SourceUrl, node_id};
use tracing_subscriber::EnvFilter;

use super::Context;
use crate::config::LogFormat;

/// Installs the log subscriber (text or JSON) once.
pub fn init_logging(level: &str, format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

pub async fn serve(mut ctx: Context, listen: Option<String>) -> anyhow::Result<()> {
    if let Some(listen) = listen {
        ctx.config.server.listen = listen;
    }
    init_logging(&ctx.config.log.level, ctx.config.log.format);
    let meta = ctx.meta().await?;
    let org = &ctx.config.organization;
    let org_id = meta.default_org(&org.name, &org.time_zone).await?.id;
    let polled = polled_sources(&ctx, &org_id)?;
    let settings = ApiSettings {
        body_limit: ctx.config.server.body_limit_bytes as usize,
        api_domain: ctx.config.api_domain(),
    };
    let ledger = ctx.ledger().await?;
    let state = AppState::new(meta.clone(), settings).with_cost_store(ledger);
    let listener = tokio::net::TcpListener::bind(&ctx.config.server.listen)
        .await
        .with_context(|| format!("cannot listen on {}", ctx.config.server.listen))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, data_dir = %ctx.data_dir.display(), "listening");
    eprintln!("skyledger listening on http://{addr}");
    let grace = Duration::from_secs(ctx.config.server.shutdown_grace_secs);
    // The polling job stops at the first signal; an ingest under way is dropped, which the
    // cost store's atomic period swap makes safe (the previous data stays served).
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stop_tx = Arc::new(stop_tx);
    let poller = if polled.is_empty() {
        None
    } else {
        let ledger = Arc::new(ctx.ledger().await?);
        tracing::info!(sources = polled.len(), "starting the source polling job");
        Some(tokio::spawn(skyledger_core::poll::run(
            meta.clone(),
            ledger,
            polled,
            node_id(),
            stop_rx,
        )))
    };
    {
        let stop_tx = Arc::clone(&stop_tx);
        tokio::spawn(async move {
            shutdown_signal().await;
            let _ = stop_tx.send(true);
        });
    }
    let router = skyledger_api::router(state);
    // The client address feeds the per-address sign-in and device-code limits.
    let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = axum::serve(listener, service).with_graceful_shutdown(shutdown_signal());
    // In-flight requests get `grace` to finish once a signal arrives.
    tokio::select! {
        result = server => result?,
        _ = async { shutdown_signal().await; tokio::time::sleep(grace).await } => {
            tracing::warn!("shutdown grace period over; closing remaining connections");
        }
    }
    let _ = stop_tx.send(true);
    if let Some(poller) = poller
        && tokio::time::timeout(grace, poller).await.is_err()
    {
        tracing::warn!("the polling job did not stop within the grace period");
    }
    meta.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// The configured `[[sources]]`, ready to poll; downloads go to `tmp` in the data directory.
fn polled_sources(ctx: &Context, org_id: &str) -> anyhow::Result<Vec<PolledSource>> {
    ctx.config
        .sources
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let url = SourceUrl::parse(&s.url).with_context(|| format!("sources[{i}].url"))?;
            let format = if s.format.is_empty() {
                None
            } else {
                Some(
                    skyledger_ingest::Format::parse(&s.format)
                        .with_context(|| format!("sources[{i}].format: {:?}", s.format))?,
                )
            };
            Ok(PolledSource {
                request: SourceRequest {
                    org_id: org_id.to_string(),
                    url,
                    account_name: (!s.account_name.is_empty()).then(|| s.account_name.clone()),
                    format,
                    skip_bad_rows: s.skip_bad_rows,
                    force: false,
                    options: SourceOptions::default(),
                    work_dir: Some(ctx.data_dir.join("tmp")),
                },
                interval: Duration::from_secs(s.interval_secs),
            })
        })
        .collect()
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received");
}
