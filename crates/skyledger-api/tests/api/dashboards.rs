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
