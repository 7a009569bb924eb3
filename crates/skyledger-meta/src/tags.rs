//! Tag ids and custom tags: provider tag pairs get stable 17-digit ids when the API first names
//! them; custom tags are attached to resources or cost accounts by users.

use sqlx::Row;

use crate::{Meta, Result, now_ms};

/// A tag pair seen in billing data.
pub const VARIATION_PROVIDER: i64 = 0;
/// A custom tag a user put on a resource.
pub const VARIATION_CUSTOM_RESOURCE: i64 = 1;
/// A custom tag a user put on a cost account (the spec's `variation: -3`).
pub const VARIATION_CUSTOM_ACCOUNT: i64 = -3;
/// Line-item properties named like tags (solution reports show and filter by them): the
/// operation (`operationType : FargateTask`, the spec's `v: 2`), the usage type
/// (`usageInfo : USW1-DataTransfer-Out-Bytes`, `v: 3`), the region, the service and the
/// (Azure) resource group.
pub const VARIATION_OPERATION: i64 = 2;
pub const VARIATION_USAGE_TYPE: i64 = 3;
pub const VARIATION_REGION: i64 = 4;
pub const VARIATION_SERVICE: i64 = 5;
pub const VARIATION_RESOURCE_GROUP: i64 = 6;

/// The key a line-item property is shown with, by variation (None: not a property).
pub fn property_key(variation: i64) -> Option<&'static str> {
    match variation {
        VARIATION_OPERATION => Some("operationType"),
        VARIATION_USAGE_TYPE => Some("usageInfo"),
        VARIATION_REGION => Some("region"),
        VARIATION_SERVICE => Some("service"),
        VARIATION_RESOURCE_GROUP => Some("resourceGroup"),
        _ => None,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub id: String,
    pub org_id: String,
    pub variation: i64,
    pub key: String,
    pub value: String,
}

/// A custom tag attached to a resource (or, with an empty `resource_id`, to a cost account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagAssignment {
    pub tag: Tag,
    pub cost_account_id: String,
    pub resource_id: String,
    pub created_at: i64,
}

const TAG_COLUMNS: &str = "t.id, t.org_id, t.variation, t.tag_key, t.tag_value";

fn tag(row: &sqlx::any::AnyRow) -> Result<Tag> {
    Ok(Tag {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        variation: row.try_get("variation")?,
        key: row.try_get("tag_key")?,
        value: row.try_get("tag_value")?,
    })
}

fn assignment(row: sqlx::any::AnyRow) -> Result<TagAssignment> {
    Ok(TagAssignment {
        tag: tag(&row)?,
        cost_account_id: row.try_get("cost_account_id")?,
        resource_id: row.try_get("resource_id")?,
        created_at: row.try_get("created_at")?,
    })
}

impl Meta {
    /// The ids of these tag pairs of one variation, created for pairs not named before; in the
    /// order of `pairs`.
    pub async fn tag_ids(
        &self,
        org_id: &str,
        variation: i64,
        pairs: &[(String, String)],
    ) -> Result<Vec<Tag>> {
        let mut existing = std::collections::HashMap::new();
        for t in self.tags_of_variation(org_id, variation).await? {
            existing.insert((t.key.clone(), t.value.clone()), t);
        }
        let mut out = Vec::with_capacity(pairs.len());
        for (key, value) in pairs {
            if let Some(t) = existing.get(&(key.clone(), value.clone())) {
                out.push(t.clone());
                continue;
            }
            let id = self.next_id().await?.to_string();
            // Another node may name the same pair at once: keep whichever id won.
            sqlx::query(
                "INSERT INTO tags (id, org_id, variation, tag_key, tag_value, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (org_id, variation, tag_key, tag_value) DO NOTHING",
            )
            .bind(&id)
            .bind(org_id)
            .bind(variation)
            .bind(key)
            .bind(value)
            .bind(now_ms())
            .execute(self.pool())
            .await?;
            let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {TAG_COLUMNS} FROM tags t
                 WHERE t.org_id = $1 AND t.variation = $2 AND t.tag_key = $3 AND t.tag_value = $4"
            )))
            .bind(org_id)
            .bind(variation)
            .bind(key)
            .bind(value)
            .fetch_one(self.pool())
            .await?;
            let t = tag(&row)?;
            existing.insert((key.clone(), value.clone()), t.clone());
            out.push(t);
        }
        Ok(out)
    }

    /// Every tag of one variation in the organisation.
    pub async fn tags_of_variation(&self, org_id: &str, variation: i64) -> Result<Vec<Tag>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {TAG_COLUMNS} FROM tags t WHERE t.org_id = $1 AND t.variation = $2
             ORDER BY t.tag_key, t.tag_value"
        )))
        .bind(org_id)
        .bind(variation)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(tag)
        .collect()
    }

    /// One tag by id, within the organisation.
    pub async fn tag(&self, org_id: &str, id: &str) -> Result<Option<Tag>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {TAG_COLUMNS} FROM tags t WHERE t.org_id = $1 AND t.id = $2"
        )))
        .bind(org_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(tag)
        .transpose()
    }

    /// Attaches a custom tag (idempotent). `resource_id` empty: the cost account itself.
    pub async fn assign_tag(
        &self,
        org_id: &str,
        tag_id: &str,
        cost_account_id: &str,
        resource_id: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO tag_assignments (org_id, tag_id, cost_account_id, resource_id, created_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (tag_id, cost_account_id, resource_id) DO NOTHING",
        )
        .bind(org_id)
        .bind(tag_id)
        .bind(cost_account_id)
        .bind(resource_id)
        .bind(now_ms())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Every custom tag assignment of the organisation.
    pub async fn tag_assignments(&self, org_id: &str) -> Result<Vec<TagAssignment>> {
        self.find_all(
            format!(
                "SELECT {TAG_COLUMNS}, a.cost_account_id, a.resource_id, a.created_at
                 FROM tag_assignments a JOIN tags t ON t.id = a.tag_id
                 WHERE a.org_id = $1 ORDER BY a.cost_account_id, a.resource_id, t.tag_key, t.tag_value"
            ),
            org_id,
            assignment,
        )
        .await
    }

    /// The assignments of one tag (the resources or cost accounts carrying it).
    pub async fn tag_targets(&self, org_id: &str, tag_id: &str) -> Result<Vec<TagAssignment>> {
        Ok(self
            .tag_assignments(org_id)
            .await?
            .into_iter()
            .filter(|a| a.tag.id == tag_id)
            .collect())
    }
}
