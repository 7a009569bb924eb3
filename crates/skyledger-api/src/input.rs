//! Typed request input: a JSON body (POST/PUT), or for GET/DELETE the query string — either
//! plain parameters or a `JSONString` parameter holding URL-encoded JSON, or both merged.
//! Every failure is a 400 that names the field, or 413 for a body over the limit.

use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::Method;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::envelope::ApiError;

/// The input of endpoints that take none: an empty object; any parameter is 400 naming it.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoInput {}

/// The request's input parsed into `T`.
#[derive(Debug, Clone)]
pub struct Input<T>(pub T);

/// The body limit in force, put in the request extensions by the body-limit middleware.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyLimit(pub usize);

impl<T, S> FromRequest<S> for Input<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, ApiError> {
        let query = request.uri().query().unwrap_or("").to_string();
        let limit = request
            .extensions()
            .get::<BodyLimit>()
            .map_or(1 << 20, |l| l.0);
        let reads_query = matches!(
            *request.method(),
            Method::GET | Method::HEAD | Method::DELETE
        );
        let body = read_body(request.into_body(), limit).await?;
        let has_body = !body.iter().all(u8::is_ascii_whitespace);
        // A GET with a JSON body and no query string reads the body (one spec example does so).
        let (value, plain_keys) = if has_body && (!reads_query || query.is_empty()) {
            (parse_json(&body, "request body")?, Vec::new())
        } else {
            query_value(&query)?
        };
        deserialize(value, &plain_keys).map(Input)
    }
}

async fn read_body(body: Body, limit: usize) -> Result<bytes::Bytes, ApiError> {
    axum::body::to_bytes(body, limit).await.map_err(|err| {
        let too_large = std::error::Error::source(&err)
            .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
        if too_large {
            ApiError::PayloadTooLarge(format!("the request body is larger than {limit} bytes"))
        } else {
            ApiError::BadRequest(format!("the request body could not be read: {err}"))
        }
    })
}

fn parse_json(bytes: &[u8], what: &str) -> Result<Value, ApiError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::BadRequest(format!("malformed JSON in the {what}: {e}")))
}

/// The query as one JSON object: `JSONString`'s object, plus the plain parameters it lacks
/// (as strings; see `deserialize` for numbers). Returns the plain parameters' names.
pub(crate) fn query_value(query: &str) -> Result<(Value, Vec<String>), ApiError> {
    let mut object = Map::new();
    let mut plain = Vec::new();
    let mut json_string = None;
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        if key == "JSONString" {
            if json_string.is_some() {
                return Err(ApiError::BadRequest(
                    "JSONString is given more than once".into(),
                ));
            }
            json_string = Some(value.into_owned());
        } else {
            if object.contains_key(key.as_ref()) {
                return Err(ApiError::BadRequest(format!(
                    "query parameter {key} is given more than once"
                )));
            }
            plain.push(key.to_string());
            object.insert(key.into_owned(), Value::String(value.into_owned()));
        }
    }
    if let Some(text) = json_string {
        match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(fields)) => {
                for (key, value) in fields {
                    if object.contains_key(&key) {
                        return Err(ApiError::BadRequest(format!(
                            "{key} is given both in JSONString and as a query parameter"
                        )));
                    }
                    object.insert(key, value);
                }
            }
            Ok(_) => {
                return Err(ApiError::BadRequest(
                    "JSONString must hold a JSON object".into(),
                ));
            }
            Err(e) => {
                return Err(ApiError::BadRequest(format!(
                    "JSONString is not well-formed JSON: {e}"
                )));
            }
        }
    }
    Ok((Value::Object(object), plain))
}

/// Deserializes `value` into `T`, naming the field on failure. Plain query parameters arrive as
/// strings; where `T` wants a number or boolean there, the string is read as one and retried.
pub(crate) fn deserialize<T: DeserializeOwned>(
    mut value: Value,
    plain_keys: &[String],
) -> Result<T, ApiError> {
    for _ in 0..=plain_keys.len() {
        match serde_path_to_error::deserialize::<_, T>(value.clone()) {
            Ok(parsed) => return Ok(parsed),
            Err(err) => {
                let path = err.path().to_string();
                let retried =
                    plain_keys.contains(&path) && value.get_mut(&path).is_some_and(coerce_scalar);
                if !retried {
                    return Err(field_error(&path, err.inner()));
                }
            }
        }
    }
    Err(ApiError::BadRequest(
        "the request input could not be read".into(),
    ))
}

/// Turns a string that spells a number or boolean into that JSON value; false if it does not.
fn coerce_scalar(value: &mut Value) -> bool {
    let Value::String(text) = value else {
        return false;
    };
    let parsed = if let Ok(n) = text.parse::<i64>() {
        Value::from(n)
    } else if let Ok(b) = text.parse::<bool>() {
        Value::Bool(b)
    } else if let Some(n) = text
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
    {
        Value::Number(n)
    } else {
        return false;
    };
    *value = parsed;
    true
}

fn field_error(path: &str, err: &serde_json::Error) -> ApiError {
    if path.is_empty() || path == "." {
        ApiError::BadRequest(format!("invalid request input: {err}"))
    } else {
        ApiError::BadRequest(format!("invalid field {path}: {err}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Q {
        start_date: String,
        limit: Option<i64>,
        ids: Option<Vec<String>>,
    }

    fn parse(query: &str) -> Result<Q, ApiError> {
        let (value, plain) = query_value(query)?;
        deserialize(value, &plain)
    }

    #[test]
    fn plain_parameters_and_numbers() {
        let q = parse("start_date=2026-01-01&limit=5").unwrap();
        assert_eq!(q.limit, Some(5));
        assert_eq!(q.start_date, "2026-01-01");
    }

    #[test]
    fn json_string_encoded_and_merged() {
        let q = parse("JSONString=%7B%22start_date%22%3A%222026-01-01%22%2C%22ids%22%3A%5B%221%22%5D%7D&limit=2")
            .unwrap();
        assert_eq!(q.ids, Some(vec!["1".to_string()]));
        assert_eq!(q.limit, Some(2));
    }

    #[test]
    fn errors_name_the_field() {
        let err = parse("limit=5").unwrap_err().to_string();
        assert!(err.contains("start_date"), "{err}");
        let err = parse("start_date=x&limit=many").unwrap_err().to_string();
        assert!(err.contains("limit"), "{err}");
        let err = parse("JSONString={\"start_date\":5}")
            .unwrap_err()
            .to_string();
        assert!(err.contains("start_date"), "{err}");
        let err = parse("JSONString=SOME_STRING_VALUE")
            .unwrap_err()
            .to_string();
        assert!(err.contains("JSONString"), "{err}");
        let err = parse("JSONString=[1]").unwrap_err().to_string();
        assert!(err.contains("JSON object"), "{err}");
        let err = parse("start_date=a&start_date=b").unwrap_err().to_string();
        assert!(err.contains("more than once"), "{err}");
    }
}
