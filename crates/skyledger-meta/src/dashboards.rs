//! Custom dashboards: named, ordered sets of widgets with the client's layout, private to their
//! creator or shared with the organisation.

use sqlx::Row;

use crate::{Meta, Result, now_ms};

/// One widget of a dashboard as the client defines it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WidgetDef {
    pub name: String,
    pub description: String,
    /// The client's grid position and parameters (JSON text, kept verbatim).
    pub config_data: String,
    /// The widget type of the catalogue.
    pub widget_reference_id: String,
}

/// What a dashboard is made of; checked by the caller (names, JSON, widget types).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DashboardDef {
    pub name: String,
    pub description: String,
    pub config_data: String,
    pub size: i64,
    /// Listed to every user of the organisation, not only its creator.
    pub public: bool,
    pub theme: i64,
    pub widgets: Vec<WidgetDef>,
}

/// A stored widget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Widget {
    pub id: String,
    pub def: WidgetDef,
}

/// A stored dashboard with its widgets in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    pub id: String,
    pub org_id: String,
    pub def: DashboardDef,
    pub widgets: Vec<Widget>,
    /// The user who created it (`""` for a token issued to no user).
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, org_id, name, description, config_data, size, is_public, theme, \
                       created_by, created_at, updated_at";

impl Meta {
    /// Stores a new dashboard and its widgets in one transaction.
    pub async fn create_dashboard(
        &self,
        org_id: &str,
        created_by: &str,
        def: &DashboardDef,
    ) -> Result<Dashboard> {
        let id = self.next_id().await?.to_string();
        let mut widget_ids = Vec::with_capacity(def.widgets.len());
        for _ in &def.widgets {
            widget_ids.push(self.next_id().await?.to_string());
        }
        let now = now_ms();
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO dashboards (id, org_id, name, description, config_data, size, is_public,
             theme, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        )
        .bind(&id)
        .bind(org_id)
        .bind(def.name.trim())
        .bind(&def.description)
        .bind(&def.config_data)
        .bind(def.size)
        .bind(i64::from(def.public))
        .bind(def.theme)
        .bind(created_by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for (position, (w, wid)) in def.widgets.iter().zip(&widget_ids).enumerate() {
            sqlx::query(
                "INSERT INTO dashboard_widgets (id, dashboard_id, position, name, description,
                 config_data, widget_reference_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(wid)
            .bind(&id)
            .bind(position as i64)
            .bind(&w.name)
            .bind(&w.description)
            .bind(&w.config_data)
            .bind(&w.widget_reference_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        let mut def = def.clone();
        def.name = def.name.trim().to_string();
        Ok(Dashboard {
            id,
            org_id: org_id.to_string(),
            widgets: def
                .widgets
                .iter()
                .zip(widget_ids)
                .map(|(w, id)| Widget { id, def: w.clone() })
                .collect(),
            def,
            created_by: created_by.to_string(),
            created_at: now,
            updated_at: now,
        })
    }

    /// One dashboard of the organisation with its widgets, if `user` may see it (it is public
    /// or theirs).
    pub async fn dashboard(&self, org_id: &str, user: &str, id: &str) -> Result<Option<Dashboard>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM dashboards WHERE org_id = $1 AND id = $2
             AND (is_public = 1 OR created_by = $3)"
        )))
        .bind(org_id)
        .bind(id)
        .bind(user)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let mut dashboard = dashboard_of(row)?;
        dashboard.widgets = self
            .find_all(
                "SELECT id, name, description, config_data, widget_reference_id
                 FROM dashboard_widgets WHERE dashboard_id = $1 ORDER BY position"
                    .to_string(),
                id,
                widget_of,
            )
            .await?;
        dashboard.def.widgets = dashboard.widgets.iter().map(|w| w.def.clone()).collect();
        Ok(Some(dashboard))
    }

    /// The dashboards `user` may see (public ones and theirs), oldest first, without their
    /// widgets; `start` skips, `limit` 0 means all.
    pub async fn dashboards(
        &self,
        org_id: &str,
        user: &str,
        start: u64,
        limit: u64,
    ) -> Result<Vec<Dashboard>> {
        let limit = if limit == 0 { i64::MAX } else { limit as i64 };
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM dashboards WHERE org_id = $1
             AND (is_public = 1 OR created_by = $2) ORDER BY created_at, id
             LIMIT $3 OFFSET $4"
        )))
        .bind(org_id)
        .bind(user)
        .bind(limit)
        .bind(start.min(i64::MAX as u64) as i64)
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(dashboard_of)
        .collect()
    }
}

fn dashboard_of(row: sqlx::any::AnyRow) -> Result<Dashboard> {
    Ok(Dashboard {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        def: DashboardDef {
            name: row.try_get("name")?,
            description: row.try_get("description")?,
            config_data: row.try_get("config_data")?,
            size: row.try_get("size")?,
            public: row.try_get::<i64, _>("is_public")? != 0,
            theme: row.try_get("theme")?,
            widgets: vec![],
        },
        widgets: vec![],
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn widget_of(row: sqlx::any::AnyRow) -> Result<Widget> {
    Ok(Widget {
        id: row.try_get("id")?,
        def: WidgetDef {
            name: row.try_get("name")?,
            description: row.try_get("description")?,
            config_data: row.try_get("config_data")?,
            widget_reference_id: row.try_get("widget_reference_id")?,
        },
    })
}
