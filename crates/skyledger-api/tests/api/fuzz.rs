//! Malformed-input fuzz: random bodies, query strings and headers against random routes. The
//! server must never panic through, never answer 200 to garbage, and always agree with itself:
//! the status line equals the body's `code`.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use skyledger_api::inventory;

use crate::spawn_app;

const JUNK_BODIES: &[&str] = &[
    "",
    "{",
    "}",
    "null",
    "[]",
    "{\"start_date\":",
    "{\"accounts\":[{\"cost_account_id\":{}}]}",
    "\u{0}\u{1}\u{2}",
    "{\"a\":1e999999}",
    "{\"JSONString\":\"{\"}",
    "<xml/>",
    "\"just a string\"",
];

fn random_text(rng: &mut StdRng, max: usize) -> String {
    let len = rng.random_range(0..max);
    (0..len)
        .map(|_| match rng.random_range(0..6) {
            0 => rng.random_range(0x20u8..0x7f) as char,
            1 => ['{', '}', '[', ']', '"', ':', ',', '%', '&', '='][rng.random_range(0..10)],
            2 => char::from_u32(rng.random_range(0x80..0x2fff)).unwrap_or('?'),
            _ => rng.random_range(b'a'..=b'z') as char,
        })
        .collect()
}

fn concrete_path(rng: &mut StdRng, template: &str) -> String {
    template
        .split('/')
        .map(|segment| {
            if !segment.starts_with('{') {
                return segment.to_string();
            }
            match rng.random_range(0..4) {
                0 => "33240000000059001".to_string(),
                1 => form_urlencoded::byte_serialize(random_text(rng, 12).as_bytes()).collect(),
                2 => "-1".to_string(),
                _ => "9".repeat(rng.random_range(1..30)),
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn random_garbage_never_gets_200_or_a_disagreeing_code() {
    let app = spawn_app().await;
    let routes = inventory();
    let mut rng = StdRng::seed_from_u64(0x5eed_1ed6e5);
    let methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];
    let mut statuses = std::collections::BTreeMap::new();
    for i in 0..600 {
        let route = &routes[rng.random_range(0..routes.len())];
        let method = if rng.random_bool(0.7) {
            route.method.as_str()
        } else {
            methods[rng.random_range(0..methods.len())]
        };
        let mut uri = if rng.random_bool(0.9) {
            concrete_path(&mut rng, route.path)
        } else {
            format!(
                "/cs/api/{}",
                random_text(&mut rng, 20).replace(['?', '#', ' '], "x")
            )
        };
        if rng.random_bool(0.5) {
            let query: String = form_urlencoded::Serializer::new(String::new())
                .append_pair("JSONString", &random_text(&mut rng, 40))
                .append_pair(&random_text(&mut rng, 6), &random_text(&mut rng, 10))
                .finish();
            uri = format!("{uri}?{query}");
        }
        let body = if rng.random_bool(0.5) {
            JUNK_BODIES[rng.random_range(0..JUNK_BODIES.len())].to_string()
        } else {
            random_text(&mut rng, 300)
        };
        let auth = match rng.random_range(0..5) {
            0 => None,
            1 => Some(format!("Zoho-oauthtoken {}", app.admin_token)),
            2 => Some(format!("Bearer {}", random_text(&mut rng, 30))),
            3 => Some(random_text(&mut rng, 50)),
            _ => Some(format!("Bearer {}", app.admin_token)),
        };
        let Ok(parsed_uri) = uri.parse::<axum::http::Uri>() else {
            continue;
        };
        let mut builder = Request::builder().method(method).uri(parsed_uri);
        if let Some(auth) = auth.filter(|a| axum::http::HeaderValue::from_str(a).is_ok()) {
            builder = builder.header("Authorization", auth);
        }
        if rng.random_bool(0.3) {
            builder = builder.header(
                "content-type",
                random_text(&mut rng, 20).replace(|c: char| !c.is_ascii_graphic(), "x"),
            );
        }
        let request = builder.body(Body::from(body.clone())).unwrap();
        let (status, json, text) = app.send(request).await;
        *statuses.entry(status.as_u16()).or_insert(0) += 1;
        assert_ne!(
            status,
            StatusCode::OK,
            "case {i}: {method} {uri} {body:?} got 200: {text}"
        );
        if method == "HEAD" {
            continue;
        }
        assert_eq!(
            json["code"].as_u64(),
            Some(status.as_u16() as u64),
            "case {i}: {method} {uri}: status {status} but body {text}"
        );
        assert!(json["error"].as_str().is_some(), "case {i}: {text}");
    }
    eprintln!("fuzz status counts: {statuses:?}");
    assert!(
        statuses.len() >= 4,
        "the fuzz should reach several kinds of answer: {statuses:?}"
    );
    // The server still answers normally afterwards.
    let (status, _) = app.call("GET", "/readyz", None).await;
    assert_eq!(status, StatusCode::OK);
}
