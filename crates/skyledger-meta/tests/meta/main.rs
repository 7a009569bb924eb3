//! Repository tests, run against SQLite and, when `SKYLEDGER_TEST_POSTGRES_URL` is set, PostgreSQL.

mod cost_centers;
mod dashboards;
mod oauth;
mod repos;
mod solution_reports;
mod tags;

use skyledger_meta::Meta;

/// A fresh, migrated store per backend under test: SQLite in a temporary directory, and
/// PostgreSQL in a new schema-free database when a server is configured.
pub struct Backends {
    pub stores: Vec<(&'static str, Meta)>,
    _dir: tempfile::TempDir,
}

pub async fn backends() -> Backends {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Meta::connect(&Meta::sqlite_url(dir.path())).await.unwrap();
    sqlite.migrate().await.unwrap();
    let mut stores = vec![("sqlite", sqlite)];
    match std::env::var("SKYLEDGER_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => stores.push(("postgres", fresh_postgres(&url).await)),
        _ => eprintln!(
            "SKIP postgres backend: SKYLEDGER_TEST_POSTGRES_URL is not set (CI sets it; see .ci/run)"
        ),
    }
    Backends { stores, _dir: dir }
}

/// Creates an empty database on the server at `url` and connects to it.
pub async fn fresh_postgres(url: &str) -> Meta {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let admin = Meta::connect(url).await.unwrap();
    let name = format!(
        "skyledger_test_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        skyledger_meta::now_ms()
    );
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(admin.pool())
        .await
        .unwrap();
    admin.close().await;
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    let url = match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    };
    let meta = Meta::connect(&url).await.unwrap();
    meta.migrate().await.unwrap();
    meta
}
