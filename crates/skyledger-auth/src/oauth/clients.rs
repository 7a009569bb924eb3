//! Client registration (spec §3) and client authentication at the token endpoints.

use std::fmt;
use std::str::FromStr;

use skyledger_meta::oauth::{NewOauthClient, OauthClient};
use skyledger_meta::{Meta, MetaError};

use super::{OauthError, digest, random_hex, same};

/// The client types of spec §3, plus the organisation-level client of §13.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientType {
    /// Server-based: authorization code flow, confidential.
    Server,
    /// Client-based (single-page apps): implicit flow, no secret.
    ClientBased,
    /// Mobile or desktop: authorization code flow with PKCE.
    Mobile,
    /// Non-browser (limited input): device flow.
    NonBrowser,
    /// Self client: client credentials for its owner.
    SelfClient,
    /// Instance-level ("ORG") client: `/oauth/v2/org/auth`.
    Org,
}

impl ClientType {
    pub const ALL: [ClientType; 6] = [
        ClientType::Server,
        ClientType::ClientBased,
        ClientType::Mobile,
        ClientType::NonBrowser,
        ClientType::SelfClient,
        ClientType::Org,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClientType::Server => "server",
            ClientType::ClientBased => "client",
            ClientType::Mobile => "mobile",
            ClientType::NonBrowser => "non_browser",
            ClientType::SelfClient => "self",
            ClientType::Org => "org",
        }
    }

    /// How the console names it.
    pub fn label(self) -> &'static str {
        match self {
            ClientType::Server => "Server-based application",
            ClientType::ClientBased => "Client-based application",
            ClientType::Mobile => "Mobile-based application",
            ClientType::NonBrowser => "Non-browser application",
            ClientType::SelfClient => "Self client",
            ClientType::Org => "Instance-level (ORG) client",
        }
    }

    /// Client-based apps get no secret (spec §1 glossary).
    pub fn has_secret(self) -> bool {
        self != ClientType::ClientBased
    }

    /// Spec §3 table: which types register redirect URIs.
    pub fn needs_redirect(self) -> bool {
        matches!(
            self,
            ClientType::Server | ClientType::ClientBased | ClientType::Mobile | ClientType::Org
        )
    }

    /// Spec §3 table: every type but the self client gives a homepage URL.
    pub fn needs_homepage(self) -> bool {
        self != ClientType::SelfClient
    }
}

impl fmt::Display for ClientType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ClientType {
    type Err = ClientError;
    fn from_str(s: &str) -> Result<ClientType, ClientError> {
        let key = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Ok(match key.as_str() {
            "server" | "server_based" => ClientType::Server,
            "client" | "client_based" | "js" => ClientType::ClientBased,
            "mobile" | "mobile_based" | "desktop" => ClientType::Mobile,
            "non_browser" | "nonbrowser" | "device" => ClientType::NonBrowser,
            "self" | "self_client" => ClientType::SelfClient,
            "org" | "instance" => ClientType::Org,
            _ => return Err(ClientError::UnknownType(s.to_string())),
        })
    }
}

/// Why a client cannot be registered.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("type: {0:?} is not a client type (server, client, mobile, non_browser, self, org)")]
    UnknownType(String),
    #[error("name: must not be empty")]
    NoName,
    #[error("homepage_url: required for {0} clients, and must start with http:// or https://")]
    BadHomepage(&'static str),
    #[error("redirect_uri: {0}")]
    BadRedirect(String),
    #[error("owner: a self client needs an owner, a user of the same organisation")]
    NoOwner,
    #[error(transparent)]
    Store(#[from] MetaError),
}

/// What a client is registered with.
#[derive(Debug, Clone)]
pub struct ClientSpec {
    pub org_id: String,
    pub name: String,
    pub client_type: ClientType,
    pub homepage_url: Option<String>,
    pub redirect_uris: Vec<String>,
    pub js_domain: Option<String>,
    /// The user a self client acts as.
    pub owner_user_id: Option<String>,
}

fn is_http_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && !s.contains('#')
}

/// A client id in the spec's style: `1000.` and 30 upper-case letters and digits.
fn new_client_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut bytes = [0u8; 30];
    rand::fill(&mut bytes);
    let id: String = bytes
        .iter()
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect();
    format!("1000.{id}")
}

/// Registers a client; returns it and its secret (shown once, stored only as a hash).
pub async fn register_client(
    meta: &Meta,
    spec: &ClientSpec,
    now: i64,
) -> Result<(OauthClient, Option<String>), ClientError> {
    let kind = spec.client_type;
    if spec.name.trim().is_empty() {
        return Err(ClientError::NoName);
    }
    let homepage = spec.homepage_url.as_deref().map(str::trim);
    match homepage {
        Some(url) if !is_http_url(url) => return Err(ClientError::BadHomepage(kind.as_str())),
        None if kind.needs_homepage() => return Err(ClientError::BadHomepage(kind.as_str())),
        _ => {}
    }
    if kind.needs_redirect() && spec.redirect_uris.is_empty() {
        return Err(ClientError::BadRedirect(format!(
            "{kind} clients need at least one"
        )));
    }
    if !kind.needs_redirect() && !spec.redirect_uris.is_empty() {
        return Err(ClientError::BadRedirect(format!(
            "{kind} clients have no redirect URI"
        )));
    }
    if let Some(bad) = spec.redirect_uris.iter().find(|u| !is_http_url(u)) {
        return Err(ClientError::BadRedirect(format!(
            "{bad:?} must start with http:// or https:// and hold no fragment"
        )));
    }
    if kind == ClientType::SelfClient {
        let owner = match &spec.owner_user_id {
            Some(id) => meta.user(id).await?,
            None => None,
        };
        if !owner.is_some_and(|u| u.org_id == spec.org_id && u.active) {
            return Err(ClientError::NoOwner);
        }
    }
    let id = new_client_id();
    // 42 hex characters, as the spec's samples (168 random bits).
    let secret = kind.has_secret().then(|| random_hex(21));
    let secret_hash = secret.as_deref().map(digest);
    meta.insert_oauth_client(&NewOauthClient {
        id: &id,
        org_id: &spec.org_id,
        name: spec.name.trim(),
        client_type: kind.as_str(),
        secret_hash: secret_hash.as_deref(),
        homepage_url: homepage,
        redirect_uris: &spec.redirect_uris,
        js_domain: spec.js_domain.as_deref(),
        owner_user_id: if kind == ClientType::SelfClient {
            spec.owner_user_id.as_deref()
        } else {
            None
        },
        created_at: now,
    })
    .await?;
    let client = meta
        .oauth_client(&id)
        .await?
        .ok_or_else(|| MetaError::Conflict(format!("client {id} vanished")))?;
    Ok((client, secret))
}

/// The type of a stored client; rows are written by [`register_client`] only.
pub fn client_type(client: &OauthClient) -> ClientType {
    client.client_type.parse().unwrap_or(ClientType::Server)
}

/// Finds a live client by id.
pub async fn find_client(meta: &Meta, client_id: &str) -> Result<OauthClient, OauthError> {
    meta.oauth_client(client_id)
        .await?
        .ok_or(OauthError::InvalidClient)
}

/// Authenticates a client at a token endpoint: a client with a secret must present it.
pub async fn authenticate_client(
    meta: &Meta,
    client_id: &str,
    secret: Option<&str>,
) -> Result<OauthClient, OauthError> {
    let client = find_client(meta, client_id).await?;
    if let Some(stored) = &client.secret_hash {
        match secret {
            Some(s) if same(&digest(s), stored) => {}
            _ => return Err(OauthError::InvalidClientSecret),
        }
    }
    Ok(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_look_like_the_spec() {
        let id = new_client_id();
        assert_eq!(id.len(), 35);
        assert!(id.starts_with("1000."));
        assert!(
            id[5..]
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        );
    }

    #[test]
    fn types_parse_with_spec_names() {
        for kind in ClientType::ALL {
            assert_eq!(kind.as_str().parse::<ClientType>().unwrap(), kind);
        }
        assert_eq!(
            "Server-based".parse::<ClientType>().unwrap(),
            ClientType::Server
        );
        assert!("tv".parse::<ClientType>().is_err());
    }

    #[test]
    fn redirect_uris_must_be_http() {
        assert!(is_http_url("https://www.zylker.com/oauthredirect"));
        assert!(is_http_url("http://127.0.0.1:9/cb?x=1"));
        for bad in [
            "ftp://x",
            "https://",
            "https:///x",
            "https://a b",
            "https://a/#f",
        ] {
            assert!(!is_http_url(bad), "{bad}");
        }
    }
}
