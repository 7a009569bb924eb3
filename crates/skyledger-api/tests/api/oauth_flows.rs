//! Every flow of spec §4–§10, §13, §14 end to end.

use std::time::Duration;

use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, DeviceAuthorizationUrl,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, StandardDeviceAuthorizationResponse,
    TokenResponse, TokenUrl,
};
use reqwest::StatusCode;
use skyledger_auth::oauth::ClientType;

use super::*;

macro_rules! oauth_client {
    ($server:expr, $id:expr, $secret:expr) => {
        BasicClient::new(ClientId::new($id.to_string()))
            .set_client_secret(ClientSecret::new($secret.to_string()))
            .set_auth_uri(AuthUrl::new($server.url("/oauth/v2/auth")).unwrap())
            .set_token_uri(TokenUrl::new($server.url("/oauth/v2/token")).unwrap())
            .set_redirect_uri(RedirectUrl::new(REDIRECT.to_string()).unwrap())
    };
}

#[tokio::test]
async fn authorization_code_with_pkce_s256_through_the_oauth2_crate() {
    let server = start().await;
    let (id, secret) = server.client(ClientType::Server).await;
    let client = oauth_client!(server, id, secret);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new(READ.into()))
        .add_extra_param("access_type", "offline")
        .set_pkce_challenge(challenge)
        .url();
    // Not signed in: the browser is sent to the sign-in page, which comes back here.
    let browser = server.browser().await;
    let first = browser.get(url.as_str()).await;
    assert_eq!(first.status, StatusCode::FOUND);
    assert!(
        first
            .location
            .as_deref()
            .unwrap()
            .starts_with("/oauth/v2/signin?next=")
    );
    assert_eq!(
        browser.sign_in(ADMIN, PASSWORD).await.status,
        StatusCode::FOUND
    );
    let consent = browser.get(url.as_str()).await;
    assert!(
        consent.body.contains("View your cloud costs"),
        "{}",
        consent.body
    );
    let target = browser.decide(&consent, "allow").await.target();
    assert!(target.as_str().starts_with(REDIRECT));
    assert_eq!(
        param(&target, "state").as_deref(),
        Some(csrf.secret().as_str())
    );
    assert_eq!(param(&target, "location").as_deref(), Some("us"));
    let code = param(&target, "code").unwrap();
    assert!(code.starts_with("1000."));

    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&http())
        .await
        .unwrap();
    assert_eq!(token.expires_in(), Some(Duration::from_secs(3600)));
    let access = token.access_token().secret();
    assert_ne!(
        server.api(READ_ROUTE, access).await,
        StatusCode::UNAUTHORIZED
    );
    assert_ne!(server.api(READ_ROUTE, access).await, StatusCode::FORBIDDEN);
    // Missing scope: 403.
    assert_eq!(
        server.api(CREATE_ROUTE, access).await,
        StatusCode::FORBIDDEN
    );

    // Refresh through the crate (client credentials in a Basic header).
    let refreshed = client
        .exchange_refresh_token(token.refresh_token().unwrap())
        .request_async(&http())
        .await
        .unwrap();
    assert!(refreshed.refresh_token().is_none());
    assert_ne!(
        server
            .api(READ_ROUTE, refreshed.access_token().secret())
            .await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn authorization_code_without_pkce_answers_exactly_the_spec_fields() {
    let server = start().await;
    let (id, secret) = server.client(ClientType::Server).await;
    let browser = server.signed_in(ADMIN).await;
    let code = code_for(&server, &browser, &id, &[("access_type", "offline")]).await;
    let (status, body) = exchange(&server, &id, &secret, &code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "access_token",
            "api_domain",
            "expires_in",
            "refresh_token",
            "token_type"
        ]
    );
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["api_domain"], server.base);

    // Consent is remembered: the second request skips the page, and being offline again
    // without prompt=consent it gets no new refresh token (spec §4: "for the first time").
    let page = browser
        .get(&auth_url(
            &server,
            "/oauth/v2/auth",
            &id,
            &[
                ("response_type", "code"),
                ("scope", READ),
                ("access_type", "offline"),
            ],
        ))
        .await;
    assert_eq!(
        page.status,
        StatusCode::FOUND,
        "no consent page the second time"
    );
    let (_, again) = exchange(
        &server,
        &id,
        &secret,
        &param(&page.target(), "code").unwrap(),
    )
    .await;
    assert!(again.get("refresh_token").is_none(), "{again}");
    // With prompt=consent the page comes back and so does a refresh token.
    let code = code_for(
        &server,
        &browser,
        &id,
        &[("access_type", "offline"), ("prompt", "consent")],
    )
    .await;
    let (_, third) = exchange(&server, &id, &secret, &code).await;
    assert!(third["refresh_token"].as_str().is_some(), "{third}");
    // Online access never gets one.
    let code = code_for(
        &server,
        &browser,
        &id,
        &[("access_type", "online"), ("prompt", "consent")],
    )
    .await;
    let (_, online) = exchange(&server, &id, &secret, &code).await;
    assert!(online.get("refresh_token").is_none());

    // A wrong secret, a wrong redirect URI.
    let code = code_for(&server, &browser, &id, &[]).await;
    let (status, body) = exchange(&server, &id, "nope", &code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client_secret"))
    );
    let code = code_for(&server, &browser, &id, &[]).await;
    let (status, body) = server
        .post(
            "/oauth/v2/token",
            &[
                ("grant_type", "authorization_code"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("redirect_uri", "http://127.0.0.1:9/other"),
                ("code", &code),
            ],
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_redirect_uri"))
    );
}

#[tokio::test]
async fn pkce_plain_works_and_a_wrong_verifier_is_refused() {
    let server = start().await;
    let (id, secret) = server.client(ClientType::Mobile).await;
    let browser = server.signed_in(ADMIN).await;
    // Mobile clients must use PKCE.
    let page = browser
        .get(&auth_url(
            &server,
            "/oauth/v2/auth",
            &id,
            &[("response_type", "code"), ("scope", READ)],
        ))
        .await;
    assert_eq!(
        param(&page.target(), "error").as_deref(),
        Some("invalid_request")
    );

    let verifier = "v".repeat(50);
    let client = oauth_client!(server, id, secret);
    let code = code_for(
        &server,
        &browser,
        &id,
        &[
            ("code_challenge", &verifier),
            ("code_challenge_method", "plain"),
        ],
    )
    .await;
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.clone()))
        .request_async(&http())
        .await
        .unwrap();
    assert!(!token.access_token().secret().is_empty());

    let (challenge, _right) = PkceCodeChallenge::new_random_sha256();
    let code = code_for(
        &server,
        &browser,
        &id,
        &[
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    let err = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(PkceCodeVerifier::new("w".repeat(50)))
        .request_async(&http())
        .await
        .unwrap_err();
    assert!(format!("{err:?}").contains("invalid_code"), "{err:?}");
}

#[tokio::test]
async fn implicit_flow_and_its_refresh_while_signed_in() {
    let server = start().await;
    let (id, _) = server.client(ClientType::ClientBased).await;
    let browser = server.signed_in(ADMIN).await;
    let url = auth_url(
        &server,
        "/oauth/v2/auth",
        &id,
        &[("response_type", "token"), ("scope", READ), ("state", "s1")],
    );
    let consent = browser.get(&url).await;
    assert!(
        consent.body.contains("renew its access"),
        "{}",
        consent.body
    );
    let form = forms(&consent.body).into_iter().next().unwrap();
    let target = browser
        .submit(
            &form,
            &[("decision", "allow"), ("granted_for_session", "true")],
        )
        .await
        .target();
    assert!(
        target.query().is_none(),
        "the token travels in the fragment only"
    );
    let token = param(&target, "access_token").unwrap();
    assert_eq!(param(&target, "expires_in").as_deref(), Some("3600"));
    assert_eq!(
        param(&target, "granted_for_session").as_deref(),
        Some("true")
    );
    assert_eq!(
        param(&target, "api_domain").as_deref(),
        Some(server.base.as_str())
    );
    assert_eq!(param(&target, "state").as_deref(), Some("s1"));
    assert_ne!(
        server.api(READ_ROUTE, &token).await,
        StatusCode::UNAUTHORIZED
    );

    let refresh_url = |scope: &str| {
        auth_url(
            &server,
            "/oauth/v2/auth/refresh",
            &id,
            &[("response_type", "token"), ("scope", scope)],
        )
    };
    let again = browser.get(&refresh_url(READ)).await.target();
    let second = param(&again, "access_token").unwrap();
    assert_ne!(second, token);
    assert_ne!(
        server.api(READ_ROUTE, &second).await,
        StatusCode::UNAUTHORIZED
    );
    // New scopes cannot be added this way.
    let wider = browser.get(&refresh_url(CREATE)).await.target();
    assert_eq!(param(&wider, "error").as_deref(), Some("invalid_scope"));
    // Without a session the app must prompt again.
    let stranger = server.browser().await;
    let lost = stranger.get(&refresh_url(READ)).await.target();
    assert_eq!(param(&lost, "error").as_deref(), Some("prompt_required"));
    // Denying consent sends access_denied back.
    let url = auth_url(
        &server,
        "/oauth/v2/auth",
        &id,
        &[("response_type", "token"), ("scope", CREATE)],
    );
    let denied = browser
        .decide(&browser.get(&url).await, "deny")
        .await
        .target();
    assert_eq!(param(&denied, "error").as_deref(), Some("access_denied"));
}

#[tokio::test]
async fn device_flow_through_the_oauth2_crate_and_in_the_spec_format() {
    let server = start().await;
    let (id, secret) = server.client(ClientType::NonBrowser).await;
    let client = oauth_client!(server, id, secret).set_device_authorization_url(
        DeviceAuthorizationUrl::new(server.url("/oauth/v3/device/code")).unwrap(),
    );
    let details: StandardDeviceAuthorizationResponse = client
        .exchange_device_code()
        .add_scope(Scope::new(READ.into()))
        .request_async(&http())
        .await
        .unwrap();
    assert_eq!(details.interval(), Duration::from_secs(5));
    assert_eq!(details.expires_in(), Duration::from_secs(300));
    let complete = details
        .verification_uri_complete()
        .unwrap()
        .secret()
        .clone();
    // The user opens the complete URL, signs in, verifies the code and accepts.
    let browser = server.signed_in(ADMIN).await;
    let entry = browser.get(&complete).await;
    assert!(
        entry.body.contains(details.user_code().secret()),
        "{}",
        entry.body
    );
    let form = forms(&entry.body).into_iter().next().unwrap();
    let consent = browser
        .submit(&form, &[("user_code", details.user_code().secret())])
        .await;
    let done = browser.decide(&consent, "allow").await;
    assert!(done.body.contains("Device connected"), "{}", done.body);
    // The crate polls (to the token endpoint with the RFC 8628 grant); its sleeps move the clock.
    let client = client.set_token_uri(TokenUrl::new(server.url("/oauth/v3/device/token")).unwrap());
    let clock = server.clock.clone();
    let token = client
        .exchange_device_access_token(&details)
        .request_async(
            &http(),
            move |d: Duration| {
                clock.advance_ms(d.as_millis() as i64);
                std::future::ready(())
            },
            None,
        )
        .await
        .unwrap();
    assert_ne!(
        server.api(READ_ROUTE, token.access_token().secret()).await,
        StatusCode::UNAUTHORIZED
    );

    // The spec's own format: milliseconds, verification_url, and the polling answers.
    let (status, start) = server
        .post(
            "/oauth/v3/device/code",
            &[
                ("grant_type", "device_request"),
                ("client_id", &id),
                ("scope", READ),
                ("access_type", "offline"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{start}");
    assert_eq!(start["interval"], 5000);
    assert_eq!(start["expires_in"], 300000);
    assert_eq!(start["verification_url"], server.url("/oauth/v3/device"));
    let device_code = start["device_code"].as_str().unwrap().to_string();
    let user_code = start["user_code"].as_str().unwrap().to_string();
    let poll = || async {
        server
            .post(
                "/oauth/v3/device/token",
                &[
                    ("grant_type", "device_token"),
                    ("client_id", &id),
                    ("client_secret", &secret),
                    ("code", &device_code),
                ],
            )
            .await
    };
    assert_eq!(poll().await.1["error"], "authorization_pending");
    assert_eq!(
        poll().await.1["error"],
        "slow_down",
        "two polls within 5 seconds"
    );
    server.clock.advance_ms(5000);
    assert_eq!(poll().await.1["error"], "authorization_pending");
    let entry = browser
        .get(&format!("/oauth/v3/device?devcode={user_code}"))
        .await;
    let form = forms(&entry.body).into_iter().next().unwrap();
    let consent = browser
        .submit(&form, &[("user_code", &user_code.to_lowercase())])
        .await;
    browser.decide(&consent, "allow").await;
    server.clock.advance_ms(5000);
    let (status, body) = poll().await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body["refresh_token"].as_str().is_some(),
        "offline, first time: {body}"
    );
    assert_eq!(body["expires_in"], 3600);
    server.clock.advance_ms(5000);
    assert_eq!(
        poll().await.1["error"],
        "invalid_code",
        "a device code works once"
    );

    // Denied, and expired after 5 minutes.
    let (_, start) = server
        .post(
            "/oauth/v3/device/code",
            &[
                ("grant_type", "device_request"),
                ("client_id", &id),
                ("scope", READ),
            ],
        )
        .await;
    let device_code = start["device_code"].as_str().unwrap().to_string();
    let user_code = start["user_code"].as_str().unwrap().to_string();
    let consent = browser.submit(&form, &[("user_code", &user_code)]).await;
    browser.decide(&consent, "deny").await;
    let poll = || async {
        server
            .post(
                "/oauth/v3/device/token",
                &[
                    ("grant_type", "device_token"),
                    ("client_id", &id),
                    ("client_secret", &secret),
                    ("code", &device_code),
                ],
            )
            .await
    };
    assert_eq!(poll().await.1["error"], "access_denied");
    let (_, start) = server
        .post(
            "/oauth/v3/device/code",
            &[
                ("grant_type", "device_request"),
                ("client_id", &id),
                ("scope", READ),
            ],
        )
        .await;
    let device_code = start["device_code"].as_str().unwrap().to_string();
    server.clock.advance_ms(5 * 60 * 1000);
    let (_, body) = server
        .post(
            "/oauth/v3/device/token",
            &[
                ("grant_type", "device_token"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("code", &device_code),
            ],
        )
        .await;
    assert_eq!(body["error"], "expired");
}

#[tokio::test]
async fn client_credentials_for_a_self_client_only() {
    let server = start().await;
    let (id, secret) = server.client(ClientType::SelfClient).await;
    let client = oauth_client!(server, id, secret);
    let token = client
        .exchange_client_credentials()
        .add_scope(Scope::new(READ.into()))
        .request_async(&http())
        .await
        .unwrap();
    assert!(token.refresh_token().is_none());
    let access = token.access_token().secret();
    assert_ne!(
        server.api(READ_ROUTE, access).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        server.api(CREATE_ROUTE, access).await,
        StatusCode::FORBIDDEN
    );
    let (other, other_secret) = server.client(ClientType::Server).await;
    let (status, body) = server
        .post(
            "/oauth/v2/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &other),
                ("client_secret", &other_secret),
                ("scope", READ),
            ],
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unauthorized_client"))
    );
}

#[tokio::test]
async fn revoking_a_refresh_token_revokes_its_access_tokens() {
    let server = start().await;
    let (id, secret) = server.client(ClientType::Server).await;
    let browser = server.signed_in(ADMIN).await;
    let (access, refresh_token) = offline_grant(&server, &browser, &id, &secret).await;
    let (_, second) = refresh(&server, &id, &secret, &refresh_token).await;
    let second = second["access_token"].as_str().unwrap().to_string();
    // The oauth2 crate refuses revocation over plain HTTP (RFC 7009 requires TLS), so this is
    // its request, RFC 7009 style, sent by hand: token and token_type_hint in the body.
    let (status, body) = server
        .post(
            "/oauth/v2/token/revoke",
            &[
                ("token", &refresh_token),
                ("token_type_hint", "refresh_token"),
            ],
        )
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, serde_json::json!({"status": "success"}))
    );
    assert_eq!(
        server.api(READ_ROUTE, &access).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        server.api(READ_ROUTE, &second).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        refresh(&server, &id, &secret, &refresh_token).await.1["error"],
        "invalid_code"
    );

    // The spec's form: ?token=… → {"status":"success"}; an access token goes alone.
    let (access, refresh_token) = offline_grant(&server, &browser, &id, &secret).await;
    let (status, body) = server
        .post(&format!("/oauth/v2/token/revoke?token={access}"), &[])
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, serde_json::json!({"status": "success"}))
    );
    assert_eq!(
        server.api(READ_ROUTE, &access).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        refresh(&server, &id, &secret, &refresh_token).await.0,
        StatusCode::OK
    );
    let (status, _) = server
        .post("/oauth/v2/token/revoke?token=1000.nope.nope", &[])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn incremental_authorization_adds_scopes_to_the_refresh_token_and_its_tokens() {
    let server = start().await;
    let (id, secret) = server.client(ClientType::Server).await;
    let browser = server.signed_in(ADMIN).await;
    let (access, refresh_token) = offline_grant(&server, &browser, &id, &secret).await;
    assert_eq!(
        server.api(CREATE_ROUTE, &access).await,
        StatusCode::FORBIDDEN
    );
    let (status, body) = server
        .post(
            "/oauth/v2/token/scopeenhance",
            &[
                ("grant_type", "update_scopes_token"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("refresh_token", &refresh_token),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "update_scope");
    assert_eq!(body["expires_in"], 600);
    let enhance = body["access_token"].as_str().unwrap().to_string();
    let url = auth_url(
        &server,
        "/oauth/v2/token/addextrascope",
        &id,
        &[
            ("response_type", "update_scopes"),
            ("scope", &format!("{READ},{CREATE}")),
            ("enhance_token", &enhance),
            ("logout", "false"),
        ],
    );
    let consent = browser.get(&url).await;
    assert!(consent.body.contains("Create budgets"), "{}", consent.body);
    assert!(
        !consent.body.contains("View your cloud costs"),
        "only the new scopes are asked for"
    );
    let target = browser.decide(&consent, "allow").await.target();
    assert_eq!(param(&target, "status").as_deref(), Some("success"));
    assert_eq!(param(&target, "scope_enhanced").as_deref(), Some("true"));
    assert_ne!(
        server.api(CREATE_ROUTE, &access).await,
        StatusCode::FORBIDDEN
    );
    let (_, fresh) = refresh(&server, &id, &secret, &refresh_token).await;
    assert_ne!(
        server
            .api(CREATE_ROUTE, fresh["access_token"].as_str().unwrap())
            .await,
        StatusCode::FORBIDDEN
    );
    // The enhancement token works once.
    let again = browser.get(&url).await.target();
    assert_eq!(param(&again, "error").as_deref(), Some("invalid_code"));
}

#[tokio::test]
async fn organisation_level_authorization_needs_an_administrator() {
    let server = start().await;
    let (id, secret) = server.client(ClientType::Org).await;
    let org_url = |server: &Server| {
        auth_url(
            server,
            "/oauth/v2/org/auth",
            &id,
            &[
                ("response_type", "code"),
                ("scope", READ),
                ("access_type", "offline"),
            ],
        )
    };
    let admin = server.signed_in(ADMIN).await;
    let consent = admin.get(&org_url(&server)).await;
    assert!(
        consent.body.contains("whole organisation"),
        "{}",
        consent.body
    );
    let code = param(&admin.decide(&consent, "allow").await.target(), "code").unwrap();
    let (status, body) = exchange(&server, &id, &secret, &code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = body["access_token"].as_str().unwrap();
    let stored = server
        .meta
        .access_token_by_hash(&skyledger_auth::tokens::hash_token(token))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.user_id, None,
        "bound to the organisation, not the admin"
    );
    assert_eq!(stored.org_id, server.org_id);
    server
        .user_in(&server.org_id, "member@example.com", false)
        .await;
    let member = server.signed_in("member@example.com").await;
    let refused = member.get(&org_url(&server)).await.target();
    assert_eq!(param(&refused, "error").as_deref(), Some("access_denied"));
}

#[tokio::test]
async fn expired_revoked_tampered_and_other_organisation_tokens_are_refused() {
    let server = start().await;
    let (id, secret) = server.client(ClientType::Server).await;
    let browser = server.signed_in(ADMIN).await;
    let (access, refresh_token) = offline_grant(&server, &browser, &id, &secret).await;
    // Tampered: one character changed.
    let mut tampered = access.clone().into_bytes();
    let last = tampered.len() - 1;
    tampered[last] = if tampered[last] == b'0' { b'1' } else { b'0' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert_eq!(
        server.api(READ_ROUTE, &tampered).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(server.api(READ_ROUTE, "").await, StatusCode::UNAUTHORIZED);
    // Expired: issued two hours ago by the server's clock.
    server.clock.advance_ms(-2 * 3600 * 1000);
    let (_, old) = refresh(&server, &id, &secret, &refresh_token).await;
    server.clock.advance_ms(2 * 3600 * 1000);
    assert_eq!(
        server
            .api(READ_ROUTE, old["access_token"].as_str().unwrap())
            .await,
        StatusCode::UNAUTHORIZED
    );
    // Revoked through connected apps.
    let apps = browser.get("/oauth/v2/connected-apps").await;
    assert!(apps.body.contains("Test server app"), "{}", apps.body);
    let revoke = forms(&apps.body)
        .into_iter()
        .find(|f| f.action.ends_with("/revoke"))
        .unwrap();
    assert_eq!(browser.submit(&revoke, &[]).await.status, StatusCode::FOUND);
    assert_eq!(
        server.api(READ_ROUTE, &access).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        refresh(&server, &id, &secret, &refresh_token).await.1["error"],
        "invalid_code"
    );
    assert!(
        browser
            .get("/oauth/v2/connected-apps")
            .await
            .body
            .contains("No app has access")
    );

    // Another organisation: its users cannot authorise this client, and its clients cannot use
    // this organisation's refresh tokens.
    let other = server.meta.create_org("Other", "UTC").await.unwrap();
    server.user_in(&other.id, "eve@other.example", true).await;
    let eve = server.signed_in("eve@other.example").await;
    let page = eve
        .get(&auth_url(
            &server,
            "/oauth/v2/auth",
            &id,
            &[("response_type", "code"), ("scope", READ)],
        ))
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("Invalid Client"));
    let (_, refresh_token) = offline_grant(&server, &browser, &id, &secret).await;
    let (other_id, other_secret) = server.client_in(&other.id, ClientType::Server).await;
    let (status, body) = refresh(&server, &other_id, &other_secret, &refresh_token).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_code"))
    );
    // And a token of the other organisation carries that organisation only.
    let (eve_access, _) = {
        let (eid, esecret) = (other_id.clone(), other_secret.clone());
        offline_grant(&server, &eve, &eid, &esecret).await
    };
    let stored = server
        .meta
        .access_token_by_hash(&skyledger_auth::tokens::hash_token(&eve_access))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.org_id, other.id);
}
