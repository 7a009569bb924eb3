//! The envelope and error rules on every kind of answer.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use skyledger_types::{Operation, Scopes};

use crate::{assert_error_envelope, spawn_app};

const STUB: &str = "/cs/api/cost/budget/budget_info/33240000000059001";

fn get(uri: &str, auth: Option<&str>) -> Request<Body> {
    let mut builder = Request::builder().method("GET").uri(uri);
    if let Some(auth) = auth {
        builder = builder.header("Authorization", auth);
    }
    builder.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn unknown_route_is_404_in_the_envelope() {
    let app = spawn_app().await;
    let (status, body, _) = app.send(get("/cs/api/cost/nope", None)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error_envelope(status, &body);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("/cs/api/cost/nope")
    );
}

#[tokio::test]
async fn wrong_method_is_405_with_allow() {
    let app = spawn_app().await;
    let request = Request::builder()
        .method("DELETE")
        .uri("/cs/api/cost/users")
        .body(Body::empty())
        .unwrap();
    let response = tower::ServiceExt::oneshot(app.router.clone(), request)
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let allow = response.headers()["allow"].to_str().unwrap().to_string();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    let (status, body, _) = app
        .send(
            Request::builder()
                .method("PATCH")
                .uri(STUB)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_error_envelope(status, &body);
}

#[tokio::test]
async fn missing_unknown_malformed_expired_revoked_tokens_are_401() {
    let app = spawn_app().await;
    let expired = app.token(Scopes::all(), -10).await;
    let revoked = app.token(Scopes::all(), 600).await;
    let stored = app
        .state
        .meta
        .access_token_by_hash(&skyledger_auth::tokens::hash_token(&revoked))
        .await
        .unwrap()
        .unwrap();
    app.state
        .meta
        .revoke_access_token(&stored.id)
        .await
        .unwrap();
    let cases = [
        None,
        Some("Zoho-oauthtoken 1000.unknown.token".to_string()),
        Some("Basic abc".to_string()),
        Some(app.admin_token.clone()),
        Some(format!("Bearer {expired}")),
        Some(format!("Zoho-oauthtoken {revoked}")),
        Some(format!("Bearer {}x", app.admin_token)),
    ];
    for auth in cases {
        let (status, body, _) = app.send(get(STUB, auth.as_deref())).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{auth:?}: {body}");
        assert_error_envelope(status, &body);
    }
}

#[tokio::test]
async fn missing_scope_is_403_and_all_grants_every_operation() {
    let app = spawn_app().await;
    let create_only = app
        .token(Scopes::default().with(Operation::Create), 600)
        .await;
    let (status, body, _) = app
        .send(get(STUB, Some(&format!("Bearer {create_only}"))))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_error_envelope(status, &body);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("CloudSpend.Internal.Read")
    );

    // A POST route whose operation is Read needs Read, not Create.
    let request = Request::builder()
        .method("POST")
        .uri("/cs/api/cost/cost_centers/trend_box")
        .header("Authorization", format!("Bearer {create_only}"))
        .body(Body::from("{}"))
        .unwrap();
    let (status, _, _) = app.send(request).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let read = app
        .token(Scopes::default().with(Operation::Read), 600)
        .await;
    let (status, _, _) = app.send(get(STUB, Some(&format!("Bearer {read}")))).await;
    assert_ne!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = app
        .send(get(STUB, Some(&format!("Bearer {}", app.admin_token))))
        .await;
    assert_ne!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn unbuilt_endpoints_answer_501_after_auth() {
    let app = spawn_app().await;
    let (status, body) = app.call("GET", STUB, None).await;
    assert_eq!(status, StatusCode::NOT_IMPLEMENTED);
    assert_error_envelope(status, &body);
    assert_eq!(
        body["error"],
        "GET /cs/api/cost/budget/budget_info/{budget_id} is not implemented yet"
    );
    let (status, _, _) = app.send(get(STUB, None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "auth comes before 501");
}

#[tokio::test]
async fn malformed_path_ids_are_400_naming_the_parameter() {
    let app = spawn_app().await;
    for (uri, name) in [
        ("/cs/api/cost/budget/budget_info/abc", "budget_id"),
        (
            "/cs/api/cost/budget/budget_info/123456789012345678901",
            "budget_id",
        ),
        ("/cs/api/cost/budget/budget_policys/7", "account_type"),
        ("/cs/api/cost/users/1%202", "userId"),
    ] {
        let (status, body) = app.call("GET", uri, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert_error_envelope(status, &body);
        assert!(
            body["error"].as_str().unwrap().contains(name),
            "{uri}: {body}"
        );
    }
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let app = spawn_app().await;
    let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(100 * 1024));
    let (status, body) = app
        .call("POST", "/cs/api/cost/accounts/trend_box", Some(&big))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_error_envelope(status, &body);
}

#[tokio::test]
async fn system_endpoints() {
    let app = spawn_app().await;
    let (status, body, _) = app.send(get("/healthz", None)).await;
    assert_eq!((status, body["code"].as_i64()), (StatusCode::OK, Some(0)));
    let (status, body, _) = app.send(get("/readyz", None)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.call("GET", STUB, None).await;
    let request = get("/metrics", None);
    let response = tower::ServiceExt::oneshot(app.router.clone(), request)
        .await
        .unwrap();
    assert!(response.headers().contains_key("x-request-id"));
    let (_, _, text) = app.send(get("/metrics", None)).await;
    assert!(
        text.contains(
            "skyledger_http_requests_total{route=\"/cs/api/cost/budget/budget_info/{budget_id}\",method=\"GET\",status=\"501\"} 1"
        ),
        "{text}"
    );
}

#[tokio::test]
async fn request_ids_are_echoed_when_plain_and_replaced_otherwise() {
    let app = spawn_app().await;
    for (sent, kept) in [("abc-123", true), ("bad id with spaces", false)] {
        let request = Request::builder()
            .uri("/healthz")
            .header("x-request-id", sent)
            .body(Body::empty())
            .unwrap();
        let response = tower::ServiceExt::oneshot(app.router.clone(), request)
            .await
            .unwrap();
        let got = response.headers()["x-request-id"].to_str().unwrap();
        assert_eq!(got == sent, kept, "{got}");
    }
}

mod input {
    //! Typed input through the real layers, on probe routes.

    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::{get, post};
    use serde::Deserialize;
    use skyledger_api::{ApiError, Input, ok};

    use crate::{assert_error_envelope, spawn_app};

    #[allow(dead_code)]
    #[derive(Deserialize)]
    struct Account {
        cost_account_id: String,
        billing_account_ids: Vec<String>,
    }

    #[allow(dead_code)]
    #[derive(Deserialize)]
    struct Query {
        start_date: String,
        period: i64,
        accounts: Vec<Account>,
    }

    async fn probe(Input(q): Input<Query>) -> axum::response::Response {
        ok(
            serde_json::json!({"start_date": q.start_date, "period": q.period, "accounts": q.accounts.len()}),
        )
    }

    async fn boom() -> &'static str {
        panic!("secret panic detail")
    }

    async fn app() -> crate::TestApp {
        let mut app = spawn_app().await;
        let router = Router::new()
            .route("/probe", post(probe).get(probe))
            .route("/boom", get(boom))
            .route(
                "/fail",
                get(|| async { Err::<String, _>(ApiError::Internal("secret db detail".into())) }),
            );
        app.router = skyledger_api::finish(router, app.state.clone());
        app
    }

    async fn post_body(app: &crate::TestApp, body: &str) -> (StatusCode, serde_json::Value) {
        let request = Request::builder()
            .method("POST")
            .uri("/probe")
            .body(Body::from(body.to_string()))
            .unwrap();
        let (status, json, _) = app.send(request).await;
        (status, json)
    }

    #[tokio::test]
    async fn good_body_and_query_forms() {
        let app = app().await;
        let (status, body) = post_body(
            &app,
            r#"{"start_date":"2026-01-01","period":1,"accounts":[{"cost_account_id":"1","billing_account_ids":[]}]}"#,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["accounts"], 1);
        let json = r#"{"start_date":"2026-01-01","accounts":[]}"#;
        let uri = format!(
            "/probe?period=3&JSONString={}",
            form_urlencoded::byte_serialize(json.as_bytes()).collect::<String>()
        );
        let (status, body, _) = app
            .send(Request::get(uri).body(Body::empty()).unwrap())
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["period"], 3);
    }

    #[tokio::test]
    async fn bad_bodies_are_400_naming_the_field() {
        let app = app().await;
        for (body, needle) in [
            (
                r#"{"start_date":"x","period":1,"accounts":[{"cost_account_id":5,"billing_account_ids":[]}]}"#,
                "accounts[0].cost_account_id",
            ),
            (
                r#"{"start_date":"x","period":"one","accounts":[]}"#,
                "period",
            ),
            (r#"{"period":1,"accounts":[]}"#, "start_date"),
            (
                r#"{"start_date":"x","period":1,"accounts":[{"billing_account_ids":[]}]}"#,
                "cost_account_id",
            ),
            (r#"{"start_date": "x", "period": 1,"#, "malformed JSON"),
            ("[1,2]", "invalid"),
        ] {
            let (status, json) = post_body(&app, body).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {json}");
            assert_error_envelope(status, &json);
            assert!(
                json["error"].as_str().unwrap().contains(needle),
                "{body}: {json}"
            );
        }
        let (status, json, _) = app
            .send(
                Request::get("/probe?JSONString=%7Bnot%20json")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            json["error"].as_str().unwrap().contains("JSONString"),
            "{json}"
        );
    }

    #[tokio::test]
    async fn bodies_without_length_over_the_limit_are_413() {
        let app = app().await;
        let chunks: Vec<Result<String, std::io::Error>> =
            (0..100).map(|_| Ok("x".repeat(1024))).collect();
        let body = Body::from_stream(futures::stream::iter(chunks));
        let request = Request::builder()
            .method("POST")
            .uri("/probe")
            .body(body)
            .unwrap();
        let (status, json, _) = app.send(request).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{json}");
        assert_error_envelope(status, &json);
    }

    #[tokio::test]
    async fn internal_failures_and_panics_are_500_without_detail() {
        let app = app().await;
        for uri in ["/boom", "/fail"] {
            let (status, json, text) = app
                .send(Request::get(uri).body(Body::empty()).unwrap())
                .await;
            assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
            assert_error_envelope(status, &json);
            assert!(!text.contains("secret"), "{text}");
        }
    }
}
