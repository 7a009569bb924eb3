//! Users of an organisation: sign-in identity, password hash and admin flag.

use sqlx::Row;

use crate::{Meta, MetaError, Result, now_ms};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub org_id: String,
    pub email: String,
    pub name: String,
    /// An argon2id PHC string; `None` for users who cannot sign in with a password.
    pub password_hash: Option<String>,
    pub is_admin: bool,
    pub active: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub org_id: &'a str,
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: Option<&'a str>,
    pub is_admin: bool,
}

const COLUMNS: &str = "id, org_id, email, name, password_hash, is_admin, status, created_at";

fn from_row(row: sqlx::any::AnyRow) -> Result<User> {
    Ok(User {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        password_hash: row.try_get("password_hash")?,
        is_admin: row.try_get::<i64, _>("is_admin")? != 0,
        active: row.try_get::<i64, _>("status")? == 1,
        created_at: row.try_get("created_at")?,
    })
}

/// E-mail addresses compare without case.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_ascii_lowercase()
}

impl Meta {
    pub async fn create_user(&self, new: &NewUser<'_>) -> Result<User> {
        let email = normalize_email(new.email);
        if self.user_by_email(&email).await?.is_some() {
            return Err(MetaError::Conflict(format!(
                "a user with e-mail {email} already exists"
            )));
        }
        let user = User {
            id: self.next_id().await?.to_string(),
            org_id: new.org_id.to_string(),
            email,
            name: new.name.to_string(),
            password_hash: new.password_hash.map(str::to_string),
            is_admin: new.is_admin,
            active: true,
            created_at: now_ms(),
        };
        sqlx::query(
            "INSERT INTO users (id, org_id, email, name, password_hash, is_admin, status, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7)",
        )
        .bind(&user.id)
        .bind(&user.org_id)
        .bind(&user.email)
        .bind(&user.name)
        .bind(&user.password_hash)
        .bind(user.is_admin as i64)
        .bind(user.created_at)
        .execute(self.pool())
        .await?;
        Ok(user)
    }

    pub async fn user(&self, id: &str) -> Result<Option<User>> {
        self.find_one(
            format!("SELECT {COLUMNS} FROM users WHERE id = $1"),
            id,
            from_row,
        )
        .await
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        self.find_one(
            format!("SELECT {COLUMNS} FROM users WHERE email = $1"),
            &normalize_email(email),
            from_row,
        )
        .await
    }

    pub async fn users_of_org(&self, org_id: &str) -> Result<Vec<User>> {
        self.find_all(
            format!("SELECT {COLUMNS} FROM users WHERE org_id = $1 ORDER BY created_at, id"),
            org_id,
            from_row,
        )
        .await
    }

    /// When each user of an organisation last signed in (their newest sign-in session, in
    /// unix milliseconds), by user id; users who never signed in are absent.
    pub async fn last_sign_ins(&self, org_id: &str) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT s.user_id AS user_id, MAX(s.created_at) AS signed_in_at
             FROM oauth_sessions s JOIN users u ON u.id = s.user_id
             WHERE u.org_id = $1 GROUP BY s.user_id ORDER BY s.user_id",
        )
        .bind(org_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| Ok((r.try_get("user_id")?, r.try_get("signed_in_at")?)))
            .collect()
    }

    pub async fn set_user_password(&self, id: &str, password_hash: &str) -> Result<()> {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
