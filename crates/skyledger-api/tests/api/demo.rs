//! The cost endpoints on demo data: a generated AWS legacy CUR (csv.gz, 13 months, instance
//! types, reservations, credits, tax) ingested through the real reader; expected numbers are
//! summed by the test from the generated CSV text.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Arc;

use axum::http::StatusCode;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use skyledger_api::AppState;
use skyledger_core::ingestion::{IngestRequest, ingest};
use skyledger_demo::{DemoSpec, Formats, generate};
use skyledger_ledger::{Ledger, LedgerOptions};
use skyledger_meta::Meta;
use skyledger_types::Scopes;

use crate::TestApp;
use crate::costs::{num, shown};

struct CurLine {
    day: NaiveDate,
    unblended: Decimal,
    service: String,
    instance_type: String,
    usage_type: String,
    operation: String,
}

/// Reads every generated legacy CUR file (csv.gz) with the csv crate.
fn cur_lines(files: &[std::path::PathBuf]) -> Vec<CurLine> {
    let mut out = vec![];
    for path in files {
        let mut text = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
            .read_to_string(&mut text)
            .unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers = reader.headers().unwrap().clone();
        let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
        let (start, cost, product, code, instance) = (
            col("lineItem/UsageStartDate"),
            col("lineItem/UnblendedCost"),
            col("product/ProductName"),
            col("lineItem/ProductCode"),
            col("product/instanceType"),
        );
        let (usage, operation) = (col("lineItem/UsageType"), col("lineItem/Operation"));
        for r in reader.records() {
            let r = r.unwrap();
            let service = if r[product].is_empty() {
                &r[code]
            } else {
                &r[product]
            };
            out.push(CurLine {
                day: r[start][..10].parse().unwrap(),
                unblended: r[cost].parse().unwrap(),
                service: service.to_string(),
                instance_type: r[instance].to_string(),
                usage_type: r[usage].to_string(),
                operation: r[operation].to_string(),
            });
        }
    }
    out
}

#[tokio::test]
async fn demo_cur_numbers_match_the_generated_files() {
    let dir = tempfile::tempdir().unwrap();
    let spec = DemoSpec {
        rows: 20_000,
        formats: Formats::AWS_LEGACY,
        ..DemoSpec::new(7, (2026, 10))
    };
    let out = generate(&spec, &dir.path().join("exports"), &|_| {}).unwrap();
    let meta = Meta::connect(&Meta::sqlite_url(dir.path())).await.unwrap();
    meta.migrate().await.unwrap();
    let org = meta.default_org("Demo", "UTC").await.unwrap();
    let ledger = Ledger::open(
        &dir.path().join("cost").display().to_string(),
        LedgerOptions::default(),
    )
    .await
    .unwrap();
    let account = &out.cost_accounts[0];
    let mut cost_account_id = String::new();
    for file in &out.files {
        let summary = ingest(
            &meta,
            &ledger,
            &IngestRequest {
                org_id: org.id.clone(),
                path: file.path.clone(),
                account_name: Some(account.name.clone()),
                format: None,
                skip_bad_rows: false,
                force: false,
            },
            Arc::new(|_| {}),
        )
        .await
        .unwrap();
        cost_account_id = summary.cost_account_id;
    }
    let state = AppState::new(meta, skyledger_api::ApiSettings::default()).with_cost_store(ledger);
    let mut app = TestApp {
        router: skyledger_api::router(state.clone()),
        state,
        org_id: org.id,
        admin_token: String::new(),
        _dir: dir,
    };
    app.admin_token = app.token(Scopes::all(), 3600).await;

    let files: Vec<_> = out
        .files
        .iter()
        .filter(|f| f.format == "aws-cur-csv-gz")
        .map(|f| f.path.clone())
        .collect();
    let lines = cur_lines(&files);
    let first = lines.iter().map(|l| l.day).min().unwrap();
    let last = lines.iter().map(|l| l.day).max().unwrap();
    let body = |extra: Value| {
        let mut b = json!({
            "start_date": first.to_string(), "end_date": last.to_string(), "cost_type": 1,
            "period": 3, "cost_tags": [],
            "accounts": [{"cost_account_id": cost_account_id, "billing_account_ids": []}],
        });
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let post = |path: &'static str, b: Value| {
        let app = &app;
        async move {
            let (status, json) = app.call("POST", path, Some(&b.to_string())).await;
            assert_eq!(status, StatusCode::OK, "{path}: {json}");
            json["data"].clone()
        }
    };

    // Monthly cost per service.
    let data = post("/cs/api/cost/accounts/trend_box", body(json!({}))).await;
    let mut expected: BTreeMap<(String, String), Decimal> = BTreeMap::new();
    for l in &lines {
        let month = format!("{}-01T00:00:00+0000", &l.day.to_string()[..7]);
        *expected.entry((l.service.clone(), month)).or_default() += l.unblended;
    }
    let values = data["trend_values"]["values"].as_object().unwrap();
    let mut points = 0;
    for (service, series) in values {
        for p in series.as_array().unwrap() {
            let key = (service.clone(), p[0].as_str().unwrap().to_string());
            assert_eq!(num(&p[1]), shown(expected[&key]), "{key:?}");
            points += 1;
        }
    }
    assert_eq!(points, expected.len());
    assert!(
        values.len() >= 10,
        "the demo has many services: {}",
        values.len()
    );

    // Cost per instance type (summed over services and zones).
    let data = post("/cs/api/cost/accounts/cost_by_instance", body(json!({}))).await;
    let mut got: BTreeMap<String, Decimal> = BTreeMap::new();
    for r in data["return_data"].as_array().unwrap() {
        let v: Decimal = r["value"].to_string().parse().unwrap();
        *got.entry(r["instance_type"].as_str().unwrap().to_string())
            .or_default() += v;
    }
    let mut by_type: BTreeMap<String, Decimal> = BTreeMap::new();
    for l in lines.iter().filter(|l| !l.instance_type.is_empty()) {
        *by_type.entry(l.instance_type.clone()).or_default() += l.unblended;
    }
    assert_eq!(got.len(), by_type.len());
    assert!(by_type.len() >= 3, "{by_type:?}");
    for (t, cost) in &by_type {
        // Each shown value is rounded to 3 decimals; allow that per row.
        let diff = (got[t] - cost).abs();
        assert!(diff < Decimal::new(1, 2), "{t}: {} vs {cost}", got[t]);
    }

    // The panel's total is the whole cost of the range.
    let data = post(
        "/cs/api/cost/accounts/spend_analysis_panel",
        body(json!({})),
    )
    .await;
    let total: Decimal = lines.iter().map(|l| l.unblended).sum();
    assert_eq!(num(&data["return_data"]["total_cost"]), shown(total));

    // Solution reports: the ECS Fargate operations and data-transfer-out usage types the files
    // hold, each report's cost equal to the sum of its rows, and its rule (a property tag) as a
    // cost tag on the accounts view selecting the same rows.
    let (status, meta) = app
        .call("GET", "/cs/api/cost/solution_reports_meta", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{meta}");
    let types: BTreeMap<String, String> = meta["data"]["nav_data"][0]["subitems"][0]["subitems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_string(),
                t["count"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let fargate_ops: std::collections::BTreeSet<&str> = lines
        .iter()
        .filter(|l| {
            l.service == "Amazon Elastic Container Service" && l.usage_type.contains("Fargate")
        })
        .map(|l| l.operation.as_str())
        .collect();
    let transfer_out: std::collections::BTreeSet<&str> = lines
        .iter()
        .map(|l| l.usage_type.as_str())
        .filter(|u| u.ends_with("DataTransfer-Out-Bytes"))
        .collect();
    assert!(!fargate_ops.is_empty() && !transfer_out.is_empty());
    assert_eq!(types["ECSTASK_FARGATE"], fargate_ops.len().to_string());
    assert_eq!(types["DATA_TRANSFER_OUT"], transfer_out.len().to_string());
    for report_type in ["6", "32"] {
        let q = json!({"report_type": [report_type]}).to_string();
        let encoded: String = form_urlencoded::byte_serialize(q.as_bytes()).collect();
        let (status, list) = app
            .call(
                "GET",
                &format!("/cs/api/cost/sol_reports?JSONString={encoded}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let cards = list["data"]["all_accounts"].as_object().unwrap();
        assert!(!cards.is_empty());
        for (id, card) in cards {
            // The rule's tags: the operation (v 2) or usage type (v 3), with the service for
            // Fargate.
            let rule = card["business_unit_tags_values"].as_object().unwrap();
            let variation = if report_type == "6" { 2 } else { 3 };
            let tag = rule.values().find(|t| t["v"] == variation).unwrap();
            let value = tag["val"]
                .as_str()
                .unwrap()
                .split(" : ")
                .nth(1)
                .unwrap()
                .to_string();
            let cost_tags: Vec<Value> = rule
                .iter()
                .map(|(id, t)| json!({"v": t["v"], "id": id}))
                .collect();
            let want: Decimal = lines
                .iter()
                .filter(|l| {
                    if report_type == "6" {
                        l.operation == value && l.usage_type.contains("Fargate")
                    } else {
                        l.usage_type == value
                    }
                })
                .map(|l| l.unblended)
                .sum();
            assert!(want > Decimal::ZERO, "{value}");
            let mut b = body(json!({"business_unit_id": id, "bu_type": 1}));
            b.as_object_mut().unwrap().remove("accounts");
            let report = post("/cs/api/cost/sol_reports/spend_analysis_panel", b).await;
            assert_eq!(
                num(&report["return_data"]["total_cost"]),
                shown(want),
                "{value}"
            );
            let by_tag = post(
                "/cs/api/cost/accounts/spend_analysis_panel",
                body(json!({"cost_tags": cost_tags})),
            )
            .await;
            assert_eq!(
                by_tag["return_data"]["total_cost"],
                report["return_data"]["total_cost"]
            );
        }
    }
}
