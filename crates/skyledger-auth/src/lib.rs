//! OAuth 2.0 authorization server, scopes, users and tokens.

pub mod oauth;
pub mod passwords;
pub mod tokens;

pub use tokens::{AuthError, Caller, authenticate, issue_access_token};
