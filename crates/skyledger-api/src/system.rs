//! System endpoints outside the spec: liveness, readiness and Prometheus metrics.

use axum::Router;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use crate::AppState;
use crate::envelope::{ApiError, ok};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

async fn healthz() -> Response {
    ok(json!({"status": "ok"}))
}

/// Ready when every store answers: the metadata store, and the cost store's manifest.
async fn readyz(State(state): State<AppState>) -> Result<Response, ApiError> {
    state.meta.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "readiness: metadata store");
        ApiError::Unavailable("the metadata store is not answering".into())
    })?;
    let cost_store = match &state.cost_store {
        Some(ledger) => {
            ledger.snapshot().await.map_err(|e| {
                tracing::warn!(error = %e, "readiness: cost store");
                ApiError::Unavailable("the cost store is not readable".into())
            })?;
            "ok"
        }
        None => "not configured",
    };
    Ok(ok(
        json!({"status": "ready", "metadata_store": "ok", "cost_store": cost_store}),
    ))
}

async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        state.metrics.render(),
    )
        .into_response()
}
