//! OAuth 2.0 flows driven over HTTP by an independent client library.
//!
//! The real server listens on a TCP port; the `oauth2` crate speaks to its token endpoints, and
//! a cookie-keeping HTTP client signs in and consents by submitting the HTML forms. Time rules
//! are tested by moving the server's manual clock, never by sleeping.

#[path = "oauth_flows.rs"]
mod flows;
#[path = "oauth_limits.rs"]
mod limits;
#[path = "oauth_pages.rs"]
mod pages;

use std::net::SocketAddr;

use oauth2::reqwest;
use oauth2::url::Url;
use reqwest::StatusCode;
use skyledger_api::{ApiSettings, AppState};
use skyledger_auth::oauth::{ClientSpec, ClientType, Clock, register_client};
use skyledger_auth::passwords::{create_admin, hash_password};
use skyledger_meta::users::NewUser;
use skyledger_meta::{Meta, now_ms};

pub const PASSWORD: &str = "correct horse battery";
pub const ADMIN: &str = "admin@example.com";
pub const REDIRECT: &str = "http://127.0.0.1:9/callback";
pub const READ: &str = "CloudSpend.Internal.Read";
pub const CREATE: &str = "CloudSpend.Internal.Create";
/// A spec route that needs `CloudSpend.Internal.Read`.
pub const READ_ROUTE: (&str, &str) = ("GET", "/cs/api/cost/cost_centers");
/// A spec route that needs `CloudSpend.Internal.Create`.
pub const CREATE_ROUTE: (&str, &str) = ("POST", "/cs/api/cost/cost_center");

/// The server under test on a real port, with a manual clock.
pub struct Server {
    pub base: String,
    pub meta: Meta,
    pub clock: Clock,
    pub org_id: String,
    _dir: tempfile::TempDir,
}

pub async fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let meta = Meta::connect(&Meta::sqlite_url(dir.path())).await.unwrap();
    meta.migrate().await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(
        meta.clone(),
        ApiSettings {
            api_domain: base.clone(),
            ..ApiSettings::default()
        },
    );
    // The gate checks expiry with the system clock, so the manual clock starts at real time.
    let clock = Clock::manual(now_ms());
    let app = skyledger_api::router(state).layer(axum::Extension(clock.clone()));
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    let admin = create_admin(&meta, ADMIN, PASSWORD, "Acme", "UTC")
        .await
        .unwrap();
    Server {
        base,
        meta,
        clock,
        org_id: admin.org_id,
        _dir: dir,
    }
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Registers a client of `org_id`; returns its id and secret ("" when it has none).
    pub async fn client_in(&self, org_id: &str, kind: ClientType) -> (String, String) {
        let owner = self.meta.user_by_email(ADMIN).await.unwrap().unwrap();
        let spec = ClientSpec {
            org_id: org_id.to_string(),
            name: format!("Test {kind} app"),
            client_type: kind,
            homepage_url: (kind != ClientType::SelfClient)
                .then(|| "https://app.example.com".into()),
            redirect_uris: if kind.needs_redirect() {
                vec![REDIRECT.to_string()]
            } else {
                vec![]
            },
            js_domain: None,
            owner_user_id: Some(owner.id),
        };
        let (client, secret) = register_client(&self.meta, &spec, self.clock.now_ms())
            .await
            .unwrap();
        (client.id, secret.unwrap_or_default())
    }

    pub async fn client(&self, kind: ClientType) -> (String, String) {
        let org = self.org_id.clone();
        self.client_in(&org, kind).await
    }

    /// A user of `org_id` with the test password.
    pub async fn user_in(&self, org_id: &str, email: &str, is_admin: bool) {
        let hash = hash_password(PASSWORD).unwrap();
        self.meta
            .create_user(&NewUser {
                org_id,
                email,
                name: email,
                password_hash: Some(&hash),
                is_admin,
            })
            .await
            .unwrap();
    }

    /// The status a spec route answers to `token`.
    pub async fn api(&self, route: (&str, &str), token: &str) -> StatusCode {
        let method = reqwest::Method::from_bytes(route.0.as_bytes()).unwrap();
        http()
            .request(method, self.url(route.1))
            .header("Authorization", format!("Zoho-oauthtoken {token}"))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap()
            .status()
    }

    /// A raw form POST to an OAuth endpoint: status and JSON body.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, serde_json::Value) {
        let response = http().post(self.url(path)).form(form).send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    pub async fn browser(&self) -> Browser {
        Browser {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: self.base.clone(),
        }
    }

    /// A browser signed in as `email`.
    pub async fn signed_in(&self, email: &str) -> Browser {
        let browser = self.browser().await;
        let r = browser.sign_in(email, PASSWORD).await;
        assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
        browser
    }
}

/// The HTTP client the `oauth2` crate uses: never follows redirects (as its docs require).
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// One answer seen by the browser.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

impl Page {
    /// The redirect target, parsed.
    pub fn target(&self) -> Url {
        Url::parse(self.location.as_deref().expect("a redirect")).unwrap()
    }
}

/// A form on a page: its action and hidden fields.
#[derive(Debug, Clone)]
pub struct Form {
    pub action: String,
    pub fields: Vec<(String, String)>,
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<(&'a str, &'a str)> {
    let i = s.find(start)? + start.len();
    let j = s[i..].find(end)? + i;
    Some((&s[i..j], &s[j + end.len()..]))
}

/// Every form of a page with its hidden fields, read as a browser would.
pub fn forms(html: &str) -> Vec<Form> {
    let mut out = Vec::new();
    for chunk in html.split("<form ").skip(1) {
        let chunk = chunk.split("</form>").next().unwrap_or("");
        let action = between(chunk, "action=\"", "\"")
            .map(|(a, _)| unescape(a))
            .unwrap_or_default();
        let mut fields = Vec::new();
        let mut rest = chunk;
        while let Some((name, after)) = between(rest, "<input type=\"hidden\" name=\"", "\"") {
            let (value, after) = between(after, "value=\"", "\"").unwrap();
            fields.push((unescape(name), unescape(value)));
            rest = after;
        }
        out.push(Form { action, fields });
    }
    out
}

pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
}

impl Browser {
    fn absolute(&self, url: &str) -> String {
        if url.starts_with('/') {
            format!("{}{url}", self.base)
        } else {
            url.to_string()
        }
    }

    async fn read(response: reqwest::Response) -> Page {
        let status = response.status();
        let location = response
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string());
        Page {
            status,
            location,
            body: response.text().await.unwrap(),
        }
    }

    pub async fn get(&self, url: &str) -> Page {
        Self::read(self.http.get(self.absolute(url)).send().await.unwrap()).await
    }

    pub async fn post(&self, url: &str, form: &[(String, String)]) -> Page {
        Self::read(
            self.http
                .post(self.absolute(url))
                .form(form)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Submits `form` with extra fields added.
    pub async fn submit(&self, form: &Form, extra: &[(&str, &str)]) -> Page {
        let mut fields = form.fields.clone();
        fields.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        self.post(&form.action, &fields).await
    }

    /// Answers the (only) consent form of a page.
    pub async fn decide(&self, page: &Page, decision: &str) -> Page {
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let form = forms(&page.body)
            .into_iter()
            .next()
            .expect("a consent form");
        self.submit(&form, &[("decision", decision)]).await
    }

    /// Opens the sign-in page and submits e-mail and password.
    pub async fn sign_in(&self, email: &str, password: &str) -> Page {
        let page = self
            .get("/oauth/v2/signin?next=/oauth/v2/connected-apps")
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let form = forms(&page.body).into_iter().next().unwrap();
        self.submit(&form, &[("email", email), ("password", password)])
            .await
    }

    /// Follows an authorization URL through consent (when asked) to the client's redirect.
    pub async fn authorize(&self, url: &str) -> Url {
        let page = self.get(url).await;
        let page = if page.status == StatusCode::OK {
            self.decide(&page, "allow").await
        } else {
            page
        };
        assert_eq!(page.status, StatusCode::FOUND, "{}", page.body);
        page.target()
    }
}

/// A query or fragment parameter of a redirect.
pub fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .chain(form_urlencoded::parse(
            url.fragment().unwrap_or("").as_bytes(),
        ))
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.to_string())
}

/// An authorization URL for `client_id` with extra parameters.
pub fn auth_url(server: &Server, path: &str, client_id: &str, extra: &[(&str, &str)]) -> String {
    let mut pairs = vec![("client_id", client_id), ("redirect_uri", REDIRECT)];
    pairs.extend_from_slice(extra);
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    server.url(&format!("{path}?{query}"))
}

/// Authorization code for `client_id` by a signed-in browser; returns the code.
pub async fn code_for(
    server: &Server,
    browser: &Browser,
    client_id: &str,
    extra: &[(&str, &str)],
) -> String {
    let mut params = vec![("response_type", "code"), ("scope", READ)];
    params.extend_from_slice(extra);
    let target = browser
        .authorize(&auth_url(server, "/oauth/v2/auth", client_id, &params))
        .await;
    param(&target, "code").unwrap_or_else(|| panic!("no code in {target}"))
}

/// Exchanges a code with a raw form POST; returns status and JSON.
pub async fn exchange(
    server: &Server,
    id: &str,
    secret: &str,
    code: &str,
) -> (StatusCode, serde_json::Value) {
    server
        .post(
            "/oauth/v2/token",
            &[
                ("grant_type", "authorization_code"),
                ("client_id", id),
                ("client_secret", secret),
                ("redirect_uri", REDIRECT),
                ("code", code),
            ],
        )
        .await
}

/// Refreshes with a raw form POST.
pub async fn refresh(
    server: &Server,
    id: &str,
    secret: &str,
    refresh_token: &str,
) -> (StatusCode, serde_json::Value) {
    server
        .post(
            "/oauth/v2/token",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", id),
                ("client_secret", secret),
                ("refresh_token", refresh_token),
            ],
        )
        .await
}

/// An offline grant for a server client: (access token, refresh token).
pub async fn offline_grant(
    server: &Server,
    browser: &Browser,
    id: &str,
    secret: &str,
) -> (String, String) {
    let code = code_for(
        server,
        browser,
        id,
        &[("access_type", "offline"), ("prompt", "consent")],
    )
    .await;
    let (status, body) = exchange(server, id, secret, &code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (
        body["access_token"].as_str().unwrap().to_string(),
        body["refresh_token"].as_str().unwrap().to_string(),
    )
}
