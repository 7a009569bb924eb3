//! The gate in front of every spec route: authentication, the route's scope, then the shape of
//! its path parameters. The caller is left in the request extensions for handlers.

use std::sync::Arc;

use axum::RequestPartsExt;
use axum::extract::{RawPathParams, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use skyledger_meta::Meta;
use skyledger_types::Operation;

use crate::envelope::ApiError;

/// What a path parameter must look like, by its name in the spec's path templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParamKind {
    /// A numeric id (the spec's ids have 17 digits; examples also show short ones).
    Id,
    /// `account_type`: 0 account, 1 cost center, 2 report.
    AccountType,
    /// A small numeric code (`plan_id`, `product_id`).
    Number,
    /// A provider resource id (ARNs, Azure resource paths, instance ids).
    ResourceId,
}

pub(crate) fn param_kind(name: &str) -> ParamKind {
    match name {
        "account_type" | "accountType" => ParamKind::AccountType,
        "plan_id" | "product_id" => ParamKind::Number,
        "resource_id" => ParamKind::ResourceId,
        _ => ParamKind::Id,
    }
}

/// Checks one path parameter; the error names it.
pub(crate) fn check_param(name: &str, value: &str) -> Result<(), String> {
    let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    match param_kind(name) {
        ParamKind::Id if digits && value.len() <= 19 => Ok(()),
        ParamKind::Id => Err(format!(
            "path parameter {name} must be a numeric id (like 33240000000059001), got {value:?}"
        )),
        ParamKind::AccountType if matches!(value, "0" | "1" | "2") => Ok(()),
        ParamKind::AccountType => Err(format!(
            "path parameter {name} must be 0 (account), 1 (cost center) or 2 (report), got {value:?}"
        )),
        ParamKind::Number if digits && value.len() <= 19 => Ok(()),
        ParamKind::Number => Err(format!(
            "path parameter {name} must be a number, got {value:?}"
        )),
        ParamKind::ResourceId
            if !value.is_empty() && value.len() <= 2048 && !value.chars().any(char::is_control) =>
        {
            Ok(())
        }
        ParamKind::ResourceId => Err(format!(
            "path parameter {name} must be a resource id of 1 to 2048 printable characters"
        )),
    }
}

#[derive(Clone)]
pub(crate) struct Gate(Arc<GateInner>);

struct GateInner {
    meta: Meta,
    operation: Operation,
    path: &'static str,
}

impl Gate {
    pub(crate) fn new(meta: Meta, operation: Operation, path: &'static str) -> Gate {
        Gate(Arc::new(GateInner {
            meta,
            operation,
            path,
        }))
    }
}

pub(crate) async fn gate(State(gate): State<Gate>, request: Request, next: Next) -> Response {
    match admit(&gate, request).await {
        Ok(request) => next.run(request).await,
        Err(err) => err.into_response(),
    }
}

async fn admit(gate: &Gate, request: Request) -> Result<Request, ApiError> {
    let header = request
        .headers()
        .get(AUTHORIZATION)
        .map(|v| {
            v.to_str()
                .map_err(|_| ApiError::Unauthorized("malformed Authorization header".into()))
        })
        .transpose()?;
    let caller = skyledger_auth::tokens::authorize(&gate.0.meta, header, gate.0.operation).await?;
    let (mut parts, body) = request.into_parts();
    let params = parts
        .extract::<RawPathParams>()
        .await
        .map_err(|e| ApiError::BadRequest(format!("bad path for {}: {e}", gate.0.path)))?;
    for (name, value) in &params {
        check_param(name, value).map_err(ApiError::BadRequest)?;
    }
    parts.extensions.insert(caller);
    Ok(Request::from_parts(parts, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_numeric_and_bounded() {
        assert!(check_param("budget_id", "33240000000059001").is_ok());
        assert!(check_param("budget_id", "73").is_ok());
        for bad in ["", "abc", "12a", "-1", "12345678901234567890", "1.5"] {
            assert!(
                check_param("budget_id", bad)
                    .unwrap_err()
                    .contains("budget_id"),
                "{bad}"
            );
        }
    }

    #[test]
    fn account_types_and_resources() {
        assert!(check_param("account_type", "2").is_ok());
        assert!(check_param("accountType", "3").is_err());
        assert!(check_param("resource_id", "arn:aws:ec2:us-east-1:123:instance/i-0abc").is_ok());
        assert!(check_param("resource_id", "a\nb").is_err());
        assert!(check_param("product_id", "1").is_ok());
        assert!(check_param("plan_id", "x").is_err());
    }
}
