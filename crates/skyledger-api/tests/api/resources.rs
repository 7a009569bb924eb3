//! Tags (spec section 25) and resources (section 28) over the FOCUS sample; expected numbers
//! are summed from the CSV by the test.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::costs::{CostApp, cost_app, focus_rows, num, shown, sum_by};

/// `GET` with a `JSONString` built from `value`.
fn json_string(path: &str, value: Value) -> String {
    let encoded: String = form_urlencoded::byte_serialize(value.to_string().as_bytes()).collect();
    format!("{path}?JSONString={encoded}")
}

async fn focus_tags(c: &CostApp) -> Vec<Value> {
    let uri = json_string(
        "/cs/api/cost/accounts/tags",
        json!({"cost_account_id": c.focus_account}),
    );
    c.get(&uri).await["Tags"].as_array().unwrap().clone()
}

fn tag_id(tags: &[Value], key: &str, value: &str) -> String {
    tags.iter()
        .find(|t| t["key"] == key && t["value"] == value)
        .unwrap_or_else(|| panic!("no tag {key}={value}"))["tagId"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn account_tags_list_every_pair_with_stable_ids_and_filter_costs() {
    let c = cost_app().await;
    let rows = focus_rows();
    let tags = focus_tags(&c).await;
    let expected: BTreeSet<(String, String)> = rows
        .iter()
        .flat_map(|r| r.tags.iter().map(|(k, v)| (k.clone(), v.clone())))
        .collect();
    let got: BTreeSet<(String, String)> = tags
        .iter()
        .map(|t| {
            assert_eq!(t["v"], 0);
            assert_eq!(t["tagId"].as_str().unwrap().len(), 17);
            (
                t["key"].as_str().unwrap().to_string(),
                t["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(got, expected);
    assert_eq!(focus_tags(&c).await, tags, "ids are stable");

    // Values of one key are ORed, keys ANDed.
    let dev = tag_id(&tags, "environment", "dev");
    let prod = tag_id(&tags, "environment", "prod");
    let body = c.focus_body(json!({"cost_tags": [{"v": 0, "id": dev}, {"v": 0, "id": prod}]}));
    let data = c.post("/cs/api/cost/accounts/incurred_cost", body).await;
    let total: f64 = data["return_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| num(&p[1]))
        .sum();
    let expected: Decimal = rows
        .iter()
        .filter(|r| {
            matches!(
                r.tags.get("environment").map(String::as_str),
                Some("dev" | "prod")
            )
        })
        .map(|r| r.billed)
        .sum();
    assert!(
        (total - shown(expected)).abs() < 0.01,
        "{total} vs {expected}"
    );

    let (app_key, app_value) = rows
        .iter()
        .find_map(|r| {
            (r.tags.get("environment").map(String::as_str) == Some("dev"))
                .then(|| {
                    r.tags
                        .get("application")
                        .map(|a| ("application", a.clone()))
                })
                .flatten()
        })
        .unwrap();
    let app = tag_id(&tags, app_key, &app_value);
    let body = c.focus_body(json!({"cost_tags": [dev.clone(), app], "group_by_type": "service"}));
    let data = c
        .post("/cs/api/cost/accounts/group_by_property", body)
        .await;
    let expected = sum_by(&rows, |r| {
        (r.tags.get("environment").map(String::as_str) == Some("dev")
            && r.tags.get(app_key) == Some(&app_value))
        .then(|| r.service.clone())
    });
    let got: BTreeMap<String, f64> = data["return_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["group_name"].as_str().unwrap().to_string(),
                num(&g["cost"]),
            )
        })
        .collect();
    assert_eq!(got.len(), expected.len());
    for (service, cost) in expected {
        assert_eq!(got[&service], shown(cost), "{service}");
    }

    // Grouping by a tag key: rows without it fall in "-".
    let body =
        c.focus_body(json!({"group_by_type": "tag", "group_by_tags": [{"v": 0, "id": dev}]}));
    let data = c
        .post("/cs/api/cost/accounts/group_by_property", body)
        .await;
    let expected = sum_by(&rows, |r| {
        Some(
            r.tags
                .get("environment")
                .cloned()
                .unwrap_or_else(|| "-".into()),
        )
    });
    for g in data["return_data"].as_array().unwrap() {
        let name = g["group_name"].as_str().unwrap();
        assert_eq!(num(&g["cost"]), shown(expected[name]), "{name}");
    }
}

#[tokio::test]
async fn custom_tags_on_resources_and_accounts_filter_like_provider_tags() {
    let c = cost_app().await;
    let rows = focus_rows();
    let by_resource = sum_by(&rows, |r| {
        (!r.resource.is_empty()).then(|| r.resource.clone())
    });
    let mut ranked: Vec<(&String, &Decimal)> = by_resource.iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(a.1));
    let (first, second) = (ranked[0].0.clone(), ranked[1].0.clone());
    let mut ids = vec![];
    for resource in [&first, &second] {
        let data = c
            .post(
                "/cs/api/cost/accounts/resource_explorer/resource_tags",
                json!({"cost_account_id": c.focus_account, "resource_id": resource,
                       "tags": [{"key": "owner", "value": "platform-team"}]}),
            )
            .await;
        assert_eq!(data["status"], "Tag created");
        ids.push(data["tagId"].as_str().unwrap().to_string());
    }
    assert_eq!(ids[0], ids[1], "one pair, one id");
    let listed = c
        .get("/cs/api/cost/accounts/resource_explorer/all_custom_user_tags")
        .await;
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1, "one tag in one cost account: {listed:?}");
    assert_eq!(listed[0]["tagName"], "owner");
    assert_eq!(listed[0]["tagVariation"], 1);
    assert_eq!(listed[0]["costAccountId"], c.focus_account.as_str());

    let body = c.focus_body(json!({"cost_tags": [{"v": 1, "id": ids[0]}]}));
    let data = c.post("/cs/api/cost/accounts/incurred_cost", body).await;
    let total: f64 = data["return_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| num(&p[1]))
        .sum();
    let expected = by_resource[&first] + by_resource[&second];
    assert!(
        (total - shown(expected)).abs() < 0.01,
        "{total} vs {expected}"
    );

    // Grouping by the custom tag's key: the tagged resources, and the rest as "-".
    let body =
        c.focus_body(json!({"group_by_type": "tag", "group_by_tags": [{"v": 1, "id": ids[0]}]}));
    let data = c
        .post("/cs/api/cost/accounts/group_by_property", body)
        .await;
    let groups: BTreeMap<String, f64> = data["return_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["group_name"].as_str().unwrap().to_string(),
                num(&g["cost"]),
            )
        })
        .collect();
    let all: Decimal = rows.iter().map(|r| r.billed).sum();
    assert_eq!(groups.len(), 2, "{groups:?}");
    assert_eq!(groups["platform-team"], shown(expected));
    assert_eq!(groups["-"], shown(all - expected));

    // The tag shows on the resource with its provider tags.
    let uri = json_string(
        &format!(
            "/cs/api/cost/accounts/resource_explorer/resource/{}/tags",
            urlencode_path(&first)
        ),
        json!({"cost_account_id": c.focus_account}),
    );
    let tags = c.get(&uri).await["return_data"].as_array().unwrap().clone();
    assert!(
        tags.iter()
            .any(|t| t["name"] == "owner" && t["variation"] == 1)
    );
    let provider: BTreeSet<(String, String)> = rows
        .iter()
        .filter(|r| r.resource == first)
        .flat_map(|r| r.tags.clone())
        .collect();
    let shown_provider: BTreeSet<(String, String)> = tags
        .iter()
        .filter(|t| t["variation"] == 0)
        .map(|t| {
            (
                t["name"].as_str().unwrap().into(),
                t["value"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(shown_provider, provider);

    // A custom account tag selects whole cost accounts.
    let data = c
        .post(
            "/cs/api/cost/accounts/custom_tags_for_cc_ca",
            json!({"cost_account_id": c.cur_account, "type": "accounts", "variation": -3,
                   "tags": [{"key": "team", "value": "billing"}]}),
        )
        .await;
    assert_eq!(data["status"], "active");
    let account_tag = data["tagId"].as_i64().unwrap().to_string();
    let body = json!({"start_date": "2023-11-01", "end_date": "2024-09-30", "cost_type": 1,
                      "cost_tags": [{"v": -3, "id": account_tag}], "group_by_type": "cost_account"});
    let data = c
        .post("/cs/api/cost/accounts/group_by_property", body)
        .await;
    let groups = data["return_data"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{groups:?}");
    assert_eq!(groups[0]["group_name"], "CUR sample");

    // Bad input.
    for (body, status, needle) in [
        (
            json!({"cost_account_id": c.focus_account, "resource_id": "i-does-not-exist",
                   "tags": [{"key": "a", "value": "b"}]}),
            StatusCode::NOT_FOUND,
            "i-does-not-exist",
        ),
        (
            json!({"cost_account_id": c.focus_account, "resource_id": first, "tags": []}),
            StatusCode::BAD_REQUEST,
            "tags",
        ),
        (
            json!({"cost_account_id": c.focus_account, "resource_id": first,
                   "tags": [{"key": "", "value": "b"}]}),
            StatusCode::BAD_REQUEST,
            "tags[0].key",
        ),
        (
            json!({"cost_account_id": "77", "resource_id": first,
                   "tags": [{"key": "a", "value": "b"}]}),
            StatusCode::NOT_FOUND,
            "77",
        ),
    ] {
        let (got, json) = c
            .app
            .call(
                "POST",
                "/cs/api/cost/accounts/resource_explorer/resource_tags",
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(got, status, "{json}");
        assert!(json["error"].as_str().unwrap().contains(needle), "{json}");
    }
}

fn urlencode_path(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

#[tokio::test]
async fn cost_by_resource_lists_the_top_fifty() {
    let c = cost_app().await;
    let rows = focus_rows();
    let data = c
        .post(
            "/cs/api/cost/accounts/cost_by_resource",
            c.focus_body(json!({})),
        )
        .await;
    let got = data["return_data"].as_array().unwrap();
    assert_eq!(got.len(), 50);
    let by_resource = sum_by(&rows, |r| {
        (!r.resource.is_empty()).then(|| r.resource.clone())
    });
    let mut costs: Vec<f64> = by_resource.values().map(|d| shown(*d)).collect();
    costs.sort_by(|a, b| b.partial_cmp(a).unwrap());
    let shown_costs: Vec<f64> = got.iter().map(|r| num(&r["value"])).collect();
    assert_eq!(shown_costs, costs[..50].to_vec());
    for r in got {
        let id = r["id"].as_str().unwrap();
        assert_eq!(num(&r["value"]), shown(by_resource[id]), "{id}");
        let service = rows
            .iter()
            .find(|x| x.resource == id)
            .unwrap()
            .service
            .clone();
        assert_eq!(r["type"], service.as_str());
    }
}

#[tokio::test]
async fn resource_views_split_costs_by_month_and_count_resources() {
    let c = cost_app().await;
    let rows = focus_rows();
    let by_resource = sum_by(&rows, |r| {
        (!r.resource.is_empty()).then(|| r.resource.clone())
    });
    let (resource, cost) = by_resource.iter().max_by_key(|(_, v)| **v).unwrap();

    let data = c
        .post(
            "/cs/api/cost/accounts/resource_explorer/ri_resouce_trend_chart",
            c.focus_body(json!({"resource_id": resource})),
        )
        .await;
    let months = data["resource_cost"].as_array().unwrap();
    assert_eq!(months.len(), 1);
    assert_eq!(months[0][0], "2024-09-01T00:00:00+0000");
    assert_eq!(num(&months[0][1]), shown(*cost));

    let data = c
        .post(
            "/cs/api/cost/accounts/resource_pagination",
            c.focus_body(json!({"period": -1, "resource_ids": [resource]})),
        )
        .await;
    let values = data["return_data"]["values"].as_object().unwrap();
    assert_eq!(values.len(), 1);
    let v = &values[resource.as_str()];
    assert_eq!(num(&v["total_cost"]), shown(*cost));
    assert_eq!(num(&v["monthly_split"][0][1]), shown(*cost));

    let data = c
        .post(
            "/cs/api/cost/accounts/resource_explorer/ri_list",
            c.focus_body(json!({"resource_ids": [resource]})),
        )
        .await;
    let info = &data[resource.as_str()];
    assert_eq!(num(&info["cost"]), shown(*cost));
    let row = rows.iter().find(|r| &r.resource == resource).unwrap();
    assert_eq!(info["service"], row.service.as_str());
    assert_eq!(info["tags"].as_object().unwrap().len(), row.tags.len());

    // Resources of one service, a page at a time, largest first.
    let service = "Amazon Elastic Compute Cloud";
    let expected = sum_by(&rows, |r| {
        (r.service == service && !r.resource.is_empty()).then(|| r.resource.clone())
    });
    let mut all = vec![];
    for page in 1.. {
        let data = c
            .post(
                "/cs/api/cost/accounts/resource_count",
                c.focus_body(json!({"service_name": service, "page": page})),
            )
            .await;
        let list = data["resources"].as_array().unwrap().clone();
        if list.is_empty() {
            break;
        }
        assert!(list.len() <= 50);
        all.extend(list);
    }
    assert_eq!(all.len(), expected.len());
    for r in &all {
        let id = r["id"].as_str().unwrap();
        assert_eq!(num(&r["totalCost"]), shown(expected[id]), "{id}");
        assert_eq!(r["productName"], service);
    }

    let data = c.get("/cs/api/cost/billed_res_count").await;
    let counts = &data["data"][c.focus_account.as_str()];
    let distinct: BTreeSet<&String> = rows
        .iter()
        .filter(|r| !r.resource.is_empty())
        .map(|r| &r.resource)
        .collect();
    assert_eq!(counts["cur_month"], distinct.len().to_string());
    assert_eq!(counts["prev_month"], "0");

    // The FOCUS sample has no instance types: an empty list is the real answer.
    let data = c
        .post(
            "/cs/api/cost/accounts/cost_by_instance",
            c.focus_body(json!({})),
        )
        .await;
    assert_eq!(data["return_data"], json!([]));
}
