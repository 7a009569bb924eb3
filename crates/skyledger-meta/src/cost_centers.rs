//! Cost centers (the spec's business units): named sets of cost accounts, billing accounts and
//! tag rules, with the users and groups attached to them.

use std::collections::BTreeMap;

use sqlx::Row;

use crate::tags::Tag;
use crate::{Meta, MetaError, Result, now_ms};

/// A custom tag a user put on a cost center (the spec's `variation: -4`).
pub const VARIATION_COST_CENTER: i64 = -4;

/// The cloud type of a cost center spanning several clouds.
pub const CLOUD_HYBRID: i64 = -1;

/// A cost account in a cost center: the whole account (no billing accounts listed) or some of
/// its billing accounts (their 17-digit metadata ids).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostCenterAccount {
    pub cost_account_id: String,
    pub billing_account_ids: Vec<String>,
}

/// Rows whose tag `key` has one of `values`. Rules of different keys are ANDed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRule {
    pub key: String,
    pub values: Vec<String>,
}

/// What a cost center is made of; checked by the caller (accounts exist, rules not empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CostCenterDef {
    pub name: String,
    pub cloud_type: i64,
    pub accounts: Vec<CostCenterAccount>,
    pub tag_rules: Vec<TagRule>,
    pub users: Vec<String>,
    pub groups: Vec<String>,
}

/// A stored cost center.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostCenter {
    pub id: String,
    pub org_id: String,
    pub def: CostCenterDef,
    pub created_at: i64,
    pub updated_at: i64,
}

impl CostCenter {
    /// The ids of its cost accounts, in order.
    pub fn cost_account_ids(&self) -> Vec<String> {
        self.def
            .accounts
            .iter()
            .map(|a| a.cost_account_id.clone())
            .collect()
    }
}

const MEMBER_USER: &str = "user";
const MEMBER_GROUP: &str = "group";

impl Meta {
    /// Creates a cost center (`id` None) or replaces the definition of an existing one. A name
    /// another cost center of the organisation has (ignoring case) is a `Conflict`; an unknown
    /// `id` is `Ok(None)`.
    pub async fn save_cost_center(
        &self,
        org_id: &str,
        id: Option<&str>,
        def: &CostCenterDef,
    ) -> Result<Option<CostCenter>> {
        let name_key = def.name.trim().to_lowercase();
        // Before the transaction: the allocator may write on another connection, which a
        // SQLite transaction that has read already could not follow.
        let new_id = match id {
            Some(_) => None,
            None => Some(self.next_id().await?.to_string()),
        };
        let mut tx = self.pool().begin().await?;
        if let Some(id) = id {
            let exists: Option<String> =
                sqlx::query_scalar("SELECT id FROM cost_centers WHERE org_id = $1 AND id = $2")
                    .bind(org_id)
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if exists.is_none() {
                return Ok(None);
            }
        }
        let taken: Option<(String, String)> =
            sqlx::query_as("SELECT id, name FROM cost_centers WHERE org_id = $1 AND name_key = $2")
                .bind(org_id)
                .bind(&name_key)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some((other, other_name)) = taken.filter(|(other, _)| Some(other.as_str()) != id) {
            return Err(MetaError::Conflict(format!(
                "a cost center named {other_name:?} exists already (id {other})"
            )));
        }
        let now = now_ms();
        let id = match id {
            Some(id) => {
                let updated = sqlx::query(
                    "UPDATE cost_centers SET name = $1, name_key = $2, cloud_type = $3,
                     updated_at = $4 WHERE org_id = $5 AND id = $6",
                )
                .bind(def.name.trim())
                .bind(&name_key)
                .bind(def.cloud_type)
                .bind(now)
                .bind(org_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                if updated.rows_affected() == 0 {
                    return Ok(None);
                }
                for table in [
                    "cost_center_accounts",
                    "cost_center_tag_rules",
                    "cost_center_members",
                ] {
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DELETE FROM {table} WHERE cost_center_id = $1"
                    )))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                }
                id.to_string()
            }
            None => {
                let id = new_id.unwrap_or_default();
                sqlx::query(
                    "INSERT INTO cost_centers
                     (id, org_id, name, name_key, cloud_type, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $6)",
                )
                .bind(&id)
                .bind(org_id)
                .bind(def.name.trim())
                .bind(&name_key)
                .bind(def.cloud_type)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                id
            }
        };
        for a in &def.accounts {
            let billing: Vec<&str> = if a.billing_account_ids.is_empty() {
                vec![""]
            } else {
                a.billing_account_ids.iter().map(String::as_str).collect()
            };
            for b in billing {
                sqlx::query(
                    "INSERT INTO cost_center_accounts (cost_center_id, cost_account_id,
                     billing_account_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                )
                .bind(&id)
                .bind(&a.cost_account_id)
                .bind(b)
                .execute(&mut *tx)
                .await?;
            }
        }
        for rule in &def.tag_rules {
            for value in &rule.values {
                sqlx::query(
                    "INSERT INTO cost_center_tag_rules (cost_center_id, tag_key, tag_value)
                     VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                )
                .bind(&id)
                .bind(&rule.key)
                .bind(value)
                .execute(&mut *tx)
                .await?;
            }
        }
        for (kind, members) in [(MEMBER_USER, &def.users), (MEMBER_GROUP, &def.groups)] {
            for m in members {
                sqlx::query(
                    "INSERT INTO cost_center_members (cost_center_id, member_kind, member_id)
                     VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                )
                .bind(&id)
                .bind(kind)
                .bind(m)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        self.cost_center(org_id, &id).await
    }

    /// One cost center of the organisation.
    pub async fn cost_center(&self, org_id: &str, id: &str) -> Result<Option<CostCenter>> {
        Ok(self
            .load_cost_centers(org_id, Some(id))
            .await?
            .into_iter()
            .next())
    }

    /// Every cost center of the organisation, by name.
    pub async fn cost_centers(&self, org_id: &str) -> Result<Vec<CostCenter>> {
        self.load_cost_centers(org_id, None).await
    }

    /// Deletes a cost center; false when there was none.
    pub async fn delete_cost_center(&self, org_id: &str, id: &str) -> Result<bool> {
        let mut tx = self.pool().begin().await?;
        let exists: Option<String> =
            sqlx::query_scalar("SELECT id FROM cost_centers WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        if exists.is_none() {
            return Ok(false);
        }
        for table in [
            "cost_center_accounts",
            "cost_center_tag_rules",
            "cost_center_members",
            "cost_center_tags",
        ] {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE cost_center_id = $1"
            )))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("DELETE FROM cost_centers WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Attaches custom tags (variation -4, created when new) to a cost center; idempotent.
    pub async fn tag_cost_center(
        &self,
        org_id: &str,
        cost_center_id: &str,
        pairs: &[(String, String)],
    ) -> Result<Vec<Tag>> {
        let tags = self.tag_ids(org_id, VARIATION_COST_CENTER, pairs).await?;
        for t in &tags {
            sqlx::query(
                "INSERT INTO cost_center_tags (cost_center_id, tag_id, created_at)
                 VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(cost_center_id)
            .bind(&t.id)
            .bind(now_ms())
            .execute(self.pool())
            .await?;
        }
        Ok(tags)
    }

    /// The custom tags of a cost center, by key and value.
    pub async fn cost_center_tags(&self, org_id: &str, cost_center_id: &str) -> Result<Vec<Tag>> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT x.tag_id FROM cost_center_tags x JOIN cost_centers c ON c.id = x.cost_center_id
             WHERE c.org_id = $1 AND c.id = $2",
        )
        .bind(org_id)
        .bind(cost_center_id)
        .fetch_all(self.pool())
        .await?;
        let mut out = vec![];
        for id in ids {
            if let Some(t) = self.tag(org_id, &id).await? {
                out.push(t);
            }
        }
        out.sort_by(|a, b| (&a.key, &a.value).cmp(&(&b.key, &b.value)));
        Ok(out)
    }

    /// Two text columns of a cost-center child table, per cost center, in column order; `id`
    /// '' for every cost center of the organisation.
    async fn child_pairs(
        &self,
        org_id: &str,
        id: &str,
        table: &str,
        first: &str,
        second: &str,
    ) -> Result<BTreeMap<String, Vec<(String, String)>>> {
        // Table and column names are constants of this module, never user input.
        let sql = format!(
            "SELECT x.cost_center_id, x.{first}, x.{second} FROM {table} x
             JOIN cost_centers c ON c.id = x.cost_center_id
             WHERE c.org_id = $1 AND (c.id = $2 OR $2 = '')
             ORDER BY x.cost_center_id, x.{first}, x.{second}"
        );
        let mut out: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for row in sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .bind(id)
            .fetch_all(self.pool())
            .await?
        {
            out.entry(row.try_get("cost_center_id")?)
                .or_default()
                .push((row.try_get(first)?, row.try_get(second)?));
        }
        Ok(out)
    }

    async fn load_cost_centers(&self, org_id: &str, id: Option<&str>) -> Result<Vec<CostCenter>> {
        // The organisation, and one cost center ('' for all), as in `child_pairs`.
        let only = " AND (c.id = $2 OR $2 = '')";
        let id = id.unwrap_or("");
        let heads = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT c.id, c.org_id, c.name, c.cloud_type, c.created_at, c.updated_at
             FROM cost_centers c WHERE c.org_id = $1{only} ORDER BY c.name_key, c.id"
        )))
        .bind(org_id)
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        let mut centers: Vec<CostCenter> = vec![];
        for row in heads {
            centers.push(CostCenter {
                id: row.try_get("id")?,
                org_id: row.try_get("org_id")?,
                def: CostCenterDef {
                    name: row.try_get("name")?,
                    cloud_type: row.try_get("cloud_type")?,
                    ..CostCenterDef::default()
                },
                created_at: row.try_get("created_at")?,
                updated_at: row.try_get("updated_at")?,
            });
        }
        let mut accounts = self
            .child_pairs(
                org_id,
                id,
                "cost_center_accounts",
                "cost_account_id",
                "billing_account_id",
            )
            .await?;
        let mut rules = self
            .child_pairs(org_id, id, "cost_center_tag_rules", "tag_key", "tag_value")
            .await?;
        let mut members = self
            .child_pairs(
                org_id,
                id,
                "cost_center_members",
                "member_kind",
                "member_id",
            )
            .await?;
        for c in &mut centers {
            for (account, billing) in accounts.remove(&c.id).unwrap_or_default() {
                if c.def.accounts.last().map(|a| &a.cost_account_id) != Some(&account) {
                    c.def.accounts.push(CostCenterAccount {
                        cost_account_id: account,
                        billing_account_ids: vec![],
                    });
                }
                if let Some(last) = c.def.accounts.last_mut()
                    && !billing.is_empty()
                {
                    last.billing_account_ids.push(billing);
                }
            }
            for (key, value) in rules.remove(&c.id).unwrap_or_default() {
                if c.def.tag_rules.last().map(|r| &r.key) != Some(&key) {
                    c.def.tag_rules.push(TagRule {
                        key,
                        values: vec![],
                    });
                }
                if let Some(last) = c.def.tag_rules.last_mut() {
                    last.values.push(value);
                }
            }
            for (kind, member) in members.remove(&c.id).unwrap_or_default() {
                if kind == MEMBER_GROUP {
                    c.def.groups.push(member);
                } else {
                    c.def.users.push(member);
                }
            }
        }
        Ok(centers)
    }
}
