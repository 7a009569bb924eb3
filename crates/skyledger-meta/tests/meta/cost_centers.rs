//! Cost centers: definitions round-trip, names unique per organisation ignoring case.

use skyledger_meta::MetaError;
use skyledger_meta::cost_accounts::NewCostAccount;
use skyledger_meta::cost_centers::{
    CLOUD_HYBRID, CostCenterAccount, CostCenterDef, TagRule, VARIATION_COST_CENTER,
};

use crate::backends;

#[tokio::test]
async fn cost_centers_round_trip_and_names_are_unique_ignoring_case() {
    for (name, meta) in backends().await.stores {
        let org = meta.default_org("Acme", "UTC").await.unwrap();
        let other = meta.create_org("Other", "UTC").await.unwrap();
        let account = |n: &'static str, cloud| NewCostAccount {
            org_id: &org.id,
            name: n,
            cloud_type: cloud,
            provider: "test",
            source_key: n,
            source: "file",
            currency: "USD",
        };
        let aws = meta.upsert_cost_account(&account("aws", 0)).await.unwrap();
        let azure = meta
            .upsert_cost_account(&account("azure", 1))
            .await
            .unwrap();
        let def = CostCenterDef {
            name: "Hybrid Team".into(),
            cloud_type: CLOUD_HYBRID,
            accounts: vec![
                CostCenterAccount {
                    cost_account_id: aws.id.clone(),
                    billing_account_ids: vec![],
                },
                CostCenterAccount {
                    cost_account_id: azure.id.clone(),
                    billing_account_ids: vec!["b2".into(), "b1".into()],
                },
            ],
            tag_rules: vec![
                TagRule {
                    key: "env".into(),
                    values: vec!["prod".into(), "dev".into()],
                },
                TagRule {
                    key: "team".into(),
                    values: vec!["a".into()],
                },
            ],
            users: vec!["u1".into()],
            groups: vec!["g1".into()],
        };
        let saved = meta
            .save_cost_center(&org.id, None, &def)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(saved.id.len(), 17, "{name}");
        let loaded = meta.cost_center(&org.id, &saved.id).await.unwrap().unwrap();
        // Stored order: accounts by id, billing accounts, keys and values sorted.
        let mut want = def.clone();
        want.accounts
            .sort_by(|a, b| a.cost_account_id.cmp(&b.cost_account_id));
        for a in &mut want.accounts {
            a.billing_account_ids.sort();
        }
        want.tag_rules[0].values.sort();
        assert_eq!(loaded.def, want, "{name}");
        assert!(
            meta.cost_center(&other.id, &saved.id)
                .await
                .unwrap()
                .is_none()
        );

        let dup = CostCenterDef {
            name: " hybrid TEAM ".into(),
            ..CostCenterDef::default()
        };
        let err = meta
            .save_cost_center(&org.id, None, &dup)
            .await
            .unwrap_err();
        assert!(
            matches!(err, MetaError::Conflict(ref m) if m.contains("Hybrid Team")),
            "{name}: {err}"
        );
        // The same name in another organisation is fine.
        meta.save_cost_center(&other.id, None, &dup)
            .await
            .unwrap()
            .unwrap();

        // Reconfigure: renaming to its own name in another case, fewer accounts, no rules.
        let changed = CostCenterDef {
            name: "HYBRID team".into(),
            cloud_type: 0,
            accounts: vec![CostCenterAccount {
                cost_account_id: aws.id.clone(),
                billing_account_ids: vec![],
            }],
            ..CostCenterDef::default()
        };
        let updated = meta
            .save_cost_center(&org.id, Some(&saved.id), &changed)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(updated.def, changed, "{name}");
        assert_eq!(updated.id, saved.id);
        assert!(
            meta.save_cost_center(&org.id, Some("12345678901234567"), &changed)
                .await
                .unwrap()
                .is_none()
        );
        let second = meta
            .save_cost_center(
                &org.id,
                None,
                &CostCenterDef {
                    name: "Alpha".into(),
                    ..CostCenterDef::default()
                },
            )
            .await
            .unwrap()
            .unwrap();
        let names: Vec<String> = meta
            .cost_centers(&org.id)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.def.name)
            .collect();
        assert_eq!(names, ["Alpha", "HYBRID team"], "{name}");
        // Custom tags (variation -4) on a cost center: idempotent, listed by key and value.
        let pairs = [
            ("team".to_string(), "b".to_string()),
            ("env".to_string(), "prod".to_string()),
        ];
        let tags = meta
            .tag_cost_center(&org.id, &second.id, &pairs)
            .await
            .unwrap();
        meta.tag_cost_center(&org.id, &second.id, &pairs[..1])
            .await
            .unwrap();
        let listed = meta.cost_center_tags(&org.id, &second.id).await.unwrap();
        assert_eq!(listed.len(), 2, "{name}");
        assert_eq!(
            (listed[0].key.as_str(), listed[0].variation),
            ("env", VARIATION_COST_CENTER)
        );
        assert!(tags.iter().all(|t| listed.contains(t)));
        assert!(
            meta.cost_center_tags(&other.id, &second.id)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(meta.delete_cost_center(&org.id, &second.id).await.unwrap());
        assert!(!meta.delete_cost_center(&org.id, &second.id).await.unwrap());
        assert_eq!(meta.cost_centers(&org.id).await.unwrap().len(), 1);
    }
}
