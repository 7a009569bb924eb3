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

/// Ready when every store answers.
async fn readyz(State(state): State<AppState>) -> Result<Response, ApiError> {
    state
        .meta
        .ping()
        .await
        .map_err(|e| ApiError::Unavailable(format!("metadata store is not answering: {e}")))?;
    Ok(ok(json!({"status": "ready", "metadata_store": "ok"})))
}

async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        state.metrics.render(),
    )
        .into_response()
}
