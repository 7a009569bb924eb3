//! The cost endpoints over real billing files: the FOCUS sample (AWS, Azure and Oracle rows,
//! tags, 73 sub-accounts) and the AWS legacy CUR sample, ingested through the real readers.
//! Every expected number is summed here from the CSV text itself, not by the code under test.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::http::StatusCode;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Value, json};
use skyledger_api::AppState;
use skyledger_core::ingestion::{IngestRequest, ingest};
use skyledger_ledger::{Ledger, LedgerOptions};
use skyledger_meta::Meta;
use skyledger_types::Scopes;

use crate::{TestApp, assert_error_envelope};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../skyledger-ingest/tests/fixtures")
        .join(name)
}

pub const FOCUS: &str = "focus/focus_sample_1000.csv";
pub const CUR: &str = "aws/cur-legacy-sample-anonymous-aws-export-dataset.csv";

/// One line of the FOCUS sample, as the test reads it.
#[derive(Debug, Clone)]
pub struct FocusRow {
    pub day: NaiveDate,
    pub billed: Decimal,
    pub service: String,
    pub region: String,
    pub sub_account: String,
    pub sub_account_name: String,
    pub resource: String,
    pub provider: String,
    pub publisher: String,
    pub tags: BTreeMap<String, String>,
}

fn text(v: &str) -> String {
    if v == "NULL" {
        String::new()
    } else {
        v.to_string()
    }
}

pub fn focus_rows() -> Vec<FocusRow> {
    let mut reader = csv::Reader::from_path(fixture(FOCUS)).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (start, billed, service, region, sub, sub_name, resource, provider, publisher, tags) = (
        col("ChargePeriodStart"),
        col("BilledCost"),
        col("ServiceName"),
        col("RegionId"),
        col("SubAccountId"),
        col("SubAccountName"),
        col("ResourceId"),
        col("ProviderName"),
        col("PublisherName"),
        col("Tags"),
    );
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let tag_text = text(&r[tags]);
            let tags: BTreeMap<String, String> = if tag_text.is_empty() {
                BTreeMap::new()
            } else {
                serde_json::from_str::<BTreeMap<String, Value>>(&tag_text)
                    .unwrap()
                    .into_iter()
                    .map(|(k, v)| (k, v.as_str().map_or(v.to_string(), str::to_string)))
                    .collect()
            };
            FocusRow {
                day: r[start][..10].parse().unwrap(),
                billed: r[billed].parse().unwrap_or(Decimal::ZERO),
                service: text(&r[service]),
                region: text(&r[region]),
                sub_account: text(&r[sub]),
                sub_account_name: text(&r[sub_name]),
                resource: text(&r[resource]),
                provider: text(&r[provider]),
                publisher: text(&r[publisher]),
                tags,
            }
        })
        .collect()
}

/// What the API shows for an exact amount: rounded to 3 decimals, as a JSON number.
pub fn shown(d: Decimal) -> f64 {
    d.round_dp_with_strategy(3, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .to_f64()
        .unwrap()
}

pub fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

pub fn sum_by<K: Ord>(
    rows: &[FocusRow],
    mut key: impl FnMut(&FocusRow) -> Option<K>,
) -> BTreeMap<K, Decimal> {
    let mut out = BTreeMap::new();
    for r in rows {
        if let Some(k) = key(r) {
            *out.entry(k).or_insert(Decimal::ZERO) += r.billed;
        }
    }
    out
}

/// A server with a cost store holding the FOCUS sample (as one FOCUS feed) and the CUR sample.
pub struct CostApp {
    pub app: TestApp,
    pub focus_account: String,
    pub cur_account: String,
}

pub async fn cost_app() -> CostApp {
    let dir = tempfile::tempdir().unwrap();
    let meta = Meta::connect(&Meta::sqlite_url(dir.path())).await.unwrap();
    meta.migrate().await.unwrap();
    let org = meta.default_org("Test Org", "UTC").await.unwrap();
    let ledger = Ledger::open(
        &dir.path().join("cost").display().to_string(),
        LedgerOptions::default(),
    )
    .await
    .unwrap();
    let mut accounts = vec![];
    for (file, name) in [(FOCUS, "FOCUS sample"), (CUR, "CUR sample")] {
        let summary = ingest(
            &meta,
            &ledger,
            &IngestRequest {
                org_id: org.id.clone(),
                path: fixture(file),
                account_name: Some(name.to_string()),
                format: None,
                skip_bad_rows: false,
                force: false,
            },
            Arc::new(|_| {}),
        )
        .await
        .unwrap();
        accounts.push(summary.cost_account_id.clone());
    }
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
    CostApp {
        app,
        cur_account: accounts.pop().unwrap(),
        focus_account: accounts.pop().unwrap(),
    }
}

impl CostApp {
    pub async fn post(&self, path: &str, body: Value) -> Value {
        let (status, json) = self.app.call("POST", path, Some(&body.to_string())).await;
        assert_eq!(status, StatusCode::OK, "{path} {body}: {json}");
        assert_eq!(json["code"], 0, "{json}");
        json["data"].clone()
    }

    pub async fn get(&self, uri: &str) -> Value {
        let (status, json) = self.app.call("GET", uri, None).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {json}");
        json["data"].clone()
    }

    /// A September 2024 request over the FOCUS feed.
    pub fn focus_body(&self, extra: Value) -> Value {
        let mut body = json!({
            "start_date": "2024-09-01",
            "end_date": "2024-09-30",
            "period": 1,
            "cost_type": 20,
            "cost_tags": [],
            "accounts": [{"cost_account_id": self.focus_account, "billing_account_ids": []}],
        });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    }
}

#[tokio::test]
async fn trend_box_is_each_services_daily_cost() {
    let c = cost_app().await;
    let rows = focus_rows();
    let data = c
        .post("/cs/api/cost/accounts/trend_box", c.focus_body(json!({})))
        .await;
    assert_eq!(data["trend_values"]["mode"], 1);
    let values = data["trend_values"]["values"].as_object().unwrap();
    let expected = sum_by(&rows, |r| Some((r.service.clone(), r.day)));
    let services: std::collections::BTreeSet<_> = expected.keys().map(|k| k.0.clone()).collect();
    assert_eq!(values.len(), services.len());
    let mut checked = 0;
    for ((service, day), cost) in &expected {
        let name = if service.is_empty() { "-" } else { service };
        let series = values[name].as_array().unwrap();
        let stamp = format!("{day}T00:00:00+0000");
        let point = series
            .iter()
            .find(|p| p[0] == stamp)
            .unwrap_or_else(|| panic!("{name} has no {stamp}"));
        assert_eq!(num(&point[1]), shown(*cost), "{name} {day}");
        checked += 1;
    }
    assert!(checked > 100, "the sample has many service-days: {checked}");
}

#[tokio::test]
async fn incurred_cost_is_the_daily_total_and_narrowing_to_billing_accounts_works() {
    let c = cost_app().await;
    let rows = focus_rows();
    let data = c
        .post(
            "/cs/api/cost/accounts/incurred_cost",
            c.focus_body(json!({})),
        )
        .await;
    let expected = sum_by(&rows, |r| Some(r.day));
    let got = data["return_data"].as_array().unwrap();
    assert_eq!(got.len(), expected.len());
    for (point, (day, cost)) in got.iter().zip(&expected) {
        assert_eq!(point[0], format!("{day}T00:00:00+0000"));
        assert_eq!(num(&point[1]), shown(*cost), "{day}");
    }

    // One sub-account, named by its provider id: only its rows.
    let sub = "11353890204";
    let body = c.focus_body(json!({
        "accounts": [{"cost_account_id": c.focus_account, "billing_account_ids": [sub]}]
    }));
    let data = c.post("/cs/api/cost/accounts/incurred_cost", body).await;
    let expected = sum_by(&rows, |r| (r.sub_account == sub).then_some(r.day));
    let got = data["return_data"].as_array().unwrap();
    assert_eq!(got.len(), expected.len());
    for (point, (_, cost)) in got.iter().zip(&expected) {
        assert_eq!(num(&point[1]), shown(*cost));
    }
}

#[tokio::test]
async fn group_by_property_by_region_and_by_billing_account() {
    let c = cost_app().await;
    let rows = focus_rows();
    let body = c.focus_body(json!({"group_by_type": "region"}));
    let data = c
        .post("/cs/api/cost/accounts/group_by_property", body)
        .await;
    let expected = sum_by(&rows, |r| {
        Some(if r.region.is_empty() {
            "-".to_string()
        } else {
            r.region.clone()
        })
    });
    let got = data["return_data"].as_array().unwrap();
    assert_eq!(got.len(), expected.len());
    let mut previous = f64::INFINITY;
    for g in got {
        let name = g["group_name"].as_str().unwrap();
        assert_eq!(num(&g["cost"]), shown(expected[name]), "{name}");
        assert!(num(&g["cost"]) <= previous, "largest first");
        previous = num(&g["cost"]);
    }

    // Billing accounts are grouped by id: two sub-accounts may share a display name.
    let body = c.focus_body(json!({"group_by_type": "accounts"}));
    let data = c
        .post("/cs/api/cost/accounts/group_by_property", body)
        .await;
    let by_sub = sum_by(&rows, |r| {
        Some((r.sub_account.clone(), r.sub_account_name.clone()))
    });
    let mut expected: Vec<(String, String)> = by_sub
        .iter()
        .map(|((_, name), cost)| (name.clone(), shown(*cost).to_string()))
        .collect();
    let mut got: Vec<(String, String)> = data["return_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["group_name"].as_str().unwrap().to_string(),
                num(&g["cost"]).to_string(),
            )
        })
        .collect();
    expected.sort();
    got.sort();
    assert_eq!(got, expected);
}

#[tokio::test]
async fn accounts_splitup_separates_marketplace_charges() {
    let c = cost_app().await;
    let rows = focus_rows();
    let data = c
        .post(
            "/cs/api/cost/accounts/accounts_splitup",
            c.focus_body(json!({})),
        )
        .await;
    let got: BTreeMap<String, f64> = data["return_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap().to_string(), num(&p[1])))
        .collect();
    // Red Hat sells through the AWS marketplace in the sample.
    let expected = sum_by(&rows, |r| {
        let seller = if r.publisher.starts_with("Amazon") || r.publisher == r.provider {
            r.provider.as_str()
        } else {
            "Marketplace"
        };
        Some(format!("{}_{}", r.sub_account_name, seller))
    });
    assert_eq!(got.len(), expected.len(), "{got:?}");
    for (name, cost) in &expected {
        assert_eq!(got[name], shown(*cost), "{name}");
    }
    assert!(got.keys().any(|k| k.ends_with("_Marketplace")));
}

#[tokio::test]
async fn spend_analysis_panel_ranks_billing_accounts() {
    let c = cost_app().await;
    let rows = focus_rows();
    let data = c
        .post(
            "/cs/api/cost/accounts/spend_analysis_panel",
            c.focus_body(json!({})),
        )
        .await;
    let panel = &data["return_data"];
    let by_sub = sum_by(&rows, |r| Some(r.sub_account.clone()));
    let (max_sub, max) = by_sub.iter().max_by_key(|(_, v)| **v).unwrap();
    let (min_sub, min) = by_sub.iter().min_by_key(|(_, v)| **v).unwrap();
    let name_of = |sub: &str| {
        rows.iter()
            .find(|r| r.sub_account == sub)
            .unwrap()
            .sub_account_name
            .clone()
    };
    assert_eq!(num(&panel["max_cost"]), shown(*max));
    assert_eq!(panel["max_cost_account"], name_of(max_sub));
    assert_eq!(num(&panel["min_cost"]), shown(*min));
    assert_eq!(panel["min_cost_account"], name_of(min_sub));
    let total: Decimal = rows.iter().map(|r| r.billed).sum();
    assert_eq!(num(&panel["total_cost"]), shown(total));
    // August has no data: the change is reported as 0, not as an infinite rise.
    assert_eq!(num(&panel["difference"]), 0.0);
    assert!(panel["anomaly_widget"]["occurrences"].is_string());
}

#[tokio::test]
async fn common_widget_lists_regions_services_transfer_and_components() {
    let c = cost_app().await;
    let rows = focus_rows();
    let data = c
        .post(
            "/cs/api/cost/accounts/common_widget_api",
            c.focus_body(json!({})),
        )
        .await;
    let lists = data["return_data"].as_array().unwrap();
    assert_eq!(lists.len(), 4);
    let regions = sum_by(&rows, |r| {
        Some(if r.region.is_empty() {
            "-".to_string()
        } else {
            r.region.clone()
        })
    });
    assert_eq!(lists[0].as_array().unwrap().len(), regions.len());
    for p in lists[0].as_array().unwrap() {
        assert_eq!(num(&p[1]), shown(regions[p[0].as_str().unwrap()]));
    }
    let services = sum_by(&rows, |r| {
        Some(if r.service.is_empty() {
            "-".to_string()
        } else {
            r.service.clone()
        })
    });
    for p in lists[1].as_array().unwrap() {
        assert_eq!(num(&p[1]), shown(services[p[0].as_str().unwrap()]));
    }
    // Transfer and components together cover the whole cost.
    let total: f64 = lists[2]
        .as_array()
        .unwrap()
        .iter()
        .chain(lists[3].as_array().unwrap())
        .map(|p| num(&p[1]))
        .sum();
    let expected: Decimal = rows.iter().map(|r| r.billed).sum();
    assert!(
        (total - expected.to_f64().unwrap()).abs() < 0.01,
        "{total} vs {expected}"
    );
}

#[tokio::test]
async fn entity_forecast_names_its_method_and_brackets_the_mean() {
    let c = cost_app().await;
    let data = c
        .post(
            "/cs/api/cost/accounts/entity_forecast",
            json!({
                "accounts": [{"cost_account_id": c.focus_account, "billing_account_ids": []}],
                "cloud_type": 0, "resource_ids": [0], "cost_type": 20,
                "group_by_type": "service", "variation": 1
            }),
        )
        .await;
    assert!(!data["method"].as_str().unwrap().is_empty());
    assert_eq!(data["last_actual_date"], "2024-09-30T00:00:00+0000");
    let points = data["forecast"].as_array().unwrap();
    // From October 1 to the end of October.
    assert_eq!(points.len(), 31);
    assert_eq!(points[0][0], "2024-10-01T00:00:00+0000");
    for p in points {
        let (mean, lo80, hi80, lo95, hi95) =
            (num(&p[1]), num(&p[2]), num(&p[3]), num(&p[4]), num(&p[5]));
        assert!(
            lo95 <= lo80 && lo80 <= mean && mean <= hi80 && hi80 <= hi95,
            "{p}"
        );
    }
}

#[tokio::test]
async fn cost_types_read_their_own_columns() {
    let c = cost_app().await;
    // A FOCUS file is a feed (cloud type -1) even though its first rows are AWS rows.
    let meta = &c.app.state.meta;
    let focus = meta
        .cost_account(&c.app.org_id, &c.focus_account)
        .await
        .unwrap();
    assert_eq!(focus.unwrap().cloud_type, -1);
    let cur = meta
        .cost_account(&c.app.org_id, &c.cur_account)
        .await
        .unwrap();
    assert_eq!(cur.unwrap().cloud_type, 0);
    // The CUR sample's golden unblended sum (shared/data/README.md): 1.68230869740.
    let body = |cost_type: i64| {
        json!({
            "start_date": "2023-11-01", "end_date": "2023-11-30", "cost_type": cost_type,
            "accounts": [{"cost_account_id": c.cur_account, "billing_account_ids": []}],
            "group_by_type": "cost_account",
        })
    };
    let data = c
        .post("/cs/api/cost/accounts/group_by_property", body(1))
        .await;
    assert_eq!(num(&data["return_data"][0]["cost"]), 1.682);
    assert_eq!(data["return_data"][0]["group_name"], "CUR sample");
}

#[tokio::test]
async fn bad_cost_requests_are_rejected_naming_the_problem() {
    let c = cost_app().await;
    let cases = [
        (
            c.focus_body(json!({"start_date": "2024-09-30", "end_date": "2024-09-01"})),
            StatusCode::BAD_REQUEST,
            "start_date",
        ),
        (
            c.focus_body(json!({"start_date": "2031-01-01", "end_date": "2031-02-01"})),
            StatusCode::BAD_REQUEST,
            "newest data",
        ),
        (
            c.focus_body(json!({"end_date": "01/09/2024"})),
            StatusCode::BAD_REQUEST,
            "end_date",
        ),
        (
            c.focus_body(json!({"cost_type": 7})),
            StatusCode::BAD_REQUEST,
            "cost_type",
        ),
        (
            c.focus_body(json!({"period": 42})),
            StatusCode::BAD_REQUEST,
            "period",
        ),
        (
            c.focus_body(json!({"accounts": [{"cost_account_id": "99999999999999999"}]})),
            StatusCode::NOT_FOUND,
            "99999999999999999",
        ),
        (
            c.focus_body(json!({"accounts": [{"cost_account_id": c.focus_account,
                "billing_account_ids": ["424242"]}]})),
            StatusCode::NOT_FOUND,
            "424242",
        ),
        (
            c.focus_body(json!({"cost_tags": [{"v": 0, "id": "12345"}]})),
            StatusCode::NOT_FOUND,
            "12345",
        ),
        (
            c.focus_body(json!({"accounts": "all"})),
            StatusCode::BAD_REQUEST,
            "accounts",
        ),
    ];
    for (body, status, needle) in cases {
        let (got, json) = c
            .app
            .call(
                "POST",
                "/cs/api/cost/accounts/trend_box",
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(got, status, "{body}: {json}");
        assert_error_envelope(got, &json);
        assert!(
            json["error"].as_str().unwrap().contains(needle),
            "{needle} in {json}"
        );
    }
    let (got, json) = c
        .app
        .call(
            "POST",
            "/cs/api/cost/accounts/group_by_property",
            Some(&c.focus_body(json!({"group_by_type": "colour"})).to_string()),
        )
        .await;
    assert_eq!(got, StatusCode::BAD_REQUEST);
    assert!(json["error"].as_str().unwrap().contains("group_by_type"));
}

#[tokio::test]
async fn another_organisations_token_sees_none_of_these_accounts() {
    let c = cost_app().await;
    let other = c.app.state.meta.create_org("Other", "UTC").await.unwrap();
    let token = c.app.token_for_org(&other.id, Scopes::all(), 3600).await;
    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/cs/api/cost/accounts/trend_box")
        .header("Authorization", format!("Zoho-oauthtoken {token}"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(c.focus_body(json!({})).to_string()))
        .unwrap();
    let (status, json, _) = c.app.send(request).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{json}");
    assert!(json["error"].as_str().unwrap().contains(&c.focus_account));
}

#[tokio::test]
async fn accounts_status_reports_running_ingests() {
    let c = cost_app().await;
    let status = c.get("/cs/api/cost/accounts_status").await;
    assert_eq!(status, json!({"billProcess": false}));
    let meta = &c.app.state.meta;
    let mut job = meta
        .start_ingest_job(&c.app.org_id, "/exports/cur", "aws_cur")
        .await
        .unwrap();
    let status = c.get("/cs/api/cost/accounts_status").await;
    assert_eq!(status, json!({"billProcess": true}));
    job.status = "succeeded".into();
    meta.finish_ingest_job(&job).await.unwrap();
    let status = c.get("/cs/api/cost/accounts_status").await;
    assert_eq!(status, json!({"billProcess": false}));
}
