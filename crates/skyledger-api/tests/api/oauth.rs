//! OAuth 2.0 flows driven over HTTP by an independent client library.
