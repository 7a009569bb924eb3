//! The device authorization grant for non-browser clients (spec §7).

use skyledger_meta::oauth::{DeviceCode, OauthClient};
use skyledger_meta::users::User;
use skyledger_meta::{Meta, MetaError};

use super::clients::{ClientType, client_type, find_client};
use super::flows::{
    KIND_USER, TokenResponse, first_refresh, issue_for_grant, new_grant, parse_scopes,
};
use super::{
    ACCESS_TOKEN_SECS, DEVICE_INTERVAL_MS, DEVICE_TTL_MS, LIMIT_WINDOW_MS,
    MAX_DEVICE_CODES_PER_WINDOW, OauthError, digest,
};
use crate::tokens::mint_token;

/// What the initiation request answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceStart {
    pub device_code: String,
    pub user_code: String,
    pub expires_in_ms: i64,
    pub interval_ms: i64,
}

/// A user code like the spec's `ABCD-1234`: letters without look-alikes, then digits.
fn new_user_code() -> String {
    const LETTERS: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";
    let mut bytes = [0u8; 8];
    rand::fill(&mut bytes);
    let letters: String = bytes[..4]
        .iter()
        .map(|b| LETTERS[*b as usize % LETTERS.len()] as char)
        .collect();
    let digits: String = bytes[4..]
        .iter()
        .map(|b| char::from(b'0' + b % 10))
        .collect();
    format!("{letters}-{digits}")
}

/// A user code as typed: case and a missing dash do not matter.
pub fn normalize_user_code(input: &str) -> String {
    let plain: String = input
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if plain.len() == 8 {
        format!("{}-{}", &plain[..4], &plain[4..])
    } else {
        plain
    }
}

/// `POST /oauth/v3/device/code`: at most 30 per client per address per 10 minutes (spec §11).
pub async fn start(
    meta: &Meta,
    client_id: &str,
    scope: Option<&str>,
    offline: bool,
    prompt: bool,
    address: &str,
    now: i64,
) -> Result<DeviceStart, OauthError> {
    let client = find_client(meta, client_id).await?;
    if client_type(&client) != ClientType::NonBrowser {
        return Err(OauthError::UnauthorizedClient);
    }
    let scopes = parse_scopes(scope)?;
    let recent = meta
        .count_device_codes_since(&client.id, address, now - LIMIT_WINDOW_MS + 1)
        .await?;
    if recent >= MAX_DEVICE_CODES_PER_WINDOW {
        return Err(OauthError::AccessDenied);
    }
    let device_code = mint_token();
    let mut attempt = 0;
    loop {
        let user_code = new_user_code();
        let row = DeviceCode {
            device_hash: digest(&device_code),
            user_code: user_code.clone(),
            client_id: client.id.clone(),
            scopes: scopes.to_scope_string(),
            offline,
            prompt,
            address: address.to_string(),
            created_at: now,
            expires_at: now + DEVICE_TTL_MS,
            last_poll_at: None,
            status: "pending".into(),
            user_id: None,
        };
        match meta.insert_device_code(&row).await {
            Ok(()) => {
                return Ok(DeviceStart {
                    device_code,
                    user_code,
                    expires_in_ms: DEVICE_TTL_MS,
                    interval_ms: DEVICE_INTERVAL_MS,
                });
            }
            // A user code collision (one in 10^9): draw again.
            Err(MetaError::Database(_)) if attempt < 3 => attempt += 1,
            Err(e) => return Err(e.into()),
        }
    }
}

/// `POST /oauth/v3/device/token`: one poll of an authenticated client.
pub async fn poll(
    meta: &Meta,
    client: &OauthClient,
    device_code: &str,
    now: i64,
) -> Result<TokenResponse, OauthError> {
    let code = meta
        .device_code(&digest(device_code))
        .await?
        .filter(|c| c.client_id == client.id && c.status != "used")
        .ok_or(OauthError::InvalidCode)?;
    if now >= code.expires_at {
        return Err(OauthError::Expired);
    }
    meta.set_device_poll(&code.device_hash, now).await?;
    // spec §7: two polls within 5 seconds are answered slow_down.
    if code
        .last_poll_at
        .is_some_and(|t| now - t < DEVICE_INTERVAL_MS)
    {
        return Err(OauthError::SlowDown);
    }
    match code.status.as_str() {
        "pending" => return Err(OauthError::AuthorizationPending),
        "denied" => return Err(OauthError::AccessDenied),
        _ => {}
    }
    let user_id = code.user_id.clone().ok_or(OauthError::InvalidCode)?;
    if !meta
        .set_device_status(&code.device_hash, "approved", "used", None)
        .await?
    {
        return Err(OauthError::InvalidCode);
    }
    let with_refresh =
        first_refresh(meta, client, Some(&user_id), code.offline, code.prompt).await?;
    let scopes = parse_scopes(Some(&code.scopes))?;
    let (grant, refresh_token) = new_grant(
        meta,
        client,
        Some(&user_id),
        KIND_USER,
        scopes,
        with_refresh,
        false,
        now,
    )
    .await?;
    let access_token = issue_for_grant(meta, &grant, now).await?;
    Ok(TokenResponse {
        access_token,
        refresh_token,
        expires_in: ACCESS_TOKEN_SECS,
    })
}

/// The pending request a signed-in user entered the code of, with its client.
pub async fn pending_request(
    meta: &Meta,
    user_code: &str,
    user: &User,
    now: i64,
) -> Result<(DeviceCode, OauthClient), OauthError> {
    let code = meta
        .device_code_by_user_code(&normalize_user_code(user_code))
        .await?
        .filter(|c| c.status == "pending" && now < c.expires_at)
        .ok_or(OauthError::InvalidCode)?;
    let client = find_client(meta, &code.client_id).await?;
    if client.org_id != user.org_id || !user.active {
        return Err(OauthError::InvalidClient);
    }
    Ok((code, client))
}

/// The user accepted or denied the request of `user_code`.
pub async fn decide(
    meta: &Meta,
    user_code: &str,
    user: &User,
    allow: bool,
    now: i64,
) -> Result<OauthClient, OauthError> {
    let (code, client) = pending_request(meta, user_code, user, now).await?;
    let to = if allow { "approved" } else { "denied" };
    if !meta
        .set_device_status(&code.device_hash, "pending", to, Some(&user.id))
        .await?
    {
        return Err(OauthError::InvalidCode);
    }
    Ok(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_look_like_the_spec_and_normalise() {
        let code = new_user_code();
        assert_eq!(code.len(), 9);
        assert_eq!(&code[4..5], "-");
        assert_eq!(
            normalize_user_code(&code.to_lowercase().replace('-', "")),
            code
        );
        assert_eq!(normalize_user_code(" bcdf-1234 "), "BCDF-1234");
    }
}
