//! Cost accounts (billing sources), their billing accounts, ingest jobs and polled deliveries.

use sqlx::Row;

use crate::{Meta, Result, now_ms};

/// Processing state of a cost account (spec: accounts_status).
pub const STATUS_PROCESSING: i64 = 1;
pub const STATUS_PROCESSED: i64 = 2;
pub const STATUS_FAILED: i64 = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostAccount {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub cloud_type: i64,
    pub provider: String,
    pub source_key: String,
    pub source: String,
    pub currency: String,
    pub status: i64,
    pub status_message: String,
    pub last_processed_at: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingAccount {
    pub id: String,
    pub org_id: String,
    pub cost_account_id: String,
    pub account_key: String,
    pub name: String,
    pub first_seen_at: i64,
    pub last_seen_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestJob {
    pub id: String,
    pub org_id: String,
    pub cost_account_id: Option<String>,
    pub source: String,
    pub format: String,
    pub status: String,
    pub rows_read: i64,
    pub bad_rows: i64,
    pub bytes_read: i64,
    pub summary: String,
    pub message: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
}

/// The identity of a billing source within an organisation.
#[derive(Debug, Clone)]
pub struct NewCostAccount<'a> {
    pub org_id: &'a str,
    pub name: &'a str,
    pub cloud_type: i64,
    pub provider: &'a str,
    pub source_key: &'a str,
    pub source: &'a str,
    pub currency: &'a str,
}

const ACCOUNT_COLUMNS: &str = "id, org_id, name, cloud_type, provider, source_key, source, currency, status, status_message, last_processed_at, created_at";
const JOB_COLUMNS: &str = "id, org_id, cost_account_id, source, format, status, rows_read, bad_rows, bytes_read, summary, message, started_at, finished_at";

fn account(row: sqlx::any::AnyRow) -> Result<CostAccount> {
    Ok(CostAccount {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        name: row.try_get("name")?,
        cloud_type: row.try_get("cloud_type")?,
        provider: row.try_get("provider")?,
        source_key: row.try_get("source_key")?,
        source: row.try_get("source")?,
        currency: row.try_get("currency")?,
        status: row.try_get("status")?,
        status_message: row.try_get("status_message")?,
        last_processed_at: row.try_get("last_processed_at")?,
        created_at: row.try_get("created_at")?,
    })
}

fn billing_account(row: sqlx::any::AnyRow) -> Result<BillingAccount> {
    Ok(BillingAccount {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        cost_account_id: row.try_get("cost_account_id")?,
        account_key: row.try_get("account_key")?,
        name: row.try_get("name")?,
        first_seen_at: row.try_get("first_seen_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
    })
}

fn job(row: sqlx::any::AnyRow) -> Result<IngestJob> {
    Ok(IngestJob {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        cost_account_id: row.try_get("cost_account_id")?,
        source: row.try_get("source")?,
        format: row.try_get("format")?,
        status: row.try_get("status")?,
        rows_read: row.try_get("rows_read")?,
        bad_rows: row.try_get("bad_rows")?,
        bytes_read: row.try_get("bytes_read")?,
        summary: row.try_get("summary")?,
        message: row.try_get("message")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
    })
}

impl Meta {
    /// The cost account of this billing source, created (status processing) if new. A given
    /// `name` renames an existing one; `source` and `currency` are updated.
    pub async fn upsert_cost_account(&self, new: &NewCostAccount<'_>) -> Result<CostAccount> {
        let id = self.next_id().await?.to_string();
        self.upsert_cost_account_with_id(&id, new).await
    }

    /// As [`Meta::upsert_cost_account`], with the id a new account gets (allocated beforehand
    /// so its data can be written before the account is recorded).
    pub async fn upsert_cost_account_with_id(
        &self,
        id_if_new: &str,
        new: &NewCostAccount<'_>,
    ) -> Result<CostAccount> {
        let existing = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ACCOUNT_COLUMNS} FROM cost_accounts WHERE org_id = $1 AND provider = $2 AND source_key = $3"
        )))
        .bind(new.org_id)
        .bind(new.provider)
        .bind(new.source_key)
        .fetch_optional(self.pool())
        .await?
        .map(account)
        .transpose()?;
        if let Some(found) = existing {
            sqlx::query(
                "UPDATE cost_accounts SET name = $1, source = $2, currency = $3 WHERE id = $4",
            )
            .bind(new.name)
            .bind(new.source)
            .bind(new.currency)
            .bind(&found.id)
            .execute(self.pool())
            .await?;
            return Ok(CostAccount {
                name: new.name.to_string(),
                source: new.source.to_string(),
                currency: new.currency.to_string(),
                ..found
            });
        }
        let created = CostAccount {
            id: id_if_new.to_string(),
            org_id: new.org_id.to_string(),
            name: new.name.to_string(),
            cloud_type: new.cloud_type,
            provider: new.provider.to_string(),
            source_key: new.source_key.to_string(),
            source: new.source.to_string(),
            currency: new.currency.to_string(),
            status: STATUS_PROCESSING,
            status_message: String::new(),
            last_processed_at: None,
            created_at: now_ms(),
        };
        sqlx::query(
            "INSERT INTO cost_accounts (id, org_id, name, cloud_type, provider, source_key, source, currency,
                status, status_message, last_processed_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, $11)",
        )
        .bind(&created.id)
        .bind(&created.org_id)
        .bind(&created.name)
        .bind(created.cloud_type)
        .bind(&created.provider)
        .bind(&created.source_key)
        .bind(&created.source)
        .bind(&created.currency)
        .bind(created.status)
        .bind(&created.status_message)
        .bind(created.created_at)
        .execute(self.pool())
        .await?;
        Ok(created)
    }

    pub async fn cost_account(&self, org_id: &str, id: &str) -> Result<Option<CostAccount>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ACCOUNT_COLUMNS} FROM cost_accounts WHERE org_id = $1 AND id = $2"
        )))
        .bind(org_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .map(account)
        .transpose()
    }

    pub async fn cost_accounts(&self, org_id: &str) -> Result<Vec<CostAccount>> {
        self.find_all(format!("SELECT {ACCOUNT_COLUMNS} FROM cost_accounts WHERE org_id = $1 ORDER BY created_at, id"), org_id, account)
            .await
    }

    pub async fn set_cost_account_status(
        &self,
        id: &str,
        status: i64,
        message: &str,
        processed_at: Option<i64>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE cost_accounts SET status = $1, status_message = $2,
                last_processed_at = COALESCE($3, last_processed_at) WHERE id = $4",
        )
        .bind(status)
        .bind(message)
        .bind(processed_at)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Records billing accounts seen in a cost account's data: new ones are added, known ones
    /// get their name (when one is given) and last-seen time updated.
    pub async fn record_billing_accounts(
        &self,
        org_id: &str,
        cost_account_id: &str,
        seen: &[(String, String)],
    ) -> Result<()> {
        let now = now_ms();
        for (key, name) in seen {
            let updated = sqlx::query(
                "UPDATE billing_accounts SET last_seen_at = $1,
                    name = CASE WHEN $2 = '' THEN name ELSE $2 END
                 WHERE cost_account_id = $3 AND account_key = $4",
            )
            .bind(now)
            .bind(name)
            .bind(cost_account_id)
            .bind(key)
            .execute(self.pool())
            .await?;
            if updated.rows_affected() == 0 {
                sqlx::query(
                    "INSERT INTO billing_accounts (id, org_id, cost_account_id, account_key, name, first_seen_at, last_seen_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $6)",
                )
                .bind(self.next_id().await?.to_string())
                .bind(org_id)
                .bind(cost_account_id)
                .bind(key)
                .bind(if name.is_empty() { key } else { name })
                .bind(now)
                .execute(self.pool())
                .await?;
            }
        }
        Ok(())
    }

    pub async fn billing_accounts(
        &self,
        org_id: &str,
        cost_account_id: &str,
    ) -> Result<Vec<BillingAccount>> {
        sqlx::query(
            "SELECT id, org_id, cost_account_id, account_key, name, first_seen_at, last_seen_at
             FROM billing_accounts WHERE org_id = $1 AND cost_account_id = $2 ORDER BY account_key",
        )
        .bind(org_id)
        .bind(cost_account_id)
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(billing_account)
        .collect()
    }

    /// Starts an ingest job record (status running).
    pub async fn start_ingest_job(
        &self,
        org_id: &str,
        source: &str,
        format: &str,
    ) -> Result<IngestJob> {
        let created = IngestJob {
            id: self.next_id().await?.to_string(),
            org_id: org_id.to_string(),
            cost_account_id: None,
            source: source.to_string(),
            format: format.to_string(),
            status: "running".into(),
            rows_read: 0,
            bad_rows: 0,
            bytes_read: 0,
            summary: "{}".into(),
            message: String::new(),
            started_at: now_ms(),
            finished_at: None,
        };
        sqlx::query(
            "INSERT INTO ingest_jobs (id, org_id, cost_account_id, source, format, status, rows_read, bad_rows,
                bytes_read, summary, message, started_at, finished_at)
             VALUES ($1, $2, NULL, $3, $4, 'running', 0, 0, 0, '{}', '', $5, NULL)",
        )
        .bind(&created.id)
        .bind(&created.org_id)
        .bind(&created.source)
        .bind(&created.format)
        .bind(created.started_at)
        .execute(self.pool())
        .await?;
        Ok(created)
    }

    /// Closes an ingest job with its outcome.
    pub async fn finish_ingest_job(&self, job: &IngestJob) -> Result<()> {
        sqlx::query(
            "UPDATE ingest_jobs SET cost_account_id = $1, format = $2, status = $3, rows_read = $4, bad_rows = $5,
                bytes_read = $6, summary = $7, message = $8, finished_at = $9 WHERE id = $10",
        )
        .bind(&job.cost_account_id)
        .bind(&job.format)
        .bind(&job.status)
        .bind(job.rows_read)
        .bind(job.bad_rows)
        .bind(job.bytes_read)
        .bind(&job.summary)
        .bind(&job.message)
        .bind(job.finished_at.unwrap_or_else(now_ms))
        .bind(&job.id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn ingest_jobs(&self, org_id: &str, limit: i64) -> Result<Vec<IngestJob>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {JOB_COLUMNS} FROM ingest_jobs WHERE org_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2"
        )))
        .bind(org_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(job)
        .collect()
    }

    /// The fingerprint a polled object had when it was last ingested.
    pub async fn delivery_fingerprint(
        &self,
        org_id: &str,
        source: &str,
        object: &str,
    ) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT fingerprint FROM source_deliveries WHERE org_id = $1 AND source = $2 AND object = $3",
        )
        .bind(org_id)
        .bind(source)
        .bind(object)
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn record_delivery(
        &self,
        org_id: &str,
        source: &str,
        object: &str,
        fingerprint: &str,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "DELETE FROM source_deliveries WHERE org_id = $1 AND source = $2 AND object = $3",
        )
        .bind(org_id)
        .bind(source)
        .bind(object)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO source_deliveries (org_id, source, object, fingerprint, ingested_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(org_id)
        .bind(source)
        .bind(object)
        .bind(fingerprint)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
