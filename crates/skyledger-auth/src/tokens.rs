//! Access tokens: minting (256 random bits, stored only as a SHA-256 hash) and authentication
//! of the `Authorization` header.

use sha2::{Digest, Sha256};
use skyledger_meta::tokens::NewAccessToken;
use skyledger_meta::{Meta, MetaError, now_ms};
use skyledger_types::{Operation, Scopes};

/// Who is calling: resolved from a live access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub org_id: String,
    pub user_id: Option<String>,
    pub token_id: String,
    pub scopes: Scopes,
}

impl Caller {
    pub fn may(&self, op: Operation) -> bool {
        self.scopes.allows(op)
    }
}

/// Why a request was not authenticated (401) — or, for `MissingScope`, not authorised (403).
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("missing Authorization header (use 'Zoho-oauthtoken <token>' or 'Bearer <token>')")]
    Missing,
    #[error("malformed Authorization header (use 'Zoho-oauthtoken <token>' or 'Bearer <token>')")]
    Malformed,
    #[error("invalid access token")]
    Unknown,
    #[error("the access token has expired")]
    Expired,
    #[error("the access token has been revoked")]
    Revoked,
    #[error("the access token lacks the scope {0}")]
    MissingScope(&'static str),
    #[error(transparent)]
    Store(#[from] MetaError),
}

/// The SHA-256 of a token, hex: what the store keeps instead of the token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new token string in the spec's style: `1000.<32 hex>.<32 hex>` (256 random bits).
pub fn mint_token() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    format!(
        "1000.{}.{}",
        hex::encode(&bytes[..16]),
        hex::encode(&bytes[16..])
    )
}

/// What to record with a new access token.
#[derive(Debug, Clone)]
pub struct TokenGrant<'a> {
    pub org_id: &'a str,
    pub user_id: Option<&'a str>,
    pub client_id: Option<&'a str>,
    pub grant_id: Option<&'a str>,
    pub scopes: Scopes,
    pub label: &'a str,
    pub expires_in_secs: i64,
}

/// Mints and stores an access token; returns the token (shown once) and its stored record id.
pub async fn issue_access_token(
    meta: &Meta,
    grant: &TokenGrant<'_>,
) -> Result<(String, String), MetaError> {
    let token = mint_token();
    let stored = meta
        .insert_access_token(&NewAccessToken {
            token_hash: &hash_token(&token),
            org_id: grant.org_id,
            user_id: grant.user_id,
            client_id: grant.client_id,
            grant_id: grant.grant_id,
            scopes: &grant.scopes.to_scope_string(),
            label: grant.label,
            expires_at: now_ms().saturating_add(grant.expires_in_secs.saturating_mul(1000)),
        })
        .await?;
    Ok((token, stored.id))
}

/// The token of an `Authorization` header value: `Zoho-oauthtoken <t>` or `Bearer <t>`.
pub fn token_from_header(value: &str) -> Result<&str, AuthError> {
    let (scheme, token) = value.trim().split_once(' ').ok_or(AuthError::Malformed)?;
    let token = token.trim();
    let known =
        scheme.eq_ignore_ascii_case("Zoho-oauthtoken") || scheme.eq_ignore_ascii_case("Bearer");
    if !known || token.is_empty() || token.len() > 512 || token.contains(char::is_whitespace) {
        return Err(AuthError::Malformed);
    }
    Ok(token)
}

/// Resolves the caller of a request from its `Authorization` header value.
pub async fn authenticate(meta: &Meta, header: Option<&str>) -> Result<Caller, AuthError> {
    let token = token_from_header(header.ok_or(AuthError::Missing)?)?;
    let stored = meta
        .access_token_by_hash(&hash_token(token))
        .await?
        .ok_or(AuthError::Unknown)?;
    if stored.revoked_at.is_some() {
        return Err(AuthError::Revoked);
    }
    if stored.expires_at <= now_ms() {
        return Err(AuthError::Expired);
    }
    // A stored scope list was written by us; an unreadable one grants nothing.
    let scopes = Scopes::parse(&stored.scopes).unwrap_or_default();
    Ok(Caller {
        org_id: stored.org_id,
        user_id: stored.user_id,
        token_id: stored.id,
        scopes,
    })
}

/// Authenticates and checks that the caller may perform `op`.
pub async fn authorize(
    meta: &Meta,
    header: Option<&str>,
    op: Operation,
) -> Result<Caller, AuthError> {
    let caller = authenticate(meta, header).await?;
    if caller.may(op) {
        Ok(caller)
    } else {
        Err(AuthError::MissingScope(op.scope()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_256_random_bits_and_hash_stably() {
        let a = mint_token();
        let b = mint_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 5 + 32 + 1 + 32);
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_ne!(hash_token(&a), hash_token(&b));
        assert!(!hash_token(&a).contains(&a));
    }

    #[test]
    fn header_schemes() {
        assert_eq!(token_from_header("Zoho-oauthtoken abc").unwrap(), "abc");
        assert_eq!(token_from_header("Bearer abc").unwrap(), "abc");
        assert_eq!(token_from_header("bearer  abc ").unwrap(), "abc");
        for bad in ["abc", "Basic abc", "Bearer ", "Bearer a b"] {
            assert!(token_from_header(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn authenticate_checks_expiry_revocation_and_scope() {
        let dir = tempfile::tempdir().unwrap();
        let meta = Meta::connect(&Meta::sqlite_url(dir.path())).await.unwrap();
        meta.migrate().await.unwrap();
        let org = meta.default_org("Acme", "UTC").await.unwrap();
        let grant = |secs, scopes| TokenGrant {
            org_id: &org.id,
            user_id: None,
            client_id: None,
            grant_id: None,
            scopes,
            label: "t",
            expires_in_secs: secs,
        };
        let (read, read_id) =
            issue_access_token(&meta, &grant(60, Scopes::default().with(Operation::Read)))
                .await
                .unwrap();
        let header = format!("Zoho-oauthtoken {read}");
        let caller = authorize(&meta, Some(&header), Operation::Read)
            .await
            .unwrap();
        assert_eq!(caller.org_id, org.id);
        assert!(matches!(
            authorize(&meta, Some(&header), Operation::Create).await,
            Err(AuthError::MissingScope("CloudSpend.Internal.Create"))
        ));
        let (expired, _) = issue_access_token(&meta, &grant(-1, Scopes::all()))
            .await
            .unwrap();
        assert!(matches!(
            authenticate(&meta, Some(&format!("Bearer {expired}"))).await,
            Err(AuthError::Expired)
        ));
        meta.revoke_access_token(&read_id).await.unwrap();
        assert!(matches!(
            authenticate(&meta, Some(&header)).await,
            Err(AuthError::Revoked)
        ));
        assert!(matches!(
            authenticate(&meta, Some("Bearer 1000.nope")).await,
            Err(AuthError::Unknown)
        ));
        assert!(matches!(
            authenticate(&meta, None).await,
            Err(AuthError::Missing)
        ));
    }
}
