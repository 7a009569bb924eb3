//! Solution reports found in billing data: stable ids, no duplicates, per organisation.

use skyledger_meta::cost_accounts::NewCostAccount;
use skyledger_meta::solution_reports::FoundReport;

use crate::backends;

fn found(account: &str, report_type: i64, key: &str, name: &str) -> FoundReport {
    FoundReport {
        cost_account_id: account.to_string(),
        report_type,
        report_key: key.to_string(),
        name: name.to_string(),
    }
}

#[tokio::test]
async fn reports_keep_their_id_once_found() {
    for (name, meta) in backends().await.stores {
        let org = meta.default_org("Acme", "UTC").await.unwrap();
        let other = meta.create_org("Other", "UTC").await.unwrap();
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
        let first = meta
            .save_solution_reports(
                &org.id,
                &[
                    found(&account.id, 2, "AmazonS3", "AmazonS3"),
                    found(&account.id, 32, "USW1-DataTransfer-Out-Bytes", "USW1 (OUT)"),
                ],
            )
            .await
            .unwrap();
        assert_eq!(first.len(), 2, "{name}");
        assert!(first.iter().all(|r| r.id.len() == 17), "{name}");
        // Found again with another that is new: the known ones keep id and name.
        let again = meta
            .save_solution_reports(
                &org.id,
                &[
                    found(&account.id, 32, "USW1-DataTransfer-Out-Bytes", "renamed"),
                    found(&account.id, 1, "us-west-1", "us-west-1"),
                ],
            )
            .await
            .unwrap();
        assert_eq!(again.len(), 3, "{name}");
        let dt = again.iter().find(|r| r.found.report_type == 32).unwrap();
        let was = first.iter().find(|r| r.found.report_type == 32).unwrap();
        assert_eq!((&dt.id, dt.found.name.as_str()), (&was.id, "USW1 (OUT)"));
        assert_eq!(dt.created_at, was.created_at);
        // Ordered by account, then type.
        let types: Vec<i64> = again.iter().map(|r| r.found.report_type).collect();
        assert_eq!(types, vec![1, 2, 32], "{name}");
        let one = meta
            .solution_report(&org.id, &dt.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(one, *dt);
        // Another organisation sees none of them.
        assert!(meta.solution_reports(&other.id).await.unwrap().is_empty());
        assert!(
            meta.solution_report(&other.id, &dt.id)
                .await
                .unwrap()
                .is_none()
        );
    }
}
