//! The HTML side: CSRF on every form, exact redirect URIs, cookies, the client console.

use reqwest::StatusCode;
use skyledger_auth::oauth::ClientType;

use super::*;

#[tokio::test]
async fn forms_without_the_right_csrf_token_are_refused() {
    let server = start().await;
    let (id, _) = server.client(ClientType::Server).await;
    // Sign-in without the double-submit cookie (a fresh client that never saw the page).
    let bare = server.browser().await;
    let page = bare
        .post(
            "/oauth/v2/signin",
            &[
                ("csrf".into(), "0".repeat(32)),
                ("email".into(), ADMIN.into()),
                ("password".into(), PASSWORD.into()),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);

    let browser = server.signed_in(ADMIN).await;
    let consent = browser
        .get(&auth_url(
            &server,
            "/oauth/v2/auth",
            &id,
            &[("response_type", "code"), ("scope", READ)],
        ))
        .await;
    let mut form = forms(&consent.body).into_iter().next().unwrap();
    for field in &mut form.fields {
        if field.0 == "csrf" {
            field.1 = "f".repeat(32);
        }
    }
    let forged = browser.submit(&form, &[("decision", "allow")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.location.is_none(), "no code leaves on a forged post");
    let no_token: Vec<_> = form
        .fields
        .iter()
        .filter(|f| f.0 != "csrf")
        .cloned()
        .collect();
    assert_eq!(
        browser.post(&form.action, &no_token).await.status,
        StatusCode::FORBIDDEN
    );
    // The same holds for the device, connected-apps, console and sign-out forms.
    for action in [
        "/oauth/v3/device",
        "/oauth/v3/device/approve",
        "/oauth/v2/connected-apps/revoke",
        "/oauth/v2/admin/clients",
        "/oauth/v2/admin/clients/delete",
        "/oauth/v2/signout",
    ] {
        let page = browser.post(action, &[("csrf".into(), "bad".into())]).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{action}");
    }
    // The genuine form still works.
    let page = browser
        .get(&auth_url(
            &server,
            "/oauth/v2/auth",
            &id,
            &[("response_type", "code"), ("scope", READ)],
        ))
        .await;
    assert_eq!(
        browser.decide(&page, "allow").await.status,
        StatusCode::FOUND
    );
}

#[tokio::test]
async fn unknown_clients_and_inexact_redirect_uris_get_a_page_not_a_redirect() {
    let server = start().await;
    let (id, _) = server.client(ClientType::Server).await;
    let browser = server.signed_in(ADMIN).await;
    for bad in [
        "http://127.0.0.1:9/callback/",
        "http://127.0.0.1:9/callback?x=1",
        "http://127.0.0.1:9/Callback",
        "https://127.0.0.1:9/callback",
    ] {
        let url = server.url(&format!(
            "/oauth/v2/auth?response_type=code&scope={READ}&client_id={id}&redirect_uri={}",
            form_urlencoded::byte_serialize(bad.as_bytes()).collect::<String>()
        ));
        let page = browser.get(&url).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(page.location.is_none());
        assert!(page.body.contains("Invalid Redirect Uri"), "{bad}");
    }
    let page = browser
        .get(&auth_url(
            &server,
            "/oauth/v2/auth",
            "1000.UNKNOWN",
            &[("response_type", "code"), ("scope", READ)],
        ))
        .await;
    assert!(page.body.contains("Invalid Client"));
    // A bad scope or response type goes back to the (verified) redirect URI.
    let bad_scope = browser
        .get(&auth_url(
            &server,
            "/oauth/v2/auth",
            &id,
            &[
                ("response_type", "code"),
                ("scope", "AaaServer.profile.Read"),
            ],
        ))
        .await;
    assert_eq!(
        param(&bad_scope.target(), "error").as_deref(),
        Some("invalid_scope")
    );
    let bad_type = browser
        .get(&auth_url(
            &server,
            "/oauth/v2/auth",
            &id,
            &[("response_type", "id_token"), ("scope", READ)],
        ))
        .await;
    assert_eq!(
        param(&bad_type.target(), "error").as_deref(),
        Some("invalid_response_type")
    );
}

#[tokio::test]
async fn session_cookies_are_http_only_and_sign_out_ends_the_session() {
    let server = start().await;
    let browser = server.browser().await;
    let page = browser.get("/oauth/v2/signin").await;
    assert!(page.body.contains("name=\"password\""));
    let form = forms(&page.body).into_iter().next().unwrap();
    let response = browser
        .http
        .post(server.url("/oauth/v2/signin"))
        .form(
            &[
                form.fields.clone(),
                vec![
                    ("email".into(), ADMIN.into()),
                    ("password".into(), PASSWORD.into()),
                ],
            ]
            .concat(),
        )
        .send()
        .await
        .unwrap();
    let cookie = response
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("skyledger_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let apps = browser.get("/oauth/v2/connected-apps").await;
    assert_eq!(apps.status, StatusCode::OK);
    let out = forms(&apps.body)
        .into_iter()
        .find(|f| f.action == "/oauth/v2/signout")
        .unwrap();
    assert_eq!(browser.submit(&out, &[]).await.status, StatusCode::OK);
    let after = browser.get("/oauth/v2/connected-apps").await;
    assert_eq!(
        after.status,
        StatusCode::FOUND,
        "signed out: back to sign-in"
    );
}

#[tokio::test]
async fn administrators_register_and_delete_clients_in_the_console() {
    let server = start().await;
    let admin = server.signed_in(ADMIN).await;
    let console = admin.get("/oauth/v2/admin/clients").await;
    assert_eq!(console.status, StatusCode::OK);
    let form = forms(&console.body)
        .into_iter()
        .find(|f| f.action == "/oauth/v2/admin/clients")
        .unwrap();
    let created = admin
        .submit(
            &form,
            &[
                ("name", "Zylker <Books>"),
                ("client_type", "server"),
                ("homepage_url", "https://zylker.example"),
                ("redirect_uris", REDIRECT),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let spans: Vec<&str> = created
        .body
        .split("<span class=\"secret\">")
        .skip(1)
        .map(|s| s.split("</span>").next().unwrap())
        .collect();
    let (id, secret) = (spans[0].to_string(), spans[1].to_string());
    assert!(id.starts_with("1000.") && id.len() == 35, "{id}");
    assert_eq!(secret.len(), 42);
    // The new client works with a real flow.
    let (access, _) = offline_grant(&server, &admin, &id, &secret).await;
    let console = admin.get("/oauth/v2/admin/clients").await;
    assert!(
        console.body.contains("Zylker &lt;Books&gt;"),
        "names are escaped"
    );
    let delete = forms(&console.body)
        .into_iter()
        .find(|f| f.action.ends_with("/delete") && f.fields.iter().any(|(_, v)| v == &id))
        .unwrap();
    assert_eq!(admin.submit(&delete, &[]).await.status, StatusCode::FOUND);
    assert_eq!(
        server.api(READ_ROUTE, &access).await,
        StatusCode::UNAUTHORIZED,
        "deleting revokes"
    );
    // Bad input names the field; members cannot manage clients.
    let bad = admin
        .submit(
            &form,
            &[
                ("name", "x"),
                ("client_type", "server"),
                ("homepage_url", "https://z.example"),
                ("redirect_uris", "ftp://nope"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("redirect_uri"));
    server
        .user_in(&server.org_id, "member@example.com", false)
        .await;
    let member = server.signed_in("member@example.com").await;
    assert_eq!(
        member.get("/oauth/v2/admin/clients").await.status,
        StatusCode::FORBIDDEN
    );
}
