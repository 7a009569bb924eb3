//! Password hashing with argon2id (PHC strings), and the admin-user bootstrap.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use skyledger_meta::users::{NewUser, User};
use skyledger_meta::{Meta, MetaError};

/// Shortest password accepted for a new account.
pub const MIN_PASSWORD_LEN: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("the password must have at least {MIN_PASSWORD_LEN} characters")]
    TooShort,
    #[error("{0:?} is not an e-mail address")]
    BadEmail(String),
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error(transparent)]
    Meta(#[from] MetaError),
}

/// Hashes a password as an argon2id PHC string with a random salt.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    let mut salt = [0u8; 16];
    rand::fill(&mut salt);
    Argon2::default()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// Whether `password` matches a stored PHC string; malformed hashes never match.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

fn check_email(email: &str) -> Result<(), PasswordError> {
    let email = email.trim();
    let valid = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !email.contains(' ')
    });
    if valid {
        Ok(())
    } else {
        Err(PasswordError::BadEmail(email.to_string()))
    }
}

/// Creates an administrator of the default organisation (created if the store has none).
pub async fn create_admin(
    meta: &Meta,
    email: &str,
    password: &str,
    org_name: &str,
    time_zone: &str,
) -> Result<User, PasswordError> {
    check_email(email)?;
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(PasswordError::TooShort);
    }
    let hash = hash_password(password)?;
    let org = meta.default_org(org_name, time_zone).await?;
    let name = email.split('@').next().unwrap_or(email);
    Ok(meta
        .create_user(&NewUser {
            org_id: &org.id,
            email,
            name,
            password_hash: Some(&hash),
            is_admin: true,
        })
        .await?)
}

/// The demo administrator's sign-in name.
pub const DEMO_EMAIL: &str = "demo@skyledger.example";

/// Creates the demo administrator (or gives it a new password when it exists) and returns its
/// e-mail and password, for `skyledger demo` to print.
pub async fn demo_admin(
    meta: &Meta,
    org_name: &str,
    time_zone: &str,
) -> Result<(String, String), PasswordError> {
    let mut bytes = [0u8; 9];
    rand::fill(&mut bytes);
    let password = hex::encode(bytes);
    match meta.user_by_email(DEMO_EMAIL).await? {
        Some(user) => {
            meta.set_user_password(&user.id, &hash_password(&password)?)
                .await?
        }
        None => {
            create_admin(meta, DEMO_EMAIL, &password, org_name, time_zone).await?;
        }
    }
    Ok((DEMO_EMAIL.to_string(), password))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_by_salt() {
        let a = hash_password("correct horse battery").unwrap();
        let b = hash_password("correct horse battery").unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b);
        assert!(verify_password("correct horse battery", &a));
        assert!(!verify_password("wrong horse battery", &a));
        assert!(!verify_password("x", "not a hash"));
    }

    #[tokio::test]
    async fn the_demo_admin_signs_in_with_the_printed_password() {
        let dir = tempfile::tempdir().unwrap();
        let meta = Meta::connect(&Meta::sqlite_url(dir.path())).await.unwrap();
        meta.migrate().await.unwrap();
        let (email, first) = demo_admin(&meta, "Demo", "UTC").await.unwrap();
        let (_, second) = demo_admin(&meta, "Demo", "UTC").await.unwrap();
        assert_ne!(first, second, "a new password each run");
        let user = meta.user_by_email(&email).await.unwrap().unwrap();
        assert!(user.is_admin);
        assert!(verify_password(
            &second,
            user.password_hash.as_deref().unwrap()
        ));
        assert!(!verify_password(
            &first,
            user.password_hash.as_deref().unwrap()
        ));
    }

    #[test]
    fn emails_are_checked() {
        assert!(check_email("a@b.io").is_ok());
        for bad in ["", "a", "a@b", "@b.io", "a b@c.io"] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }
}
