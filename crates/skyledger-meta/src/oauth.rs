//! OAuth 2.0 records: clients, grants (refresh tokens), codes, device codes, sessions,
//! sign-in failures and scope-enhancement tokens. Every time is passed in by the caller, so the
//! flows' time rules are testable with an injected clock.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::tokens::NewAccessToken;
use crate::{Meta, Result};

/// A registered OAuth client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OauthClient {
    /// The client id (`1000.` + 30 characters), also the primary key.
    pub id: String,
    pub org_id: String,
    pub name: String,
    /// `server`, `client`, `mobile`, `non_browser`, `self` or `org`.
    pub client_type: String,
    /// SHA-256 of the client secret; `None` for clients without one (client-based apps).
    pub secret_hash: Option<String>,
    pub homepage_url: Option<String>,
    /// Registered redirect URIs, compared exactly.
    pub redirect_uris: Vec<String>,
    pub js_domain: Option<String>,
    /// The user a self client acts as.
    pub owner_user_id: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewOauthClient<'a> {
    pub id: &'a str,
    pub org_id: &'a str,
    pub name: &'a str,
    pub client_type: &'a str,
    pub secret_hash: Option<&'a str>,
    pub homepage_url: Option<&'a str>,
    pub redirect_uris: &'a [String],
    pub js_domain: Option<&'a str>,
    pub owner_user_id: Option<&'a str>,
    pub created_at: i64,
}

/// A grant: what a user (or an organisation, or a self client) allowed a client. A grant with a
/// `refresh_hash` is a refresh token; every access token records the grant it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub id: String,
    pub org_id: String,
    pub client_id: String,
    pub user_id: Option<String>,
    /// `user`, `org` or `self`.
    pub kind: String,
    pub scopes: String,
    pub has_refresh: bool,
    /// The implicit flow's `granted_for_session`.
    pub for_session: bool,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewGrant<'a> {
    pub org_id: &'a str,
    pub client_id: &'a str,
    pub user_id: Option<&'a str>,
    pub kind: &'a str,
    pub scopes: &'a str,
    pub refresh_hash: Option<&'a str>,
    pub for_session: bool,
    pub created_at: i64,
}

/// An authorization code (stored by hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthCode {
    pub code_hash: String,
    pub org_id: String,
    pub client_id: String,
    pub user_id: Option<String>,
    pub kind: String,
    pub redirect_uri: Option<String>,
    pub scopes: String,
    pub issue_refresh: bool,
    pub code_challenge: Option<String>,
    pub challenge_method: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub grant_id: Option<String>,
}

/// What claiming a code found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeClaim {
    /// First use: the code is now spent.
    Claimed(AuthCode),
    /// The code was already used: a replay.
    Reused(AuthCode),
    Unknown,
}

/// A device-flow request (stored by the device code's hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCode {
    pub device_hash: String,
    pub user_code: String,
    pub client_id: String,
    pub scopes: String,
    pub offline: bool,
    pub prompt: bool,
    pub address: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_poll_at: Option<i64>,
    /// `pending`, `approved`, `denied` or `used`.
    pub status: String,
    pub user_id: Option<String>,
}

/// A signed-in browser session (stored by the cookie's hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id_hash: String,
    pub user_id: String,
    pub csrf: String,
    pub created_at: i64,
    pub expires_at: i64,
}

fn uris_to_text(uris: &[String]) -> String {
    uris.join("\n")
}

fn client_from_row(row: AnyRow) -> Result<OauthClient> {
    let uris: String = row.try_get("redirect_uris")?;
    Ok(OauthClient {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        name: row.try_get("name")?,
        client_type: row.try_get("client_type")?,
        secret_hash: row.try_get("secret_hash")?,
        homepage_url: row.try_get("homepage_url")?,
        redirect_uris: uris
            .split('\n')
            .filter(|u| !u.is_empty())
            .map(str::to_string)
            .collect(),
        js_domain: row.try_get("js_domain")?,
        owner_user_id: row.try_get("owner_user_id")?,
        created_at: row.try_get("created_at")?,
    })
}

const CLIENT_COLUMNS: &str = "id, org_id, name, client_type, secret_hash, homepage_url, \
    redirect_uris, js_domain, owner_user_id, created_at";

fn grant_from_row(row: AnyRow) -> Result<Grant> {
    Ok(Grant {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        client_id: row.try_get("client_id")?,
        user_id: row.try_get("user_id")?,
        kind: row.try_get("kind")?,
        scopes: row.try_get("scopes")?,
        has_refresh: row.try_get::<Option<String>, _>("refresh_hash")?.is_some(),
        for_session: row.try_get::<i64, _>("for_session")? != 0,
        created_at: row.try_get("created_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

const GRANT_COLUMNS: &str = "id, org_id, client_id, user_id, kind, scopes, refresh_hash, for_session, created_at, revoked_at";

fn code_from_row(row: AnyRow) -> Result<AuthCode> {
    Ok(AuthCode {
        code_hash: row.try_get("code_hash")?,
        org_id: row.try_get("org_id")?,
        client_id: row.try_get("client_id")?,
        user_id: row.try_get("user_id")?,
        kind: row.try_get("kind")?,
        redirect_uri: row.try_get("redirect_uri")?,
        scopes: row.try_get("scopes")?,
        issue_refresh: row.try_get::<i64, _>("issue_refresh")? != 0,
        code_challenge: row.try_get("code_challenge")?,
        challenge_method: row.try_get("challenge_method")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        used_at: row.try_get("used_at")?,
        grant_id: row.try_get("grant_id")?,
    })
}

const CODE_COLUMNS: &str = "code_hash, org_id, client_id, user_id, kind, redirect_uri, scopes, \
    issue_refresh, code_challenge, challenge_method, created_at, expires_at, used_at, grant_id";

fn device_from_row(row: AnyRow) -> Result<DeviceCode> {
    Ok(DeviceCode {
        device_hash: row.try_get("device_hash")?,
        user_code: row.try_get("user_code")?,
        client_id: row.try_get("client_id")?,
        scopes: row.try_get("scopes")?,
        offline: row.try_get::<i64, _>("offline")? != 0,
        prompt: row.try_get::<i64, _>("prompt")? != 0,
        address: row.try_get("address")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        last_poll_at: row.try_get("last_poll_at")?,
        status: row.try_get("status")?,
        user_id: row.try_get("user_id")?,
    })
}

const DEVICE_COLUMNS: &str = "device_hash, user_code, client_id, scopes, offline, prompt, address, \
    created_at, expires_at, last_poll_at, status, user_id";

impl Meta {
    // --- clients ---

    pub async fn insert_oauth_client(&self, new: &NewOauthClient<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO oauth_clients (id, org_id, name, client_type, secret_hash, homepage_url,
               redirect_uris, js_domain, owner_user_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(new.id)
        .bind(new.org_id)
        .bind(new.name)
        .bind(new.client_type)
        .bind(new.secret_hash)
        .bind(new.homepage_url)
        .bind(uris_to_text(new.redirect_uris))
        .bind(new.js_domain)
        .bind(new.owner_user_id)
        .bind(new.created_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// A client that has not been deleted.
    pub async fn oauth_client(&self, id: &str) -> Result<Option<OauthClient>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CLIENT_COLUMNS} FROM oauth_clients WHERE id = $1 AND deleted_at IS NULL"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .map(client_from_row)
        .transpose()
    }

    pub async fn oauth_clients_of_org(&self, org_id: &str) -> Result<Vec<OauthClient>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CLIENT_COLUMNS} FROM oauth_clients WHERE org_id = $1 AND deleted_at IS NULL
             ORDER BY created_at, id"
        )))
        .bind(org_id)
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(client_from_row)
        .collect()
    }

    /// Deletes a client of `org_id` and revokes every grant and access token it holds; returns
    /// whether a client was deleted.
    pub async fn delete_oauth_client(&self, org_id: &str, id: &str, now: i64) -> Result<bool> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "UPDATE oauth_clients SET deleted_at = $1
             WHERE id = $2 AND org_id = $3 AND deleted_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .bind(org_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() > 0 {
            sqlx::query(
                "UPDATE oauth_grants SET revoked_at = $1 WHERE client_id = $2 AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE access_tokens SET revoked_at = $1 WHERE client_id = $2 AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    // --- grants and access tokens ---

    pub async fn insert_grant(&self, new: &NewGrant<'_>) -> Result<Grant> {
        let id = self.next_id().await?.to_string();
        sqlx::query(
            "INSERT INTO oauth_grants (id, org_id, client_id, user_id, kind, scopes, refresh_hash,
               for_session, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&id)
        .bind(new.org_id)
        .bind(new.client_id)
        .bind(new.user_id)
        .bind(new.kind)
        .bind(new.scopes)
        .bind(new.refresh_hash)
        .bind(new.for_session as i64)
        .bind(new.created_at)
        .execute(self.pool())
        .await?;
        Ok(Grant {
            id,
            org_id: new.org_id.to_string(),
            client_id: new.client_id.to_string(),
            user_id: new.user_id.map(str::to_string),
            kind: new.kind.to_string(),
            scopes: new.scopes.to_string(),
            has_refresh: new.refresh_hash.is_some(),
            for_session: new.for_session,
            created_at: new.created_at,
            revoked_at: None,
        })
    }

    pub async fn grant(&self, id: &str) -> Result<Option<Grant>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {GRANT_COLUMNS} FROM oauth_grants WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .map(grant_from_row)
        .transpose()
    }

    /// The grant whose refresh token hashes to `refresh_hash`, live or not.
    pub async fn grant_by_refresh_hash(&self, refresh_hash: &str) -> Result<Option<Grant>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {GRANT_COLUMNS} FROM oauth_grants WHERE refresh_hash = $1"
        )))
        .bind(refresh_hash)
        .fetch_optional(self.pool())
        .await?
        .map(grant_from_row)
        .transpose()
    }

    /// Live grants of one client for one user (`None`: organisation-level grants of `org_id`),
    /// oldest first.
    pub async fn live_grants(
        &self,
        org_id: &str,
        client_id: &str,
        user_id: Option<&str>,
    ) -> Result<Vec<Grant>> {
        let user_clause = if user_id.is_some() {
            "user_id = $3"
        } else {
            "user_id IS NULL"
        };
        let sql = format!(
            "SELECT {GRANT_COLUMNS} FROM oauth_grants
             WHERE org_id = $1 AND client_id = $2 AND {user_clause} AND revoked_at IS NULL
             ORDER BY created_at, id"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .bind(client_id);
        if let Some(user_id) = user_id {
            query = query.bind(user_id);
        }
        query
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .map(grant_from_row)
            .collect()
    }

    /// Every live grant a user made, oldest first (the connected-apps page).
    pub async fn live_grants_of_user(&self, user_id: &str) -> Result<Vec<Grant>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {GRANT_COLUMNS} FROM oauth_grants WHERE user_id = $1 AND revoked_at IS NULL
             ORDER BY created_at, id"
        )))
        .bind(user_id)
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(grant_from_row)
        .collect()
    }

    /// Revokes a grant and every access token made from it; returns whether it was live.
    pub async fn revoke_grant(&self, id: &str, now: i64) -> Result<bool> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "UPDATE oauth_grants SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE access_tokens SET revoked_at = $1 WHERE grant_id = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    /// Sets a grant's scopes, and those of its live access tokens (incremental authorization).
    pub async fn set_grant_scopes(&self, id: &str, scopes: &str) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("UPDATE oauth_grants SET scopes = $1 WHERE id = $2")
            .bind(scopes)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE access_tokens SET scopes = $1 WHERE grant_id = $2 AND revoked_at IS NULL",
        )
        .bind(scopes)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores an access token issued at `created_at` (the OAuth flows' clock).
    pub async fn insert_access_token_at(
        &self,
        new: &NewAccessToken<'_>,
        created_at: i64,
    ) -> Result<String> {
        let id = self.next_id().await?.to_string();
        sqlx::query(
            "INSERT INTO access_tokens
               (id, token_hash, org_id, user_id, client_id, grant_id, scopes, label, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&id)
        .bind(new.token_hash)
        .bind(new.org_id)
        .bind(new.user_id)
        .bind(new.client_id)
        .bind(new.grant_id)
        .bind(new.scopes)
        .bind(new.label)
        .bind(created_at)
        .bind(new.expires_at)
        .execute(self.pool())
        .await?;
        Ok(id)
    }

    /// How many access tokens a grant produced at or after `since`.
    pub async fn count_access_tokens_of_grant_since(
        &self,
        grant_id: &str,
        since: i64,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM access_tokens WHERE grant_id = $1 AND created_at >= $2",
        )
        .bind(grant_id)
        .bind(since)
        .fetch_one(self.pool())
        .await?)
    }

    /// Revokes the oldest live access tokens of a grant beyond the newest `keep`; returns how many.
    pub async fn trim_access_tokens_of_grant(
        &self,
        grant_id: &str,
        keep: usize,
        now: i64,
    ) -> Result<usize> {
        let live: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM access_tokens
             WHERE grant_id = $1 AND revoked_at IS NULL AND expires_at > $2
             ORDER BY created_at DESC, id DESC",
        )
        .bind(grant_id)
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        let mut trimmed = 0;
        for id in live.iter().skip(keep) {
            sqlx::query("UPDATE access_tokens SET revoked_at = $1 WHERE id = $2")
                .bind(now)
                .bind(id)
                .execute(self.pool())
                .await?;
            trimmed += 1;
        }
        Ok(trimmed)
    }

    // --- authorization codes ---

    pub async fn insert_code(&self, code: &AuthCode) -> Result<()> {
        sqlx::query(
            "INSERT INTO oauth_codes (code_hash, org_id, client_id, user_id, kind, redirect_uri,
               scopes, issue_refresh, code_challenge, challenge_method, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&code.code_hash)
        .bind(&code.org_id)
        .bind(&code.client_id)
        .bind(&code.user_id)
        .bind(&code.kind)
        .bind(&code.redirect_uri)
        .bind(&code.scopes)
        .bind(code.issue_refresh as i64)
        .bind(&code.code_challenge)
        .bind(&code.challenge_method)
        .bind(code.created_at)
        .bind(code.expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// How many codes a client obtained for a user at or after `since`.
    pub async fn count_codes_since(
        &self,
        client_id: &str,
        user_id: &str,
        since: i64,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM oauth_codes
             WHERE client_id = $1 AND user_id = $2 AND created_at >= $3",
        )
        .bind(client_id)
        .bind(user_id)
        .bind(since)
        .fetch_one(self.pool())
        .await?)
    }

    /// Spends a code: the first caller gets `Claimed`, every later one `Reused`.
    pub async fn claim_code(&self, code_hash: &str, now: i64) -> Result<CodeClaim> {
        let done = sqlx::query(
            "UPDATE oauth_codes SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL",
        )
        .bind(now)
        .bind(code_hash)
        .execute(self.pool())
        .await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CODE_COLUMNS} FROM oauth_codes WHERE code_hash = $1"
        )))
        .bind(code_hash)
        .fetch_optional(self.pool())
        .await?;
        Ok(match row.map(code_from_row).transpose()? {
            None => CodeClaim::Unknown,
            Some(code) if done.rows_affected() > 0 => CodeClaim::Claimed(code),
            Some(code) => CodeClaim::Reused(code),
        })
    }

    /// Records the grant a code produced, so a replay of the code can revoke it.
    pub async fn set_code_grant(&self, code_hash: &str, grant_id: &str) -> Result<()> {
        sqlx::query("UPDATE oauth_codes SET grant_id = $1 WHERE code_hash = $2")
            .bind(grant_id)
            .bind(code_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    // --- device codes ---

    pub async fn insert_device_code(&self, code: &DeviceCode) -> Result<()> {
        sqlx::query(
            "INSERT INTO oauth_device_codes (device_hash, user_code, client_id, scopes, offline,
               prompt, address, created_at, expires_at, status)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending')",
        )
        .bind(&code.device_hash)
        .bind(&code.user_code)
        .bind(&code.client_id)
        .bind(&code.scopes)
        .bind(code.offline as i64)
        .bind(code.prompt as i64)
        .bind(&code.address)
        .bind(code.created_at)
        .bind(code.expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// How many device codes a client requested from `address` at or after `since`.
    pub async fn count_device_codes_since(
        &self,
        client_id: &str,
        address: &str,
        since: i64,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM oauth_device_codes
             WHERE client_id = $1 AND address = $2 AND created_at >= $3",
        )
        .bind(client_id)
        .bind(address)
        .bind(since)
        .fetch_one(self.pool())
        .await?)
    }

    pub async fn device_code(&self, device_hash: &str) -> Result<Option<DeviceCode>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DEVICE_COLUMNS} FROM oauth_device_codes WHERE device_hash = $1"
        )))
        .bind(device_hash)
        .fetch_optional(self.pool())
        .await?
        .map(device_from_row)
        .transpose()
    }

    pub async fn device_code_by_user_code(&self, user_code: &str) -> Result<Option<DeviceCode>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DEVICE_COLUMNS} FROM oauth_device_codes WHERE user_code = $1"
        )))
        .bind(user_code)
        .fetch_optional(self.pool())
        .await?
        .map(device_from_row)
        .transpose()
    }

    pub async fn set_device_poll(&self, device_hash: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE oauth_device_codes SET last_poll_at = $1 WHERE device_hash = $2")
            .bind(now)
            .bind(device_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Moves a device code from `from` to `to` (and records the user); returns whether it moved.
    pub async fn set_device_status(
        &self,
        device_hash: &str,
        from: &str,
        to: &str,
        user_id: Option<&str>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE oauth_device_codes SET status = $1, user_id = COALESCE($2, user_id)
             WHERE device_hash = $3 AND status = $4",
        )
        .bind(to)
        .bind(user_id)
        .bind(device_hash)
        .bind(from)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    // --- sessions and sign-in failures ---

    pub async fn insert_session(&self, session: &Session) -> Result<()> {
        sqlx::query(
            "INSERT INTO oauth_sessions (id_hash, user_id, csrf, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&session.id_hash)
        .bind(&session.user_id)
        .bind(&session.csrf)
        .bind(session.created_at)
        .bind(session.expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// A session that is neither expired at `now` nor ended.
    pub async fn live_session(&self, id_hash: &str, now: i64) -> Result<Option<Session>> {
        sqlx::query(
            "SELECT id_hash, user_id, csrf, created_at, expires_at FROM oauth_sessions
             WHERE id_hash = $1 AND revoked_at IS NULL AND expires_at > $2",
        )
        .bind(id_hash)
        .bind(now)
        .fetch_optional(self.pool())
        .await?
        .map(|row| {
            Ok(Session {
                id_hash: row.try_get("id_hash")?,
                user_id: row.try_get("user_id")?,
                csrf: row.try_get("csrf")?,
                created_at: row.try_get("created_at")?,
                expires_at: row.try_get("expires_at")?,
            })
        })
        .transpose()
    }

    pub async fn end_session(&self, id_hash: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE oauth_sessions SET revoked_at = $1 WHERE id_hash = $2")
            .bind(now)
            .bind(id_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Records a failed sign-in against `subject` (`kind` is `account` or `address`).
    pub async fn record_signin_failure(&self, kind: &str, subject: &str, now: i64) -> Result<()> {
        let id = self.next_id().await?.to_string();
        sqlx::query(
            "INSERT INTO oauth_signin_failures (id, kind, subject, at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(kind)
        .bind(subject)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn count_signin_failures_since(
        &self,
        kind: &str,
        subject: &str,
        since: i64,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM oauth_signin_failures WHERE kind = $1 AND subject = $2 AND at >= $3",
        )
        .bind(kind)
        .bind(subject)
        .bind(since)
        .fetch_one(self.pool())
        .await?)
    }

    pub async fn clear_signin_failures(&self, kind: &str, subject: &str) -> Result<()> {
        sqlx::query("DELETE FROM oauth_signin_failures WHERE kind = $1 AND subject = $2")
            .bind(kind)
            .bind(subject)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    // --- scope-enhancement tokens ---

    pub async fn insert_enhance_token(
        &self,
        token_hash: &str,
        grant_id: &str,
        created_at: i64,
        expires_at: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO oauth_enhance_tokens (token_hash, grant_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(grant_id)
        .bind(created_at)
        .bind(expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The grant of a live, unused enhancement token.
    pub async fn enhance_token_grant(&self, token_hash: &str, now: i64) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT grant_id FROM oauth_enhance_tokens
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Spends an enhancement token; returns whether this call spent it.
    pub async fn spend_enhance_token(&self, token_hash: &str, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE oauth_enhance_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
        )
        .bind(now)
        .bind(token_hash)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }
}
