//! Custom dashboards: stored dashboards round-trip, and the widget data endpoints answer with
//! numbers summed here independently from the FOCUS sample's CSV text.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::assert_error_envelope;
use crate::costs::{cost_app, focus_rows, num, shown, sum_by};

#[tokio::test]
async fn widget_costs_equal_sums_of_the_csv() {
    let c = cost_app().await;
    let rows = focus_rows();
    let name = |s: &str| {
        if s.is_empty() {
            "-".to_string()
        } else {
            s.to_string()
        }
    };

    // common_widget_api "0": cost per region, largest first.
    let data = c
        .post(
            "/cs/api/cost/custom_report/common_widget_api",
            c.focus_body(json!({})),
        )
        .await;
    let regions = sum_by(&rows, |r| Some(name(&r.region)));
    let got = data["return_data"]["0"].as_array().unwrap();
    assert_eq!(got.len(), regions.len());
    for pair in got {
        let region = pair[0].as_str().unwrap();
        assert_eq!(num(&pair[1]), shown(regions[region]), "{region}");
    }
    let services = sum_by(&rows, |r| Some(name(&r.service)));
    assert_eq!(
        data["return_data"]["1"].as_array().unwrap().len(),
        services.len()
    );
    let total: rust_decimal::Decimal = rows.iter().map(|r| r.billed).sum();
    let categories: f64 = data["return_data"]["3"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| num(&c["value"]))
        .sum();
    assert!(
        (categories - shown(total)).abs() < 0.01,
        "{categories} vs {total}"
    );

    // cost_by_resource: the costliest resource and its cost.
    let data = c
        .post(
            "/cs/api/cost/custom_report/cost_by_resource",
            c.focus_body(json!({})),
        )
        .await;
    let by_resource = sum_by(&rows, |r| {
        (!r.resource.is_empty()).then(|| r.resource.clone())
    });
    let first = &data["return_data"][0];
    let top = by_resource.values().max().unwrap();
    assert_eq!(num(&first["cost"]), shown(*top));
    let id = first["resource_id"].as_str().unwrap();
    assert_eq!(shown(by_resource[id]), shown(*top));
    assert_eq!(first["value"], first["cost"]);

    // spend panel total.
    let data = c
        .post(
            "/cs/api/cost/custom_report/spend_analysis_panel",
            c.focus_body(json!({})),
        )
        .await;
    assert_eq!(num(&data["return_data"]["total_cost"]), shown(total));
    assert!(
        data["return_data"]["anomaly_widget"]
            .get("anomaly_id")
            .is_none()
    );

    // cloud_overallcost over the whole month: total_cost is the month's cost.
    let q = json!({"start_date": "2024-09-01", "end_date": "2024-09-30",
                   "cost_account_id": c.focus_account});
    let data = c
        .get(&format!(
            "/cs/api/cost/custom_report/cloud_overallcost?JSONString={}",
            form_urlencoded::byte_serialize(q.to_string().as_bytes()).collect::<String>()
        ))
        .await;
    let overall = &data["overall_data"];
    assert_eq!(num(&overall["total_cost"]), shown(total));
    assert_eq!(
        overall["current_mtd_daterange_start"],
        "2024-09-01T00:00:00+0000"
    );
    let clouds: f64 = data["cloud_level_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| num(&c["total_cost"]))
        .sum();
    assert!((clouds - shown(total)).abs() < 0.01);
}

#[tokio::test]
async fn inventory_widgets_count_distinct_resources_of_the_csv() {
    let c = cost_app().await;
    let rows = focus_rows();
    let name = |s: &str| {
        if s.is_empty() {
            "-".to_string()
        } else {
            s.to_string()
        }
    };
    let mut per_service: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut per_day: BTreeMap<chrono::NaiveDate, BTreeSet<String>> = BTreeMap::new();
    for r in rows.iter().filter(|r| !r.resource.is_empty()) {
        per_service
            .entry(name(&r.service))
            .or_default()
            .insert(r.resource.clone());
        per_day.entry(r.day).or_default().insert(r.resource.clone());
    }
    let data = c
        .post(
            "/cs/api/cost/custom_report/ri_top_service_list",
            c.focus_body(json!({})),
        )
        .await;
    let got: BTreeMap<String, u64> = data["return_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap().to_string(), p[1].as_u64().unwrap()))
        .filter(|(_, n)| *n > 0)
        .collect();
    let want: BTreeMap<String, u64> = per_service
        .iter()
        .map(|(s, set)| (s.clone(), set.len() as u64))
        .collect();
    assert_eq!(got, want);

    let data = c
        .post(
            "/cs/api/cost/custom_report/ri_trend_chart",
            c.focus_body(json!({})),
        )
        .await;
    for point in data["return_data"].as_array().unwrap() {
        let day: chrono::NaiveDate = point[0].as_str().unwrap()[..10].parse().unwrap();
        let count: usize = point[1].as_str().unwrap().parse().unwrap();
        assert_eq!(count, per_day.get(&day).map_or(0, BTreeSet::len), "{day}");
    }
}

#[tokio::test]
async fn dashboards_round_trip_and_bad_input_names_the_field() {
    let c = cost_app().await;
    let catalogue = c.get("/cs/api/cost/widgets").await;
    let types = catalogue["return_data"]["widgets"].as_array().unwrap();
    assert!(types.iter().any(|w| w["id"] == 13));

    let body = json!({
        "name": "Team costs", "make_public": true, "description": "d", "config_data": "{}",
        "size": 9,
        "widgets": [
            {"name": "Cost by Subscriptions", "description": "", "widget_reference_id": "13",
             "config_data": "{\"grid_details\":{\"cols\":3}}", "delete": false},
            {"name": "gone", "widget_reference_id": "13", "delete": true},
        ],
    });
    let created = c.post("/cs/api/cost/dashboard", body).await["return_data"].clone();
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(
        created["widgets"].as_array().unwrap().len(),
        1,
        "deleted widgets are dropped"
    );
    assert_eq!(created["widgets"][0]["dashboard_id"], id.as_str());
    assert_eq!(
        created["widgets"][0]["config_data"],
        "{\"grid_details\":{\"cols\":3}}"
    );

    let got = c.get(&format!("/cs/api/cost/dashboard/{id}")).await["return_data"].clone();
    assert_eq!(got, created);
    let list = c.get("/cs/api/cost/dashboard?start=0&limit=0").await;
    let listed: Vec<&Value> = list["return_data"].as_array().unwrap().iter().collect();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["name"], "Team costs");
    assert!(listed[0].get("widgets").is_none());

    for (body, field) in [
        (json!({"widgets": []}), "name"),
        (json!({"name": "x", "size": 0}), "size"),
        (
            json!({"name": "x", "config_data": "not json"}),
            "config_data",
        ),
        (
            json!({"name": "x", "widgets": [{"name": "w", "widget_reference_id": "999"}]}),
            "widgets[0].widget_reference_id",
        ),
        (
            json!({"name": "x", "widgets": [{"name": "w", "widget_reference_id": "13", "config_data": "[]"}]}),
            "widgets[0].config_data",
        ),
    ] {
        let (status, json) = c
            .app
            .call("POST", "/cs/api/cost/dashboard", Some(&body.to_string()))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {json}");
        assert_error_envelope(status, &json);
        assert!(json["error"].as_str().unwrap().contains(field), "{json}");
    }
    let (status, json) = c
        .app
        .call("GET", "/cs/api/cost/dashboard/33240000000000001", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{json}");
    let (status, json) = c
        .app
        .call("GET", "/cs/api/cost/custom_report/budget_info/12", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{json}");
    assert!(json["error"].as_str().unwrap().contains("budget_id"));
    let (status, _) = c
        .app
        .call(
            "GET",
            "/cs/api/cost/custom_report/checks/status?type=7",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let checks = c
        .get("/cs/api/cost/custom_report/checks/status?type=1")
        .await;
    assert_eq!(checks["budget"]["total"], 0, "no budget exists");
    assert_eq!(
        c.get("/cs/api/cost/custom_report/budget_meta").await["budget_data"],
        json!([])
    );
}

#[tokio::test]
async fn report_listings_name_the_accounts_and_their_data_range() {
    let c = cost_app().await;
    let q = json!({"cost_account_id": [c.focus_account, c.cur_account]});
    let enc =
        |v: &Value| form_urlencoded::byte_serialize(v.to_string().as_bytes()).collect::<String>();
    let data = c
        .get(&format!(
            "/cs/api/cost/reports/cc_tags?JSONString={}",
            enc(&q)
        ))
        .await;
    assert_eq!(data["meta"][&c.focus_account], "FOCUS sample");
    assert_eq!(data["meta"][&c.cur_account], "CUR sample");
    let (status, json) = c
        .app
        .call(
            "GET",
            &format!(
                "/cs/api/cost/reports/cc_tags?JSONString={}",
                enc(&json!({"cost_account_id": ["33240000000000009"]}))
            ),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{json}");
    assert!(json["error"].as_str().unwrap().contains("cost_account_id"));

    let data = c
        .get(&format!(
            "/cs/api/cost/reports/spend_analysis?cost_account_id={}",
            c.focus_account
        ))
        .await;
    let rows = focus_rows();
    let subs: BTreeSet<&str> = rows.iter().map(|r| r.sub_account.as_str()).collect();
    let account = &data["all_accounts"][0];
    assert_eq!(account["cost_account_id"], c.focus_account.as_str());
    assert_eq!(
        account["child_accounts"].as_array().unwrap().len(),
        subs.len()
    );
    let first = rows.iter().map(|r| r.day).min().unwrap();
    let last = rows.iter().map(|r| r.day).max().unwrap();
    assert!(
        data["min_date"]
            .as_str()
            .unwrap()
            .starts_with(&first.to_string())
    );
    assert!(
        data["max_date"]
            .as_str()
            .unwrap()
            .starts_with(&last.to_string())
    );
}

/// Demo legacy CUR files with every `m5.*` instance type rewritten to the previous-generation
/// `m4.*`, ingested; the guidances must find exactly those types with their lines' cost, and
/// the on-demand instance usage summed from the files.
/// A server holding demo AWS legacy CUR exports (seed, rows), each line first passed through
/// `rewrite`; returns it with the CSV header and the lines as ingested.
async fn aws_legacy_app(
    seed: u64,
    rows: u64,
    rewrite: impl Fn(&csv::StringRecord, csv::StringRecord) -> csv::StringRecord,
) -> (crate::TestApp, csv::StringRecord, Vec<csv::StringRecord>) {
    use std::io::Read;
    use std::sync::Arc;

    use skyledger_api::AppState;
    use skyledger_core::ingestion::{IngestRequest, ingest};
    use skyledger_demo::{DemoSpec, Formats, generate};
    use skyledger_ledger::{Ledger, LedgerOptions};
    use skyledger_meta::Meta;
    use skyledger_types::Scopes;

    let dir = tempfile::tempdir().unwrap();
    let spec = DemoSpec {
        rows,
        formats: Formats::AWS_LEGACY,
        ..DemoSpec::new(seed, (2026, 10))
    };
    let out = generate(&spec, &dir.path().join("exports"), &|_| {}).unwrap();
    let (mut header, mut all) = (csv::StringRecord::new(), vec![]);
    for f in out.files.iter().filter(|f| f.format == "aws-cur-csv-gz") {
        let mut text = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&f.path).unwrap())
            .read_to_string(&mut text)
            .unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        header = reader.headers().unwrap().clone();
        let records: Vec<csv::StringRecord> = reader
            .records()
            .map(|r| rewrite(&header, r.unwrap()))
            .collect();
        let gz = flate2::write::GzEncoder::new(
            std::fs::File::create(&f.path).unwrap(),
            flate2::Compression::fast(),
        );
        let mut writer = csv::Writer::from_writer(gz);
        writer.write_record(&header).unwrap();
        for r in &records {
            writer.write_record(r).unwrap();
        }
        writer.into_inner().unwrap().finish().unwrap();
        all.extend(records);
    }
    let meta = Meta::connect(&Meta::sqlite_url(dir.path())).await.unwrap();
    meta.migrate().await.unwrap();
    let org = meta.default_org("Demo", "UTC").await.unwrap();
    let ledger = Ledger::open(
        &dir.path().join("cost").display().to_string(),
        LedgerOptions::default(),
    )
    .await
    .unwrap();
    for file in &out.files {
        ingest(
            &meta,
            &ledger,
            &IngestRequest {
                org_id: org.id.clone(),
                path: file.path.clone(),
                account_name: Some(out.cost_accounts[0].name.clone()),
                format: None,
                skip_bad_rows: false,
                force: false,
            },
            Arc::new(|_| {}),
        )
        .await
        .unwrap();
    }
    let state = AppState::new(meta, skyledger_api::ApiSettings::default()).with_cost_store(ledger);
    let mut app = crate::TestApp {
        router: skyledger_api::router(state.clone()),
        state,
        org_id: org.id,
        admin_token: String::new(),
        _dir: dir,
    };
    app.admin_token = app.token(Scopes::all(), 3600).await;
    (app, header, all)
}

/// The guidances of a range, with unblended cost.
async fn guidance_list(app: &crate::TestApp, start: &str, end: &str) -> Vec<Value> {
    let q = json!({"start_date": start, "end_date": end, "cost_type": 1});
    let uri = format!(
        "/cs/api/cost/guidances?JSONString={}",
        form_urlencoded::byte_serialize(q.to_string().as_bytes()).collect::<String>()
    );
    let (status, json) = app.call("GET", &uri, None).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let list = json["data"]["guidanceList"].as_array().unwrap().clone();
    assert_eq!(json["data"]["showGuidance"], !list.is_empty());
    list
}

#[tokio::test]
async fn guidances_find_previous_generation_types_and_on_demand_compute_in_the_files() {
    use rust_decimal::Decimal;

    // Every m5 line rewritten as m4, a previous generation.
    let (app, header, records) = aws_legacy_app(11, 6_000, |header, r| {
        let instance = header
            .iter()
            .position(|h| h == "product/instanceType")
            .unwrap();
        match r[instance].strip_prefix("m5.") {
            Some(size) => r
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    if i == instance {
                        format!("m4.{size}")
                    } else {
                        v.to_string()
                    }
                })
                .collect(),
            None => r,
        }
    })
    .await;
    let (start, end) = ("2026-10-01", "2026-10-31");
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (day, kind, instance, cost) = (
        col("lineItem/UsageStartDate"),
        col("lineItem/LineItemType"),
        col("product/instanceType"),
        col("lineItem/UnblendedCost"),
    );
    // (day, line item type, instance type, unblended) of every line, after the rewrite.
    let lines: Vec<(String, String, String, Decimal)> = records
        .iter()
        .map(|r| {
            (
                r[day][..10].to_string(),
                r[kind].to_string(),
                r[instance].to_string(),
                r[cost].parse().unwrap(),
            )
        })
        .collect();
    let list = guidance_list(&app, start, end).await;
    let in_range: Vec<_> = lines
        .iter()
        .filter(|l| l.0.as_str() >= start && l.0.as_str() <= end)
        .collect();

    let mut m4: BTreeMap<String, Decimal> = BTreeMap::new();
    for l in in_range.iter().filter(|l| l.2.starts_with("m4.")) {
        *m4.entry(l.2.clone()).or_default() += l.3;
    }
    assert!(!m4.is_empty(), "the demo month has m5 lines to rewrite");
    let previous: BTreeMap<String, (String, f64)> = list
        .iter()
        .filter(|g| g["type"] == "previous_generation_instances")
        .map(|g| {
            let e = &g["evidence"];
            (
                e["instance_type"].as_str().unwrap().to_string(),
                (
                    e["suggested_instance_type"].as_str().unwrap().to_string(),
                    num(&e["cost"]),
                ),
            )
        })
        .collect();
    let expected: BTreeMap<String, (String, f64)> = m4
        .iter()
        .map(|(t, c)| (t.clone(), (t.replace("m4.", "m5."), shown(*c))))
        .collect();
    assert_eq!(previous, expected);

    let on_demand: Vec<_> = in_range
        .iter()
        .filter(|l| l.1 == "Usage" && !l.2.is_empty())
        .collect();
    let cost: Decimal = on_demand.iter().map(|l| l.3).sum();
    let mut days: BTreeMap<&str, Decimal> = BTreeMap::new();
    for l in &on_demand {
        *days.entry(l.0.as_str()).or_default() += l.3;
    }
    let days = days.values().filter(|c| **c > Decimal::ZERO).count();
    let commitment: Vec<&Value> = list
        .iter()
        .filter(|g| g["type"] == "on_demand_compute")
        .collect();
    // The demo month has on-demand instance usage on most days (seed 11).
    assert!(
        days * 2 >= 31 && cost > Decimal::ZERO,
        "{days} days, {cost}"
    );
    assert_eq!(commitment.len(), 1, "{list:?}");
    let e = &commitment[0]["evidence"];
    assert_eq!(num(&e["on_demand_cost"]), shown(cost));
    assert_eq!(e["days_with_on_demand_usage"], days);
    assert_eq!(e["days_in_range"], 31);
}

#[tokio::test]
async fn guidances_find_resources_billed_while_idle() {
    use rust_decimal::Decimal;

    let (app, header, records) = aws_legacy_app(5, 40_000, |_, r| r).await;
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (day, usage, resource, cost) = (
        col("lineItem/UsageStartDate"),
        col("lineItem/UsageType"),
        col("lineItem/ResourceId"),
        col("lineItem/UnblendedCost"),
    );
    let first = records
        .iter()
        .map(|r| r[day][..10].to_string())
        .min()
        .unwrap();
    let last = records
        .iter()
        .map(|r| r[day][..10].to_string())
        .max()
        .unwrap();
    // resource -> (cost, days) of lines billing an idle address.
    let mut per: BTreeMap<String, (Decimal, BTreeSet<String>)> = BTreeMap::new();
    for r in records
        .iter()
        .filter(|r| r[usage].ends_with(":IdleAddress"))
    {
        let e = per.entry(r[resource].to_string()).or_default();
        e.0 += r[cost].parse::<Decimal>().unwrap();
        e.1.insert(r[day][..10].to_string());
    }
    assert!(!per.is_empty(), "the demo bills some idle Elastic IPs");
    let want: BTreeMap<String, (f64, usize)> = per
        .into_iter()
        .map(|(r, (c, days))| (r, (shown(c), days.len())))
        .collect();
    let got: BTreeMap<String, (f64, usize)> = guidance_list(&app, &first, &last)
        .await
        .iter()
        .filter(|g| g["type"] == "idle_resources")
        .map(|g| {
            let e = &g["evidence"];
            assert!(e["usage_type"].as_str().unwrap().ends_with(":IdleAddress"));
            (
                e["resource_id"].as_str().unwrap().to_string(),
                (
                    num(&e["cost"]),
                    e["days_billed_idle"].as_u64().unwrap() as usize,
                ),
            )
        })
        .collect();
    assert_eq!(got, want);
}
