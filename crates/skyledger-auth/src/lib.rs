//! OAuth 2.0 authorization server, scopes, users and tokens.
