//! OAuth records on every backend: clients, grants, codes, device codes, sessions, failures.

use skyledger_meta::oauth::{AuthCode, CodeClaim, DeviceCode, NewGrant, NewOauthClient, Session};
use skyledger_meta::tokens::NewAccessToken;
use skyledger_meta::users::NewUser;
use skyledger_meta::{Meta, now_ms};

use crate::backends;

async fn setup(meta: &Meta) -> (String, String) {
    let org = meta.default_org("Acme", "UTC").await.unwrap();
    let user = meta
        .create_user(&NewUser {
            org_id: &org.id,
            email: "ada@example.com",
            name: "Ada",
            password_hash: None,
            is_admin: true,
        })
        .await
        .unwrap();
    let uris = vec!["https://app.example.com/cb".to_string()];
    meta.insert_oauth_client(&NewOauthClient {
        id: "1000.CLIENT",
        org_id: &org.id,
        name: "App",
        client_type: "server",
        secret_hash: Some("h"),
        homepage_url: Some("https://app.example.com"),
        redirect_uris: &uris,
        js_domain: None,
        owner_user_id: None,
        created_at: 1,
    })
    .await
    .unwrap();
    (org.id, user.id)
}

fn token<'a>(hash: &'a str, org: &'a str, grant: &'a str) -> NewAccessToken<'a> {
    NewAccessToken {
        token_hash: hash,
        org_id: org,
        user_id: None,
        client_id: Some("1000.CLIENT"),
        grant_id: Some(grant),
        scopes: "CloudSpend.Internal.Read",
        label: "oauth",
        expires_at: now_ms() + 3_600_000,
    }
}

#[tokio::test]
async fn clients_grants_and_tokens() {
    for (name, meta) in backends().await.stores {
        let (org, user) = setup(&meta).await;
        let client = meta.oauth_client("1000.CLIENT").await.unwrap().unwrap();
        assert_eq!(
            client.redirect_uris,
            ["https://app.example.com/cb"],
            "{name}"
        );
        assert_eq!(meta.oauth_clients_of_org(&org).await.unwrap().len(), 1);
        let grant = |t, refresh| NewGrant {
            org_id: &org,
            client_id: "1000.CLIENT",
            user_id: Some(&user),
            kind: "user",
            scopes: "CloudSpend.Internal.Read",
            refresh_hash: refresh,
            for_session: false,
            created_at: t,
        };
        let g1 = meta.insert_grant(&grant(10, Some("r1"))).await.unwrap();
        let g2 = meta.insert_grant(&grant(20, None)).await.unwrap();
        let live = meta
            .live_grants(&org, "1000.CLIENT", Some(&user))
            .await
            .unwrap();
        assert_eq!(
            live.iter().map(|g| &g.id).collect::<Vec<_>>(),
            [&g1.id, &g2.id]
        );
        assert!(live[0].has_refresh && !live[1].has_refresh, "{name}");
        assert!(
            meta.live_grants(&org, "1000.CLIENT", None)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            meta.grant_by_refresh_hash("r1").await.unwrap().unwrap().id,
            g1.id
        );
        for (i, t) in [100, 200, 300].into_iter().enumerate() {
            meta.insert_access_token_at(&token(&format!("t{i}"), &org, &g1.id), t)
                .await
                .unwrap();
        }
        assert_eq!(
            meta.count_access_tokens_of_grant_since(&g1.id, 200)
                .await
                .unwrap(),
            2,
            "{name}"
        );
        assert_eq!(
            meta.trim_access_tokens_of_grant(&g1.id, 2, 400)
                .await
                .unwrap(),
            1
        );
        assert!(
            meta.access_token_by_hash("t0")
                .await
                .unwrap()
                .unwrap()
                .revoked_at
                .is_some()
        );
        assert!(
            meta.access_token_by_hash("t2")
                .await
                .unwrap()
                .unwrap()
                .revoked_at
                .is_none()
        );
        meta.set_grant_scopes(&g1.id, "CloudSpend.Internal.ALL")
            .await
            .unwrap();
        assert_eq!(
            meta.access_token_by_hash("t2")
                .await
                .unwrap()
                .unwrap()
                .scopes,
            "CloudSpend.Internal.ALL"
        );
        assert!(meta.revoke_grant(&g1.id, 500).await.unwrap());
        assert!(
            !meta.revoke_grant(&g1.id, 500).await.unwrap(),
            "{name}: once"
        );
        assert!(
            meta.access_token_by_hash("t2")
                .await
                .unwrap()
                .unwrap()
                .revoked_at
                .is_some()
        );
        // Deleting the client revokes what is left.
        meta.insert_access_token_at(&token("t9", &org, &g2.id), 600)
            .await
            .unwrap();
        assert!(
            !meta
                .delete_oauth_client("other-org", "1000.CLIENT", 700)
                .await
                .unwrap()
        );
        assert!(
            meta.delete_oauth_client(&org, "1000.CLIENT", 700)
                .await
                .unwrap()
        );
        assert!(meta.oauth_client("1000.CLIENT").await.unwrap().is_none());
        assert!(
            meta.grant(&g2.id)
                .await
                .unwrap()
                .unwrap()
                .revoked_at
                .is_some()
        );
        assert!(
            meta.access_token_by_hash("t9")
                .await
                .unwrap()
                .unwrap()
                .revoked_at
                .is_some()
        );
    }
}

#[tokio::test]
async fn codes_work_once_and_devices_move_through_states() {
    for (name, meta) in backends().await.stores {
        let (org, user) = setup(&meta).await;
        let code = AuthCode {
            code_hash: "c1".into(),
            org_id: org.clone(),
            client_id: "1000.CLIENT".into(),
            user_id: Some(user.clone()),
            kind: "user".into(),
            redirect_uri: Some("https://app.example.com/cb".into()),
            scopes: "CloudSpend.Internal.Read".into(),
            issue_refresh: true,
            code_challenge: None,
            challenge_method: None,
            created_at: 1000,
            expires_at: 121_000,
            used_at: None,
            grant_id: None,
        };
        meta.insert_code(&code).await.unwrap();
        assert_eq!(
            meta.count_codes_since("1000.CLIENT", &user, 1000)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            meta.count_codes_since("1000.CLIENT", &user, 1001)
                .await
                .unwrap(),
            0
        );
        assert!(
            matches!(meta.claim_code("c1", 2000).await.unwrap(), CodeClaim::Claimed(c) if c.issue_refresh)
        );
        meta.set_code_grant("c1", "g").await.unwrap();
        match meta.claim_code("c1", 3000).await.unwrap() {
            CodeClaim::Reused(c) => assert_eq!(c.grant_id.as_deref(), Some("g"), "{name}"),
            other => panic!("{name}: {other:?}"),
        }
        assert_eq!(
            meta.claim_code("nope", 3000).await.unwrap(),
            CodeClaim::Unknown
        );

        let device = DeviceCode {
            device_hash: "d1".into(),
            user_code: "BCDF-1234".into(),
            client_id: "1000.CLIENT".into(),
            scopes: "CloudSpend.Internal.Read".into(),
            offline: true,
            prompt: false,
            address: "10.0.0.1".into(),
            created_at: 1000,
            expires_at: 301_000,
            last_poll_at: None,
            status: "pending".into(),
            user_id: None,
        };
        meta.insert_device_code(&device).await.unwrap();
        assert_eq!(
            meta.count_device_codes_since("1000.CLIENT", "10.0.0.1", 0)
                .await
                .unwrap(),
            1
        );
        meta.set_device_poll("d1", 5000).await.unwrap();
        assert!(
            meta.set_device_status("d1", "pending", "approved", Some(&user))
                .await
                .unwrap()
        );
        assert!(
            !meta
                .set_device_status("d1", "pending", "denied", None)
                .await
                .unwrap()
        );
        let stored = meta
            .device_code_by_user_code("BCDF-1234")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.last_poll_at, Some(5000));
        assert_eq!(stored.user_id.as_deref(), Some(user.as_str()), "{name}");
        assert_eq!(
            meta.device_code("d1").await.unwrap().unwrap().status,
            "approved"
        );
    }
}

#[tokio::test]
async fn sessions_failures_and_enhance_tokens() {
    for (name, meta) in backends().await.stores {
        let (org, user) = setup(&meta).await;
        meta.insert_session(&Session {
            id_hash: "s1".into(),
            user_id: user.clone(),
            csrf: "x".into(),
            created_at: 0,
            expires_at: 1000,
        })
        .await
        .unwrap();
        assert!(
            meta.live_session("s1", 999).await.unwrap().is_some(),
            "{name}"
        );
        assert!(meta.live_session("s1", 1000).await.unwrap().is_none());
        meta.end_session("s1", 10).await.unwrap();
        assert!(meta.live_session("s1", 20).await.unwrap().is_none());

        for t in [10, 20, 30] {
            meta.record_signin_failure("account", "ada@example.com", t)
                .await
                .unwrap();
        }
        assert_eq!(
            meta.count_signin_failures_since("account", "ada@example.com", 20)
                .await
                .unwrap(),
            2
        );
        meta.clear_signin_failures("account", "ada@example.com")
            .await
            .unwrap();
        assert_eq!(
            meta.count_signin_failures_since("account", "ada@example.com", 0)
                .await
                .unwrap(),
            0
        );

        let grant = meta
            .insert_grant(&NewGrant {
                org_id: &org,
                client_id: "1000.CLIENT",
                user_id: Some(&user),
                kind: "user",
                scopes: "CloudSpend.Internal.Read",
                refresh_hash: Some("r"),
                for_session: false,
                created_at: 0,
            })
            .await
            .unwrap();
        meta.insert_enhance_token("e1", &grant.id, 0, 600_000)
            .await
            .unwrap();
        assert_eq!(
            meta.enhance_token_grant("e1", 1).await.unwrap(),
            Some(grant.id.clone())
        );
        assert_eq!(meta.enhance_token_grant("e1", 600_000).await.unwrap(), None);
        assert!(meta.spend_enhance_token("e1", 2).await.unwrap());
        assert!(
            !meta.spend_enhance_token("e1", 3).await.unwrap(),
            "{name}: once"
        );
        assert_eq!(meta.enhance_token_grant("e1", 4).await.unwrap(), None);
    }
}
