//! The browser side: authorization and consent, implicit refresh, incremental authorization,
//! device verification, sign-in and sign-out, connected apps, and the client console.
//!
//! Every form carries a CSRF token: the session's for signed-in users, and a double-submit
//! cookie for the sign-in form. Session cookies are HttpOnly and SameSite=Lax (the browser
//! arrives at `/oauth/v2/auth` by a top-level navigation from the client's site).

// Page helpers exit early with a whole response (a redirect or an error page), once per request.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{OriginalUri, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use skyledger_auth::oauth::clients::{ClientSpec, ClientType, client_type, find_client};
use skyledger_auth::oauth::flows::{
    self, Approval, AuthorizeError, AuthorizeRequest, ResponseType, parse_scopes,
};
use skyledger_auth::oauth::sessions::{self, SignInError};
use skyledger_auth::oauth::{
    OauthError, SESSION_TTL_MS, device, random_hex, register_client, same,
};
use skyledger_meta::oauth::Session;
use skyledger_meta::users::User;
use skyledger_types::Scopes;

use super::html::{error_page, esc, hidden, page, scope_words};
use super::{Ctx, params, redirect, with_params};
use crate::AppState;

const SESSION_COOKIE: &str = "skyledger_session";
const CSRF_COOKIE: &str = "skyledger_csrf";
/// Where a user lands after signing in without a `next`.
const HOME: &str = "/oauth/v2/connected-apps";
/// The data-center location reported with codes and tokens (spec §4: `location`).
const LOCATION: &str = "us";

type PageResult = Result<Response, Response>;

fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "oauth page failed");
    error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "An error occurred",
        "Something went wrong on our side; the server log has the details.",
    )
}

fn bad_form(detail: String) -> Response {
    error_page(StatusCode::BAD_REQUEST, "400 Bad Request", &detail)
}

fn secure_attr(state: &AppState) -> &'static str {
    if state.settings.api_domain.starts_with("https://") {
        "; Secure"
    } else {
        ""
    }
}

fn set_cookie(response: &mut Response, cookie: String) {
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

fn session_cookie(state: &AppState, value: &str, max_age_secs: i64) -> String {
    format!(
        "{SESSION_COOKIE}={value}; Path=/oauth; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{}",
        secure_attr(state)
    )
}

/// The signed-in user of this request, if any.
async fn current(state: &AppState, ctx: &Ctx) -> Result<Option<(Session, User)>, Response> {
    match ctx.cookies.get(SESSION_COOKIE) {
        Some(cookie) => sessions::session(&state.meta, cookie, ctx.now)
            .await
            .map_err(internal),
        None => Ok(None),
    }
}

/// The signed-in user, or a redirect to the sign-in page that comes back to `back`.
async fn require_user(
    state: &AppState,
    ctx: &Ctx,
    back: &str,
) -> Result<(Session, User), Response> {
    match current(state, ctx).await? {
        Some(found) => Ok(found),
        None => Err(redirect(&with_params(
            "/oauth/v2/signin",
            &[("next", back)],
            false,
        ))),
    }
}

/// The signed-in user of a form post, after its CSRF token is checked.
async fn require_form_user(
    state: &AppState,
    ctx: &Ctx,
    form: &BTreeMap<String, String>,
) -> Result<(Session, User), Response> {
    let Some((session, user)) = current(state, ctx).await? else {
        return Err(error_page(
            StatusCode::UNAUTHORIZED,
            "Signed out",
            "Your session has ended; sign in and try again.",
        ));
    };
    let sent = form.get("csrf").map(String::as_str).unwrap_or("");
    if !same(sent, &session.csrf) {
        return Err(csrf_refused());
    }
    Ok((session, user))
}

fn csrf_refused() -> Response {
    error_page(
        StatusCode::FORBIDDEN,
        "Request refused",
        "The form's security token is missing or wrong (CSRF protection). Reload the page and try again.",
    )
}

fn read_form(body: &Bytes) -> Result<BTreeMap<String, String>, Response> {
    params(None, body).map_err(bad_form)
}

fn read_query(query: &Option<String>) -> Result<BTreeMap<String, String>, Response> {
    params(query.as_deref(), b"").map_err(bad_form)
}

fn path_and_query(uri: &OriginalUri) -> String {
    uri.0
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into())
}

/// The page title the spec uses for an error that cannot be redirected.
fn error_title(e: &OauthError) -> &'static str {
    match e {
        OauthError::InvalidClient => "Invalid Client",
        OauthError::InvalidRedirectUri => "Invalid Redirect Uri",
        OauthError::InvalidScope(_) => "Invalid OAuth Scope",
        OauthError::InvalidResponseType(_) => "Invalid response type",
        OauthError::AccessDenied => "Access Denied",
        _ => "400 Bad Request",
    }
}

fn oauth_page_error(e: OauthError) -> Response {
    match e {
        OauthError::Store(e) => internal(e),
        other => error_page(
            StatusCode::BAD_REQUEST,
            error_title(&other),
            &other.to_string(),
        ),
    }
}

/// An error sent back to the client's redirect URI.
fn redirect_error(
    redirect_uri: &str,
    state: Option<&str>,
    fragment: bool,
    e: &OauthError,
) -> Response {
    if let OauthError::Store(inner) = e {
        return internal(inner);
    }
    let description = e.to_string();
    let mut pairs = vec![
        ("error", e.code()),
        ("error_description", description.as_str()),
    ];
    if let Some(s) = state {
        pairs.push(("state", s));
    }
    redirect(&with_params(redirect_uri, &pairs, fragment))
}

fn authorize_error(e: AuthorizeError) -> Response {
    match e {
        AuthorizeError::Page(e) => oauth_page_error(e),
        AuthorizeError::Redirect {
            redirect_uri,
            state,
            fragment,
            error,
        } => redirect_error(&redirect_uri, state.as_deref(), fragment, &error),
    }
}

fn req_error(req: &AuthorizeRequest, e: &OauthError) -> Response {
    redirect_error(
        &req.redirect_uri,
        req.state.as_deref(),
        req.response_type == ResponseType::Token,
        e,
    )
}

/// The redirect that answers an approved request.
fn approval_redirect(state: &AppState, req: &AuthorizeRequest, approval: Approval) -> Response {
    let domain = state.settings.api_domain.as_str();
    match approval {
        Approval::Code(code) => {
            let mut pairs = vec![
                ("code", code.as_str()),
                ("location", LOCATION),
                ("accounts-server", domain),
            ];
            if let Some(s) = &req.state {
                pairs.push(("state", s));
            }
            redirect(&with_params(&req.redirect_uri, &pairs, false))
        }
        Approval::Token {
            access_token,
            for_session,
        } => {
            let mut pairs = vec![
                ("access_token", access_token.as_str()),
                ("token_type", "Bearer"),
                ("expires_in", "3600"),
                ("location", LOCATION),
                ("api_domain", domain),
            ];
            if for_session {
                pairs.push(("granted_for_session", "true"));
            }
            if let Some(s) = &req.state {
                pairs.push(("state", s));
            }
            redirect(&with_params(&req.redirect_uri, &pairs, true))
        }
    }
}

/// The form fields of a consent page that carry the request itself.
const REQUEST_FIELDS: &[&str] = &[
    "client_id",
    "response_type",
    "redirect_uri",
    "scope",
    "access_type",
    "prompt",
    "code_challenge",
    "code_challenge_method",
    "state",
    "enhance_token",
    "logout",
];

fn request_fields(p: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    p.iter()
        .filter(|(k, _)| REQUEST_FIELDS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn consent_page(
    action: &str,
    title: &str,
    intro: &str,
    scopes: Scopes,
    fields: &BTreeMap<String, String>,
    csrf: &str,
    extra: &str,
) -> Response {
    let hidden_fields: String = fields
        .iter()
        .map(|(k, v)| hidden(k, v))
        .chain(std::iter::once(hidden("csrf", csrf)))
        .collect();
    let body = format!(
        "<p>{intro}</p>{scopes}<form method=\"post\" action=\"{action}\">{hidden_fields}{extra}\
         <button name=\"decision\" value=\"allow\">Accept</button>\
         <button class=\"secondary\" name=\"decision\" value=\"deny\">Reject</button></form>",
        scopes = scope_words(scopes),
        action = esc(action),
    );
    page(StatusCode::OK, title, &body)
}

// --- authorization request (spec §4–§6, §13) ---

pub(crate) async fn authorize(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: OriginalUri,
    RawQuery(query): RawQuery,
) -> Response {
    authorize_get(&state, &ctx, &uri, &query, false)
        .await
        .unwrap_or_else(|r| r)
}

pub(crate) async fn org_authorize(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: OriginalUri,
    RawQuery(query): RawQuery,
) -> Response {
    authorize_get(&state, &ctx, &uri, &query, true)
        .await
        .unwrap_or_else(|r| r)
}

async fn authorize_get(
    state: &AppState,
    ctx: &Ctx,
    uri: &OriginalUri,
    query: &Option<String>,
    org_level: bool,
) -> PageResult {
    let p = read_query(query)?;
    let req = flows::parse_authorize(&state.meta, &p, org_level)
        .await
        .map_err(authorize_error)?;
    let (session, user) = require_user(state, ctx, &path_and_query(uri)).await?;
    check_user_for(&req, &user)?;
    if flows::needs_consent(&state.meta, &req, &user)
        .await
        .map_err(internal)?
    {
        let action = if org_level {
            "/oauth/v2/org/auth"
        } else {
            "/oauth/v2/auth"
        };
        let homepage = req
            .client
            .homepage_url
            .as_deref()
            .map(|h| format!(" ({})", esc(h)))
            .unwrap_or_default();
        let who = if org_level {
            "on behalf of your whole organisation"
        } else {
            "to your account"
        };
        let intro = format!(
            "<strong>{}</strong>{homepage} asks for access {who}, signed in as {}. It will be able to:",
            esc(&req.client.name),
            esc(&user.email)
        );
        let extra = if req.response_type == ResponseType::Token {
            "<label><input type=\"checkbox\" name=\"granted_for_session\" value=\"true\" checked> \
             Let the app renew its access while I stay signed in</label>"
        } else {
            ""
        };
        return Ok(consent_page(
            action,
            "Grant access",
            &intro,
            req.scopes,
            &request_fields(&p),
            &session.csrf,
            extra,
        ));
    }
    let approval = flows::approve(&state.meta, &req, &user, false, ctx.now)
        .await
        .map_err(|e| req_error(&req, &e))?;
    Ok(approval_redirect(state, &req, approval))
}

fn check_user_for(req: &AuthorizeRequest, user: &User) -> Result<(), Response> {
    flows::check_user(req, user).map_err(|e| match e {
        OauthError::InvalidClient => oauth_page_error(e),
        other => req_error(req, &other),
    })
}

pub(crate) async fn authorize_decision(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Response {
    authorize_post(&state, &ctx, &body, false)
        .await
        .unwrap_or_else(|r| r)
}

pub(crate) async fn org_authorize_decision(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Response {
    authorize_post(&state, &ctx, &body, true)
        .await
        .unwrap_or_else(|r| r)
}

async fn authorize_post(state: &AppState, ctx: &Ctx, body: &Bytes, org_level: bool) -> PageResult {
    let form = read_form(body)?;
    let (_, user) = require_form_user(state, ctx, &form).await?;
    let req = flows::parse_authorize(&state.meta, &request_fields(&form), org_level)
        .await
        .map_err(authorize_error)?;
    check_user_for(&req, &user)?;
    if form.get("decision").map(String::as_str) != Some("allow") {
        return Err(req_error(&req, &OauthError::AccessDenied));
    }
    let for_session = req.response_type == ResponseType::Token
        && form.get("granted_for_session").map(String::as_str) == Some("true");
    let approval = flows::approve(&state.meta, &req, &user, for_session, ctx.now)
        .await
        .map_err(|e| req_error(&req, &e))?;
    Ok(approval_redirect(state, &req, approval))
}

// --- implicit refresh (spec §9) ---

pub(crate) async fn implicit_refresh(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(query): RawQuery,
) -> Response {
    let run = async {
        let p = read_query(&query)?;
        let get = |k: &str| p.get(k).map(String::as_str).filter(|v| !v.is_empty());
        let client = find_client(&state.meta, get("client_id").unwrap_or(""))
            .await
            .map_err(oauth_page_error)?;
        let redirect_uri = get("redirect_uri").unwrap_or("");
        if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
            return Err(oauth_page_error(OauthError::InvalidRedirectUri));
        }
        let back = |e: OauthError| redirect_error(redirect_uri, get("state"), true, &e);
        if get("response_type") != Some("token") {
            return Err(back(OauthError::InvalidResponseType(
                get("response_type").unwrap_or("").to_string(),
            )));
        }
        let scopes = parse_scopes(get("scope")).map_err(back)?;
        let Some((_, user)) = current(&state, &ctx).await? else {
            return Err(back(OauthError::PromptRequired));
        };
        let token = flows::implicit_refresh(&state.meta, &client, &user, scopes, ctx.now)
            .await
            .map_err(back)?;
        let domain = state.settings.api_domain.as_str();
        let mut pairs = vec![
            ("access_token", token.as_str()),
            ("token_type", "Bearer"),
            ("expires_in", "3600"),
            ("location", LOCATION),
            ("api_domain", domain),
        ];
        if let Some(s) = get("state") {
            pairs.push(("state", s));
        }
        Ok(redirect(&with_params(redirect_uri, &pairs, true)))
    };
    run.await.unwrap_or_else(|r| r)
}

// --- incremental authorization (spec §14 step 2) ---

struct EnhanceRequest {
    client_name: String,
    redirect_uri: String,
    grant: skyledger_meta::oauth::Grant,
    missing: Scopes,
    enhance_token: String,
    logout: bool,
}

async fn enhance_request(
    state: &AppState,
    ctx: &Ctx,
    p: &BTreeMap<String, String>,
    user: &User,
) -> Result<EnhanceRequest, Response> {
    let get = |k: &str| p.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let client = find_client(&state.meta, get("client_id").unwrap_or(""))
        .await
        .map_err(oauth_page_error)?;
    let redirect_uri = get("redirect_uri").unwrap_or("");
    if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
        return Err(oauth_page_error(OauthError::InvalidRedirectUri));
    }
    let back = |e: OauthError| redirect_error(redirect_uri, None, false, &e);
    if get("response_type") != Some("update_scopes") {
        return Err(back(OauthError::InvalidResponseType(
            get("response_type").unwrap_or("").to_string(),
        )));
    }
    let scopes = parse_scopes(get("scope")).map_err(back)?;
    let enhance_token = get("enhance_token")
        .ok_or_else(|| back(OauthError::InvalidRequest("enhance_token: required".into())))?;
    let grant = flows::enhance_target(&state.meta, &client, enhance_token, user, ctx.now)
        .await
        .map_err(back)?;
    Ok(EnhanceRequest {
        client_name: client.name,
        redirect_uri: redirect_uri.to_string(),
        missing: flows::missing_scopes(&grant, scopes),
        grant,
        enhance_token: enhance_token.to_string(),
        logout: get("logout") == Some("true"),
    })
}

/// The end of an enhancement: the redirect, and the session ended when `logout=true`.
async fn enhance_done(
    state: &AppState,
    ctx: &Ctx,
    req: &EnhanceRequest,
    pairs: &[(&str, &str)],
) -> Response {
    let mut response = redirect(&with_params(&req.redirect_uri, pairs, false));
    if req.logout {
        if let Some(cookie) = ctx.cookies.get(SESSION_COOKIE)
            && let Err(e) = sessions::sign_out(&state.meta, cookie, ctx.now).await
        {
            return internal(e);
        }
        set_cookie(&mut response, session_cookie(state, "", 0));
    }
    response
}

pub(crate) async fn add_extra_scope(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: OriginalUri,
    RawQuery(query): RawQuery,
) -> Response {
    let run = async {
        let p = read_query(&query)?;
        let (session, user) = require_user(&state, &ctx, &path_and_query(&uri)).await?;
        let req = enhance_request(&state, &ctx, &p, &user).await?;
        if req.missing.is_empty() {
            flows::apply_enhance(
                &state.meta,
                &req.grant,
                req.missing,
                &req.enhance_token,
                ctx.now,
            )
            .await
            .map_err(|e| redirect_error(&req.redirect_uri, None, false, &e))?;
            return Ok(enhance_done(
                &state,
                &ctx,
                &req,
                &[("status", "success"), ("scope_enhanced", "true")],
            )
            .await);
        }
        let intro = format!(
            "<strong>{}</strong> asks for more access, signed in as {}. In addition to what you \
             granted before, it will be able to:",
            esc(&req.client_name),
            esc(&user.email)
        );
        Ok(consent_page(
            "/oauth/v2/token/addextrascope",
            "Grant more access",
            &intro,
            req.missing,
            &request_fields(&p),
            &session.csrf,
            "",
        ))
    };
    run.await.unwrap_or_else(|r| r)
}

pub(crate) async fn add_extra_scope_decision(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Response {
    let run = async {
        let form = read_form(&body)?;
        let (_, user) = require_form_user(&state, &ctx, &form).await?;
        let req = enhance_request(&state, &ctx, &request_fields(&form), &user).await?;
        if form.get("decision").map(String::as_str) != Some("allow") {
            return Ok(enhance_done(&state, &ctx, &req, &[("error", "access_denied")]).await);
        }
        flows::apply_enhance(
            &state.meta,
            &req.grant,
            req.missing,
            &req.enhance_token,
            ctx.now,
        )
        .await
        .map_err(|e| redirect_error(&req.redirect_uri, None, false, &e))?;
        Ok(enhance_done(
            &state,
            &ctx,
            &req,
            &[("status", "success"), ("scope_enhanced", "true")],
        )
        .await)
    };
    run.await.unwrap_or_else(|r| r)
}

// --- device verification (spec §7) ---

pub(crate) async fn device_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: OriginalUri,
    RawQuery(query): RawQuery,
) -> Response {
    let run = async {
        let p = read_query(&query)?;
        let (session, _) = require_user(&state, &ctx, &path_and_query(&uri)).await?;
        let code = p
            .get("devcode")
            .or_else(|| p.get("user_code"))
            .cloned()
            .unwrap_or_default();
        let body = format!(
            "<p>Enter the code your device shows.</p><form method=\"post\" action=\"/oauth/v3/device\">{}\
             <label for=\"user_code\">Code</label><input type=\"text\" id=\"user_code\" name=\"user_code\" \
             value=\"{}\" autocomplete=\"off\" required><button>Verify</button></form>",
            hidden("csrf", &session.csrf),
            esc(&code)
        );
        Ok(page(StatusCode::OK, "Connect a device", &body))
    };
    run.await.unwrap_or_else(|r| r)
}

fn device_error(e: OauthError) -> Response {
    match e {
        OauthError::Store(e) => internal(e),
        OauthError::InvalidClient => oauth_page_error(OauthError::InvalidClient),
        _ => error_page(
            StatusCode::BAD_REQUEST,
            "Invalid code",
            "The code is wrong, was already used, or has expired (codes last 5 minutes).",
        ),
    }
}

pub(crate) async fn device_enter(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let run = async {
        let form = read_form(&body)?;
        let (session, user) = require_form_user(&state, &ctx, &form).await?;
        let user_code = form.get("user_code").cloned().unwrap_or_default();
        let (code, client) = device::pending_request(&state.meta, &user_code, &user, ctx.now)
            .await
            .map_err(device_error)?;
        let intro = format!(
            "The device app <strong>{}</strong> asks for access to your account, signed in as {}. It will be able to:",
            esc(&client.name),
            esc(&user.email)
        );
        let fields = BTreeMap::from([("user_code".to_string(), code.user_code.clone())]);
        let scopes = Scopes::parse(&code.scopes).unwrap_or_default();
        Ok(consent_page(
            "/oauth/v3/device/approve",
            "Grant access to a device",
            &intro,
            scopes,
            &fields,
            &session.csrf,
            "",
        ))
    };
    run.await.unwrap_or_else(|r| r)
}

pub(crate) async fn device_decision(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Response {
    let run = async {
        let form = read_form(&body)?;
        let (_, user) = require_form_user(&state, &ctx, &form).await?;
        let allow = form.get("decision").map(String::as_str) == Some("allow");
        let user_code = form.get("user_code").cloned().unwrap_or_default();
        let client = device::decide(&state.meta, &user_code, &user, allow, ctx.now)
            .await
            .map_err(device_error)?;
        let (title, text) = if allow {
            (
                "Device connected",
                "is now connected. You can return to your device.",
            )
        } else {
            (
                "Access denied",
                "was refused access. You can close this page.",
            )
        };
        Ok(page(
            StatusCode::OK,
            title,
            &format!("<p><strong>{}</strong> {text}</p>", esc(&client.name)),
        ))
    };
    run.await.unwrap_or_else(|r| r)
}

// --- sign-in and sign-out ---

/// `next` must stay on this server's OAuth pages.
fn safe_next(next: Option<&String>) -> String {
    match next {
        Some(n) if n.starts_with("/oauth/") && !n.contains('\\') => n.clone(),
        _ => HOME.to_string(),
    }
}

fn signin_form(
    status: StatusCode,
    csrf: &str,
    next: &str,
    email: &str,
    error: Option<&str>,
) -> Response {
    let error = error
        .map(|e| format!("<p class=\"error\">{}</p>", esc(e)))
        .unwrap_or_default();
    let body = format!(
        "{error}<form method=\"post\" action=\"/oauth/v2/signin\">{}{}\
         <label for=\"email\">E-mail</label><input type=\"email\" id=\"email\" name=\"email\" value=\"{}\" \
         autocomplete=\"username\" required>\
         <label for=\"password\">Password</label><input type=\"password\" id=\"password\" name=\"password\" \
         autocomplete=\"current-password\" required><button>Sign in</button></form>",
        hidden("csrf", csrf),
        hidden("next", next),
        esc(email)
    );
    page(status, "Sign in to Skyledger", &body)
}

pub(crate) async fn signin_page(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(query): RawQuery,
) -> Response {
    let p = match read_query(&query) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let csrf = ctx
        .cookies
        .get(CSRF_COOKIE)
        .filter(|c| c.len() == 32)
        .cloned()
        .unwrap_or_else(|| random_hex(16));
    let mut response = signin_form(StatusCode::OK, &csrf, &safe_next(p.get("next")), "", None);
    set_cookie(
        &mut response,
        format!(
            "{CSRF_COOKIE}={csrf}; Path=/oauth; HttpOnly; SameSite=Strict{}",
            secure_attr(&state)
        ),
    );
    response
}

pub(crate) async fn signin(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let form = match read_form(&body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let sent = form.get("csrf").map(String::as_str).unwrap_or("");
    let expected = ctx
        .cookies
        .get(CSRF_COOKIE)
        .map(String::as_str)
        .unwrap_or("");
    if expected.is_empty() || !same(sent, expected) {
        return csrf_refused();
    }
    let next = safe_next(form.get("next"));
    let email = form.get("email").map(String::as_str).unwrap_or("");
    let password = form.get("password").map(String::as_str).unwrap_or("");
    match sessions::sign_in(&state.meta, email, password, &ctx.address, ctx.now).await {
        Ok(new) => {
            let mut response = redirect(&next);
            set_cookie(
                &mut response,
                session_cookie(&state, &new.cookie, SESSION_TTL_MS / 1000),
            );
            response
        }
        Err(SignInError::BadCredentials) => signin_form(
            StatusCode::UNAUTHORIZED,
            expected,
            &next,
            email,
            Some("Wrong e-mail address or password."),
        ),
        Err(SignInError::RateLimited) => signin_form(
            StatusCode::TOO_MANY_REQUESTS,
            expected,
            &next,
            email,
            Some("Too many failed sign-ins. Try again in a few minutes."),
        ),
        Err(SignInError::Store(e)) => internal(e),
    }
}

pub(crate) async fn signout(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let run = async {
        let form = read_form(&body)?;
        require_form_user(&state, &ctx, &form).await?;
        if let Some(cookie) = ctx.cookies.get(SESSION_COOKIE) {
            sessions::sign_out(&state.meta, cookie, ctx.now)
                .await
                .map_err(internal)?;
        }
        let mut response = page(StatusCode::OK, "Signed out", "<p>You are signed out.</p>");
        set_cookie(&mut response, session_cookie(&state, "", 0));
        Ok(response)
    };
    run.await.unwrap_or_else(|r| r)
}

// --- connected apps ---

fn signout_form(csrf: &str) -> String {
    format!(
        "<form method=\"post\" action=\"/oauth/v2/signout\">{}<button class=\"secondary\">Sign out</button></form>",
        hidden("csrf", csrf)
    )
}

pub(crate) async fn connected_apps(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: OriginalUri,
) -> Response {
    let run = async {
        let (session, user) = require_user(&state, &ctx, &path_and_query(&uri)).await?;
        let grants = state
            .meta
            .live_grants_of_user(&user.id)
            .await
            .map_err(internal)?;
        let mut by_client: BTreeMap<String, (Scopes, usize)> = BTreeMap::new();
        for g in &grants {
            let entry = by_client.entry(g.client_id.clone()).or_default();
            entry.0 = flows::union(entry.0, Scopes::parse(&g.scopes).unwrap_or_default());
            entry.1 += usize::from(g.has_refresh);
        }
        let mut rows = String::new();
        for (client_id, (scopes, refreshes)) in &by_client {
            let Some(client) = state.meta.oauth_client(client_id).await.map_err(internal)? else {
                continue;
            };
            rows.push_str(&format!(
                "<tr><td><strong>{}</strong><br><small>{}</small></td><td>{}</td><td>{refreshes}</td>\
                 <td><form method=\"post\" action=\"/oauth/v2/connected-apps/revoke\">{}{}\
                 <button class=\"secondary\">Revoke</button></form></td></tr>",
                esc(&client.name),
                esc(client_type(&client).label()),
                scope_words(*scopes),
                hidden("csrf", &session.csrf),
                hidden("client_id", client_id),
            ));
        }
        let table = if rows.is_empty() {
            "<p>No app has access to your account.</p>".to_string()
        } else {
            format!(
                "<table><tr><th>App</th><th>Access</th><th>Refresh tokens</th><th></th></tr>{rows}</table>"
            )
        };
        let admin = if user.is_admin {
            "<p><a href=\"/oauth/v2/admin/clients\">Manage OAuth clients</a></p>"
        } else {
            ""
        };
        let body = format!(
            "<p>Signed in as {}.</p>{table}{admin}{}",
            esc(&user.email),
            signout_form(&session.csrf)
        );
        Ok(page(StatusCode::OK, "Connected apps", &body))
    };
    run.await.unwrap_or_else(|r| r)
}

pub(crate) async fn revoke_app(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let run = async {
        let form = read_form(&body)?;
        let (_, user) = require_form_user(&state, &ctx, &form).await?;
        let client_id = form.get("client_id").cloned().unwrap_or_default();
        let grants = state
            .meta
            .live_grants_of_user(&user.id)
            .await
            .map_err(internal)?;
        for g in grants.iter().filter(|g| g.client_id == client_id) {
            state
                .meta
                .revoke_grant(&g.id, ctx.now)
                .await
                .map_err(internal)?;
        }
        Ok(redirect(HOME))
    };
    run.await.unwrap_or_else(|r| r)
}

// --- client console (administrators) ---

fn require_admin(user: &User) -> Result<(), Response> {
    if user.is_admin {
        Ok(())
    } else {
        Err(error_page(
            StatusCode::FORBIDDEN,
            "Administrators only",
            "Only administrators of your organisation can manage OAuth clients.",
        ))
    }
}

pub(crate) async fn clients_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: OriginalUri,
) -> Response {
    let run = async {
        let (session, user) = require_user(&state, &ctx, &path_and_query(&uri)).await?;
        require_admin(&user)?;
        let clients = state
            .meta
            .oauth_clients_of_org(&user.org_id)
            .await
            .map_err(internal)?;
        let rows: String = clients
            .iter()
            .map(|c| {
                format!(
                    "<tr><td><strong>{}</strong><br><small>{}</small></td><td class=\"secret\">{}</td>\
                     <td>{}</td><td><form method=\"post\" action=\"/oauth/v2/admin/clients/delete\">{}{}\
                     <button class=\"secondary\">Delete</button></form></td></tr>",
                    esc(&c.name),
                    esc(client_type(c).label()),
                    esc(&c.id),
                    c.redirect_uris.iter().map(|u| esc(u)).collect::<Vec<_>>().join("<br>"),
                    hidden("csrf", &session.csrf),
                    hidden("client_id", &c.id),
                )
            })
            .collect();
        let options: String = ClientType::ALL
            .iter()
            .map(|t| {
                format!(
                    "<option value=\"{}\">{}</option>",
                    t.as_str(),
                    esc(t.label())
                )
            })
            .collect();
        let body = format!(
            "<table><tr><th>Client</th><th>Client ID</th><th>Redirect URIs</th><th></th></tr>{rows}</table>\
             <h2>New client</h2><form method=\"post\" action=\"/oauth/v2/admin/clients\">{}\
             <label for=\"name\">Client name</label><input type=\"text\" id=\"name\" name=\"name\" required>\
             <label for=\"client_type\">Type</label><select id=\"client_type\" name=\"client_type\">{options}</select>\
             <label for=\"homepage_url\">Homepage URL</label><input type=\"url\" id=\"homepage_url\" name=\"homepage_url\">\
             <label for=\"redirect_uris\">Authorized redirect URIs (one per line)</label>\
             <textarea id=\"redirect_uris\" name=\"redirect_uris\" rows=\"3\"></textarea>\
             <label for=\"js_domain\">JavaScript domain (client-based apps)</label>\
             <input type=\"text\" id=\"js_domain\" name=\"js_domain\"><button>Create</button></form>",
            hidden("csrf", &session.csrf)
        );
        Ok(page(StatusCode::OK, "OAuth clients", &body))
    };
    run.await.unwrap_or_else(|r| r)
}

pub(crate) async fn create_client(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Response {
    let run = async {
        let form = read_form(&body)?;
        let (_, user) = require_form_user(&state, &ctx, &form).await?;
        require_admin(&user)?;
        let get = |k: &str| {
            form.get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let client_type: ClientType = get("client_type")
            .unwrap_or_default()
            .parse()
            .map_err(|e: skyledger_auth::oauth::clients::ClientError| bad_form(e.to_string()))?;
        let spec = ClientSpec {
            org_id: user.org_id.clone(),
            name: get("name").unwrap_or_default(),
            client_type,
            homepage_url: get("homepage_url"),
            redirect_uris: get("redirect_uris")
                .unwrap_or_default()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
            js_domain: get("js_domain"),
            owner_user_id: Some(user.id.clone()),
        };
        let (client, secret) = register_client(&state.meta, &spec, ctx.now)
            .await
            .map_err(|e| bad_form(e.to_string()))?;
        let secret = secret
            .map(|s| {
                format!(
                    "<p>Client secret (shown once; store it now):<br><span class=\"secret\">{}</span></p>",
                    esc(&s)
                )
            })
            .unwrap_or_default();
        let body = format!(
            "<p>Client ID:<br><span class=\"secret\">{}</span></p>{secret}\
             <p><a href=\"/oauth/v2/admin/clients\">Back to the clients</a></p>",
            esc(&client.id)
        );
        Ok(page(StatusCode::OK, "Client created", &body))
    };
    run.await.unwrap_or_else(|r| r)
}

pub(crate) async fn delete_client(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Response {
    let run = async {
        let form = read_form(&body)?;
        let (_, user) = require_form_user(&state, &ctx, &form).await?;
        require_admin(&user)?;
        let client_id = form.get("client_id").cloned().unwrap_or_default();
        state
            .meta
            .delete_oauth_client(&user.org_id, &client_id, ctx.now)
            .await
            .map_err(internal)?;
        Ok(redirect("/oauth/v2/admin/clients"))
    };
    run.await.unwrap_or_else(|r| r)
}
