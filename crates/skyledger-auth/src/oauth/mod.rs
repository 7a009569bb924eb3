//! The OAuth 2.0 authorization server of `spec/oauth.md`, as plain functions over `Meta`.
//!
//! Every limit is counted from rows in the metadata store, so it holds across nodes sharing one
//! PostgreSQL. Every function takes the time (`now`, unix ms) from its caller, which reads it
//! from a [`Clock`]: the time rules are tested by moving a manual clock, not by sleeping.

pub mod clients;
pub mod device;
pub mod flows;
pub mod sessions;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use sha2::{Digest, Sha256};
use skyledger_meta::MetaError;

pub use clients::{ClientSpec, ClientType, authenticate_client, register_client};
pub use flows::{Approval, AuthorizeRequest, TokenResponse};

/// Access tokens live one hour (spec §1: `expires_in` 3600).
pub const ACCESS_TOKEN_SECS: i64 = 3600;
/// Authorization codes live two minutes and work once (spec §1, §4).
pub const CODE_TTL_MS: i64 = 2 * 60 * 1000;
/// The window of every "per 10 minutes" limit of spec §11.
pub const LIMIT_WINDOW_MS: i64 = 10 * 60 * 1000;
/// At most 10 access tokens per refresh token per window (spec §9, §11).
pub const MAX_TOKENS_PER_WINDOW: i64 = 10;
/// At most 10 live access tokens per refresh token; the oldest is invalidated (spec §11).
pub const MAX_LIVE_TOKENS_PER_GRANT: usize = 10;
/// At most 20 live refresh tokens per user per client; the oldest is invalidated (spec §11).
pub const MAX_REFRESH_TOKENS: usize = 20;
/// At most 10 authorization codes per user per client per window (spec §11).
pub const MAX_CODES_PER_WINDOW: i64 = 10;
/// At most 30 device codes per client per address per window (spec §11).
pub const MAX_DEVICE_CODES_PER_WINDOW: i64 = 30;
/// Device and user codes live five minutes (spec §7: `expires_in` 300000 ms).
pub const DEVICE_TTL_MS: i64 = 5 * 60 * 1000;
/// Devices poll at most once per five seconds (spec §7: `interval` 5000 ms).
pub const DEVICE_INTERVAL_MS: i64 = 5000;
/// Scope-enhancement tokens live ten minutes (spec §14: `expires_in` 600).
pub const ENHANCE_TTL_SECS: i64 = 600;
/// Sign-in sessions last twelve hours.
pub const SESSION_TTL_MS: i64 = 12 * 60 * 60 * 1000;
/// The window of the sign-in limits.
pub const SIGNIN_WINDOW_MS: i64 = 15 * 60 * 1000;
/// Failed sign-ins allowed per account per window.
pub const MAX_SIGNIN_FAILURES_PER_ACCOUNT: i64 = 5;
/// Failed sign-ins allowed per client address per window.
pub const MAX_SIGNIN_FAILURES_PER_ADDRESS: i64 = 20;

/// Where the server reads the time: the system clock, or a manual one in tests.
#[derive(Debug, Clone, Default)]
pub struct Clock(Option<Arc<AtomicI64>>);

impl Clock {
    pub fn system() -> Clock {
        Clock(None)
    }

    /// A clock standing at `now_ms` until moved.
    pub fn manual(now_ms: i64) -> Clock {
        Clock(Some(Arc::new(AtomicI64::new(now_ms))))
    }

    pub fn now_ms(&self) -> i64 {
        match &self.0 {
            Some(t) => t.load(Ordering::SeqCst),
            None => skyledger_meta::now_ms(),
        }
    }

    /// Moves a manual clock forward; a system clock ignores it.
    pub fn advance_ms(&self, ms: i64) {
        if let Some(t) = &self.0 {
            t.fetch_add(ms, Ordering::SeqCst);
        }
    }
}

/// An OAuth error, named as the spec names it (`error` in JSON bodies and redirects).
#[derive(Debug, thiserror::Error)]
pub enum OauthError {
    #[error("{0}")]
    InvalidRequest(String),
    #[error("unknown or deleted client")]
    InvalidClient,
    #[error("wrong or missing client_secret")]
    InvalidClientSecret,
    #[error("redirect_uri is not one registered for this client")]
    InvalidRedirectUri,
    #[error("the code or token is invalid, expired, revoked or already used")]
    InvalidCode,
    #[error("{0}")]
    InvalidScope(String),
    #[error("grant_type {0:?} is not supported here")]
    UnsupportedGrantType(String),
    #[error("response_type {0:?} is not supported here")]
    InvalidResponseType(String),
    #[error("this client type may not use this flow")]
    UnauthorizedClient,
    #[error("access denied")]
    AccessDenied,
    /// The access-token throttle of spec §11.
    #[error("You have made too many requests continuously. Please try again after some time.")]
    Throttled,
    #[error("the user has not entered the code and granted access yet")]
    AuthorizationPending,
    #[error("polling faster than once per 5 seconds")]
    SlowDown,
    #[error("the device code has expired")]
    Expired,
    #[error("the token is invalid")]
    InvalidToken,
    #[error("the user has not granted this app access for the session")]
    ClientNotGranted,
    #[error("the user must sign in again")]
    PromptRequired,
    #[error(transparent)]
    Store(#[from] MetaError),
}

impl OauthError {
    /// The `error` value of the spec.
    pub fn code(&self) -> &'static str {
        match self {
            OauthError::InvalidRequest(_) => "invalid_request",
            OauthError::InvalidClient => "invalid_client",
            OauthError::InvalidClientSecret => "invalid_client_secret",
            OauthError::InvalidRedirectUri => "invalid_redirect_uri",
            OauthError::InvalidCode => "invalid_code",
            OauthError::InvalidScope(_) => "invalid_scope",
            OauthError::UnsupportedGrantType(_) => "unsupported_grant_type",
            OauthError::InvalidResponseType(_) => "invalid_response_type",
            OauthError::UnauthorizedClient => "unauthorized_client",
            OauthError::AccessDenied => "access_denied",
            // spec §11 gives this exact value, with a space and capitals.
            OauthError::Throttled => "Access Denied",
            OauthError::AuthorizationPending => "authorization_pending",
            OauthError::SlowDown => "slow_down",
            OauthError::Expired => "expired",
            OauthError::InvalidToken => "invalid_token",
            OauthError::ClientNotGranted => "client_not_granted",
            OauthError::PromptRequired => "prompt_required",
            OauthError::Store(_) => "general_error",
        }
    }

    /// The HTTP status answered with the error.
    pub fn status(&self) -> u16 {
        match self {
            OauthError::InvalidClient | OauthError::InvalidClientSecret => 401,
            OauthError::Throttled => 429,
            OauthError::Store(_) => 500,
            _ => 400,
        }
    }
}

/// SHA-256, hex: how every code, secret and refresh token is stored.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Compares two strings in time independent of where they differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// `n` random bytes as lowercase hex.
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::fill(&mut bytes[..]);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = Clock::manual(1_000);
        assert_eq!(clock.now_ms(), 1_000);
        clock.advance_ms(CODE_TTL_MS);
        assert_eq!(clock.now_ms(), 121_000);
        assert!(Clock::system().now_ms() > 1_600_000_000_000);
    }

    #[test]
    fn same_compares_whole_strings() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
    }
}
