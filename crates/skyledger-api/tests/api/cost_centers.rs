//! Cost centers over the FOCUS and CUR samples: creation and its checks, and every scoped view
//! compared with the accounts endpoints or with sums of the CSV rows computed here.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::assert_error_envelope;
use crate::costs::{CostApp, cost_app, focus_rows, num, shown, sum_by};

impl CostApp {
    /// Creates a cost center; returns its id.
    async fn create_cc(&self, body: Value) -> String {
        let data = self.post("/cs/api/cost/cost_center", body).await;
        let id = data["business_unit_id"].as_str().unwrap().to_string();
        assert_eq!(id.len(), 17, "{data}");
        id
    }

    /// A September 2024 cost-center request (the cost center's own accounts).
    fn cc_body(&self, id: &str, extra: Value) -> Value {
        let mut body = json!({
            "start_date": "2024-09-01",
            "end_date": "2024-09-30",
            "period": 1,
            "cost_type": 20,
            "cost_tags": [],
            "business_unit_id": id,
            "bu_type": 0,
        });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    }

    async fn error(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, String) {
        let text = body.map(|b| b.to_string());
        let (status, json) = self.app.call(method, path, text.as_deref()).await;
        assert_error_envelope(status, &json);
        (
            status,
            json["error"].as_str().unwrap_or_default().to_string(),
        )
    }

    /// The FOCUS feed's billing accounts: provider id -> 17-digit id.
    async fn focus_billing(&self) -> BTreeMap<String, String> {
        let data = self.get("/cs/api/cost/cost_centers/accounts_data").await;
        let account = data["all_accounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["cost_account_id"] == self.focus_account.as_str())
            .unwrap()
            .clone();
        account["child_accounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["aws_account_id"].as_str().unwrap().to_string(),
                    c["billing_account_id"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }
}

/// Sum of the `trend_values` series of a trend box.
fn trend_total(data: &Value) -> f64 {
    data["trend_values"]["values"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|s| s.as_array().unwrap().iter().map(|p| num(&p[1])))
        .sum()
}

#[tokio::test]
async fn a_cost_center_of_whole_accounts_reports_what_the_accounts_endpoints_report() {
    let c = cost_app().await;
    let id = c
        .create_cc(json!({
            "business_unit_name": "Everything",
            "cost_tags": [],
            "integrated_zaaids": [],
            "billing_account_ids": [],
            "accounts": [
                {"cost_account_id": c.focus_account, "billing_account_ids": []},
                {"cost_account_id": c.cur_account, "billing_account_ids": []},
            ],
        }))
        .await;
    let accounts = json!([
        {"cost_account_id": c.focus_account, "billing_account_ids": []},
        {"cost_account_id": c.cur_account, "billing_account_ids": []},
    ]);
    let plain = |extra: Value| {
        let mut b = c.focus_body(extra);
        b["accounts"] = accounts.clone();
        b
    };
    for (cc_path, accounts_path) in [
        ("trend_box", "trend_box"),
        ("spend_analysis_panel", "spend_analysis_panel"),
        ("cost_by_instance", "cost_by_instance"),
        ("cost_by_resource", "cost_by_resource"),
        ("resource_pagination", "resource_pagination"),
        ("resource_count", "resource_count"),
    ] {
        let cc = c
            .post(
                &format!("/cs/api/cost/cost_centers/{cc_path}"),
                c.cc_body(&id, json!({})),
            )
            .await;
        let mut acc = c
            .post(
                &format!("/cs/api/cost/accounts/{accounts_path}"),
                plain(json!({})),
            )
            .await;
        // The cost-center resource split shows no service (`type`), as its example.
        if cc_path == "resource_pagination" {
            for v in acc["return_data"]["values"]
                .as_object_mut()
                .unwrap()
                .values_mut()
            {
                v.as_object_mut().unwrap().remove("type");
            }
        }
        assert_eq!(cc, acc, "{cc_path}");
    }
    // Grouped by region over time: the same totals per region as the accounts grouping.
    let cc = c
        .post(
            "/cs/api/cost/cost_centers/group_by_property",
            c.cc_body(&id, json!({"group_by_type": "region"})),
        )
        .await;
    let acc = c
        .post(
            "/cs/api/cost/accounts/group_by_property",
            plain(json!({"group_by_type": "region"})),
        )
        .await;
    assert_eq!(cc["return_data"]["mode"], 1);
    let values = cc["return_data"]["values"].as_object().unwrap();
    let groups = acc["return_data"].as_array().unwrap();
    assert_eq!(values.len(), groups.len());
    for g in groups {
        let name = g["group_name"].as_str().unwrap();
        let series = &values[name];
        assert_eq!(series["cloud_account_id"], name);
        let total: f64 = series["chart_data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| num(&p[1]))
            .sum();
        assert!((total - num(&g["cost"])).abs() < 0.01, "{name}");
    }
    // A drill-down into one billing account group: the accounts view of that billing account.
    let by_account = c
        .post(
            "/cs/api/cost/cost_centers/group_by_property",
            c.cc_body(&id, json!({"group_by_type": "accounts"})),
        )
        .await;
    let (_, group) = by_account["return_data"]["values"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, g)| g["chart_data"].as_array().is_some_and(|d| !d.is_empty()))
        .unwrap();
    let billing = group["property"]["id"].as_str().unwrap();
    let drilled = c
        .post(
            "/cs/api/cost/cost_centers/resource_count",
            c.cc_body(
                &id,
                json!({"group_by_type": "accounts", "property": group["property"], "page": -1}),
            ),
        )
        .await;
    let mut narrowed = c.focus_body(json!({"page": -1}));
    narrowed["accounts"] =
        json!([{"cost_account_id": c.focus_account, "billing_account_ids": [billing]}]);
    let direct = c
        .post("/cs/api/cost/accounts/resource_count", narrowed)
        .await;
    assert!(!direct["resources"].as_array().unwrap().is_empty());
    assert_eq!(drilled, direct);

    // The FOCUS rows alone, per cost account.
    let split = c
        .post(
            "/cs/api/cost/cost_centers/accounts_splitup",
            c.cc_body(&id, json!({})),
        )
        .await;
    let focus_total: Decimal = focus_rows().iter().map(|r| r.billed).sum();
    let focus = split["return_data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["cost_account_id"] == c.focus_account.as_str())
        .unwrap()
        .clone();
    assert_eq!(num(&focus["cost"]), shown(focus_total));
    assert_eq!(focus["account_name"], "FOCUS sample");

    // Listed, hybrid only when its accounts span clouds.
    let list = c.get("/cs/api/cost/cost_centers").await;
    let unit = &list["business_units"][0];
    assert_eq!(unit["id"], id.as_str());
    assert_eq!(unit["name"], "Everything");
    let ids: BTreeSet<&str> = unit["cost_account_id"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        BTreeSet::from([c.focus_account.as_str(), c.cur_account.as_str()])
    );
    assert_eq!(
        unit["is_hybrid"].as_bool().unwrap(),
        unit["cloud_type"] == -1,
        "{unit}"
    );
}

#[tokio::test]
async fn billing_accounts_and_tag_rules_scope_like_a_filter_of_the_csv_rows() {
    let c = cost_app().await;
    let rows = focus_rows();
    let billing = c.focus_billing().await;
    let subs = ["11353890204", "18938484842"];
    // Spec form: the billing accounts by their 17-digit ids; one tag rule per key.
    let id = c
        .create_cc(json!({
            "business_unit_name": "Tagged CC",
            "cost_tags": [],
            "integrated_zaaids": [],
            "billing_account_ids": [billing[subs[0]], billing[subs[1]]],
            "tag_rules": [
                {"key": "environment", "values": ["dev", "prod"]},
                {"key": "application", "values": ["BrightPathMatrix", "ZoomMapMax"]},
            ],
        }))
        .await;
    let tag_in = |r: &crate::costs::FocusRow, k: &str, vals: &[&str]| {
        r.tags.get(k).is_some_and(|v| vals.contains(&v.as_str()))
    };
    let selected = |r: &crate::costs::FocusRow| {
        subs.contains(&r.sub_account.as_str())
            && tag_in(r, "environment", &["dev", "prod"])
            && tag_in(r, "application", &["BrightPathMatrix", "ZoomMapMax"])
    };
    let expected = sum_by(&rows, |r| selected(r).then_some((r.service.clone(), r.day)));
    let total: Decimal = expected.values().copied().sum();
    let all: Decimal = rows.iter().map(|r| r.billed).sum();
    assert!(
        total > Decimal::ZERO && total < all,
        "the rules select some rows: {total} of {all}"
    );
    let data = c
        .post(
            "/cs/api/cost/cost_centers/trend_box",
            c.cc_body(&id, json!({})),
        )
        .await;
    let values = data["trend_values"]["values"].as_object().unwrap();
    for ((service, day), cost) in &expected {
        let name = if service.is_empty() { "-" } else { service };
        let stamp = format!("{day}T00:00:00+0000");
        let point = values[name]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p[0] == stamp)
            .unwrap_or_else(|| panic!("{name} has no {stamp}"));
        assert_eq!(num(&point[1]), shown(*cost), "{name} {day}");
    }
    assert!((trend_total(&data) - shown(total)).abs() < 0.01);
    let panel = c
        .post(
            "/cs/api/cost/cost_centers/spend_analysis_panel",
            c.cc_body(&id, json!({})),
        )
        .await;
    assert_eq!(num(&panel["return_data"]["total_cost"]), shown(total));

    // The widget lists of the tag-scoped cost center (one pass over the line items): cost
    // per region and per service of the selected rows.
    let widgets = c
        .post(
            "/cs/api/cost/cost_centers/common_widget_api",
            c.cc_body(&id, json!({})),
        )
        .await;
    for (list, of) in [("regions", 0), ("services", 1)] {
        let want: BTreeMap<String, f64> = sum_by(&rows, |r| {
            let k = if of == 0 { &r.region } else { &r.service };
            selected(r).then(|| {
                if k.is_empty() {
                    "-".to_string()
                } else {
                    k.clone()
                }
            })
        })
        .into_iter()
        .map(|(k, v)| (k, shown(v)))
        .collect();
        let got: BTreeMap<String, f64> = widgets["return_data"][list]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["name"].as_str().unwrap().to_string(), num(&e["cost"])))
            .collect();
        assert_eq!(got, want, "{list}");
    }

    // The request's own cost_tags AND with the rules: environment=prod only.
    let tags = c
        .post(
            "/cs/api/cost/show_more_tags",
            c.cc_body(&id, json!({"group_by_type": "tag"})),
        )
        .await;
    let env = tags["return_data"]["environment"].as_array().unwrap();
    let prod = env.iter().find(|t| t["value"] == "prod").unwrap();
    let narrowed = c
        .post(
            "/cs/api/cost/cost_centers/spend_analysis_panel",
            c.cc_body(&id, json!({"cost_tags": [{"v": 0, "id": prod["tagId"]}]})),
        )
        .await;
    let prod_total: Decimal = rows
        .iter()
        .filter(|r| selected(r) && tag_in(r, "environment", &["prod"]))
        .map(|r| r.billed)
        .sum();
    assert_eq!(
        num(&narrowed["return_data"]["total_cost"]),
        shown(prod_total)
    );
    // The tags listed for the cost center are the ones its rows carry: no other application.
    let apps: BTreeSet<&str> = tags["return_data"]["application"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["value"].as_str().unwrap())
        .collect();
    assert!(
        apps.is_subset(&BTreeSet::from(["BrightPathMatrix", "ZoomMapMax"])),
        "{apps:?}"
    );

    // A request may narrow the cost center to one of its billing accounts, not widen it.
    let one = c
        .post(
            "/cs/api/cost/cost_centers/spend_analysis_panel",
            c.cc_body(
                &id,
                json!({"accounts": [{"cost_account_id": c.focus_account,
                                     "billing_account_ids": [billing[subs[0]]]}]}),
            ),
        )
        .await;
    let one_total: Decimal = rows
        .iter()
        .filter(|r| selected(r) && r.sub_account == subs[0])
        .map(|r| r.billed)
        .sum();
    assert_eq!(num(&one["return_data"]["total_cost"]), shown(one_total));
    let outside = billing
        .iter()
        .find(|(k, _)| !subs.contains(&k.as_str()))
        .unwrap();
    let (status, msg) = c
        .error(
            "POST",
            "/cs/api/cost/cost_centers/trend_box",
            Some(c.cc_body(
                &id,
                json!({"accounts": [{"cost_account_id": c.focus_account,
                                     "billing_account_ids": [outside.1]}]}),
            )),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(msg.contains(outside.1.as_str()), "{msg}");

    // Its make-up: the billing accounts and the rules as tags.
    let sa = c
        .get(&format!(
            "/cs/api/cost/cost_centers/cc_spend_analysis?auto_bu=false&business_unit_id={id}"
        ))
        .await;
    let unit = &sa["all_accounts"][0];
    assert_eq!(unit["id"], id.as_str());
    assert_eq!(unit["child_accounts"].as_array().unwrap().len(), 2);
    assert_eq!(unit["default_tags"].as_array().unwrap().len(), 4);
    assert_eq!(sa["min_date"], "2024-09-01T00:00:00+0000");

    // The month totals of the cost-center accounts listing, from the same rows.
    let assoc = c.get("/cs/api/cost/cost_centers/accounts").await;
    assert_eq!(assoc["total_accounts"], 2);
    assert_eq!(num(&assoc["current_month_total"]), shown(total));
    assert_eq!(num(&assoc["previous_month_total"]), 0.0);
    let cost = c
        .get(&format!(
            "/cs/api/cost/cost_centers/cost?JSONString=%7B%22business_unit_id%22:%5B%22{id}%22%5D%7D"
        ))
        .await;
    assert_eq!(num(&cost["business_units"][0]["total_cost"]), shown(total));
}

#[tokio::test]
async fn bad_cost_centers_are_rejected_naming_the_problem() {
    let c = cost_app().await;
    let billing = c.focus_billing().await;
    let b = billing.values().next().unwrap().clone();
    let base = |extra: Value| {
        let mut body = json!({
            "business_unit_name": "Team A",
            "cost_tags": [],
            "integrated_zaaids": [],
            "billing_account_ids": [b],
        });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let id = c.create_cc(base(json!({}))).await;
    let cases = [
        (base(json!({"business_unit_name": " team a "})), "Team A"),
        (
            base(json!({"business_unit_name": ""})),
            "business_unit_name",
        ),
        (
            base(json!({"billing_account_ids": ["99999999999999999"]})),
            "billing_account_ids[0]",
        ),
        (
            base(json!({"billing_account_ids": [], "business_unit_name": "B"})),
            "billing_account_ids",
        ),
        (
            base(json!({"business_unit_name": "C", "accounts": [{"cost_account_id": "424242"}]})),
            "424242",
        ),
        (
            base(json!({"business_unit_name": "D", "tag_rules": [
                {"key": "environment", "values": ["dev"]},
                {"key": "environment", "values": ["prod"]},
            ]})),
            "disjoint",
        ),
        (
            base(
                json!({"business_unit_name": "E", "tag_rules": [{"key": "environment", "values": []}]}),
            ),
            "tag_rules[0].values",
        ),
        (
            base(
                json!({"business_unit_name": "F", "cost_tags": [{"v": 0, "id": "77777777777777777"}]}),
            ),
            "cost_tags[0]",
        ),
        (
            base(json!({"business_unit_name": "G", "users": ["31313131313131313"]})),
            "users[0]",
        ),
    ];
    for (body, needle) in cases {
        let (status, msg) = c
            .error("POST", "/cs/api/cost/cost_center", Some(body.clone()))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {msg}");
        assert!(
            msg.contains(needle),
            "{body}: {msg:?} should name {needle:?}"
        );
    }
    // Overlapping rules of one key keep the common values.
    let overlap = c
        .create_cc(base(json!({"business_unit_name": "H", "tag_rules": [
            {"key": "environment", "values": ["dev", "prod"]},
            {"key": "environment", "values": ["prod", "qa"]},
        ]})))
        .await;
    let sa = c
        .get(&format!(
            "/cs/api/cost/cost_centers/cc_spend_analysis?business_unit_id={overlap}"
        ))
        .await;
    let tags = sa["all_accounts"][0]["default_tags"].as_array().unwrap();
    assert_eq!(tags.len(), 1);
    assert_eq!(tags[0]["value"], "prod");

    // Reconfiguring keeps the id; an unknown id is 404.
    let again = c
        .create_cc(base(
            json!({"business_unit_id": id, "business_unit_name": "Team A2"}),
        ))
        .await;
    assert_eq!(again, id);
    let (status, msg) = c
        .error(
            "POST",
            "/cs/api/cost/cost_center",
            Some(base(
                json!({"business_unit_id": "12121212121212121", "business_unit_name": "Z"}),
            )),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(msg.contains("12121212121212121"), "{msg}");

    // Endpoints without input refuse one; filters refuse unknown fields.
    for (method, uri, body) in [
        (
            "GET",
            "/cs/api/cost/cost_centers".to_string(),
            Some(json!({"accounts": []})),
        ),
        (
            "GET",
            "/cs/api/cost/cost_centers/budget_meta?colour=red".to_string(),
            None,
        ),
        (
            "GET",
            format!(
                "/cs/api/cost/cost_centers/cc_spend_analysis?business_unit_id={id}&auto_bu=maybe"
            ),
            None,
        ),
        (
            "GET",
            "/cs/api/cost/cost_centers/accounts?JSONString=%7B%22x%22:1%7D".to_string(),
            None,
        ),
    ] {
        let (status, msg) = c.error(method, &uri, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {msg}");
    }

    // Queries: unknown cost center 404, other bu_type 400, no cost center 400.
    let query = |extra: Value| {
        let mut body = c.cc_body(&id, json!({}));
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    for (body, status, needle) in [
        (
            query(json!({"business_unit_id": "55555555555555555"})),
            StatusCode::NOT_FOUND,
            "55555555555555555",
        ),
        (
            query(json!({"bu_type": 3})),
            StatusCode::BAD_REQUEST,
            "bu_type",
        ),
        (
            query(json!({"business_unit_id": null})),
            StatusCode::BAD_REQUEST,
            "business_unit_id",
        ),
        (
            query(json!({"accounts": [{"cost_account_id": c.cur_account}]})),
            StatusCode::BAD_REQUEST,
            "not part of cost center",
        ),
    ] {
        for path in ["trend_box", "common_widget_api", "group_by_property"] {
            let mut body = body.clone();
            body["group_by_type"] = json!("service");
            let (got, msg) = c
                .error(
                    "POST",
                    &format!("/cs/api/cost/cost_centers/{path}"),
                    Some(body),
                )
                .await;
            assert_eq!(got, status, "{path}: {msg}");
            assert!(
                msg.contains(needle),
                "{path}: {msg:?} should name {needle:?}"
            );
        }
    }
}

#[tokio::test]
async fn settings_users_alerts_and_custom_tags_come_from_the_store() {
    let c = cost_app().await;
    for path in [
        "/cs/api/cost/cost_centers/integration/alert_configs",
        "/cs/api/cost/cost_centers/integration/msp_alert_configs?JSONString=%7B%7D",
    ] {
        assert_eq!(c.get(path).await, json!([]), "{path}");
    }
    assert_eq!(
        c.get("/cs/api/cost/integration/msp_customers").await,
        json!({"isMSPAdmin": false})
    );
    assert_eq!(
        c.get("/cs/api/cost/cost_centers/budget_meta").await,
        json!({"budget_data": []})
    );
    let settings = c.get("/cs/api/cost/cost_centers/cost_user_settings").await;
    assert_eq!(
        settings["custom_report_settings_data"]["company_name"],
        "Test Org"
    );
    assert_eq!(
        settings["custom_report_settings_data"]["percision_digits"],
        3
    );
    let users = c
        .get("/cs/api/cost/cost_centers/users?JSONString=%7B%22module_id%22:2%7D")
        .await;
    assert!(users["users"].is_array() && users["user_groups"].is_array());
    assert_eq!(users["org_info"]["organization_id"], c.app.org_id.as_str());
    assert_eq!(
        users["workspace_migration_info"]["is_migration_enabled"],
        false
    );
    assert_eq!(users["org_info"]["organization_id"], c.app.org_id.as_str());
    assert_eq!(
        users["workspace_migration_info"]["is_migration_enabled"],
        false
    );

    let billing = c.focus_billing().await;
    let id = c
        .create_cc(json!({
            "business_unit_name": "Tagged",
            "billing_account_ids": [billing.values().next().unwrap()],
        }))
        .await;
    let data = c
        .post(
            "/cs/api/cost/cost_centers/custom_tags_for_cc_ca",
            json!({"cost_account_id": id, "type": "businessUnits", "variation": -4,
                   "tags": [{"value": "Production", "key": "Environment"}]}),
        )
        .await;
    assert_eq!(data["status"], "Tag created");
    assert_eq!(data["tagId"].as_str().unwrap().len(), 17);
    let (status, msg) = c
        .error(
            "POST",
            "/cs/api/cost/cost_centers/custom_tags_for_cc_ca",
            Some(json!({"cost_account_id": id, "variation": -3,
                        "tags": [{"value": "x", "key": "y"}]})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(msg.contains("variation"), "{msg}");

    // cc_tags: the FOCUS feed's tags, each with a 17-digit id.
    let tags = c
        .get(&format!(
            "/cs/api/cost/cost_centers/cc_tags?JSONString=%7B%22cost_account_id%22:%5B%22{}%22%5D%7D",
            c.focus_account
        ))
        .await;
    assert_eq!(tags["meta"][&c.focus_account], "FOCUS sample");
    let list = tags["bu_tag_Data"][&c.focus_account].as_array().unwrap();
    assert!(
        list.iter()
            .any(|t| t["key"] == "environment" && t["value"] == "prod")
    );
}
