//! The browser and token-endpoint flows: authorization code (with PKCE), implicit, refresh,
//! client credentials, revocation, implicit refresh and incremental authorization.

use std::collections::BTreeMap;

use base64::Engine as _;
use sha2::{Digest, Sha256};
use skyledger_meta::Meta;
use skyledger_meta::oauth::{AuthCode, CodeClaim, Grant, NewGrant, OauthClient};
use skyledger_meta::tokens::NewAccessToken;
use skyledger_meta::users::User;
use skyledger_types::{Operation, Scopes};

use super::clients::{ClientType, client_type, find_client};
use super::{
    ACCESS_TOKEN_SECS, CODE_TTL_MS, ENHANCE_TTL_SECS, LIMIT_WINDOW_MS, MAX_CODES_PER_WINDOW,
    MAX_LIVE_TOKENS_PER_GRANT, MAX_REFRESH_TOKENS, MAX_TOKENS_PER_WINDOW, OauthError, digest,
};
use crate::tokens::{hash_token, mint_token};

/// Who a grant speaks for.
pub const KIND_USER: &str = "user";
pub const KIND_ORG: &str = "org";
pub const KIND_SELF: &str = "self";

/// What a token endpoint answers on success (`api_domain` and `token_type` are added at the edge).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenResponse {
    pub access_token: String,
    /// Only for offline access, on the first grant (or with `prompt=consent`).
    pub refresh_token: Option<String>,
    pub expires_in: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseType {
    Code,
    /// The implicit flow.
    Token,
}

/// A PKCE challenge (spec §5): S256 or plain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    S256(String),
    Plain(String),
}

impl Challenge {
    fn method(&self) -> &'static str {
        match self {
            Challenge::S256(_) => "S256",
            Challenge::Plain(_) => "plain",
        }
    }

    fn value(&self) -> &str {
        match self {
            Challenge::S256(v) | Challenge::Plain(v) => v,
        }
    }

    /// Whether `verifier` answers this challenge (RFC 7636 §4.6).
    pub fn verify(&self, verifier: &str) -> bool {
        if !valid_pkce_string(verifier) {
            return false;
        }
        let expected = match self {
            Challenge::S256(_) => base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(Sha256::digest(verifier.as_bytes())),
            Challenge::Plain(_) => verifier.to_string(),
        };
        super::same(&expected, self.value())
    }
}

/// RFC 7636: 43 to 128 characters of `[A-Za-z0-9-._~]`.
fn valid_pkce_string(s: &str) -> bool {
    (43..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// A checked authorization request (`/oauth/v2/auth` or `/oauth/v2/org/auth`).
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    pub client: OauthClient,
    pub response_type: ResponseType,
    pub redirect_uri: String,
    pub scopes: Scopes,
    pub offline: bool,
    pub prompt: bool,
    pub challenge: Option<Challenge>,
    pub state: Option<String>,
    pub org_level: bool,
}

/// Why an authorization request fails, and where the answer goes.
#[derive(Debug)]
pub enum AuthorizeError {
    /// Shown on a page: the client or its redirect URI cannot be trusted with a redirect.
    Page(OauthError),
    /// Sent back to the client's redirect URI (in the fragment for the implicit flow).
    Redirect {
        redirect_uri: String,
        state: Option<String>,
        fragment: bool,
        error: OauthError,
    },
}

impl From<OauthError> for AuthorizeError {
    fn from(e: OauthError) -> AuthorizeError {
        AuthorizeError::Page(e)
    }
}

/// Parses a scope list of the request: known CloudSpend scopes only, at least one.
pub fn parse_scopes(list: Option<&str>) -> Result<Scopes, OauthError> {
    let list = list.unwrap_or("").trim();
    let scopes =
        Scopes::parse(list).map_err(|e| OauthError::InvalidScope(format!("scope: {e}")))?;
    if scopes.is_empty() {
        return Err(OauthError::InvalidScope(
            "scope: give at least one scope (CloudSpend.Internal.Read, ...)".into(),
        ));
    }
    Ok(scopes)
}

/// Whether `granted` includes every operation of `wanted`.
pub fn covers(granted: Scopes, wanted: Scopes) -> bool {
    Operation::ALL
        .into_iter()
        .all(|op| !wanted.allows(op) || granted.allows(op))
}

pub fn union(a: Scopes, b: Scopes) -> Scopes {
    Operation::ALL
        .into_iter()
        .filter(|op| b.allows(*op))
        .fold(a, Scopes::with)
}

fn stored_scopes(s: &str) -> Scopes {
    Scopes::parse(s).unwrap_or_default()
}

/// Checks an authorization request's parameters (spec §4–§6, §13).
pub async fn parse_authorize(
    meta: &Meta,
    params: &BTreeMap<String, String>,
    org_level: bool,
) -> Result<AuthorizeRequest, AuthorizeError> {
    let get = |k: &str| params.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let client_id = get("client_id").ok_or(OauthError::InvalidClient)?;
    let client = find_client(meta, client_id).await?;
    let redirect_uri = get("redirect_uri").ok_or(OauthError::InvalidRedirectUri)?;
    if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
        return Err(OauthError::InvalidRedirectUri.into());
    }
    let state = get("state").map(str::to_string);
    let response_type = match get("response_type") {
        Some("code") => Ok(ResponseType::Code),
        Some("token") => Ok(ResponseType::Token),
        other => Err(OauthError::InvalidResponseType(
            other.unwrap_or("").to_string(),
        )),
    };
    let fragment = matches!(response_type, Ok(ResponseType::Token));
    let redirect = |error| AuthorizeError::Redirect {
        redirect_uri: redirect_uri.to_string(),
        state: state.clone(),
        fragment,
        error,
    };
    let response_type = response_type.map_err(redirect)?;
    let kind = client_type(&client);
    let allowed = match (response_type, org_level) {
        (ResponseType::Code, true) => kind == ClientType::Org,
        (ResponseType::Code, false) => matches!(kind, ClientType::Server | ClientType::Mobile),
        (ResponseType::Token, false) => kind == ClientType::ClientBased,
        (ResponseType::Token, true) => false,
    };
    if !allowed {
        return Err(redirect(OauthError::UnauthorizedClient));
    }
    let scopes = parse_scopes(get("scope")).map_err(redirect)?;
    let offline = match get("access_type") {
        None | Some("online") => false,
        Some("offline") => true,
        Some(other) => {
            return Err(redirect(OauthError::InvalidRequest(format!(
                "access_type: {other:?} is neither online nor offline"
            ))));
        }
    };
    let prompt = match get("prompt") {
        None => false,
        Some("consent") => true,
        Some(other) => {
            return Err(redirect(OauthError::InvalidRequest(format!(
                "prompt: the value must be consent, got {other:?}"
            ))));
        }
    };
    let challenge = match (get("code_challenge"), get("code_challenge_method")) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err(redirect(OauthError::InvalidRequest(
                "code_challenge: required with code_challenge_method".into(),
            )));
        }
        (Some(c), method) => {
            if !valid_pkce_string(c) {
                return Err(redirect(OauthError::InvalidRequest(
                    "code_challenge: 43 to 128 characters of A-Z a-z 0-9 - . _ ~".into(),
                )));
            }
            match method {
                Some("S256") => Some(Challenge::S256(c.to_string())),
                // spec §5: the default method is plain.
                None | Some("plain") => Some(Challenge::Plain(c.to_string())),
                Some(other) => {
                    return Err(redirect(OauthError::InvalidRequest(format!(
                        "code_challenge_method: must be S256 or plain, got {other:?}"
                    ))));
                }
            }
        }
    };
    // spec §5: mobile and desktop apps are public clients; PKCE is mandatory for them.
    if kind == ClientType::Mobile && challenge.is_none() {
        return Err(redirect(OauthError::InvalidRequest(
            "code_challenge: required for mobile-based clients".into(),
        )));
    }
    if response_type == ResponseType::Token && challenge.is_some() {
        return Err(redirect(OauthError::InvalidRequest(
            "code_challenge: not used with response_type=token".into(),
        )));
    }
    Ok(AuthorizeRequest {
        client,
        response_type,
        redirect_uri: redirect_uri.to_string(),
        scopes,
        offline,
        prompt,
        challenge,
        state,
        org_level,
    })
}

/// May `user` answer this request at all? Clients serve their own organisation only, and an
/// organisation-level grant needs an administrator (spec §13).
pub fn check_user(req: &AuthorizeRequest, user: &User) -> Result<(), OauthError> {
    if !user.active || user.org_id != req.client.org_id {
        return Err(OauthError::InvalidClient);
    }
    if req.org_level && !user.is_admin {
        return Err(OauthError::AccessDenied);
    }
    Ok(())
}

fn grant_user(org_level: bool, user: &User) -> Option<&str> {
    (!org_level).then_some(user.id.as_str())
}

/// Whether the consent page must be shown: always with `prompt=consent`, otherwise only when
/// no live grant of this user (or organisation) to this client covers the scopes.
pub async fn needs_consent(
    meta: &Meta,
    req: &AuthorizeRequest,
    user: &User,
) -> Result<bool, OauthError> {
    if req.prompt {
        return Ok(true);
    }
    let grants = meta
        .live_grants(
            &req.client.org_id,
            &req.client.id,
            grant_user(req.org_level, user),
        )
        .await?;
    let granted = grants.iter().fold(Scopes::default(), |acc, g| {
        union(acc, stored_scopes(&g.scopes))
    });
    Ok(!covers(granted, req.scopes))
}

/// What an approved request sends back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approval {
    Code(String),
    Token {
        access_token: String,
        for_session: bool,
    },
}

/// A refresh token is issued for offline access the first time, or again with `prompt=consent`.
pub(crate) async fn first_refresh(
    meta: &Meta,
    client: &OauthClient,
    user_id: Option<&str>,
    offline: bool,
    prompt: bool,
) -> Result<bool, OauthError> {
    if !offline {
        return Ok(false);
    }
    if prompt {
        return Ok(true);
    }
    let grants = meta
        .live_grants(&client.org_id, &client.id, user_id)
        .await?;
    Ok(!grants.iter().any(|g| g.has_refresh))
}

/// The user allowed the request: a code (2 minutes, once) or, for the implicit flow, a token.
pub async fn approve(
    meta: &Meta,
    req: &AuthorizeRequest,
    user: &User,
    for_session: bool,
    now: i64,
) -> Result<Approval, OauthError> {
    check_user(req, user)?;
    match req.response_type {
        ResponseType::Code => {
            let recent = meta
                .count_codes_since(&req.client.id, &user.id, now - LIMIT_WINDOW_MS + 1)
                .await?;
            if recent >= MAX_CODES_PER_WINDOW {
                return Err(OauthError::AccessDenied);
            }
            let kind = if req.org_level { KIND_ORG } else { KIND_USER };
            let issue_refresh = first_refresh(
                meta,
                &req.client,
                grant_user(req.org_level, user),
                req.offline,
                req.prompt,
            )
            .await?;
            let code = mint_token();
            meta.insert_code(&AuthCode {
                code_hash: digest(&code),
                org_id: req.client.org_id.clone(),
                client_id: req.client.id.clone(),
                user_id: Some(user.id.clone()),
                kind: kind.to_string(),
                redirect_uri: Some(req.redirect_uri.clone()),
                scopes: req.scopes.to_scope_string(),
                issue_refresh,
                code_challenge: req.challenge.as_ref().map(|c| c.value().to_string()),
                challenge_method: req.challenge.as_ref().map(|c| c.method().to_string()),
                created_at: now,
                expires_at: now + CODE_TTL_MS,
                used_at: None,
                grant_id: None,
            })
            .await?;
            Ok(Approval::Code(code))
        }
        ResponseType::Token => {
            let (grant, _) = new_grant(
                meta,
                &req.client,
                Some(&user.id),
                KIND_USER,
                req.scopes,
                false,
                for_session,
                now,
            )
            .await?;
            let access_token = issue_for_grant(meta, &grant, now).await?;
            Ok(Approval::Token {
                access_token,
                for_session,
            })
        }
    }
}

/// A code for a self client, as the API console generates one (spec §8).
pub async fn self_client_code(
    meta: &Meta,
    client: &OauthClient,
    scopes: Scopes,
    now: i64,
) -> Result<String, OauthError> {
    if client_type(client) != ClientType::SelfClient {
        return Err(OauthError::UnauthorizedClient);
    }
    let owner = client
        .owner_user_id
        .clone()
        .ok_or(OauthError::UnauthorizedClient)?;
    let code = mint_token();
    meta.insert_code(&AuthCode {
        code_hash: digest(&code),
        org_id: client.org_id.clone(),
        client_id: client.id.clone(),
        user_id: Some(owner),
        kind: KIND_SELF.to_string(),
        redirect_uri: None,
        scopes: scopes.to_scope_string(),
        issue_refresh: true,
        code_challenge: None,
        challenge_method: None,
        created_at: now,
        expires_at: now + CODE_TTL_MS,
        used_at: None,
        grant_id: None,
    })
    .await?;
    Ok(code)
}

/// Creates a grant (with a refresh token when asked) and keeps at most 20 live refresh tokens
/// per user per client, invalidating the oldest (spec §11).
#[allow(clippy::too_many_arguments)]
pub async fn new_grant(
    meta: &Meta,
    client: &OauthClient,
    user_id: Option<&str>,
    kind: &str,
    scopes: Scopes,
    with_refresh: bool,
    for_session: bool,
    now: i64,
) -> Result<(Grant, Option<String>), OauthError> {
    let refresh = with_refresh.then(mint_token);
    let refresh_hash = refresh.as_deref().map(digest);
    let grant = meta
        .insert_grant(&NewGrant {
            org_id: &client.org_id,
            client_id: &client.id,
            user_id,
            kind,
            scopes: &scopes.to_scope_string(),
            refresh_hash: refresh_hash.as_deref(),
            for_session,
            created_at: now,
        })
        .await?;
    if with_refresh {
        let refreshes: Vec<Grant> = meta
            .live_grants(&client.org_id, &client.id, user_id)
            .await?
            .into_iter()
            .filter(|g| g.has_refresh)
            .collect();
        let excess = refreshes.len().saturating_sub(MAX_REFRESH_TOKENS);
        for old in refreshes.iter().take(excess) {
            meta.revoke_grant(&old.id, now).await?;
        }
    }
    Ok((grant, refresh))
}

/// Issues an access token from a grant: at most 10 per 10 minutes (else `Throttled`), and at
/// most 10 live at once, the oldest invalidated (spec §11).
pub async fn issue_for_grant(meta: &Meta, grant: &Grant, now: i64) -> Result<String, OauthError> {
    let recent = meta
        .count_access_tokens_of_grant_since(&grant.id, now - LIMIT_WINDOW_MS + 1)
        .await?;
    if recent >= MAX_TOKENS_PER_WINDOW {
        return Err(OauthError::Throttled);
    }
    let token = mint_token();
    meta.insert_access_token_at(
        &NewAccessToken {
            token_hash: &hash_token(&token),
            org_id: &grant.org_id,
            user_id: grant.user_id.as_deref(),
            client_id: Some(&grant.client_id),
            grant_id: Some(&grant.id),
            scopes: &grant.scopes,
            label: "oauth",
            expires_at: now + ACCESS_TOKEN_SECS * 1000,
        },
        now,
    )
    .await?;
    meta.trim_access_tokens_of_grant(&grant.id, MAX_LIVE_TOKENS_PER_GRANT, now)
        .await?;
    Ok(token)
}

/// `grant_type=authorization_code` (spec §4, §5, §8).
pub async fn exchange_code(
    meta: &Meta,
    client: &OauthClient,
    code: &str,
    redirect_uri: Option<&str>,
    code_verifier: Option<&str>,
    now: i64,
) -> Result<TokenResponse, OauthError> {
    let stored = match meta.claim_code(&digest(code), now).await? {
        CodeClaim::Unknown => return Err(OauthError::InvalidCode),
        CodeClaim::Reused(stored) => {
            // A replayed code may be stolen: revoke what its first use produced.
            if let Some(grant_id) = stored.grant_id {
                meta.revoke_grant(&grant_id, now).await?;
            }
            return Err(OauthError::InvalidCode);
        }
        CodeClaim::Claimed(stored) => stored,
    };
    if stored.client_id != client.id || stored.expires_at <= now {
        return Err(OauthError::InvalidCode);
    }
    if let Some(expected) = &stored.redirect_uri
        && redirect_uri != Some(expected.as_str())
    {
        return Err(OauthError::InvalidRedirectUri);
    }
    if let (Some(value), Some(method)) = (&stored.code_challenge, &stored.challenge_method) {
        let challenge = match method.as_str() {
            "S256" => Challenge::S256(value.clone()),
            _ => Challenge::Plain(value.clone()),
        };
        if !code_verifier.is_some_and(|v| challenge.verify(v)) {
            return Err(OauthError::InvalidCode);
        }
    }
    let user_id = match stored.kind.as_str() {
        KIND_ORG => None,
        _ => stored.user_id.as_deref(),
    };
    let (grant, refresh_token) = new_grant(
        meta,
        client,
        user_id,
        &stored.kind,
        stored_scopes(&stored.scopes),
        stored.issue_refresh,
        false,
        now,
    )
    .await?;
    meta.set_code_grant(&stored.code_hash, &grant.id).await?;
    let access_token = issue_for_grant(meta, &grant, now).await?;
    Ok(TokenResponse {
        access_token,
        refresh_token,
        expires_in: ACCESS_TOKEN_SECS,
    })
}

/// The live grant of a refresh token presented by `client`.
pub async fn refresh_grant(
    meta: &Meta,
    client: &OauthClient,
    refresh_token: &str,
) -> Result<Grant, OauthError> {
    match meta.grant_by_refresh_hash(&digest(refresh_token)).await? {
        Some(g) if g.revoked_at.is_none() && g.client_id == client.id => Ok(g),
        _ => Err(OauthError::InvalidCode),
    }
}

/// `grant_type=refresh_token` (spec §9): a new access token for the same scopes.
pub async fn refresh(
    meta: &Meta,
    client: &OauthClient,
    refresh_token: &str,
    now: i64,
) -> Result<TokenResponse, OauthError> {
    let grant = refresh_grant(meta, client, refresh_token).await?;
    let access_token = issue_for_grant(meta, &grant, now).await?;
    Ok(TokenResponse {
        access_token,
        refresh_token: None,
        expires_in: ACCESS_TOKEN_SECS,
    })
}

/// `grant_type=client_credentials` for a self client (spec §8): a token for its owner, no
/// refresh token. One grant per scope set, so the token limits apply per client.
pub async fn client_credentials(
    meta: &Meta,
    client: &OauthClient,
    scope: Option<&str>,
    now: i64,
) -> Result<TokenResponse, OauthError> {
    if client_type(client) != ClientType::SelfClient {
        return Err(OauthError::UnauthorizedClient);
    }
    let scopes = parse_scopes(scope)?;
    let owner = client
        .owner_user_id
        .as_deref()
        .ok_or(OauthError::UnauthorizedClient)?;
    match meta.user(owner).await? {
        Some(u) if u.active && u.org_id == client.org_id => {}
        _ => return Err(OauthError::AccessDenied),
    }
    let existing = meta
        .live_grants(&client.org_id, &client.id, Some(owner))
        .await?
        .into_iter()
        .find(|g| g.kind == KIND_SELF && !g.has_refresh && stored_scopes(&g.scopes) == scopes);
    let grant = match existing {
        Some(g) => g,
        None => {
            new_grant(
                meta,
                client,
                Some(owner),
                KIND_SELF,
                scopes,
                false,
                false,
                now,
            )
            .await?
            .0
        }
    };
    let access_token = issue_for_grant(meta, &grant, now).await?;
    Ok(TokenResponse {
        access_token,
        refresh_token: None,
        expires_in: ACCESS_TOKEN_SECS,
    })
}

/// `POST /oauth/v2/token/revoke` (spec §10): a refresh token takes every access token made
/// from it along; an access token goes alone.
pub async fn revoke(meta: &Meta, token: &str, now: i64) -> Result<(), OauthError> {
    if let Some(grant) = meta.grant_by_refresh_hash(&digest(token)).await? {
        meta.revoke_grant(&grant.id, now).await?;
        return Ok(());
    }
    if let Some(access) = meta.access_token_by_hash(&hash_token(token)).await? {
        meta.revoke_access_token(&access.id).await?;
        return Ok(());
    }
    Err(OauthError::InvalidToken)
}

/// `GET /oauth/v2/auth/refresh` (spec §9): a new implicit-flow token while the user's session
/// lives, for scopes already granted with `granted_for_session`.
pub async fn implicit_refresh(
    meta: &Meta,
    client: &OauthClient,
    user: &User,
    scopes: Scopes,
    now: i64,
) -> Result<String, OauthError> {
    if user.org_id != client.org_id {
        return Err(OauthError::InvalidClient);
    }
    let grants: Vec<Grant> = meta
        .live_grants(&client.org_id, &client.id, Some(&user.id))
        .await?
        .into_iter()
        .filter(|g| g.for_session)
        .collect();
    if grants.is_empty() {
        return Err(OauthError::ClientNotGranted);
    }
    let grant = grants
        .iter()
        .rev()
        .find(|g| covers(stored_scopes(&g.scopes), scopes))
        .ok_or_else(|| {
            OauthError::InvalidScope("scope: only scopes granted before can be refreshed".into())
        })?;
    issue_for_grant(meta, grant, now).await
}

/// `POST /oauth/v2/token/scopeenhance` (spec §14 step 1): a 10-minute token naming the grant
/// to extend.
pub async fn scope_enhance_token(
    meta: &Meta,
    client: &OauthClient,
    refresh_token: &str,
    now: i64,
) -> Result<String, OauthError> {
    let grant = refresh_grant(meta, client, refresh_token).await?;
    let token = mint_token();
    meta.insert_enhance_token(
        &digest(&token),
        &grant.id,
        now,
        now + ENHANCE_TTL_SECS * 1000,
    )
    .await?;
    Ok(token)
}

/// The grant an enhancement token extends, if `user` may extend it for `client`.
pub async fn enhance_target(
    meta: &Meta,
    client: &OauthClient,
    enhance_token: &str,
    user: &User,
    now: i64,
) -> Result<Grant, OauthError> {
    let grant_id = meta
        .enhance_token_grant(&digest(enhance_token), now)
        .await?
        .ok_or(OauthError::InvalidCode)?;
    let grant = meta
        .grant(&grant_id)
        .await?
        .ok_or(OauthError::InvalidCode)?;
    if grant.revoked_at.is_some() || grant.client_id != client.id {
        return Err(OauthError::InvalidCode);
    }
    if grant.user_id.as_deref() != Some(user.id.as_str()) {
        return Err(OauthError::AccessDenied);
    }
    Ok(grant)
}

/// The scopes `added` that `grant` lacks.
pub fn missing_scopes(grant: &Grant, added: Scopes) -> Scopes {
    let have = stored_scopes(&grant.scopes);
    Operation::ALL
        .into_iter()
        .filter(|op| added.allows(*op) && !have.allows(*op))
        .fold(Scopes::default(), Scopes::with)
}

/// Appends `added` to the grant and its live access tokens (spec §14 step 2), spending the
/// enhancement token.
pub async fn apply_enhance(
    meta: &Meta,
    grant: &Grant,
    added: Scopes,
    enhance_token: &str,
    now: i64,
) -> Result<Scopes, OauthError> {
    if !meta
        .spend_enhance_token(&digest(enhance_token), now)
        .await?
    {
        return Err(OauthError::InvalidCode);
    }
    let scopes = union(stored_scopes(&grant.scopes), added);
    meta.set_grant_scopes(&grant.id, &scopes.to_scope_string())
        .await?;
    Ok(scopes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_matches_rfc7636_appendix_b() {
        let challenge = Challenge::S256("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into());
        assert!(challenge.verify("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        assert!(!challenge.verify("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj"));
        let plain = Challenge::Plain("a".repeat(43));
        assert!(plain.verify(&"a".repeat(43)));
        assert!(!plain.verify("short"));
    }

    #[test]
    fn scope_sets() {
        let read = Scopes::default().with(Operation::Read);
        let rc = read.with(Operation::Create);
        assert!(covers(rc, read));
        assert!(!covers(read, rc));
        assert_eq!(union(read, Scopes::default().with(Operation::Create)), rc);
        assert!(parse_scopes(Some("")).is_err());
        assert!(parse_scopes(Some("AaaServer.profile.Read")).is_err());
        assert_eq!(
            parse_scopes(Some("CloudSpend.Internal.ALL")).unwrap(),
            Scopes::all()
        );
    }
}
