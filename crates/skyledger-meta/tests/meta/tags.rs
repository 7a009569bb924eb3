//! Tag ids and custom tag assignments.

use skyledger_meta::cost_accounts::NewCostAccount;
use skyledger_meta::tags::{VARIATION_CUSTOM_RESOURCE, VARIATION_PROVIDER};

use crate::backends;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn tag_ids_are_stable_per_pair_variation_and_org() {
    for (name, meta) in backends().await.stores {
        let org = meta.default_org("Acme", "UTC").await.unwrap();
        let other = meta.create_org("Other", "UTC").await.unwrap();
        let first = meta
            .tag_ids(
                &org.id,
                VARIATION_PROVIDER,
                &pairs(&[("env", "prod"), ("env", "dev")]),
            )
            .await
            .unwrap();
        assert_eq!(first.len(), 2);
        assert_ne!(first[0].id, first[1].id, "{name}");
        assert_eq!(first[0].id.len(), 17);
        let again = meta
            .tag_ids(
                &org.id,
                VARIATION_PROVIDER,
                &pairs(&[("env", "dev"), ("team", "a")]),
            )
            .await
            .unwrap();
        assert_eq!(
            again[0].id, first[1].id,
            "{name}: the same pair keeps its id"
        );
        assert_eq!(
            (again[1].key.as_str(), again[1].value.as_str()),
            ("team", "a")
        );
        let custom = meta
            .tag_ids(
                &org.id,
                VARIATION_CUSTOM_RESOURCE,
                &pairs(&[("env", "prod")]),
            )
            .await
            .unwrap();
        assert_ne!(custom[0].id, first[0].id, "{name}: variations are distinct");
        let theirs = meta
            .tag_ids(&other.id, VARIATION_PROVIDER, &pairs(&[("env", "prod")]))
            .await
            .unwrap();
        assert_ne!(
            theirs[0].id, first[0].id,
            "{name}: organisations are distinct"
        );
        assert!(meta.tag(&other.id, &first[0].id).await.unwrap().is_none());
        assert_eq!(
            meta.tag(&org.id, &first[0].id)
                .await
                .unwrap()
                .unwrap()
                .value,
            "prod"
        );
        assert_eq!(
            meta.tags_of_variation(&org.id, VARIATION_PROVIDER)
                .await
                .unwrap()
                .len(),
            3
        );
    }
}

#[tokio::test]
async fn custom_tags_attach_to_resources_idempotently() {
    for (name, meta) in backends().await.stores {
        let org = meta.default_org("Acme", "UTC").await.unwrap();
        let account = meta
            .upsert_cost_account(&NewCostAccount {
                org_id: &org.id,
                name: "Payer",
                cloud_type: 0,
                provider: "AWS",
                source_key: "123456789012",
                source: "/exports",
                currency: "USD",
            })
            .await
            .unwrap();
        let t = meta
            .tag_ids(
                &org.id,
                VARIATION_CUSTOM_RESOURCE,
                &pairs(&[("owner", "ana")]),
            )
            .await
            .unwrap()
            .remove(0);
        for _ in 0..2 {
            meta.assign_tag(&org.id, &t.id, &account.id, "i-0abc")
                .await
                .unwrap();
        }
        meta.assign_tag(&org.id, &t.id, &account.id, "i-0def")
            .await
            .unwrap();
        let all = meta.tag_assignments(&org.id).await.unwrap();
        assert_eq!(all.len(), 2, "{name}: assigning twice keeps one row");
        assert_eq!(all[0].resource_id, "i-0abc");
        assert_eq!(all[0].tag.key, "owner");
        assert_eq!(meta.tag_targets(&org.id, &t.id).await.unwrap().len(), 2);
    }
}
