//! The same repository behaviour on every backend.

use std::collections::HashSet;

use skyledger_meta::tokens::NewAccessToken;
use skyledger_meta::users::NewUser;
use skyledger_meta::{Meta, MetaError, now_ms};

use crate::backends;

#[tokio::test]
async fn migrations_are_idempotent() {
    for (name, meta) in backends().await.stores {
        assert!(
            meta.migrate().await.unwrap().is_empty(),
            "{name}: second run applies nothing"
        );
        meta.ping().await.unwrap();
    }
}

#[tokio::test]
async fn ids_have_17_digits_and_never_repeat_across_handles() {
    for (name, meta) in backends().await.stores {
        let mut seen = HashSet::new();
        for _ in 0..200 {
            let id = meta.next_id().await.unwrap().to_string();
            assert_eq!(id.len(), 17, "{name}: {id}");
            assert!(id.bytes().all(|b| b.is_ascii_digit()));
            assert!(seen.insert(id), "{name}: repeated id");
        }
        // A second handle on the same database stands for a restart or a second node.
        let other = meta.clone_fresh().await;
        let mut tasks = Vec::new();
        for m in [meta.clone(), other.clone()] {
            tasks.push(tokio::spawn(async move {
                let mut ids = Vec::new();
                for _ in 0..150 {
                    ids.push(m.next_id().await.unwrap().to_string());
                }
                ids
            }));
        }
        for task in tasks {
            for id in task.await.unwrap() {
                assert!(seen.insert(id), "{name}: id repeated across handles");
            }
        }
    }
}

#[tokio::test]
async fn users_are_unique_by_email_without_case() {
    for (name, meta) in backends().await.stores {
        let org = meta.default_org("Acme", "UTC").await.unwrap();
        assert_eq!(
            meta.default_org("Other", "UTC").await.unwrap(),
            org,
            "{name}"
        );
        let user = meta
            .create_user(&NewUser {
                org_id: &org.id,
                email: "Ada@Example.com",
                name: "Ada",
                password_hash: Some("$argon2id$v=19$x"),
                is_admin: true,
            })
            .await
            .unwrap();
        assert_eq!(user.email, "ada@example.com");
        let again = meta
            .create_user(&NewUser {
                org_id: &org.id,
                email: "ADA@example.com ",
                name: "Ada 2",
                password_hash: None,
                is_admin: false,
            })
            .await;
        assert!(
            matches!(again, Err(MetaError::Conflict(_))),
            "{name}: {again:?}"
        );
        let found = meta
            .user_by_email("ada@EXAMPLE.com")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found, user);
        assert!(found.is_admin && found.active);
        assert_eq!(meta.users_of_org(&org.id).await.unwrap(), vec![user]);
    }
}

#[tokio::test]
async fn tokens_are_found_by_hash_and_revoked_by_grant() {
    for (name, meta) in backends().await.stores {
        let org = meta.default_org("Acme", "UTC").await.unwrap();
        let mut ids = Vec::new();
        for (i, grant) in [Some("g1"), Some("g1"), Some("g2")].into_iter().enumerate() {
            let hash = format!("hash-{i}");
            let token = meta
                .insert_access_token(&NewAccessToken {
                    token_hash: &hash,
                    org_id: &org.id,
                    user_id: None,
                    client_id: None,
                    grant_id: grant,
                    scopes: "CloudSpend.Internal.Read",
                    label: "test",
                    expires_at: now_ms() + 60_000,
                })
                .await
                .unwrap();
            ids.push(token.id);
        }
        let t0 = meta.access_token_by_hash("hash-0").await.unwrap().unwrap();
        assert!(t0.is_live(now_ms()), "{name}");
        assert!(meta.access_token_by_hash("nope").await.unwrap().is_none());
        assert_eq!(
            meta.revoke_access_tokens_of_grant("g1").await.unwrap(),
            2,
            "{name}"
        );
        assert!(
            !meta
                .access_token_by_hash("hash-1")
                .await
                .unwrap()
                .unwrap()
                .is_live(now_ms())
        );
        assert!(
            meta.access_token_by_hash("hash-2")
                .await
                .unwrap()
                .unwrap()
                .is_live(now_ms())
        );
        assert!(meta.revoke_access_token(&ids[2]).await.unwrap());
        assert!(
            !meta.revoke_access_token(&ids[2]).await.unwrap(),
            "{name}: revoking twice"
        );
        assert_eq!(meta.access_tokens_of_org(&org.id).await.unwrap().len(), 3);
    }
}

#[tokio::test]
async fn token_hashes_are_unique() {
    for (name, meta) in backends().await.stores {
        let org = meta.default_org("Acme", "UTC").await.unwrap();
        let new = NewAccessToken {
            token_hash: "same",
            org_id: &org.id,
            user_id: None,
            client_id: None,
            grant_id: None,
            scopes: "CloudSpend.Internal.ALL",
            label: "dup",
            expires_at: now_ms() + 1000,
        };
        meta.insert_access_token(&new).await.unwrap();
        assert!(meta.insert_access_token(&new).await.is_err(), "{name}");
    }
}

/// Opens a second, independent handle on the same database.
trait CloneFresh {
    async fn clone_fresh(&self) -> Meta;
}

impl CloneFresh for Meta {
    async fn clone_fresh(&self) -> Meta {
        Meta::connect(self.url()).await.unwrap()
    }
}

#[tokio::test]
async fn cost_accounts_are_unique_per_billing_source_and_org() {
    use skyledger_meta::cost_accounts::{NewCostAccount, STATUS_PROCESSED, STATUS_PROCESSING};
    for (name, meta) in backends().await.stores {
        let org = meta.default_org("Acme", "UTC").await.unwrap();
        let other = meta.create_org("Other", "UTC").await.unwrap();
        let new = |org_id, label| NewCostAccount {
            org_id,
            name: label,
            cloud_type: 0,
            provider: "AWS",
            source_key: "123456789012",
            source: "/exports/cur",
            currency: "USD",
        };
        let first = meta
            .upsert_cost_account(&new(&org.id, "Payer"))
            .await
            .unwrap();
        assert_eq!(first.status, STATUS_PROCESSING, "{name}");
        let again = meta
            .upsert_cost_account(&new(&org.id, "Renamed"))
            .await
            .unwrap();
        assert_eq!(again.id, first.id, "{name}: the same billing source");
        assert_eq!(again.name, "Renamed");
        let theirs = meta
            .upsert_cost_account(&new(&other.id, "Theirs"))
            .await
            .unwrap();
        assert_ne!(
            theirs.id, first.id,
            "{name}: another organisation's source is its own"
        );
        assert!(
            meta.cost_account(&other.id, &first.id)
                .await
                .unwrap()
                .is_none(),
            "{name}: no cross-org read"
        );
        meta.set_cost_account_status(&first.id, STATUS_PROCESSED, "", Some(42))
            .await
            .unwrap();
        let read = meta
            .cost_account(&org.id, &first.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (read.status, read.last_processed_at),
            (STATUS_PROCESSED, Some(42))
        );
        assert_eq!(meta.cost_accounts(&org.id).await.unwrap().len(), 1);

        let seen = vec![
            ("111".to_string(), "dev".to_string()),
            ("222".to_string(), String::new()),
        ];
        meta.record_billing_accounts(&org.id, &first.id, &seen)
            .await
            .unwrap();
        meta.record_billing_accounts(
            &org.id,
            &first.id,
            &[("111".to_string(), "development".to_string())],
        )
        .await
        .unwrap();
        let accounts = meta.billing_accounts(&org.id, &first.id).await.unwrap();
        let names: Vec<_> = accounts
            .iter()
            .map(|a| (a.account_key.as_str(), a.name.as_str()))
            .collect();
        assert_eq!(
            names,
            vec![("111", "development"), ("222", "222")],
            "{name}"
        );
    }
}

#[tokio::test]
async fn ingest_jobs_and_deliveries() {
    for (name, meta) in backends().await.stores {
        let org = meta.default_org("Acme", "UTC").await.unwrap();
        let mut job = meta
            .start_ingest_job(&org.id, "/x/cur.csv.gz", "aws-cur")
            .await
            .unwrap();
        job.status = "succeeded".into();
        job.rows_read = 10;
        job.summary = "{\"periods\":1}".into();
        meta.finish_ingest_job(&job).await.unwrap();
        let jobs = meta.ingest_jobs(&org.id, 10).await.unwrap();
        assert_eq!(jobs.len(), 1, "{name}");
        assert_eq!(
            (jobs[0].status.as_str(), jobs[0].rows_read),
            ("succeeded", 10)
        );
        assert!(jobs[0].finished_at.is_some());

        assert_eq!(
            meta.delivery_fingerprint(&org.id, "s3://b/p", "a.csv")
                .await
                .unwrap(),
            None
        );
        meta.record_delivery(&org.id, "s3://b/p", "a.csv", "10:1")
            .await
            .unwrap();
        meta.record_delivery(&org.id, "s3://b/p", "a.csv", "12:2")
            .await
            .unwrap();
        assert_eq!(
            meta.delivery_fingerprint(&org.id, "s3://b/p", "a.csv")
                .await
                .unwrap()
                .as_deref(),
            Some("12:2"),
            "{name}"
        );
    }
}

#[tokio::test]
async fn last_sign_ins_are_each_users_newest_session() {
    use skyledger_meta::oauth::Session;
    for (name, meta) in backends().await.stores {
        let org = meta.create_org("Signers", "UTC").await.unwrap();
        let other = meta.create_org("Others", "UTC").await.unwrap();
        let mut users = vec![];
        for (org_id, email) in [
            (&org.id, "a@signers.example"),
            (&org.id, "b@signers.example"),
            (&other.id, "x@others.example"),
        ] {
            let new = NewUser {
                org_id,
                email,
                name: "Signer",
                password_hash: None,
                is_admin: false,
            };
            users.push(meta.create_user(&new).await.unwrap());
        }
        let (a, x) = (&users[0], &users[2]);
        for (i, (u, at)) in [(a, 1_000), (a, 3_000), (a, 2_000), (x, 5_000)]
            .into_iter()
            .enumerate()
        {
            meta.insert_session(&Session {
                id_hash: format!("{name}-session-{i}"),
                user_id: u.id.clone(),
                csrf: "c".into(),
                created_at: at,
                expires_at: at + 60_000,
            })
            .await
            .unwrap();
        }
        // b never signed in; x belongs to another organisation.
        assert_eq!(
            meta.last_sign_ins(&org.id).await.unwrap(),
            vec![(a.id.clone(), 3_000)],
            "{name}"
        );
    }
}
