//! Leases on polled billing sources, so that two nodes never ingest one source at once.
//!
//! One row per (organisation, source). Taking a lease is a single upsert that succeeds only when
//! the row is free, expired, or already held by the caller, so it is atomic on SQLite and
//! PostgreSQL alike without advisory locks. A holder renews by taking it again before it
//! expires; a node that dies leaves a lease that expires after its time to live.

use crate::{Meta, Result, now_ms};

impl Meta {
    /// Takes or renews the lease on `source` for `holder` for `ttl_ms`; `false` when another
    /// holder's lease is still running.
    pub async fn try_lease_source(
        &self,
        org_id: &str,
        source: &str,
        holder: &str,
        ttl_ms: i64,
    ) -> Result<bool> {
        let now = now_ms();
        let done = sqlx::query(
            "INSERT INTO source_leases (org_id, source, holder, expires_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (org_id, source) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
             WHERE source_leases.holder = excluded.holder OR source_leases.expires_at < $5",
        )
        .bind(org_id)
        .bind(source)
        .bind(holder)
        .bind(now + ttl_ms)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives up `holder`'s lease on `source` (nothing when another holder has it).
    pub async fn release_source_lease(
        &self,
        org_id: &str,
        source: &str,
        holder: &str,
    ) -> Result<()> {
        sqlx::query("DELETE FROM source_leases WHERE org_id = $1 AND source = $2 AND holder = $3")
            .bind(org_id)
            .bind(source)
            .bind(holder)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn leases_exclude_each_other(meta: Meta) {
        meta.migrate().await.unwrap();
        let org = meta.default_org("Leases", "UTC").await.unwrap().id;
        let src = format!("s3://bucket/{}", now_ms());
        assert!(
            meta.try_lease_source(&org, &src, "a", 60_000)
                .await
                .unwrap()
        );
        assert!(
            !meta
                .try_lease_source(&org, &src, "b", 60_000)
                .await
                .unwrap()
        );
        // The holder renews.
        assert!(
            meta.try_lease_source(&org, &src, "a", 60_000)
                .await
                .unwrap()
        );
        // Another source is independent.
        let other = format!("{src}-other");
        assert!(
            meta.try_lease_source(&org, &other, "b", 60_000)
                .await
                .unwrap()
        );
        // Released: free for the next one; releasing someone else's lease does nothing.
        meta.release_source_lease(&org, &src, "b").await.unwrap();
        assert!(
            !meta
                .try_lease_source(&org, &src, "b", 60_000)
                .await
                .unwrap()
        );
        meta.release_source_lease(&org, &src, "a").await.unwrap();
        assert!(meta.try_lease_source(&org, &src, "b", 1).await.unwrap());
        // Expired: a dead holder's lease is taken over.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        assert!(
            meta.try_lease_source(&org, &src, "c", 60_000)
                .await
                .unwrap()
        );
        assert!(
            !meta
                .try_lease_source(&org, &src, "b", 60_000)
                .await
                .unwrap()
        );
        // Nodes racing for a free lease: exactly one wins.
        let race = format!("{src}-race");
        let attempts: Vec<_> = (0..8)
            .map(|i| {
                let (meta, org, race) = (meta.clone(), org.clone(), race.clone());
                tokio::spawn(async move {
                    meta.try_lease_source(&org, &race, &format!("node-{i}"), 60_000)
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut winners = 0;
        for attempt in attempts {
            winners += usize::from(attempt.await.unwrap());
        }
        assert_eq!(winners, 1);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn sqlite_leases_exclude_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let meta = Meta::connect(&Meta::sqlite_url(dir.path())).await.unwrap();
        leases_exclude_each_other(meta).await;
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn postgres_leases_exclude_each_other() {
        let Ok(url) = std::env::var("SKYLEDGER_TEST_POSTGRES_URL") else {
            eprintln!("SKIPPED postgres lease test: SKYLEDGER_TEST_POSTGRES_URL is not set");
            return;
        };
        leases_exclude_each_other(Meta::connect(&url).await.unwrap()).await;
    }
}
