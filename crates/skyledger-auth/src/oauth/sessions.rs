//! Browser sessions: sign-in with e-mail and password (rate-limited per account and per address),
//! session cookies stored by hash, and each session's CSRF token.

use std::sync::OnceLock;

use skyledger_meta::oauth::Session;
use skyledger_meta::users::{User, normalize_email};
use skyledger_meta::{Meta, MetaError};

use super::{
    MAX_SIGNIN_FAILURES_PER_ACCOUNT, MAX_SIGNIN_FAILURES_PER_ADDRESS, SESSION_TTL_MS,
    SIGNIN_WINDOW_MS, digest, random_hex,
};
use crate::passwords::{hash_password, verify_password};

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("wrong e-mail address or password")]
    BadCredentials,
    #[error("too many failed sign-ins; try again in a few minutes")]
    RateLimited,
    #[error(transparent)]
    Store(#[from] MetaError),
}

/// A new session: the cookie value (shown once) and the stored record.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub cookie: String,
    pub session: Session,
    pub user: User,
}

/// A hash to verify against when the account does not exist, so both cases cost the same.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password, never matches").unwrap_or_default())
}

/// Checks e-mail and password and opens a session. Failures count against the account and the
/// address; past the limits every attempt is refused, right or wrong, until the window passes.
pub async fn sign_in(
    meta: &Meta,
    email: &str,
    password: &str,
    address: &str,
    now: i64,
) -> Result<NewSession, SignInError> {
    let account = normalize_email(email);
    let since = now - SIGNIN_WINDOW_MS + 1;
    if meta
        .count_signin_failures_since("account", &account, since)
        .await?
        >= MAX_SIGNIN_FAILURES_PER_ACCOUNT
        || meta
            .count_signin_failures_since("address", address, since)
            .await?
            >= MAX_SIGNIN_FAILURES_PER_ADDRESS
    {
        return Err(SignInError::RateLimited);
    }
    let user = meta.user_by_email(&account).await?;
    let phc = user
        .as_ref()
        .and_then(|u| u.password_hash.as_deref())
        .unwrap_or(decoy_hash());
    let matches = verify_password(password, phc);
    let user = match user {
        Some(u) if matches && u.active && u.password_hash.is_some() => u,
        _ => {
            meta.record_signin_failure("account", &account, now).await?;
            meta.record_signin_failure("address", address, now).await?;
            return Err(SignInError::BadCredentials);
        }
    };
    meta.clear_signin_failures("account", &account).await?;
    let cookie = random_hex(32);
    let session = Session {
        id_hash: digest(&cookie),
        user_id: user.id.clone(),
        csrf: random_hex(16),
        created_at: now,
        expires_at: now + SESSION_TTL_MS,
    };
    meta.insert_session(&session).await?;
    Ok(NewSession {
        cookie,
        session,
        user,
    })
}

/// The live session of a cookie value, with its (active) user.
pub async fn session(
    meta: &Meta,
    cookie: &str,
    now: i64,
) -> Result<Option<(Session, User)>, MetaError> {
    let Some(session) = meta.live_session(&digest(cookie), now).await? else {
        return Ok(None);
    };
    Ok(meta
        .user(&session.user_id)
        .await?
        .filter(|u| u.active)
        .map(|u| (session, u)))
}

pub async fn sign_out(meta: &Meta, cookie: &str, now: i64) -> Result<(), MetaError> {
    meta.end_session(&digest(cookie), now).await
}
