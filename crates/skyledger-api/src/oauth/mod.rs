//! The OAuth 2.0 endpoints (`/oauth/v2/…`, `/oauth/v3/…`) and their sign-in and consent pages.

use axum::Router;

use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
}
