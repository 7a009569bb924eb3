//! The OAuth 2.0 endpoints (`/oauth/v2/…`, `/oauth/v3/…`) and their sign-in and consent pages.
//!
//! The flows live in `skyledger_auth::oauth`; this module reads parameters, cookies and the
//! client address, and writes JSON, redirects and HTML. Time comes from a
//! `skyledger_auth::oauth::Clock` request extension when one is layered on (tests), else the
//! system clock. The client address is the TCP peer (`ConnectInfo<SocketAddr>`).

mod endpoints;
mod html;
mod pages;

use std::collections::BTreeMap;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;
use skyledger_auth::oauth::{Clock, OauthError};

use crate::AppState;

/// Method, path, handler: the whole OAuth surface.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // spec §4–§6: authorization request (code, PKCE, implicit) and its consent form
        .route(
            "/oauth/v2/auth",
            get(pages::authorize).post(pages::authorize_decision),
        )
        // spec §13: organisation-level authorization
        .route(
            "/oauth/v2/org/auth",
            get(pages::org_authorize).post(pages::org_authorize_decision),
        )
        // spec §9: implicit-flow refresh
        .route("/oauth/v2/auth/refresh", get(pages::implicit_refresh))
        // spec §4, §8, §9: token endpoint (authorization_code, refresh_token, client_credentials)
        .route("/oauth/v2/token", post(endpoints::token))
        // spec §10
        .route("/oauth/v2/token/revoke", post(endpoints::revoke))
        // spec §14: incremental authorization
        .route(
            "/oauth/v2/token/scopeenhance",
            post(endpoints::scope_enhance),
        )
        .route(
            "/oauth/v2/token/addextrascope",
            get(pages::add_extra_scope).post(pages::add_extra_scope_decision),
        )
        // spec §7: device flow and its verification page
        .route("/oauth/v3/device/code", post(endpoints::device_code))
        .route("/oauth/v3/device/token", post(endpoints::device_token))
        .route(
            "/oauth/v3/device",
            get(pages::device_page).post(pages::device_enter),
        )
        .route("/oauth/v3/device/approve", post(pages::device_decision))
        // sign-in, connected apps, the client console
        .route(
            "/oauth/v2/signin",
            get(pages::signin_page).post(pages::signin),
        )
        .route("/oauth/v2/signout", post(pages::signout))
        .route("/oauth/v2/connected-apps", get(pages::connected_apps))
        .route("/oauth/v2/connected-apps/revoke", post(pages::revoke_app))
        .route(
            "/oauth/v2/admin/clients",
            get(pages::clients_page).post(pages::create_client),
        )
        .route("/oauth/v2/admin/clients/delete", post(pages::delete_client))
}

/// What every OAuth handler reads besides its parameters: the time, the client address, cookies.
pub(crate) struct Ctx {
    pub now: i64,
    pub address: String,
    pub cookies: BTreeMap<String, String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Ctx, Self::Rejection> {
        let now = parts
            .extensions
            .get::<Clock>()
            .cloned()
            .unwrap_or_default()
            .now_ms();
        let address = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".to_string());
        let mut cookies = BTreeMap::new();
        for value in parts.headers.get_all(header::COOKIE) {
            let Ok(text) = value.to_str() else { continue };
            for pair in text.split(';') {
                if let Some((k, v)) = pair.trim().split_once('=') {
                    cookies.insert(k.trim().to_string(), v.trim().to_string());
                }
            }
        }
        Ok(Ctx {
            now,
            address,
            cookies,
        })
    }
}

/// Parameters from a query string and an urlencoded body; a name given twice is refused.
pub(crate) fn params(query: Option<&str>, body: &[u8]) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    let pairs =
        form_urlencoded::parse(query.unwrap_or("").as_bytes()).chain(form_urlencoded::parse(body));
    for (k, v) in pairs {
        if out.insert(k.to_string(), v.to_string()).is_some() {
            return Err(format!("parameter {k} is given twice"));
        }
    }
    Ok(out)
}

/// `base` with `pairs` appended as a query string (`?`) or a fragment (`#`).
pub(crate) fn with_params(base: &str, pairs: &[(&str, &str)], fragment: bool) -> String {
    let mut encoded = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        encoded.append_pair(k, v);
    }
    let encoded = encoded.finish();
    let sep = if fragment {
        '#'
    } else if base.contains('?') {
        '&'
    } else {
        '?'
    };
    format!("{base}{sep}{encoded}")
}

/// A 302 to `location`.
pub(crate) fn redirect(location: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A JSON answer of a token endpoint (never cached).
pub(crate) fn json_response(status: StatusCode, body: serde_json::Value) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// An OAuth error as JSON: `{"error": <spec name>, "error_description": <detail>}`.
pub(crate) fn oauth_error(err: &OauthError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let description = match err {
        OauthError::Store(e) => {
            tracing::error!(error = %e, "oauth: metadata store failed");
            "internal error; the server log has the details".to_string()
        }
        other => other.to_string(),
    };
    json_response(
        status,
        json!({"error": err.code(), "error_description": description}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_merge_query_and_body_and_refuse_repeats() {
        let p = params(Some("a=1&b=x%20y"), b"c=3").unwrap();
        assert_eq!(p["b"], "x y");
        assert_eq!(p["c"], "3");
        assert!(params(Some("a=1"), b"a=2").unwrap_err().contains("a"));
    }

    #[test]
    fn redirects_append_to_queries_and_fragments() {
        assert_eq!(
            with_params("https://a/cb", &[("code", "1.2"), ("state", "s t")], false),
            "https://a/cb?code=1.2&state=s+t"
        );
        assert_eq!(
            with_params("https://a/cb?x=1", &[("e", "v")], false),
            "https://a/cb?x=1&e=v"
        );
        assert_eq!(
            with_params("https://a/cb", &[("e", "v")], true),
            "https://a/cb#e=v"
        );
    }
}
