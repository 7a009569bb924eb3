//! Schema migrations: ordered SQL files embedded in the binary, applied once each.

use crate::{Backend, Meta, MetaError, Result, now_ms};

/// Every migration, in order. Append only; never edit one that has shipped.
pub(crate) const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "foundation",
        include_str!("../migrations/0001_foundation.sql"),
    ),
    (2, "oauth", include_str!("../migrations/0002_oauth.sql")),
    (
        3,
        "cost_accounts",
        include_str!("../migrations/0003_cost_accounts.sql"),
    ),
    (4, "tags", include_str!("../migrations/0004_tags.sql")),
    (
        5,
        "source_leases",
        include_str!("../migrations/0005_source_leases.sql"),
    ),
    (
        6,
        "cost_centers",
        include_str!("../migrations/0006_cost_centers.sql"),
    ),
    (
        7,
        "dashboards",
        include_str!("../migrations/0007_dashboards.sql"),
    ),
    (
        8,
        "solution_reports",
        include_str!("../migrations/0008_solution_reports.sql"),
    ),
];

pub(crate) async fn run(meta: &Meta) -> Result<Vec<i64>> {
    let pool = meta.pool();
    let mut conn = pool.acquire().await?;
    // Several nodes may start at once against one PostgreSQL: serialise them.
    if meta.backend() == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_lock(7283617)")
            .execute(&mut *conn)
            .await?;
    }
    let result = apply(&mut conn).await;
    if meta.backend() == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_unlock(7283617)")
            .execute(&mut *conn)
            .await?;
    }
    result
}

async fn apply(conn: &mut sqlx::AnyConnection) -> Result<Vec<i64>> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at BIGINT NOT NULL
        )",
    )
    .execute(&mut *conn)
    .await?;
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations")
        .fetch_all(&mut *conn)
        .await?;
    let known = MIGRATIONS.last().map(|m| m.0).unwrap_or(0);
    if let Some(newest) = applied.iter().copied().max().filter(|v| *v > known) {
        return Err(MetaError::TooNew(newest));
    }
    let mut done = Vec::new();
    for &(version, name, sql) in MIGRATIONS {
        if applied.contains(&version) {
            continue;
        }
        let fail = |source| MetaError::Migration {
            version,
            name,
            source,
        };
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        for statement in split_statements(sql) {
            sqlx::raw_sql(statement)
                .execute(&mut *tx)
                .await
                .map_err(fail)?;
        }
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(version)
        .bind(name)
        .bind(now_ms())
        .execute(&mut *tx)
        .await
        .map_err(fail)?;
        tx.commit().await?;
        done.push(version);
    }
    Ok(done)
}

/// Splits a migration file into statements at `;` line ends; comments are dropped.
fn split_statements(sql: &str) -> Vec<&str> {
    sql.split(";\n")
        .map(str::trim)
        .filter(|s| {
            s.lines()
                .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with("--"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_statements_and_skips_comment_only_chunks() {
        let parts = split_statements(
            "-- c\nCREATE TABLE a (x TEXT);\n-- only\n;\nINSERT INTO a VALUES ('1');\n",
        );
        assert_eq!(parts.len(), 2);
        assert!(parts[0].ends_with("CREATE TABLE a (x TEXT)"));
    }

    #[test]
    fn migration_versions_increase() {
        assert!(MIGRATIONS.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
