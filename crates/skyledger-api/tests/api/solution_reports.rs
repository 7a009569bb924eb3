//! Solution reports (section 10) over the AWS CUR sample: the reports found in the data, their
//! cards and every drill-down, each checked against sums of the CSV text itself.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use skyledger_types::Scopes;

use crate::assert_error_envelope;
use crate::costs::{CUR, CostApp, FocusRow, cost_app, fixture, focus_rows, num, shown, sum_by};

/// One line of the CUR sample as the test reads it.
struct Line {
    unblended: Decimal,
    service: String,
    region: String,
    usage_type: String,
}

fn lines() -> Vec<Line> {
    let mut reader = csv::Reader::from_path(fixture(CUR)).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let cols = [
        col("lineItem/UnblendedCost"),
        col("product/ProductName"),
        col("lineItem/ProductCode"),
        col("product/regionCode"),
        col("product/region"),
        col("lineItem/UsageType"),
    ];
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let first = |a: usize, b: usize| {
                if r[cols[a]].is_empty() {
                    r[cols[b]].to_string()
                } else {
                    r[cols[a]].to_string()
                }
            };
            Line {
                unblended: r[cols[0]].parse().unwrap_or(Decimal::ZERO),
                service: first(1, 2),
                region: first(3, 4),
                usage_type: r[cols[5]].to_string(),
            }
        })
        .collect()
}

fn total(lines: &[Line], keep: impl Fn(&Line) -> bool) -> Decimal {
    lines.iter().filter(|l| keep(l)).map(|l| l.unblended).sum()
}

/// `?JSONString=<url-encoded json>`.
fn json_string(v: &Value) -> String {
    let encoded: String = form_urlencoded::byte_serialize(v.to_string().as_bytes()).collect();
    format!("?JSONString={encoded}")
}

/// The cards of a cost account's reports of one type, by name.
async fn cards(c: &CostApp, account: &str, report_type: i64) -> BTreeMap<String, Value> {
    let q = json!({"business_unit_id": [account], "report_type": [report_type.to_string()]});
    let data = c
        .get(&format!("/cs/api/cost/sol_reports{}", json_string(&q)))
        .await;
    data["all_accounts"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(id, card)| {
            let mut card = card.clone();
            card["id"] = json!(id);
            (card["name"].as_str().unwrap().to_string(), card)
        })
        .collect()
}

/// A drill-down body over a report: November 2023 (the sample's month), unblended cost.
fn body(report: &str, extra: Value) -> Value {
    let mut b = json!({
        "business_unit_id": report,
        "bu_type": 1,
        "start_date": "2023-11-01",
        "end_date": "2023-11-30",
        "period": 3,
        "cost_type": 1,
        "cost_tags": [],
    });
    for (k, v) in extra.as_object().unwrap() {
        b[k] = v.clone();
    }
    b
}

/// The sum of a trend answer's values.
fn trend_total(data: &Value) -> f64 {
    data["trend_values"]["values"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|s| s.as_array().unwrap().iter().map(|p| num(&p[1])))
        .sum()
}

#[tokio::test]
async fn reports_are_found_per_region_service_and_transfer_out_usage_type() {
    let c = cost_app().await;
    let lines = lines();
    let meta = c.get("/cs/api/cost/solution_reports_meta").await;
    let aws = meta["nav_data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "0")
        .expect("an AWS level");
    let account = aws["subitems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == c.cur_account.as_str())
        .expect("the CUR account");
    assert_eq!(account["name"], "CUR sample");
    let counts: BTreeMap<String, String> = account["subitems"]
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
    let distinct = |f: fn(&Line) -> &str| {
        lines
            .iter()
            .map(f)
            .filter(|s| !s.is_empty())
            .collect::<BTreeSet<_>>()
            .len()
            .to_string()
    };
    let transfer_out: BTreeSet<&str> = lines
        .iter()
        .map(|l| l.usage_type.as_str())
        .filter(|u| u.ends_with("DataTransfer-Out-Bytes"))
        .collect();
    assert_eq!(counts["REGION"], distinct(|l| &l.region));
    assert_eq!(counts["SERVICE"], distinct(|l| &l.service));
    assert_eq!(counts["DATA_TRANSFER_OUT"], transfer_out.len().to_string());
    assert!(
        !counts.contains_key("ECSTASK_FARGATE"),
        "no ECS in the sample"
    );

    // The cards of the transfer-out reports: named by region prefix, totals of the month.
    let dt = cards(&c, &c.cur_account, 32).await;
    let names: BTreeSet<&str> = dt.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        BTreeSet::from(["CAN1 (OUT)", "USE1 (OUT)", "USW2 (OUT)"])
    );
    for (name, card) in &dt {
        let usage = if name == "USE1 (OUT)" {
            "DataTransfer-Out-Bytes".to_string()
        } else {
            format!("{}-DataTransfer-Out-Bytes", &name[..4])
        };
        let want = total(&lines, |l| l.usage_type == usage);
        assert_eq!(num(&card["total_current_month"]), shown(want), "{name}");
        assert_eq!(card["cost_accnt_names"], json!(["CUR sample"]));
        assert_eq!(card["total_tags"], 1);
        let (tag_id, tag) = card["business_unit_tags_values"]
            .as_object()
            .unwrap()
            .iter()
            .next()
            .unwrap();
        assert_eq!(tag["val"], format!("usageInfo : {usage}"));
        assert_eq!(tag["v"], 3);
        assert_eq!(tag_id.len(), 17);
        // Nothing in the month before: no change, no previous spend.
        assert_eq!(num(&card["total_prev_month"]), 0.0);
        assert_eq!(num(&card["prev_MTD"]), 0.0);
        assert_eq!(card["chart_data"].as_array().unwrap().len(), 1);
        // The forecast runs the month's daily rate to its end.
        assert!(num(&card["forecast_val"]) >= num(&card["total_current_month"]));
    }

    // Listing again finds nothing new: the same ids.
    let again = cards(&c, &c.cur_account, 32).await;
    for (name, card) in &dt {
        assert_eq!(again[name]["id"], card["id"]);
    }
}

#[tokio::test]
async fn drill_downs_cover_exactly_the_reports_rows() {
    let c = cost_app().await;
    let lines = lines();
    // The sample's transfer out is free; its storage is not: the S3 service report.
    let services = cards(&c, &c.cur_account, 2).await;
    let s3 = services["Amazon Simple Storage Service"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mine = |l: &Line| l.service == "Amazon Simple Storage Service";
    let want = total(&lines, mine);
    assert!(want > Decimal::ZERO);

    let trend = c
        .post("/cs/api/cost/sol_reports/trend_box", body(&s3, json!({})))
        .await;
    assert!(
        (trend_total(&trend) - shown(want)).abs() < 0.0015,
        "{trend}"
    );

    // Per billing account, per region and per service: each a filter of the CSV rows.
    let split = c
        .post(
            "/cs/api/cost/sol_reports/accounts_splitup",
            body(&s3, json!({})),
        )
        .await;
    let split_total: f64 = split["return_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| num(&p[1]))
        .sum();
    assert!((split_total - shown(want)).abs() < 0.002, "{split}");

    let widgets = c
        .post(
            "/cs/api/cost/sol_reports/common_widget_api",
            body(&s3, json!({})),
        )
        .await;
    let mut regions: BTreeMap<String, Decimal> = BTreeMap::new();
    for l in lines.iter().filter(|l| mine(l)) {
        *regions.entry(dash(&l.region)).or_default() += l.unblended;
    }
    let got: BTreeMap<String, f64> = widgets["return_data"]["0"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap().to_string(), num(&p[1])))
        .collect();
    let expected: BTreeMap<String, f64> = regions
        .iter()
        .map(|(k, v)| (k.clone(), shown(*v)))
        .collect();
    assert_eq!(got, expected);

    // The report's rule is a property tag: as a cost tag on the accounts view it selects the
    // same rows.
    let make_up = c
        .get(&format!(
            "/cs/api/cost/reports/cc_spend_analysis?auto_bu=true&business_unit_id={s3}"
        ))
        .await;
    let unit = &make_up["all_accounts"][0];
    assert_eq!(unit["account_name"], "Amazon Simple Storage Service");
    assert_eq!(unit["bu_type"], 1);
    assert_eq!(make_up["cost_account_ids"], json!([c.cur_account]));
    let rule = &unit["default_tags"][0];
    assert_eq!(rule["key"], "service");
    assert_eq!(rule["value"], "Amazon Simple Storage Service");
    let accounts_view = c
        .post(
            "/cs/api/cost/accounts/trend_box",
            json!({
                "start_date": "2023-11-01", "end_date": "2023-11-30", "period": 3,
                "cost_type": 1,
                "accounts": [{"cost_account_id": c.cur_account}],
                "cost_tags": [{"v": 5, "id": rule["tagId"]}],
            }),
        )
        .await;
    assert_eq!(trend_total(&accounts_view), trend_total(&trend));
}

#[tokio::test]
async fn resources_of_a_report_and_of_one_group_of_it() {
    // The FOCUS sample has resource ids (the CUR sample has none): a service report there.
    let c = cost_app().await;
    let rows: Vec<FocusRow> = focus_rows()
        .into_iter()
        .filter(|r| r.day.to_string().starts_with("2024-09"))
        .collect();
    let mut resources_per_service: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for r in rows.iter().filter(|r| !r.resource.is_empty()) {
        resources_per_service
            .entry(r.service.as_str())
            .or_default()
            .insert(r.resource.as_str());
    }
    let (service, _) = resources_per_service
        .iter()
        .max_by_key(|(s, set)| (set.len(), std::cmp::Reverse(**s)))
        .unwrap();
    let services = cards(&c, &c.focus_account, 2).await;
    let report = services[*service]["id"].as_str().unwrap().to_string();
    let focus = |extra: Value| {
        let mut b = c.focus_body(extra);
        b["business_unit_id"] = json!(report);
        b["bu_type"] = json!(1);
        b
    };
    let per_resource = |keep: &dyn Fn(&FocusRow) -> bool| -> BTreeMap<String, f64> {
        sum_by(&rows, |r| {
            (&r.service == service && !r.resource.is_empty() && keep(r)).then(|| r.resource.clone())
        })
        .into_iter()
        .map(|(k, v)| (k, shown(v)))
        .collect()
    };
    let listed = |data: &Value| -> BTreeMap<String, f64> {
        data["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["id"].as_str().unwrap().to_string(), num(&r["totalCost"])))
            .collect()
    };
    let all = c
        .post(
            "/cs/api/cost/sol_reports/resource_count",
            focus(json!({"page": -1})),
        )
        .await;
    let want = per_resource(&|_| true);
    assert!(want.len() > 1, "{service}: {want:?}");
    assert_eq!(listed(&all), want);

    // Drill-down: one region group of group_by_property, by the property it names.
    let groups = c
        .post(
            "/cs/api/cost/sol_reports/group_by_property",
            focus(json!({"group_by_type": "region"})),
        )
        .await;
    let (region, group) = groups["return_data"]["values"]
        .as_object()
        .unwrap()
        .iter()
        .next()
        .unwrap();
    let in_group = c
        .post(
            "/cs/api/cost/sol_reports/resource_count",
            focus(json!({"page": -1, "group_by_type": "region", "property": group["property"]})),
        )
        .await;
    let region = region.clone();
    let want = per_resource(&|r: &FocusRow| dash(&r.region) == region);
    assert!(!want.is_empty());
    assert_eq!(listed(&in_group), want);

    // Its monthly split and costliest resources cover the same resources.
    let top = c
        .post(
            "/cs/api/cost/sol_reports/cost_by_resource",
            focus(json!({})),
        )
        .await;
    let top_ids: BTreeSet<String> = top["return_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    let all_ids: BTreeSet<String> = per_resource(&|_| true).into_keys().collect();
    assert!(!top_ids.is_empty() && top_ids.is_subset(&all_ids));
}

fn dash(s: &str) -> String {
    if s.is_empty() {
        "-".into()
    } else {
        s.to_string()
    }
}

#[tokio::test]
async fn a_whole_account_as_a_report_matches_the_accounts_views() {
    let c = cost_app().await;
    let lines = lines();
    // The cost account's id as business_unit_id: the whole account, as the accounts view.
    let whole = c
        .post(
            "/cs/api/cost/sol_reports/trend_box",
            body(&c.cur_account, json!({})),
        )
        .await;
    let accounts_view = c
        .post(
            "/cs/api/cost/accounts/trend_box",
            json!({
                "start_date": "2023-11-01", "end_date": "2023-11-30", "period": 3,
                "cost_type": 1, "cost_tags": [],
                "accounts": [{"cost_account_id": c.cur_account}],
            }),
        )
        .await;
    assert_eq!(whole, accounts_view);
    assert!((trend_total(&whole) - shown(total(&lines, |_| true))).abs() < 0.01);
}

#[tokio::test]
async fn bad_report_requests_are_refused_and_other_organisations_see_nothing() {
    let c = cost_app().await;
    let dt = cards(&c, &c.cur_account, 32).await;
    let report = dt["USW2 (OUT)"]["id"].as_str().unwrap().to_string();
    for (b, status, needle) in [
        (
            body("55555555555555555", json!({})),
            StatusCode::NOT_FOUND,
            "55555555555555555",
        ),
        (
            body(&report, json!({"bu_type": 0})),
            StatusCode::BAD_REQUEST,
            "bu_type",
        ),
        (
            body(
                &report,
                json!({"accounts": [{"cost_account_id": c.focus_account}]}),
            ),
            StatusCode::BAD_REQUEST,
            "not the report's",
        ),
        (
            body(&report, json!({"start_date": "2023-12-01"})),
            StatusCode::BAD_REQUEST,
            "start_date",
        ),
    ] {
        let (got, json) = c
            .app
            .call(
                "POST",
                "/cs/api/cost/sol_reports/trend_box",
                Some(&b.to_string()),
            )
            .await;
        assert_error_envelope(got, &json);
        assert_eq!(got, status, "{json}");
        assert!(json["error"].as_str().unwrap().contains(needle), "{json}");
    }
    let (got, json) = c
        .app
        .call(
            "GET",
            &format!(
                "/cs/api/cost/sol_reports{}",
                json_string(&json!({"report_type": ["99"]}))
            ),
            None,
        )
        .await;
    assert_eq!(got, StatusCode::BAD_REQUEST, "{json}");
    assert!(json["error"].as_str().unwrap().contains("report_type[0]"));

    // Another organisation's token: the report does not exist for it.
    let other = c.app.state.meta.create_org("Other", "UTC").await.unwrap();
    let token = c.app.token_for_org(&other.id, Scopes::all(), 3600).await;
    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/cs/api/cost/sol_reports/trend_box")
        .header("Authorization", format!("Zoho-oauthtoken {token}"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body(&report, json!({})).to_string()))
        .unwrap();
    let (status, json, _) = c.app.send(request).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{json}");
}

#[tokio::test]
async fn newly_ingested_data_brings_its_reports() {
    let c = cost_app().await;
    let before = c.get("/cs/api/cost/solution_reports_meta").await;
    let accounts = |meta: &Value| -> BTreeSet<String> {
        meta["nav_data"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|n| n["subitems"].as_array().unwrap().iter())
            .map(|a| a["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(before, c.get("/cs/api/cost/solution_reports_meta").await);
    // A new delivery (the CUR 2.0 sample, a new cost account): the next listing has its reports.
    let summary = skyledger_core::ingestion::ingest(
        &c.app.state.meta,
        c.app.state.cost_store.as_ref().unwrap(),
        &skyledger_core::ingestion::IngestRequest {
            org_id: c.app.org_id.clone(),
            path: fixture("aws/cur2-data-export-sample.snappy.parquet"),
            account_name: Some("CUR 2.0 sample".into()),
            format: None,
            skip_bad_rows: false,
            force: false,
        },
        std::sync::Arc::new(|_| {}),
    )
    .await
    .unwrap();
    let after = c.get("/cs/api/cost/solution_reports_meta").await;
    let new: BTreeSet<String> = accounts(&after)
        .difference(&accounts(&before))
        .cloned()
        .collect();
    assert_eq!(new, BTreeSet::from([summary.cost_account_id]));
}
