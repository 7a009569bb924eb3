//! Request-level tests of the HTTP API: the real router over a temporary data directory.

mod accounts;
mod conformance;
mod cost_centers;
mod costs;
mod dashboards;
mod demo;
mod envelope;
mod fuzz;
mod inventory;
mod oauth;
mod resources;
mod solution_reports;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use skyledger_api::{ApiSettings, AppState};
use skyledger_auth::tokens::{TokenGrant, issue_access_token};
use skyledger_meta::Meta;
use skyledger_types::Scopes;
use tower::ServiceExt;

/// A server under test: the router, its store, one organisation and a token per scope set.
pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub org_id: String,
    /// A token with `CloudSpend.Internal.ALL`.
    pub admin_token: String,
    _dir: tempfile::TempDir,
}

/// Starts the real router on a fresh SQLite store, with a small body limit for the 413 tests.
pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let meta = Meta::connect(&Meta::sqlite_url(dir.path())).await.unwrap();
    meta.migrate().await.unwrap();
    let org = meta.default_org("Test Org", "UTC").await.unwrap();
    let settings = ApiSettings {
        body_limit: 64 * 1024,
        ..ApiSettings::default()
    };
    let state = AppState::new(meta, settings);
    let router = skyledger_api::router(state.clone());
    let mut app = TestApp {
        router,
        state,
        org_id: org.id,
        admin_token: String::new(),
        _dir: dir,
    };
    app.admin_token = app.token(Scopes::all(), 3600).await;
    app
}

impl TestApp {
    /// A new access token of this app's organisation.
    pub async fn token(&self, scopes: Scopes, expires_in_secs: i64) -> String {
        self.token_for_org(&self.org_id.clone(), scopes, expires_in_secs)
            .await
    }

    pub async fn token_for_org(
        &self,
        org_id: &str,
        scopes: Scopes,
        expires_in_secs: i64,
    ) -> String {
        let grant = TokenGrant {
            org_id,
            user_id: None,
            client_id: None,
            grant_id: None,
            scopes,
            label: "test",
            expires_in_secs,
        };
        issue_access_token(&self.state.meta, &grant)
            .await
            .unwrap()
            .0
    }

    /// Sends a request; returns the status, the JSON body (Null when not JSON) and the raw body.
    pub async fn send(&self, request: Request<Body>) -> (StatusCode, Value, String) {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).to_string();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        (status, json, text)
    }

    /// A request with the admin token.
    pub async fn call(&self, method: &str, uri: &str, body: Option<&str>) -> (StatusCode, Value) {
        let mut builder = Request::builder();
        if let Some(body) = body {
            // As a real client over HTTP/1.1 would declare it.
            builder = builder.header("content-length", body.len());
        }
        let request = builder
            .method(method)
            .uri(uri)
            .header(
                "Authorization",
                format!("Zoho-oauthtoken {}", self.admin_token),
            )
            .header("content-type", "application/json")
            .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
            .unwrap();
        let (status, json, _) = self.send(request).await;
        (status, json)
    }
}

/// Asserts the error envelope: status = `code`, the reason phrase, a non-empty `error`.
pub fn assert_error_envelope(status: StatusCode, body: &Value) {
    assert_eq!(
        body["code"].as_u64(),
        Some(status.as_u16() as u64),
        "code must equal the status: {body}"
    );
    assert_eq!(
        body["message"].as_str(),
        status.canonical_reason(),
        "{body}"
    );
    assert!(
        body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{body}"
    );
    assert!(body.get("data").is_none(), "{body}");
}

/// `../shared/spec` seen from this crate, when that folder is present.
pub fn shared_spec() -> Option<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec");
    dir.is_dir().then_some(dir)
}
