//! The metadata store: one repository API over SQLite and PostgreSQL, with migrations.
//!
//! Every module here owns the SQL of one concept (`orgs`, `users`, `tokens`, …). The same SQL
//! text runs on both backends through sqlx's `Any` driver: `$N` placeholders, `TEXT` ids,
//! `BIGINT` unix milliseconds and `BIGINT` 0/1 flags.

pub mod cost_accounts;
pub mod cost_centers;
pub mod dashboards;
pub mod ids;
mod migrate;
pub mod oauth;
pub mod orgs;
pub mod solution_reports;
pub mod source_leases;
pub mod tags;
pub mod tokens;
pub mod users;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions};

pub use ids::Id;

/// Which database the store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Errors of the metadata store.
#[derive(Debug, thiserror::Error)]
pub enum MetaError {
    #[error("metadata store: unsupported database URL {0:?} (use sqlite://PATH or postgres://…)")]
    UnsupportedUrl(String),
    #[error("metadata store: {0}")]
    Database(#[from] sqlx::Error),
    #[error("metadata store: migration {version} ({name}) failed: {source}")]
    Migration {
        version: i64,
        name: &'static str,
        source: sqlx::Error,
    },
    #[error("metadata store: the database has migration {0}, newer than this build knows")]
    TooNew(i64),
    #[error("{0}")]
    Conflict(String),
}

pub type Result<T, E = MetaError> = std::result::Result<T, E>;

/// A handle to the metadata store; cheap to clone.
#[derive(Clone)]
pub struct Meta {
    pool: AnyPool,
    url: std::sync::Arc<str>,
    backend: Backend,
    ids: ids::IdAllocator,
}

impl Meta {
    /// Connects to `url`: `sqlite://PATH` (created if missing, WAL) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Meta> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(MetaError::UnsupportedUrl(redact_url(url)));
        };
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url)?.disable_statement_logging();
        let max = match backend {
            Backend::Sqlite => 4,
            Backend::Postgres => 16,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        sqlx::query("PRAGMA busy_timeout = 10000")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA foreign_keys = ON")
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        if backend == Backend::Sqlite {
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
        }
        Ok(Meta {
            pool,
            url: url.as_str().into(),
            backend,
            ids: ids::IdAllocator::default(),
        })
    }

    /// The SQLite file for a data directory.
    pub fn sqlite_url(data_dir: &Path) -> String {
        format!("sqlite://{}", data_dir.join("skyledger.sqlite").display())
    }

    /// Applies every migration this build knows that the database has not seen.
    pub async fn migrate(&self) -> Result<Vec<i64>> {
        migrate::run(self).await
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL this handle connected with. It may hold a password: never log it.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A new 17-digit id, never handed out before by any node sharing this database.
    pub async fn next_id(&self) -> Result<Id> {
        self.ids.next(self).await
    }

    /// Runs a query with one text parameter (`$1`) and maps its row, if any.
    pub(crate) async fn find_one<T>(
        &self,
        sql: String,
        key: &str,
        map: fn(sqlx::any::AnyRow) -> Result<T>,
    ) -> Result<Option<T>> {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(key)
            .fetch_optional(&self.pool)
            .await?
            .map(map)
            .transpose()
    }

    /// Runs a query with one text parameter (`$1`) and maps every row.
    pub(crate) async fn find_all<T>(
        &self,
        sql: String,
        key: &str,
        map: fn(sqlx::any::AnyRow) -> Result<T>,
    ) -> Result<Vec<T>> {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(key)
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(map)
            .collect()
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A database URL with any password replaced, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}://{}:***@{}", &url[..scheme], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_url("postgres://sky:secret@db:5432/x"),
            "postgres://sky:***@db:5432/x"
        );
        assert_eq!(redact_url("sqlite:///tmp/a"), "sqlite:///tmp/a");
    }
}
