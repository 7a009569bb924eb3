//! Access tokens: stored only as hashes, with scopes, expiry and revocation.

use sqlx::Row;

use crate::{Meta, Result, now_ms};

/// A stored access token (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    pub id: String,
    pub org_id: String,
    pub user_id: Option<String>,
    pub client_id: Option<String>,
    /// The grant (refresh token, authorization) this token came from; revoking it revokes this.
    pub grant_id: Option<String>,
    /// Comma-separated scopes as granted.
    pub scopes: String,
    pub label: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

impl AccessToken {
    /// Usable now: neither expired nor revoked.
    pub fn is_live(&self, now_ms: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at > now_ms
    }
}

#[derive(Debug, Clone)]
pub struct NewAccessToken<'a> {
    pub token_hash: &'a str,
    pub org_id: &'a str,
    pub user_id: Option<&'a str>,
    pub client_id: Option<&'a str>,
    pub grant_id: Option<&'a str>,
    pub scopes: &'a str,
    pub label: &'a str,
    pub expires_at: i64,
}

const COLUMNS: &str =
    "id, org_id, user_id, client_id, grant_id, scopes, label, created_at, expires_at, revoked_at";

fn from_row(row: sqlx::any::AnyRow) -> Result<AccessToken> {
    Ok(AccessToken {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        user_id: row.try_get("user_id")?,
        client_id: row.try_get("client_id")?,
        grant_id: row.try_get("grant_id")?,
        scopes: row.try_get("scopes")?,
        label: row.try_get("label")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

impl Meta {
    pub async fn insert_access_token(&self, new: &NewAccessToken<'_>) -> Result<AccessToken> {
        let token = AccessToken {
            id: self.next_id().await?.to_string(),
            org_id: new.org_id.to_string(),
            user_id: new.user_id.map(str::to_string),
            client_id: new.client_id.map(str::to_string),
            grant_id: new.grant_id.map(str::to_string),
            scopes: new.scopes.to_string(),
            label: new.label.to_string(),
            created_at: now_ms(),
            expires_at: new.expires_at,
            revoked_at: None,
        };
        sqlx::query(
            "INSERT INTO access_tokens
               (id, token_hash, org_id, user_id, client_id, grant_id, scopes, label, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&token.id)
        .bind(new.token_hash)
        .bind(&token.org_id)
        .bind(&token.user_id)
        .bind(&token.client_id)
        .bind(&token.grant_id)
        .bind(&token.scopes)
        .bind(&token.label)
        .bind(token.created_at)
        .bind(token.expires_at)
        .execute(self.pool())
        .await?;
        Ok(token)
    }

    /// The token whose hash is `token_hash`, live or not.
    pub async fn access_token_by_hash(&self, token_hash: &str) -> Result<Option<AccessToken>> {
        self.find_one(
            format!("SELECT {COLUMNS} FROM access_tokens WHERE token_hash = $1"),
            token_hash,
            from_row,
        )
        .await
    }

    pub async fn access_tokens_of_org(&self, org_id: &str) -> Result<Vec<AccessToken>> {
        self.find_all(
            format!(
                "SELECT {COLUMNS} FROM access_tokens WHERE org_id = $1 ORDER BY created_at, id"
            ),
            org_id,
            from_row,
        )
        .await
    }

    /// Revokes one token; returns whether a live token was revoked.
    pub async fn revoke_access_token(&self, id: &str) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE access_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(now_ms())
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Revokes every token made from one grant; returns how many were live.
    pub async fn revoke_access_tokens_of_grant(&self, grant_id: &str) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE access_tokens SET revoked_at = $1 WHERE grant_id = $2 AND revoked_at IS NULL",
        )
        .bind(now_ms())
        .bind(grant_id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }
}
