//! Conformance replay of the spec's `examples.json` requests against demo data, shapes checked.
//!
//! The server holds demo exports of AWS (CUR 2.0 and legacy CUR), Azure EA and Google Cloud,
//! written by `skyledger-demo` and ingested through the real readers. Each example request is
//! replayed with the same method, path, query and body, its ids and dates replaced by real ones
//! (see [`Real::fill`]); the response must be 200 with `code` 0 and a `data` whose keys, nesting
//! and JSON types are those of the documented success response (see [`conform`]).
//! `CONFORMANCE_DUMP=<folder>` writes each replayed request and its answer there.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use axum::http::StatusCode;
use chrono::{Datelike, Months, NaiveDate};
use serde_json::{Value, json};
use skyledger_api::AppState;
use skyledger_core::ingestion::{IngestRequest, ingest};
use skyledger_ledger::{Ledger, LedgerOptions};
use skyledger_meta::Meta;
use skyledger_types::Scopes;

use crate::TestApp;

/// The spec sections replayed (`section` of `examples.json`); later issues add theirs here.
const SECTIONS: &[&str] = &[
    // issue 6: the accounts module
    "Analytics",
    "Tags",
    "Account Management",
    "Resource Management",
    "Summary Report",
    "Licensing",
    // issue 7: cost centers, solution reports, custom dashboards
    "Cost Centers Management",
    "Cost Analytics",
    "Resource Insights",
    "Tag Management",
    "Account Association",
    "Solution Report",
    "Custom Dashboard",
];

/// Documented objects whose keys are data (service, cloud, tag key or resource names and ids)
/// rather than field names, by endpoint: the replay checks them as maps (any keys, each value
/// shaped like a documented one). Keys made of digits, `ACTUAL_…` placeholders and OpenAPI's
/// `property1`… are recognised without being listed.
const DATA_KEYED: &[(&str, &str)] = &[
    (
        "/cs/api/cost/cost_centers/group_by_property",
        "$.data.return_data.values",
    ),
    (
        "/cs/api/cost/cost_centers/resource_pagination",
        "$.data.return_data.values",
    ),
    ("/cs/api/cost/show_more_tags", "$.data.return_data"),
    ("/cs/api/cost/custom_report/cloud_discounts", "$.data"),
    ("/cs/api/cost/custom_report/cloud_discounts", "$.data.*"),
    (
        "/cs/api/cost/custom_report/trend_box",
        "$.data.trend_values.values",
    ),
    (
        "/cs/api/cost/sol_reports/trend_box",
        "$.data.trend_values.values",
    ),
    (
        "/cs/api/cost/sol_reports/group_by_property",
        "$.data.return_data.values",
    ),
    (
        "/cs/api/cost/sol_reports/resource_pagination",
        "$.data.return_data.values",
    ),
];

/// Line items of demo data: enough for every cloud, service and tag to appear.
const DEMO_ROWS: u64 = 30_000;

/// The months of demo data the replayed requests cover (the last ones generated).
const MONTHS_REPLAYED: u32 = 3;

/// Placeholder strings of request examples that stand for a value the caller must supply.
const REQUEST_PLACEHOLDERS: &[&str] = &[
    "string",
    "PARENT_FROM_METADATA",
    "CHILD_FROM_METADATA_ARRAY",
    "ACTUAL_ACCOUNT_ID_FROM_USER_SELECTION",
    "USER_PROVIDED_VALUE",
    "USER_PROVIDED_KEY",
    "SOME_STRING_VALUE",
    "2019-08-24",
];

/// The demo server and the real ids the replay substitutes.
struct Demo {
    app: TestApp,
    real: Real,
    _exports: tempfile::TempDir,
}

/// Real values of the loaded data, substituted for the examples' ids and dates.
#[derive(Debug, Default, Clone)]
struct Real {
    /// Every cost account with all its billing accounts.
    accounts: Vec<(String, Vec<String>)>,
    /// The cost account that owns [`Real::resource`].
    primary: String,
    /// A resource of `primary` with cost in the replayed range.
    resource: Option<String>,
    /// The service of [`Real::resource`], as the API names services.
    service: Option<String>,
    /// Provider tags of the data, largest cost first: (tag id, variation).
    tags: Vec<(String, i64)>,
    start: String,
    end: String,
    /// A cost center of every account, created through the API.
    cost_center: Option<String>,
    /// A solution report with cost (a data-transfer-out one when the data has any) and its
    /// cost account.
    report: Option<(String, String)>,
    /// A dashboard created through the API.
    dashboard: Option<String>,
    /// What `business_unit_id` names for the path replayed: the cost center, the solution
    /// report, or (for the reports listing) the report's cost account.
    unit: Option<String>,
}

async fn demo_app() -> Demo {
    let dir = tempfile::tempdir().unwrap();
    let exports = tempfile::tempdir().unwrap();
    let meta = Meta::connect(&Meta::sqlite_url(dir.path())).await.unwrap();
    meta.migrate().await.unwrap();
    let org = meta.default_org("Demo Org", "UTC").await.unwrap();
    // As `skyledger demo` does: an administrator, so that user listings have a user.
    skyledger_auth::passwords::demo_admin(&meta, "Demo Org", "UTC")
        .await
        .unwrap();
    let ledger = Ledger::open(
        &dir.path().join("cost").display().to_string(),
        LedgerOptions::default(),
    )
    .await
    .unwrap();
    let end_month = skyledger_demo::last_complete_month(chrono::Utc::now().date_naive());
    let spec = skyledger_demo::DemoSpec {
        rows: DEMO_ROWS,
        ..skyledger_demo::DemoSpec::new(42, end_month)
    };
    let out = skyledger_demo::generate(&spec, exports.path(), &|_| {}).unwrap();
    // As `skyledger demo` does: Azure's amortized export restates the actual one.
    for file in out
        .files
        .iter()
        .filter(|f| f.format != "azure-ea-amortized-csv")
    {
        ingest(
            &meta,
            &ledger,
            &IngestRequest {
                org_id: org.id.clone(),
                path: file.path.clone(),
                account_name: None,
                format: None,
                skip_bad_rows: false,
                force: true,
            },
            Arc::new(|_| {}),
        )
        .await
        .unwrap_or_else(|e| panic!("ingesting {}: {e}", file.path.display()));
    }
    let mut real = Real::default();
    for account in meta.cost_accounts(&org.id).await.unwrap() {
        let billing = meta
            .billing_accounts(&org.id, &account.id)
            .await
            .unwrap()
            .into_iter()
            .map(|b| b.id)
            .collect();
        real.accounts.push((account.id, billing));
    }
    assert!(real.accounts.len() >= 4, "demo cost accounts: {real:?}");
    let (year, month) = end_month;
    let last = NaiveDate::from_ymd_opt(year, month, 1).unwrap();
    let first = last - Months::new(MONTHS_REPLAYED - 1);
    let end = (last + Months::new(1)).pred_opt().unwrap();
    real.start = first.format("%Y-%m-%d").to_string();
    real.end = end.format("%Y-%m-%d").to_string();
    assert_eq!(end.month(), month);

    let state = AppState::new(meta, skyledger_api::ApiSettings::default()).with_cost_store(ledger);
    let router = skyledger_api::router(state.clone());
    let mut app = TestApp {
        router,
        state,
        org_id: org.id,
        admin_token: String::new(),
        _dir: dir,
    };
    app.admin_token = app.token(Scopes::all(), 3600).await;
    real.discover(&app).await;
    real.create_units(&app).await;
    Demo {
        app,
        real,
        _exports: exports,
    }
}

impl Real {
    /// Tag and resource ids through the API's own listings (`accounts/tags`,
    /// `cost_by_resource`): the resource carries the largest tag, so that the examples that
    /// filter by tag and by resource at once still select rows.
    async fn discover(&mut self, app: &TestApp) {
        let (status, json) = app.call("GET", "/cs/api/cost/accounts/tags", None).await;
        if status == StatusCode::OK
            && let Some(tags) = json["data"]["Tags"].as_array()
        {
            self.tags = tags
                .iter()
                .filter_map(|t| Some((t["tagId"].as_str()?.to_string(), t["v"].as_i64()?)))
                .collect();
        }
        let cost_tags: Vec<Value> = self
            .tags
            .first()
            .map(|(id, v)| json!({"v": v, "id": id}))
            .into_iter()
            .collect();
        for (account, _) in &self.accounts {
            let body = json!({
                "start_date": self.start, "end_date": self.end, "period": 0, "cost_type": 20,
                "cost_tags": cost_tags,
                "accounts": [{"cost_account_id": account, "billing_account_ids": []}],
            });
            let (status, json) = app
                .call(
                    "POST",
                    "/cs/api/cost/accounts/cost_by_resource",
                    Some(&body.to_string()),
                )
                .await;
            let found = json["data"]["return_data"].as_array().and_then(|rows| {
                rows.iter()
                    .find_map(|r| Some((r["id"].as_str()?, r["type"].as_str()?)))
            });
            if status == StatusCode::OK
                && let Some((id, service)) = found
            {
                self.primary = account.clone();
                self.resource = Some(id.to_string());
                self.service = Some(service.to_string());
                break;
            }
        }
        if self.primary.is_empty() {
            self.primary = self.accounts[0].0.clone();
        }
    }

    /// A cost center of every account, a solution report and a dashboard, through the API.
    async fn create_units(&mut self, app: &TestApp) {
        let body = json!({
            "business_unit_name": "Conformance replay",
            "cost_tags": [],
            "integrated_zaaids": [],
            "billing_account_ids": [],
            "accounts": self.accounts_json(),
        });
        let (status, json) = app
            .call("POST", "/cs/api/cost/cost_center", Some(&body.to_string()))
            .await;
        assert_eq!(status, StatusCode::OK, "creating a cost center: {json}");
        self.cost_center = json["data"]["business_unit_id"]
            .as_str()
            .map(str::to_string);
        let (status, json) = app.call("GET", "/cs/api/cost/sol_reports", None).await;
        assert_eq!(status, StatusCode::OK, "listing solution reports: {json}");
        let cards = json["data"]["all_accounts"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        // The service report of the resource found above (so that resource drill-downs have
        // rows), else any report with cost.
        let service = self.service.clone().unwrap_or_default();
        let with_cost = |own_service: bool| {
            cards.iter().find(|(_, c)| {
                let rule = c["business_unit_tags_values"].as_object();
                let is_service = rule.is_some_and(|r| {
                    r.values()
                        .any(|t| t["v"] == 5 && t["val"] == format!("service : {service}"))
                });
                c["cost_accnt_names"].is_array()
                    && is_service == own_service
                    && c["total_current_month"].as_f64().unwrap_or(0.0) > 0.0
            })
        };
        if let Some((id, _)) = with_cost(true).or_else(|| with_cost(false)) {
            let (status, json) = app
                .call(
                    "GET",
                    &format!("/cs/api/cost/reports/cc_spend_analysis?business_unit_id={id}"),
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{json}");
            let account = json["data"]["cost_account_ids"][0].as_str().unwrap_or("");
            self.report = Some((id.clone(), account.to_string()));
        }
        let body = json!({"name": "Conformance replay", "widgets": []});
        let (status, json) = app
            .call("POST", "/cs/api/cost/dashboard", Some(&body.to_string()))
            .await;
        assert_eq!(status, StatusCode::OK, "creating a dashboard: {json}");
        self.dashboard = json["data"]["return_data"]["id"]
            .as_str()
            .map(str::to_string);
    }

    /// These values with `business_unit_id` naming what `path` takes.
    fn for_path(&self, path: &str) -> Real {
        let mut real = self.clone();
        if let Some((_, account)) = &self.report
            && (path.contains("/sol_reports/") || path.ends_with("/reports/cc_spend_analysis"))
        {
            // A report covers one cost account: requests name that one.
            real.accounts.retain(|(id, _)| id == account);
            real.primary = account.clone();
        }
        // This endpoint's `cost_account_id` names a cost center (spec: `type: businessUnits`).
        if path == "/cs/api/cost/cost_centers/custom_tags_for_cc_ca"
            && let Some(cc) = &self.cost_center
        {
            real.primary = cc.clone();
        }
        real.unit = if path == "/cs/api/cost/sol_reports" {
            self.report.as_ref().map(|r| r.1.clone())
        } else if path.contains("/sol_reports/") || path.ends_with("/reports/cc_spend_analysis") {
            self.report.as_ref().map(|r| r.0.clone())
        } else {
            self.cost_center.clone()
        };
        real
    }

    fn accounts_json(&self) -> Value {
        Value::Array(
            self.accounts
                .iter()
                .map(|(id, billing)| json!({"cost_account_id": id, "billing_account_ids": billing}))
                .collect(),
        )
    }

    /// The `i`-th real tag in the form the example used: a bare id or `{"v", "id"}`.
    fn tag_like(&self, example: &Value, i: usize) -> Result<Value, String> {
        let (id, v) = self
            .tags
            .get(i % self.tags.len().max(1))
            .ok_or("no tag in the data (GET accounts/tags)")?;
        Ok(if example.is_object() {
            json!({"v": v, "id": id})
        } else {
            json!(id)
        })
    }

    /// A group of `group_by_type` as `group_by_property` names it: a billing account of the
    /// unit, the resource's service, a resource group, or a tag.
    fn property(&self, group_by: Option<&str>) -> Result<Value, String> {
        Ok(match group_by {
            Some("accounts" | "account" | "billing_account") => {
                let billing = self
                    .accounts
                    .iter()
                    .find(|(id, _)| *id == self.primary)
                    .or(self.accounts.first())
                    .and_then(|(_, b)| b.first())
                    .ok_or("no billing account in the data")?;
                json!({"v": 0, "id": billing})
            }
            Some("service") => json!({"v": 0, "id": self.service.clone().ok_or("no service")?}),
            Some("resourcegroup" | "resource_group") => json!({"v": 0, "id": "-"}),
            _ => self.tag_like(&json!({}), 0)?,
        })
    }

    fn resource(&self) -> Result<String, String> {
        self.resource
            .clone()
            .ok_or_else(|| "no resource in the data (cost_by_resource)".to_string())
    }

    /// Replaces the example's ids, dates and placeholders in a request document (a body or a
    /// `JSONString`) by real values, by field name; fails naming what it cannot fill.
    fn fill(&self, doc: &mut Value) -> Result<(), String> {
        let Some(map) = doc.as_object_mut() else {
            return self.fill_value("", doc);
        };
        let group_by = map
            .get("group_by_type")
            .and_then(Value::as_str)
            .map(str::to_string);
        for (key, value) in map.iter_mut() {
            match key.as_str() {
                "start_date" => *value = json!(self.start),
                "end_date" => *value = json!(self.end),
                "accounts" => *value = self.accounts_json(),
                "cost_account_id" if value.is_array() => *value = json!([self.primary]),
                "cost_account_id" => *value = json!(self.primary),
                // A cost center's billing accounts (creating one): the primary account's.
                "billing_account_ids" => {
                    let billing = self.accounts.iter().find(|(id, _)| *id == self.primary);
                    *value = json!(billing.map(|(_, b)| b.clone()).unwrap_or_default());
                }
                "resource_id" => *value = json!(self.resource()?),
                "resource_ids" => *value = json!([self.resource()?]),
                "cost_tags" | "group_by_tags" => {
                    let items = value.as_array().cloned().unwrap_or_default();
                    let mut filled = Vec::new();
                    for (i, item) in items.iter().enumerate() {
                        filled.push(self.tag_like(item, i)?);
                    }
                    *value = Value::Array(filled);
                }
                "property" => *value = self.property(group_by.as_deref())?,
                // The example's `AmazonEC2` is an AWS product code; the replay asks for the
                // service of the real resource, named as the API names services.
                "service_name" => {
                    *value = json!(self.service.clone().ok_or("no service in the data")?)
                }
                "group_by_type" if value == "string" => *value = json!("service"),
                "business_unit_id" => {
                    let unit = self
                        .unit
                        .clone()
                        .ok_or("no cost center or solution report")?;
                    *value = if value.is_array() {
                        json!([unit])
                    } else {
                        json!(unit)
                    };
                }
                // A billing account of the cost center (which holds every account).
                "billed_account_id" => {
                    let billing = self.accounts.iter().find_map(|(_, b)| b.first());
                    *value = json!(billing.ok_or("no billing account in the data")?);
                }
                // Custom tag pairs the user would type.
                "key" if value == "USER_PROVIDED_KEY" => *value = json!("conformance"),
                "value" if value == "USER_PROVIDED_VALUE" => *value = json!("replay"),
                _ => self.fill_value(key, value)?,
            }
        }
        Ok(())
    }

    fn fill_value(&self, key: &str, value: &mut Value) -> Result<(), String> {
        match value {
            Value::Object(_) => self.fill(value),
            Value::Array(items) => items.iter_mut().try_for_each(|v| self.fill_value(key, v)),
            Value::String(s) if REQUEST_PLACEHOLDERS.contains(&s.as_str()) => {
                Err(format!("no real value for {key:?} = {s:?}"))
            }
            _ => Ok(()),
        }
    }
}

/// One replayed request.
#[derive(Debug)]
struct Replay {
    method: String,
    uri: String,
    body: Option<String>,
}

/// The example's request with its `body`-th body (the `--data` one first, then the
/// alternatives the spec lists), with real values; `Err` names what could not be filled.
fn replay_request(entry: &Value, body: usize, real: &Real) -> Result<Replay, String> {
    let method = entry["method"].as_str().ok_or("no method")?.to_string();
    let mut path = entry["path"].as_str().ok_or("no path")?.to_string();
    let real = &real.for_path(&path);
    for (name, _) in entry["path_params"].as_object().into_iter().flatten() {
        let value = match name.as_str() {
            "resource_id" => real.resource()?,
            "id" => real.dashboard.clone().ok_or("no dashboard")?,
            // Budgets come with the budget module; until then none exists (D9).
            "budget_id" => return Err("no budget exists before the budget module".into()),
            other => return Err(format!("no real value for path parameter {other}")),
        };
        path = path.replace(&format!("{{{name}}}"), &encode_path_segment(&value));
    }
    let mut query = Vec::new();
    for (name, raw) in entry["query"].as_object().into_iter().flatten() {
        let raw = raw.as_str().ok_or("query value is not text")?;
        let value = match name.as_str() {
            "JSONString" => match entry.get("query_json").filter(|j| !j.is_null()) {
                Some(doc) => {
                    let mut doc = doc.clone();
                    real.fill(&mut doc)?;
                    doc.to_string()
                }
                // `JSONString=SOME_STRING_VALUE`: no document to fill; sent without it.
                None => continue,
            },
            _ => {
                let mut doc = json!({ name.as_str(): decode(raw) });
                real.fill(&mut doc)?;
                match &doc[name.as_str()] {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                }
            }
        };
        query.push(format!(
            "{name}={}",
            form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>()
        ));
    }
    let uri = if query.is_empty() {
        path
    } else {
        format!("{path}?{}", query.join("&"))
    };
    let body = match entry["bodies"].as_array().and_then(|b| b.get(body)) {
        Some(chosen) => {
            let mut doc = chosen["json"].clone();
            real.fill(&mut doc)?;
            Some(doc.to_string())
        }
        None => None,
    };
    Ok(Replay { method, uri, body })
}

fn decode(raw: &str) -> String {
    form_urlencoded::parse(format!("v={raw}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Percent-encodes everything but RFC 3986 unreserved characters (resource ids hold `/`, `:`).
fn encode_path_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The documented success response without the reader-note keys `dropped_note_keys` lists
/// (examples.json has removed them already; removing again keeps the check honest if not).
fn documented_success(entry: &Value) -> Option<Value> {
    let mut doc = entry["success_response"].clone();
    if doc.is_null() {
        return None;
    }
    for note in entry["dropped_note_keys"].as_array().into_iter().flatten() {
        if note["in"] != "success_response" {
            continue;
        }
        let parent = note["parent"].as_str().unwrap_or("$");
        let mut node = &mut doc;
        for part in parent
            .trim_start_matches('$')
            .split('.')
            .filter(|p| !p.is_empty())
        {
            node = &mut node[part];
        }
        if let (Some(map), Some(key)) = (node.as_object_mut(), note["key"].as_str()) {
            map.remove(key);
        }
    }
    Some(doc)
}

/// A template value standing for any scalar (`ACTUAL_TOTAL_COST`, `ACTUAL_CLOUD_TYPE`).
fn is_scalar_placeholder(s: &str) -> bool {
    s.starts_with("ACTUAL_")
}

/// A template value standing for an array (`ARRAY_OF_ACTUAL_TIMESTAMP_COST_PAIRS`).
fn is_array_placeholder(s: &str) -> bool {
    s.starts_with("ARRAY_OF_")
}

/// Keys that stand for data (ids, names) rather than field names: `ACTUAL_SERVICE_NAME_1`,
/// `ACTUAL_ACCOUNT_ID_2`, or ids such as `33240000000059001`.
fn is_dynamic_key(k: &str) -> bool {
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    is_scalar_placeholder(k)
        || digits(k.strip_prefix('-').unwrap_or(k))
        || k.strip_prefix("property").is_some_and(digits)
}

/// Whether a JSONPath matches a pattern whose `*` segments match any one segment.
fn at(pattern: &str, path: &str) -> bool {
    let (p, q): (Vec<&str>, Vec<&str>) = (pattern.split('.').collect(), path.split('.').collect());
    p.len() == q.len() && p.iter().zip(&q).all(|(a, b)| *a == "*" || a == b)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Checks that `actual` has the keys, nesting and JSON types of the documented `expected`;
/// `Err` gives the JSONPath of the first difference and what differs.
///
/// - A documented `null`, `{}` or `[]` says nothing about the content: any value of that kind
///   (any value for `null`) conforms.
/// - `ACTUAL_…` values stand for any scalar, `ARRAY_OF_…` values for an array (of
///   `[timestamp, cost]` pairs when the name says `TIMESTAMP_COST_PAIRS`).
/// - An object whose keys are all `ACTUAL_…` placeholders or numeric ids is a map: any keys,
///   each value shaped like one of the documented values.
/// - An array whose documented elements mix JSON types is a tuple (`["2025-06-01…", 867.5]`):
///   same length, element by element; otherwise each element must match one documented
///   element (examples list variants, e.g. invited and active users).
fn conform(
    expected: &Value,
    actual: &Value,
    path: &str,
    empty: &mut Vec<String>,
) -> Result<(), String> {
    conform_with(expected, actual, path, empty, &[])
}

/// [`conform`], with the JSONPaths of `maps` checked as data-keyed maps.
fn conform_with(
    expected: &Value,
    actual: &Value,
    path: &str,
    empty: &mut Vec<String>,
    maps: &[&str],
) -> Result<(), String> {
    let wrong = || {
        Err(format!(
            "{path}: expected {}, got {} {}",
            describe(expected),
            kind(actual),
            snippet(actual)
        ))
    };
    match expected {
        Value::Null => Ok(()),
        Value::String(s) if is_array_placeholder(s) => {
            let Some(items) = actual.as_array() else {
                return wrong();
            };
            if items.is_empty() {
                empty.push(path.to_string());
            }
            if s.contains("TIMESTAMP_COST_PAIRS") {
                let pair = json!(["2025-01-01T00:00:00+0000", 0.5]);
                for (i, item) in items.iter().enumerate() {
                    conform_with(&pair, item, &format!("{path}[{i}]"), empty, maps)?;
                }
            }
            Ok(())
        }
        Value::String(s) if is_scalar_placeholder(s) => {
            if actual.is_array() || actual.is_object() {
                wrong()
            } else {
                Ok(())
            }
        }
        Value::Bool(_) | Value::Number(_) | Value::String(_) => {
            if kind(expected) == kind(actual) {
                Ok(())
            } else {
                wrong()
            }
        }
        Value::Array(documented) => {
            let Some(items) = actual.as_array() else {
                return wrong();
            };
            if documented.is_empty() {
                return Ok(());
            }
            if items.is_empty() {
                empty.push(path.to_string());
            }
            let kinds: BTreeSet<&str> = documented.iter().map(kind).collect();
            if kinds.len() > 1 {
                if items.len() != documented.len() {
                    return Err(format!(
                        "{path}: expected a tuple of {} elements, got {} {}",
                        documented.len(),
                        items.len(),
                        snippet(actual)
                    ));
                }
                for (i, (e, a)) in documented.iter().zip(items).enumerate() {
                    conform_with(e, a, &format!("{path}[{i}]"), empty, maps)?;
                }
                return Ok(());
            }
            for (i, item) in items.iter().enumerate() {
                one_of(documented, item, &format!("{path}[{i}]"), empty, maps)?;
            }
            Ok(())
        }
        Value::Object(documented) => {
            let Some(fields) = actual.as_object() else {
                return wrong();
            };
            if documented.is_empty() {
                return Ok(());
            }
            if documented.keys().all(|k| is_dynamic_key(k)) || maps.iter().any(|m| at(m, path)) {
                if fields.is_empty() {
                    empty.push(path.to_string());
                }
                let variants: Vec<Value> = documented.values().cloned().collect();
                for (k, v) in fields {
                    one_of(&variants, v, &format!("{path}.{k}"), empty, maps)?;
                }
                return Ok(());
            }
            let missing: Vec<&String> = documented
                .keys()
                .filter(|k| !fields.contains_key(*k))
                .collect();
            if !missing.is_empty() {
                return Err(format!("{path}: missing key(s) {missing:?}"));
            }
            let extra: Vec<&String> = fields
                .keys()
                .filter(|k| !documented.contains_key(*k))
                .collect();
            if !extra.is_empty() {
                return Err(format!("{path}: undocumented key(s) {extra:?}"));
            }
            for (k, e) in documented {
                conform_with(e, &fields[k], &format!("{path}.{k}"), empty, maps)?;
            }
            Ok(())
        }
    }
}

/// `actual` conforms to one of the documented variants; else the first variant's difference.
fn one_of(
    variants: &[Value],
    actual: &Value,
    path: &str,
    empty: &mut Vec<String>,
    maps: &[&str],
) -> Result<(), String> {
    // Of several documented variants, the one that matched deepest is the one meant.
    let mut closest: Option<String> = None;
    for v in variants {
        let mut found = Vec::new();
        match conform_with(v, actual, path, &mut found, maps) {
            Ok(()) => {
                empty.extend(found);
                return Ok(());
            }
            Err(e) => {
                let depth = |s: &str| s.split(':').next().map_or(0, str::len);
                if closest.as_deref().is_none_or(|c| depth(&e) > depth(c)) {
                    closest = Some(e);
                }
            }
        }
    }
    Err(closest.unwrap_or_else(|| format!("{path}: no documented element")))
}

fn describe(expected: &Value) -> String {
    match expected {
        Value::String(s) if is_scalar_placeholder(s) => "a scalar".into(),
        Value::String(s) if is_array_placeholder(s) => "an array".into(),
        other => kind(other).into(),
    }
}

fn snippet(v: &Value) -> String {
    let text = v.to_string();
    match text.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

/// What the replay of one example found.
#[derive(Debug, PartialEq)]
enum Verdict {
    /// Conforms; the paths where the data held no element to check (documented ones non-empty).
    Ok(Vec<String>),
    /// The spec documents no `data` (or no success response): the envelope was checked.
    EnvelopeOk,
    Mismatch(String),
    NotBuilt,
    /// Any other status or envelope: (status, body excerpt).
    Failed(StatusCode, String),
    Skipped(String),
}

impl Verdict {
    fn text(&self) -> String {
        match self {
            Verdict::Ok(empty) if empty.is_empty() => "ok".into(),
            Verdict::Ok(empty) => format!("ok (empty: {})", empty.join(", ")),
            Verdict::EnvelopeOk => "ok (envelope only: spec documents no data)".into(),
            Verdict::Mismatch(at) => format!("MISMATCH {at}"),
            Verdict::NotBuilt => "501 not built".into(),
            Verdict::Failed(status, body) => format!("FAILED {status}: {body}"),
            Verdict::Skipped(why) => format!("skipped: {why}"),
        }
    }
}

fn verdict(entry: &Value, status: StatusCode, body: &Value) -> Verdict {
    if status == StatusCode::NOT_IMPLEMENTED {
        return Verdict::NotBuilt;
    }
    if status != StatusCode::OK || body["code"] != 0 {
        return Verdict::Failed(status, snippet(body));
    }
    let mut empty = Vec::new();
    let maps: Vec<&str> = DATA_KEYED
        .iter()
        .filter(|(p, _)| entry["path"] == *p)
        .map(|(_, at)| *at)
        .collect();
    match documented_success(entry)
        .as_ref()
        .and_then(|d| d.get("data"))
    {
        None => Verdict::EnvelopeOk,
        Some(documented) => match body.get("data") {
            None => Verdict::Mismatch("$.data: missing".into()),
            Some(data) => match conform_with(documented, data, "$.data", &mut empty, &maps) {
                Ok(()) => Verdict::Ok(empty),
                Err(at) => Verdict::Mismatch(at),
            },
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documented_examples_replay_with_documented_shapes_on_demo_data() {
    let Some(spec) = crate::shared_spec() else {
        println!("SKIP conformance: ../shared/spec/examples.json not found");
        return;
    };
    let examples: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(spec.join("examples.json")).unwrap())
            .unwrap();
    let built: BTreeMap<(String, String), bool> = skyledger_api::inventory()
        .into_iter()
        .map(|r| ((r.method, r.path.to_string()), r.implemented))
        .collect();
    let entries: Vec<&Value> = examples
        .iter()
        .filter(|e| SECTIONS.contains(&e["section"].as_str().unwrap_or("")))
        .collect();
    assert!(!entries.is_empty(), "no example of {SECTIONS:?}");
    let demo = demo_app().await;
    println!(
        "demo data: {DEMO_ROWS} line items, {} cost accounts, replayed range {} .. {}, \
         resource {:?}, {} provider tags",
        demo.real.accounts.len(),
        demo.real.start,
        demo.real.end,
        demo.real.resource,
        demo.real.tags.len()
    );

    let mut rows = Vec::new();
    for entry in entries {
        let method = entry["method"].as_str().unwrap_or("?").to_string();
        let path = entry["path"].as_str().unwrap_or("?").to_string();
        let implemented = built
            .get(&(method.clone(), path.clone()))
            .copied()
            .unwrap_or(false);
        let bodies = entry["bodies"].as_array().map_or(0, Vec::len);
        for body in 0..bodies.max(1) {
            let (status, verdict) = match replay_request(entry, body, &demo.real) {
                Err(why) => (None, Verdict::Skipped(why)),
                Ok(request) => {
                    let (status, answer) = demo
                        .app
                        .call(&request.method, &request.uri, request.body.as_deref())
                        .await;
                    if let Some(dir) = std::env::var_os("CONFORMANCE_DUMP") {
                        let name =
                            format!("{method} {path} {body}").replace(['/', ' ', '{', '}'], "_");
                        let text = format!(
                            "{} {}\n{}\n{answer:#}",
                            request.method,
                            request.uri,
                            request.body.as_deref().unwrap_or("")
                        );
                        std::fs::write(Path::new(&dir).join(name), text).unwrap();
                    }
                    (Some(status), verdict(entry, status, &answer))
                }
            };
            let fails = implemented
                && matches!(
                    verdict,
                    Verdict::Mismatch(_) | Verdict::NotBuilt | Verdict::Failed(..)
                );
            let shown = if bodies > 1 {
                format!("{path} (body {}/{bodies})", body + 1)
            } else {
                path.clone()
            };
            rows.push((
                entry["section"].as_str().unwrap_or("?").to_string(),
                method.clone(),
                shown,
                status.map_or("-".to_string(), |s| s.as_u16().to_string()),
                verdict,
                fails,
            ));
        }
    }

    let table = render(&rows);
    println!("{table}");
    let failing: Vec<String> = rows
        .iter()
        .filter(|r| r.5)
        .map(|r| format!("{} {}: {}", r.1, r.2, r.4.text()))
        .collect();
    assert!(
        failing.is_empty(),
        "{} built endpoint(s) do not conform:\n{}\n\n{table}",
        failing.len(),
        failing.join("\n")
    );
}

type Row = (String, String, String, String, Verdict, bool);

fn render(rows: &[Row]) -> String {
    let width = rows.iter().map(|r| r.2.len()).max().unwrap_or(4);
    let mut out = format!(
        "{:<20} {:<6} {:<width$} {:<6} conformance\n",
        "section", "method", "path", "status"
    );
    for (section, method, path, status, verdict, _) in rows {
        out.push_str(&format!(
            "{section:<20} {method:<6} {path:<width$} {status:<6} {}\n",
            verdict.text()
        ));
    }
    let count = |f: fn(&Verdict) -> bool| rows.iter().filter(|r| f(&r.4)).count();
    out.push_str(&format!(
        "{} replayed: {} ok, {} mismatch, {} failed, {} not built (501), {} skipped",
        rows.len(),
        count(|v| matches!(v, Verdict::Ok(_) | Verdict::EnvelopeOk)),
        count(|v| matches!(v, Verdict::Mismatch(_))),
        count(|v| matches!(v, Verdict::Failed(..))),
        count(|v| matches!(v, Verdict::NotBuilt)),
        count(|v| matches!(v, Verdict::Skipped(_))),
    ));
    out
}

#[test]
fn shapes_follow_the_documented_rules() {
    let doc = json!({
        "trend_values": {"mode": 1, "values": {"ACTUAL_SERVICE_NAME_1": "ARRAY_OF_ACTUAL_TIMESTAMP_COST_PAIRS"}},
        "rows": [["2025-06-01T00:00:00+0530", 867.572]],
        "users": [{"a": "ACTUAL_X"}, {"a": "ACTUAL_X", "b": true}],
        "any": {},
    });
    let good = json!({
        "trend_values": {"mode": 2, "values": {"EC2": [["2025-01-01T00:00:00+0000", 1.5]], "S3": []}},
        "rows": [["2025-06-02T00:00:00+0530", 1], ["2025-06-03T00:00:00+0530", 0.5]],
        "users": [{"a": 3}, {"a": "x", "b": false}],
        "any": {"k": [1]},
    });
    let mut empty = Vec::new();
    assert_eq!(conform(&doc, &good, "$", &mut empty), Ok(()));
    assert_eq!(empty, ["$.trend_values.values.S3"]);
    let cases = [
        (
            json!({"trend_values": {"mode": "1", "values": {}}}),
            "$.trend_values.mode",
        ),
        (
            json!({"trend_values": {"mode": 1, "values": {"EC2": [["t", "1"]]}}}),
            "$.trend_values.values.EC2[0][1]",
        ),
        (json!({"rows": [["t", 1, 2]]}), "$.rows[0]"),
        (json!({"users": [{"a": 1, "c": 1}]}), "$.users[0]"),
        (json!({"users": [{"a": [1]}]}), "$.users[0].a"),
    ];
    for (patch, at) in cases {
        let mut bad = good.clone();
        for (k, v) in patch.as_object().unwrap() {
            bad[k] = v.clone();
        }
        let err = conform(&doc, &bad, "$", &mut vec![]).unwrap_err();
        assert!(err.starts_with(at), "{at}: {err}");
    }
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("any");
    assert_eq!(
        conform(&doc, &missing, "$", &mut vec![]),
        Err("$: missing key(s) [\"any\"]".to_string())
    );
    let mut extra = good;
    extra["more"] = json!(1);
    assert_eq!(
        conform(&doc, &extra, "$", &mut vec![]),
        Err("$: undocumented key(s) [\"more\"]".to_string())
    );
}

#[test]
fn example_requests_get_real_values() {
    let real = Real {
        accounts: vec![("ca1".into(), vec!["ba1".into()])],
        primary: "ca1".into(),
        resource: Some("arn:aws:ec2:us-east-1:1:instance/i-1".into()),
        service: Some("Amazon Elastic Compute Cloud".into()),
        tags: vec![("t1".into(), 1), ("t2".into(), 2)],
        start: "2026-08-01".into(),
        end: "2026-10-31".into(),
        ..Real::default()
    };
    let entry = json!({
        "method": "GET",
        "path": "/cs/api/cost/r/{resource_id}/tags",
        "path_params": {"resource_id": "{resource_id}"},
        "query": {"JSONString": "x", "start_date": "2019-08-24", "note": "a%20b"},
        "query_json": {"start_date": "2019-08-24", "group_by_tags": [{"v": 0, "id": "9"}, "8"]},
        "bodies": [{"caption": null, "json": {
            "accounts": [{"cost_account_id": "string", "billing_account_ids": ["string"]}],
            "cost_tags": ["string"], "property": {"v": 0, "id": "1"}, "resource_ids": [0],
            "group_by_type": "string", "tags": [{"key": "USER_PROVIDED_KEY", "value": "USER_PROVIDED_VALUE"}],
        }}],
    });
    let r = replay_request(&entry, 0, &real).unwrap();
    let (path, query) = r.uri.split_once('?').unwrap();
    assert_eq!(
        path,
        "/cs/api/cost/r/arn%3Aaws%3Aec2%3Aus-east-1%3A1%3Ainstance%2Fi-1/tags"
    );
    let query: BTreeMap<String, String> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(query["start_date"], "2026-08-01");
    assert_eq!(query["note"], "a b");
    let doc: Value = serde_json::from_str(&query["JSONString"]).unwrap();
    assert_eq!(
        doc,
        json!({"start_date": "2026-08-01", "group_by_tags": [{"v": 1, "id": "t1"}, "t2"]})
    );
    let body: Value = serde_json::from_str(r.body.as_deref().unwrap()).unwrap();
    assert_eq!(
        body,
        json!({
            "accounts": [{"cost_account_id": "ca1", "billing_account_ids": ["ba1"]}],
            "cost_tags": ["t1"], "property": {"v": 1, "id": "t1"},
            "resource_ids": ["arn:aws:ec2:us-east-1:1:instance/i-1"],
            "group_by_type": "service", "tags": [{"key": "conformance", "value": "replay"}],
        })
    );
    let two =
        json!({"method": "POST", "path": "/p", "bodies": [{"json": {"a": 1}}, {"json": {"b": 2}}]});
    assert_eq!(
        replay_request(&two, 1, &real).unwrap().body.as_deref(),
        Some("{\"b\":2}")
    );
    let unfilled =
        json!({"method": "POST", "path": "/p", "bodies": [{"json": {"name": "string"}}]});
    assert_eq!(
        replay_request(&unfilled, 0, &real).unwrap_err(),
        "no real value for \"name\" = \"string\""
    );
}

#[test]
fn path_param_encoding_and_query_decoding() {
    assert_eq!(encode_path_segment("a b/c~d"), "a%20b%2Fc~d");
    assert_eq!(decode("%7B%22a%22:1%7D"), "{\"a\":1}");
}
