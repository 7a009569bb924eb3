//! Organisations: the tenant boundary; every user, token and setting belongs to one.

use sqlx::Row;

use crate::{Id, Meta, Result, now_ms};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Org {
    pub id: String,
    pub name: String,
    pub time_zone: String,
    pub created_at: i64,
}

fn from_row(row: sqlx::any::AnyRow) -> Result<Org> {
    Ok(Org {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        time_zone: row.try_get("time_zone")?,
        created_at: row.try_get("created_at")?,
    })
}

impl Meta {
    pub async fn create_org(&self, name: &str, time_zone: &str) -> Result<Org> {
        let id: Id = self.next_id().await?;
        let org = Org {
            id: id.to_string(),
            name: name.to_string(),
            time_zone: time_zone.to_string(),
            created_at: now_ms(),
        };
        sqlx::query(
            "INSERT INTO organizations (id, name, time_zone, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&org.id)
        .bind(&org.name)
        .bind(&org.time_zone)
        .bind(org.created_at)
        .execute(self.pool())
        .await?;
        Ok(org)
    }

    pub async fn org(&self, id: &str) -> Result<Option<Org>> {
        self.find_one(
            "SELECT id, name, time_zone, created_at FROM organizations WHERE id = $1".to_string(),
            id,
            from_row,
        )
        .await
    }

    pub async fn orgs(&self) -> Result<Vec<Org>> {
        sqlx::query(
            "SELECT id, name, time_zone, created_at FROM organizations ORDER BY created_at, id",
        )
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(from_row)
        .collect()
    }

    /// The first organisation, created with `name` when the store has none (single-tenant start).
    pub async fn default_org(&self, name: &str, time_zone: &str) -> Result<Org> {
        match self.orgs().await?.into_iter().next() {
            Some(org) => Ok(org),
            None => self.create_org(name, time_zone).await,
        }
    }
}
