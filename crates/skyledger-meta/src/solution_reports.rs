//! Solution reports: named views of one cost account found in its billing data. What a report
//! selects follows from its type and key (the API's catalogue); this store gives each one a
//! stable 17-digit id and remembers when it was first found.

use sqlx::Row;

use crate::{Meta, Result, now_ms};

/// A report found in the data: `report_key` is what it selects within its type (a region, a
/// service, an operation, a usage type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundReport {
    pub cost_account_id: String,
    pub report_type: i64,
    pub report_key: String,
    pub name: String,
}

/// A stored solution report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SolutionReport {
    pub id: String,
    pub org_id: String,
    pub found: FoundReport,
    pub created_at: i64,
}

const COLUMNS: &str = "id, org_id, cost_account_id, report_type, report_key, name, created_at";

fn report(row: &sqlx::any::AnyRow) -> Result<SolutionReport> {
    Ok(SolutionReport {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        found: FoundReport {
            cost_account_id: row.try_get("cost_account_id")?,
            report_type: row.try_get("report_type")?,
            report_key: row.try_get("report_key")?,
            name: row.try_get("name")?,
        },
        created_at: row.try_get("created_at")?,
    })
}

impl Meta {
    /// Stores the reports found that are not stored yet (those already stored keep their id,
    /// name and creation time) and returns every report of the organisation, ordered by cost
    /// account, type and name.
    pub async fn save_solution_reports(
        &self,
        org_id: &str,
        found: &[FoundReport],
    ) -> Result<Vec<SolutionReport>> {
        let stored = self.solution_reports(org_id).await?;
        let known: std::collections::HashSet<(&str, i64, &str)> = stored
            .iter()
            .map(|r| {
                (
                    r.found.cost_account_id.as_str(),
                    r.found.report_type,
                    r.found.report_key.as_str(),
                )
            })
            .collect();
        let mut added = false;
        for f in found {
            if known.contains(&(
                f.cost_account_id.as_str(),
                f.report_type,
                f.report_key.as_str(),
            )) {
                continue;
            }
            let id = self.next_id().await?.to_string();
            // Another request may find the same report at once: whichever insert wins stays.
            sqlx::query(
                "INSERT INTO solution_reports
                     (id, org_id, cost_account_id, report_type, report_key, name, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (org_id, cost_account_id, report_type, report_key) DO NOTHING",
            )
            .bind(&id)
            .bind(org_id)
            .bind(&f.cost_account_id)
            .bind(f.report_type)
            .bind(&f.report_key)
            .bind(&f.name)
            .bind(now_ms())
            .execute(self.pool())
            .await?;
            added = true;
        }
        if added {
            self.solution_reports(org_id).await
        } else {
            Ok(stored)
        }
    }

    /// Every solution report of the organisation.
    pub async fn solution_reports(&self, org_id: &str) -> Result<Vec<SolutionReport>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM solution_reports WHERE org_id = $1
             ORDER BY cost_account_id, report_type, name, report_key"
        )))
        .bind(org_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(report)
        .collect()
    }

    /// One solution report by id, within the organisation.
    pub async fn solution_report(&self, org_id: &str, id: &str) -> Result<Option<SolutionReport>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM solution_reports WHERE org_id = $1 AND id = $2"
        )))
        .bind(org_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(report)
        .transpose()
    }
}
