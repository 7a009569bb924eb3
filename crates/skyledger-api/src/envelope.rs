//! The CloudSpend envelope: `{"code":0,"message":"success","data":…}` for success and
//! `{"code":<status>,"message":<reason>,"error":<what is wrong>}` for errors. This is the one
//! place where errors become HTTP statuses, so the status line and `code` always agree.

use std::any::Any;

use axum::Json;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;
use skyledger_auth::AuthError;
use skyledger_meta::MetaError;

/// An error answered to the client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    NotImplemented(String),
    #[error("{0}")]
    Unavailable(String),
    /// The detail is logged, never sent.
    #[error("{0}")]
    Internal(String),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::NotImplemented(_) => StatusCode::NOT_IMPLEMENTED,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// The error body for `status` with the text `error`.
pub fn error_body(status: StatusCode, error: &str) -> Response {
    let body = json!({
        "code": status.as_u16(),
        "message": status.canonical_reason().unwrap_or("Error"),
        "error": error,
    });
    (status, Json(body)).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        match self {
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                error_body(status, "internal error; the server log has the details")
            }
            other => error_body(status, &other.to_string()),
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(err: AuthError) -> ApiError {
        match err {
            AuthError::MissingScope(_) => ApiError::Forbidden(err.to_string()),
            AuthError::Store(e) => ApiError::from(e),
            other => ApiError::Unauthorized(other.to_string()),
        }
    }
}

impl From<MetaError> for ApiError {
    fn from(err: MetaError) -> ApiError {
        match err {
            MetaError::Conflict(msg) => ApiError::BadRequest(msg),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// A success envelope around `data`.
pub fn ok<T: Serialize>(data: T) -> Response {
    Json(json!({"code": 0, "message": "success", "data": data})).into_response()
}

pub(crate) async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::NotFound(format!("no route for {method} {}", uri.path()))
}

pub(crate) fn method_not_allowed(method: &Method, path: &str, allow: &str) -> Response {
    let mut response = ApiError::MethodNotAllowed(format!(
        "{method} is not allowed on {path}; allowed: {allow}"
    ))
    .into_response();
    if let Ok(value) = HeaderValue::from_str(allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}

/// A handler panicked: answer 500 in the envelope; the panic message goes to the log only.
pub(crate) fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    ApiError::Internal(format!("handler panicked: {detail}")).into_response()
}
