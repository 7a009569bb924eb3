//! One test per limit of spec §11 (and the code and device-code lifetimes), by moving the clock.

use reqwest::StatusCode;
use skyledger_auth::oauth::ClientType;

use super::*;

const TEN_MINUTES: i64 = 10 * 60 * 1000;

#[tokio::test]
async fn the_eleventh_access_token_in_ten_minutes_is_refused_and_ten_stay_live() {
    let server = start().await;
    let (id, secret) = server.client(ClientType::Server).await;
    let browser = server.signed_in(ADMIN).await;
    // The code exchange made the first token; nine refreshes make ten.
    let (first, refresh_token) = offline_grant(&server, &browser, &id, &secret).await;
    let mut tokens = vec![first];
    for _ in 0..9 {
        let (status, body) = refresh(&server, &id, &secret, &refresh_token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        tokens.push(body["access_token"].as_str().unwrap().to_string());
    }
    let (status, body) = refresh(&server, &id, &secret, &refresh_token).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["error"], "Access Denied", "spec §11's exact value");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("too many requests")
    );
    // Blocked for the rest of the ten minutes, then allowed again.
    server.clock.advance_ms(TEN_MINUTES - 1);
    assert_eq!(
        refresh(&server, &id, &secret, &refresh_token).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    server.clock.advance_ms(1);
    let (status, _) = refresh(&server, &id, &secret, &refresh_token).await;
    assert_eq!(status, StatusCode::OK);
    // Eleven tokens would be live: the oldest was invalidated, the others still work.
    assert_eq!(
        server.api(READ_ROUTE, &tokens[0]).await,
        StatusCode::UNAUTHORIZED
    );
    assert_ne!(
        server.api(READ_ROUTE, &tokens[1]).await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_twenty_first_refresh_token_invalidates_the_oldest() {
    let server = start().await;
    let (id, secret) = server.client(ClientType::Server).await;
    let browser = server.signed_in(ADMIN).await;
    let mut grants = Vec::new();
    for i in 0..21 {
        if i > 0 && i % 10 == 0 {
            server.clock.advance_ms(TEN_MINUTES); // the code limit
        }
        grants.push(offline_grant(&server, &browser, &id, &secret).await);
    }
    let (status, body) = refresh(&server, &id, &secret, &grants[0].1).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_code"))
    );
    assert_eq!(
        server.api(READ_ROUTE, &grants[0].0).await,
        StatusCode::UNAUTHORIZED
    );
    for (access, refresh_token) in &grants[1..] {
        assert_ne!(
            server.api(READ_ROUTE, access).await,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            refresh(&server, &id, &secret, refresh_token).await.0,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn the_eleventh_code_in_ten_minutes_is_access_denied() {
    let server = start().await;
    let (id, _) = server.client(ClientType::Server).await;
    let browser = server.signed_in(ADMIN).await;
    for _ in 0..10 {
        code_for(&server, &browser, &id, &[]).await;
    }
    let url = auth_url(
        &server,
        "/oauth/v2/auth",
        &id,
        &[("response_type", "code"), ("scope", READ)],
    );
    let refused = browser.authorize(&url).await;
    assert_eq!(param(&refused, "error").as_deref(), Some("access_denied"));
    assert!(param(&refused, "code").is_none());
    server.clock.advance_ms(TEN_MINUTES);
    assert!(param(&browser.authorize(&url).await, "code").is_some());
}

#[tokio::test]
async fn codes_live_two_minutes_and_a_reused_code_revokes_its_tokens() {
    let server = start().await;
    let (id, secret) = server.client(ClientType::Server).await;
    let browser = server.signed_in(ADMIN).await;
    let code = code_for(&server, &browser, &id, &[]).await;
    server.clock.advance_ms(2 * 60 * 1000);
    assert_eq!(
        exchange(&server, &id, &secret, &code).await.1["error"],
        "invalid_code"
    );

    let code = code_for(&server, &browser, &id, &[]).await;
    server.clock.advance_ms(2 * 60 * 1000 - 1);
    let (status, body) = exchange(&server, &id, &secret, &code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let access = body["access_token"].as_str().unwrap();
    assert_ne!(
        server.api(READ_ROUTE, access).await,
        StatusCode::UNAUTHORIZED
    );
    let (status, body) = exchange(&server, &id, &secret, &code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_code"))
    );
    assert_eq!(
        server.api(READ_ROUTE, access).await,
        StatusCode::UNAUTHORIZED,
        "replay revokes"
    );
}

#[tokio::test]
async fn the_thirty_first_device_code_from_one_address_is_access_denied() {
    let server = start().await;
    let (id, _) = server.client(ClientType::NonBrowser).await;
    let ask = || async {
        server
            .post(
                "/oauth/v3/device/code",
                &[
                    ("grant_type", "device_request"),
                    ("client_id", &id),
                    ("scope", READ),
                ],
            )
            .await
    };
    for _ in 0..30 {
        assert_eq!(ask().await.0, StatusCode::OK);
    }
    let (status, body) = ask().await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("access_denied"))
    );
    server.clock.advance_ms(TEN_MINUTES);
    assert_eq!(ask().await.0, StatusCode::OK);
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_account_and_per_address() {
    let server = start().await;
    let browser = server.browser().await;
    for _ in 0..5 {
        assert_eq!(
            browser.sign_in(ADMIN, "wrong password").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    // Past the limit even the right password is refused, until the window passes.
    let blocked = browser.sign_in(ADMIN, PASSWORD).await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    server.clock.advance_ms(15 * 60 * 1000);
    assert_eq!(
        browser.sign_in(ADMIN, PASSWORD).await.status,
        StatusCode::FOUND
    );

    // Per address: twenty failures over many accounts block every account from this address.
    for i in 0..20 {
        let page = browser
            .sign_in(&format!("nobody{i}@example.com"), "wrong password")
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        browser.sign_in(ADMIN, PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    server.clock.advance_ms(15 * 60 * 1000);
    assert_eq!(
        browser.sign_in(ADMIN, PASSWORD).await.status,
        StatusCode::FOUND
    );
}
