//! The JSON endpoints: token (every grant type), revoke, scope enhancement and the device flow.
//! Parameters may come as a query string, an urlencoded body, or both (spec §9); client
//! credentials also as `Authorization: Basic`.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use serde_json::json;
use skyledger_auth::oauth::flows::{self, TokenResponse};
use skyledger_auth::oauth::{ENHANCE_TTL_SECS, OauthError, authenticate_client, device};

use super::{Ctx, json_response, oauth_error, params};
use crate::AppState;

/// The RFC 8628 grant type, accepted beside the spec's `device_token`.
const RFC_DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

fn required<'a>(p: &'a BTreeMap<String, String>, name: &str) -> Result<&'a str, OauthError> {
    p.get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| OauthError::InvalidRequest(format!("{name}: required")))
}

fn optional<'a>(p: &'a BTreeMap<String, String>, name: &str) -> Option<&'a str> {
    p.get(name).map(String::as_str).filter(|v| !v.is_empty())
}

fn read_params(
    query: Option<String>,
    body: &Bytes,
) -> Result<BTreeMap<String, String>, OauthError> {
    params(query.as_deref(), body).map_err(OauthError::InvalidRequest)
}

/// `client_id` and `client_secret` from the parameters or a Basic header (RFC 6749 §2.3.1:
/// both parts are form-urlencoded before base64).
fn client_credentials(
    headers: &HeaderMap,
    p: &BTreeMap<String, String>,
) -> Result<(String, Option<String>), OauthError> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        .map(|b64| {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or(OauthError::InvalidClient)?;
            let (id, secret) = raw.split_once(':').ok_or(OauthError::InvalidClient)?;
            let decode = |s: &str| {
                form_urlencoded::parse(format!("x={s}").as_bytes())
                    .next()
                    .map(|(_, v)| v.to_string())
                    .unwrap_or_default()
            };
            Ok::<_, OauthError>((decode(id), decode(secret)))
        })
        .transpose()?;
    let id = optional(p, "client_id");
    let secret = optional(p, "client_secret");
    match basic {
        Some((bid, _)) if id.is_some_and(|i| i != bid) => Err(OauthError::InvalidRequest(
            "client_id: differs from the Basic Authorization header".into(),
        )),
        Some((bid, bsecret)) => Ok((bid, Some(bsecret))),
        None => {
            let id = id.ok_or(OauthError::InvalidClient)?;
            Ok((id.to_string(), secret.map(str::to_string)))
        }
    }
}

fn token_body(state: &AppState, t: &TokenResponse) -> Response {
    let mut body = json!({
        "access_token": t.access_token,
        "api_domain": state.settings.api_domain,
        "token_type": "Bearer",
        "expires_in": t.expires_in,
    });
    if let Some(refresh) = &t.refresh_token {
        body["refresh_token"] = json!(refresh);
    }
    json_response(StatusCode::OK, body)
}

/// `POST /oauth/v2/token`.
pub(crate) async fn token(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let result = async {
        let p = read_params(query, &body)?;
        let grant_type = required(&p, "grant_type")?;
        if matches!(grant_type, "device_token" | RFC_DEVICE_GRANT) {
            return Err(OauthError::UnsupportedGrantType(format!(
                "{grant_type} (use /oauth/v3/device/token)"
            )));
        }
        let (client_id, secret) = client_credentials(&headers, &p)?;
        let client = authenticate_client(&state.meta, &client_id, secret.as_deref()).await?;
        let meta = &state.meta;
        match grant_type {
            "authorization_code" => {
                flows::exchange_code(
                    meta,
                    &client,
                    required(&p, "code")?,
                    optional(&p, "redirect_uri"),
                    optional(&p, "code_verifier"),
                    ctx.now,
                )
                .await
            }
            "refresh_token" => {
                flows::refresh(meta, &client, required(&p, "refresh_token")?, ctx.now).await
            }
            "client_credentials" => {
                flows::client_credentials(meta, &client, optional(&p, "scope"), ctx.now).await
            }
            other => Err(OauthError::UnsupportedGrantType(other.to_string())),
        }
    }
    .await;
    match result {
        Ok(t) => token_body(&state, &t),
        Err(e) => oauth_error(&e),
    }
}

/// `POST /oauth/v2/token/revoke?token=…` → `{"status":"success"}`.
pub(crate) async fn revoke(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let result = async {
        let p = read_params(query, &body)?;
        flows::revoke(&state.meta, required(&p, "token")?, ctx.now).await
    }
    .await;
    match result {
        Ok(()) => json_response(StatusCode::OK, json!({"status": "success"})),
        Err(e) => oauth_error(&e),
    }
}

/// `POST /oauth/v2/token/scopeenhance` (spec §14 step 1).
pub(crate) async fn scope_enhance(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let result = async {
        let p = read_params(query, &body)?;
        match required(&p, "grant_type")? {
            "update_scopes_token" => {}
            other => return Err(OauthError::UnsupportedGrantType(other.to_string())),
        }
        let (client_id, secret) = client_credentials(&headers, &p)?;
        let client = authenticate_client(&state.meta, &client_id, secret.as_deref()).await?;
        flows::scope_enhance_token(
            &state.meta,
            &client,
            required(&p, "refresh_token")?,
            ctx.now,
        )
        .await
    }
    .await;
    match result {
        Ok(token) => json_response(
            StatusCode::OK,
            json!({"access_token": token, "token_type": "update_scope", "expires_in": ENHANCE_TTL_SECS}),
        ),
        Err(e) => oauth_error(&e),
    }
}

/// `POST /oauth/v3/device/code`. With the spec's `grant_type=device_request` the answer is the
/// spec's (milliseconds, `verification_url`); without a grant type, as RFC 8628 clients send
/// it, the answer is RFC 8628's (seconds, `verification_uri`).
pub(crate) async fn device_code(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let result = async {
        let p = read_params(query, &body)?;
        let rfc = match optional(&p, "grant_type") {
            Some("device_request") => false,
            None => true,
            Some(other) => return Err(OauthError::UnsupportedGrantType(other.to_string())),
        };
        let offline = match optional(&p, "access_type") {
            None | Some("online") => false,
            Some("offline") => true,
            Some(other) => {
                return Err(OauthError::InvalidRequest(format!(
                    "access_type: {other:?} is neither online nor offline"
                )));
            }
        };
        let prompt = optional(&p, "prompt") == Some("consent");
        // Only the id matters here (spec §7); RFC 8628 clients may send it in a Basic header.
        let (client_id, _) = client_credentials(&headers, &p)?;
        let start = device::start(
            &state.meta,
            &client_id,
            optional(&p, "scope"),
            offline,
            prompt,
            &ctx.address,
            ctx.now,
        )
        .await?;
        Ok((rfc, start))
    }
    .await;
    let (rfc, start) = match result {
        Ok(ok) => ok,
        Err(e) => return oauth_error(&e),
    };
    let base = format!("{}/oauth/v3/device", state.settings.api_domain);
    let complete = super::with_params(&base, &[("devcode", &start.user_code)], false);
    let body = if rfc {
        json!({
            "device_code": start.device_code,
            "user_code": start.user_code,
            "verification_uri": base,
            "verification_uri_complete": complete,
            "expires_in": start.expires_in_ms / 1000,
            "interval": start.interval_ms / 1000,
        })
    } else {
        json!({
            "user_code": start.user_code,
            "device_code": start.device_code,
            "interval": start.interval_ms,
            "verification_uri_complete": complete,
            "expires_in": start.expires_in_ms,
            "verification_url": base,
        })
    };
    json_response(StatusCode::OK, body)
}

/// `POST /oauth/v3/device/token`: `grant_type=device_token&code=…` (spec) or RFC 8628's
/// `grant_type=urn:ietf:params:oauth:grant-type:device_code&device_code=…`.
pub(crate) async fn device_token(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let mut rfc = false;
    let result = async {
        let p = read_params(query, &body)?;
        let code = match required(&p, "grant_type")? {
            "device_token" => required(&p, "code")?,
            RFC_DEVICE_GRANT => {
                rfc = true;
                required(&p, "device_code")?
            }
            other => return Err(OauthError::UnsupportedGrantType(other.to_string())),
        };
        let (client_id, secret) = client_credentials(&headers, &p)?;
        let client = authenticate_client(&state.meta, &client_id, secret.as_deref()).await?;
        device::poll(&state.meta, &client, code, ctx.now).await
    }
    .await;
    match result {
        Ok(t) => token_body(&state, &t),
        // RFC 8628 §3.5 names the expiry `expired_token`; the spec names it `expired`.
        Err(OauthError::Expired) if rfc => json_response(
            StatusCode::BAD_REQUEST,
            json!({"error": "expired_token", "error_description": OauthError::Expired.to_string()}),
        ),
        Err(e) => oauth_error(&e),
    }
}
