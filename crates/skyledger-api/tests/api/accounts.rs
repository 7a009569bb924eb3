//! Account management (section 27), the summary report (section 08) and licensing (section 29)
//! over the FOCUS and AWS CUR samples. Expected numbers are summed here from the CSV text.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use skyledger_auth::tokens::{TokenGrant, issue_access_token};
use skyledger_meta::users::NewUser;
use skyledger_types::Scopes;

use crate::assert_error_envelope;
use crate::costs::{CUR, CostApp, FocusRow, cost_app, fixture, focus_rows, num, shown, sum_by};

/// One line of the CUR sample: usage start, unblended cost, usage account.
struct CurRow {
    start: String,
    unblended: Decimal,
    account: String,
}

fn cur_rows() -> Vec<CurRow> {
    let mut reader = csv::Reader::from_path(fixture(CUR)).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (start, cost, account) = (
        col("lineItem/UsageStartDate"),
        col("lineItem/UnblendedCost"),
        col("lineItem/UsageAccountId"),
    );
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            CurRow {
                start: r[start].to_string(),
                unblended: r[cost].parse().unwrap_or(Decimal::ZERO),
                account: r[account].to_string(),
            }
        })
        .collect()
}

/// The cloud name the summary report uses for a FOCUS ProviderName.
fn cloud_of(r: &FocusRow) -> &'static str {
    match r.provider.as_str() {
        "AWS" => "AWS",
        "Microsoft" => "AZURE",
        "Oracle" => "OCI",
        other => panic!("unexpected provider {other}"),
    }
}

fn dash(s: &str) -> String {
    if s.is_empty() {
        "-".into()
    } else {
        s.to_string()
    }
}

/// `?JSONString=<url-encoded json>`.
fn json_string(v: &Value) -> String {
    let encoded: String = form_urlencoded::byte_serialize(v.to_string().as_bytes()).collect();
    format!("?JSONString={encoded}")
}

/// The largest key of sums (ties: the smallest key).
fn top<K: Ord + Clone>(sums: &BTreeMap<K, Decimal>) -> K {
    sums.iter()
        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
        .unwrap()
        .0
        .clone()
}

async fn add_user(c: &CostApp, email: &str, is_admin: bool) -> String {
    c.app
        .state
        .meta
        .create_user(&NewUser {
            org_id: &c.app.org_id,
            email,
            name: &format!("User {email}"),
            password_hash: None,
            is_admin,
        })
        .await
        .unwrap()
        .id
}

async fn get_as(c: &CostApp, user_id: &str, uri: &str) -> Value {
    let grant = TokenGrant {
        org_id: &c.app.org_id,
        user_id: Some(user_id),
        client_id: None,
        grant_id: None,
        scopes: Scopes::all(),
        label: "test",
        expires_in_secs: 3600,
    };
    let token = issue_access_token(&c.app.state.meta, &grant)
        .await
        .unwrap()
        .0;
    let request = axum::http::Request::builder()
        .method("GET")
        .uri(uri)
        .header("Authorization", format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let (status, json, _) = c.app.send(request).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {json}");
    json["data"].clone()
}

#[tokio::test]
async fn account_usage_counts_accounts_users_and_setup_stages() {
    let c = cost_app().await;
    let data = c.get("/cs/api/cost/account_usage").await;
    // Two cost accounts, both processed; no user yet; nothing else configured.
    assert_eq!(data["cost_accnt_count"], 2);
    assert_eq!(data["setup_stages"], 6);
    assert_eq!(data["user_count"], 0);
    assert_eq!(data["progress_stage"], 2);
    assert_eq!(data["progress"], "33");
    assert_eq!(data["cost_user_id"], "");
    for zero in [
        "business_unit_count",
        "tag_profile_count",
        "budget_count",
        "scheduled_report_count",
    ] {
        assert_eq!(data[zero], 0, "{zero}");
    }

    let admin = add_user(&c, "admin@example.com", true).await;
    add_user(&c, "user@example.com", false).await;
    let data = c.get("/cs/api/cost/account_usage").await;
    assert_eq!(data["user_count"], 2);
    assert_eq!(data["progress_stage"], 3);
    assert_eq!(data["progress"], "50");
    assert_eq!(data["cost_user_id"], admin);

    // A cost center completes the fourth stage.
    let def = skyledger_meta::cost_centers::CostCenterDef {
        name: "Platform".into(),
        cloud_type: -1,
        accounts: vec![skyledger_meta::cost_centers::CostCenterAccount {
            cost_account_id: c.focus_account.clone(),
            billing_account_ids: vec![],
        }],
        ..Default::default()
    };
    c.app
        .state
        .meta
        .save_cost_center(&c.app.org_id, None, &def)
        .await
        .unwrap()
        .unwrap();
    let data = c.get("/cs/api/cost/account_usage").await;
    assert_eq!(data["business_unit_count"], 1);
    assert_eq!(data["progress_stage"], 4);
    assert_eq!(data["progress"], "67");
}

#[tokio::test]
async fn alert_configs_are_empty_and_msp_filters_must_be_json() {
    let c = cost_app().await;
    let data = c
        .get("/cs/api/cost/accounts/integration/alert_configs")
        .await;
    assert_eq!(data, json!([]));
    let uri = format!(
        "/cs/api/cost/accounts/integration/msp_alert_configs{}",
        json_string(&json!({"customer_id": "1"}))
    );
    assert_eq!(c.get(&uri).await, json!([]));
    let (status, body) = c
        .app
        .call(
            "GET",
            "/cs/api/cost/accounts/integration/msp_alert_configs?JSONString=SOME_STRING_VALUE",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error_envelope(status, &body);
    assert!(
        body["error"].as_str().unwrap().contains("JSONString"),
        "{body}"
    );
}

#[tokio::test]
async fn account_settings_show_the_org_its_contact_and_the_callers_profile() {
    let c = cost_app().await;
    let data = c.get("/cs/api/cost/account_settings").await;
    assert_eq!(data["org_info"]["org_name"], "Test Org");
    assert_eq!(data["account_info"]["account_contact_id"], "");
    // The test token belongs to no user.
    assert_eq!(data["personal_info"]["user_id"], "");
    assert_eq!(data["subproducts_info"]["active_sub_products"], json!([2]));

    let admin = add_user(&c, "jane.smith@example.com", true).await;
    let bob = add_user(&c, "bob@example.com", false).await;
    let data = get_as(&c, &bob, "/cs/api/cost/account_settings").await;
    assert_eq!(
        data["account_info"]["account_contact_id"],
        "jane.smith@example.com"
    );
    assert_eq!(data["org_info"]["org_admin"], "jane.smith@example.com");
    let me = &data["personal_info"];
    assert_eq!(me["email_id"], "bob@example.com");
    assert_eq!(me["user_id"], bob);
    assert_eq!(me["user_name"], "bob");
    assert_eq!(me["cloudspend_role_id"], 11);
    assert_eq!(me["org_role"], -1);
    let data = get_as(&c, &admin, "/cs/api/cost/account_settings").await;
    assert_eq!(data["personal_info"]["user_name"], "jane.smith");
    assert_eq!(data["personal_info"]["cloudspend_role_id"], 12);
    assert_eq!(data["personal_info"]["role_id"], 1);
    assert_eq!(data["personal_info"]["org_role"], 2);
}

#[tokio::test]
async fn accounts_users_lists_each_user_with_roles() {
    let c = cost_app().await;
    let admin = add_user(&c, "admin@example.com", true).await;
    let user = add_user(&c, "user@example.com", false).await;
    // The admin signed in to the console at 1700000000 s = 2023-11-14 22:13:20 UTC.
    c.app
        .state
        .meta
        .insert_session(&skyledger_meta::oauth::Session {
            id_hash: "session".into(),
            user_id: admin.clone(),
            csrf: "csrf".into(),
            created_at: 1_700_000_000_000,
            expires_at: 1_700_000_600_000,
        })
        .await
        .unwrap();
    let data = get_as(&c, &admin, "/cs/api/cost/accounts/users").await;
    assert_eq!(data["contact_id"], admin);
    assert_eq!(data["org_info"]["name"], "Test Org");
    assert_eq!(data["org_info"]["admin"], "admin@example.com");
    assert_eq!(data["org_info"]["is_org_admin"], true);
    assert_eq!(data["user_groups"], json!([]));
    let users = data["users"].as_array().unwrap();
    assert_eq!(users.len(), 2);
    let by_id: BTreeMap<&str, &Value> = users
        .iter()
        .map(|u| (u["user_id"].as_str().unwrap(), u))
        .collect();
    assert_eq!(by_id[admin.as_str()]["is_account_contact"], true);
    assert_eq!(
        by_id[admin.as_str()]["cloudspend_role_name"],
        "Cost Administrator"
    );
    assert_eq!(
        by_id[admin.as_str()]["last_login_time"],
        "2023-11-14T22:13:20+0000"
    );
    assert_eq!(by_id[user.as_str()]["last_login_time"], "");
    assert_eq!(by_id[user.as_str()]["is_account_contact"], false);
    assert_eq!(by_id[user.as_str()]["cloudspend_role"], 11);
    assert_eq!(by_id[user.as_str()]["email_address"], "user@example.com");
    let data = get_as(&c, &user, "/cs/api/cost/accounts/users").await;
    assert_eq!(data["org_info"]["is_org_admin"], false);
}

#[tokio::test]
async fn accounts_data_lists_cost_accounts_and_their_billing_accounts() {
    let c = cost_app().await;
    let rows = focus_rows();
    let data = c.get("/cs/api/cost/accounts/accounts_data").await;
    let all = data["all_accounts"].as_array().unwrap();
    assert_eq!(all.len(), 2);
    let focus = all
        .iter()
        .find(|a| a["cost_account_id"] == c.focus_account.as_str())
        .unwrap();
    assert_eq!(focus["account_name"], "FOCUS sample");
    let stored = c
        .app
        .state
        .meta
        .cost_account(&c.app.org_id, &c.focus_account)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(focus["cloud_type"], stored.cloud_type);
    assert_eq!(focus["zaaid"], c.app.org_id.as_str());
    let expected: BTreeMap<String, (String, i64)> = rows
        .iter()
        .map(|r| {
            let cloud = match r.provider.as_str() {
                "AWS" => 0,
                "Microsoft" => 1,
                _ => 3,
            };
            (r.sub_account.clone(), (r.sub_account_name.clone(), cloud))
        })
        .collect();
    let children = focus["child_accounts"].as_array().unwrap();
    assert_eq!(children.len(), expected.len());
    let mut ids = BTreeSet::new();
    for child in children {
        let key = child["aws_account_id"].as_str().unwrap();
        let (name, cloud) = &expected[key];
        assert_eq!(child["name"], name.as_str(), "{key}");
        assert_eq!(child["cloud_type"], *cloud, "{key}");
        assert_eq!(child["is_payer_account"], false);
        assert_eq!(child["name_with_entity"], format!("{name} (FOCUS sample)"));
        let id = child["billing_account_id"].as_str().unwrap();
        assert!(
            id.len() == 17 && id.bytes().all(|b| b.is_ascii_digit()),
            "{id}"
        );
        assert!(ids.insert(id.to_string()), "ids are distinct");
    }

    let cur = all
        .iter()
        .find(|a| a["cost_account_id"] == c.cur_account.as_str())
        .unwrap();
    assert_eq!(cur["cloud_type"], 0);
    let accounts: BTreeSet<String> = cur_rows().into_iter().map(|r| r.account).collect();
    let children = cur["child_accounts"].as_array().unwrap();
    assert_eq!(children.len(), accounts.len());
    // The sample's only usage account is its payer.
    assert_eq!(children[0]["aws_account_id"], "123412340534");
    assert_eq!(children[0]["is_payer_account"], true);
    assert_eq!(children[0]["cloud_type"], 0);
}

#[tokio::test]
async fn account_spend_is_this_and_last_month_per_account() {
    let c = cost_app().await;
    let rows = focus_rows();
    // The newest data is 2024-09-30: September is the current month, August the previous.
    let data = c.get("/cs/api/cost/accounts").await;
    let september: Decimal = rows.iter().map(|r| r.billed).sum();
    assert_eq!(num(&data["current_month_total"]), shown(september));
    assert_eq!(num(&data["previous_month_total"]), 0.0);
    assert_eq!(data["total_accounts"], 2);
    let all = &data["all_accounts"];
    assert_eq!(all["processing_accounts"], json!({}));
    assert_eq!(all["config_error_accounts"], json!({}));
    let focus = &all["processed_accounts"][c.focus_account.as_str()];
    assert_eq!(focus["account_name"], "FOCUS sample");
    assert_eq!(focus["billing_currency"], "$");
    assert_eq!(num(&focus["total_current_month"]), shown(september));
    assert_eq!(num(&focus["total_prev_month"]), 0.0);
    assert_eq!(num(&focus["percent_change"]), 0.0);
    let daily = sum_by(&rows, |r| Some(r.day));
    let chart = focus["chart_data"].as_array().unwrap();
    assert_eq!(chart.len(), daily.len());
    for (point, (day, cost)) in chart.iter().zip(&daily) {
        assert_eq!(point[0], format!("{day}T00:00:00+0000"));
        assert_eq!(num(&point[1]), shown(*cost), "{day}");
    }
    let top_entity = &focus["top_spend_entity"];
    assert_eq!(
        top_entity["region"],
        dash(&top(&sum_by(&rows, |r| Some(r.region.clone()))))
    );
    assert_eq!(
        top_entity["service"],
        dash(&top(&sum_by(&rows, |r| Some(r.service.clone()))))
    );
    let top_sub = top(&sum_by(&rows, |r| Some(r.sub_account.clone())));
    let top_name = &rows
        .iter()
        .find(|r| r.sub_account == top_sub)
        .unwrap()
        .sub_account_name;
    assert_eq!(top_entity["linked_account"], top_name.as_str());
    // The CUR sample (November 2023) has nothing in September 2024.
    let cur = &all["processed_accounts"][c.cur_account.as_str()];
    assert_eq!(num(&cur["total_current_month"]), 0.0);
    assert_eq!(cur["chart_data"], json!([]));
    assert_eq!(cur["top_spend_entity"]["service"], "");

    // An end date picks the month: November 2023, the CUR sample's unblended cost.
    let uri = format!(
        "/cs/api/cost/accounts{}",
        json_string(&json!({"end_date": "2023-11-30", "cost_type": 1}))
    );
    let data = c.get(&uri).await;
    let november: Decimal = cur_rows().iter().map(|r| r.unblended).sum();
    assert_eq!(num(&data["current_month_total"]), shown(november));
    let cur = &data["all_accounts"]["processed_accounts"][c.cur_account.as_str()];
    assert_eq!(num(&cur["total_current_month"]), shown(november));
    assert_eq!(cur["top_spend_entity"]["linked_account"], "123412340534");
}

#[tokio::test]
async fn account_endpoints_reject_bad_input_naming_it() {
    let c = cost_app().await;
    let cases = [
        (
            "/cs/api/cost/accounts",
            json!({"cost_account_id": "99999999999999999"}),
            StatusCode::NOT_FOUND,
            "99999999999999999",
        ),
        (
            "/cs/api/cost/accounts",
            json!({"start_date": "2024-09-30", "end_date": "2024-09-01"}),
            StatusCode::BAD_REQUEST,
            "start_date",
        ),
        (
            "/cs/api/cost/accounts/accounts_data",
            json!({"accounts": [{"cost_account_id": "12345"}]}),
            StatusCode::NOT_FOUND,
            "12345",
        ),
        (
            "/cs/api/cost/cloud_overallcost",
            json!({"end_date": "2024/09/30"}),
            StatusCode::BAD_REQUEST,
            "end_date",
        ),
        (
            "/cs/api/cost/cloud_group_by_entities",
            json!({"start_date": "2024-09-01", "end_date": "2024-09-30", "group_by_type": "colour"}),
            StatusCode::BAD_REQUEST,
            "group_by_type",
        ),
        (
            "/cs/api/cost/cloud_group_by_entities",
            json!({"start_date": "2024-09-01", "end_date": "2024-09-30"}),
            StatusCode::BAD_REQUEST,
            "group_by_type",
        ),
        (
            "/cs/api/cost/sankey_chart_data",
            json!({"start_date": "2031-01-01", "end_date": "2031-01-31"}),
            StatusCode::BAD_REQUEST,
            "start_date",
        ),
        (
            "/cs/api/cost/cloud_discounts",
            json!({"cost_account_id": "424242"}),
            StatusCode::NOT_FOUND,
            "424242",
        ),
        (
            "/cs/api/cost/bills",
            json!({"cost_account_id": "77777777777777777"}),
            StatusCode::NOT_FOUND,
            "77777777777777777",
        ),
    ];
    for (path, input, status, needle) in cases {
        let uri = format!("{path}{}", json_string(&input));
        let (got, body) = c.app.call("GET", &uri, None).await;
        assert_eq!(got, status, "{uri}: {body}");
        assert_error_envelope(got, &body);
        assert!(
            body["error"].as_str().unwrap().contains(needle),
            "{needle} in {body}"
        );
    }
    // Plain query parameters as in the licensing example, and a malformed JSONString.
    let (got, body) = c
        .app
        .call(
            "GET",
            "/cs/api/cost/bills?start_date=2024-13-01&end_date=2024-12-31",
            None,
        )
        .await;
    assert_eq!(got, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("start_date"),
        "{body}"
    );
    let (got, body) = c
        .app
        .call(
            "GET",
            "/cs/api/cost/sankey_chart_data?JSONString=%7Bstart_date",
            None,
        )
        .await;
    assert_eq!(got, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("JSONString"),
        "{body}"
    );
}

#[tokio::test]
async fn report_tiles_list_processed_accounts_with_data() {
    let c = cost_app().await;
    let data = c.get("/cs/api/cost/reports/report_tile_status").await;
    let tile = &data["tiles"]["reservations"];
    assert_eq!(tile["report_type"], 1);
    let mut ids: Vec<i64> = tile["processed_cost_account_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    ids.sort();
    let mut expected: Vec<i64> = [&c.focus_account, &c.cur_account]
        .iter()
        .map(|id| id.parse().unwrap())
        .collect();
    expected.sort();
    assert_eq!(ids, expected);
}

#[tokio::test]
async fn overall_cost_is_month_to_date_per_cloud() {
    let c = cost_app().await;
    let rows = focus_rows();
    let uri = format!(
        "/cs/api/cost/cloud_overallcost{}",
        json_string(&json!({"start_date": "2024-09-01", "end_date": "2024-09-20"}))
    );
    let data = c.get(&uri).await;
    let cutoff: NaiveDate = "2024-09-20".parse().unwrap();
    let in_range: Vec<FocusRow> = rows.into_iter().filter(|r| r.day <= cutoff).collect();
    let total: Decimal = in_range.iter().map(|r| r.billed).sum();
    let overall = &data["overall_data"];
    assert_eq!(num(&overall["current_mtd_cost"]), shown(total));
    // Neither August 2024 nor September 2023 has data.
    assert_eq!(num(&overall["previous_mtd_cost"]), 0.0);
    assert_eq!(num(&overall["m_o_m"]), 0.0);
    assert_eq!(num(&overall["y_o_y"]), 0.0);
    assert_eq!(overall["total_accounts"], 2);
    let per_cloud = sum_by(&in_range, |r| Some(cloud_of(r)));
    let clouds = data["cloud_level_data"].as_array().unwrap();
    assert_eq!(clouds.len(), per_cloud.len());
    for cl in clouds {
        let name = cl["cloud"].as_str().unwrap();
        assert_eq!(
            num(&cl["current_mtd_cost"]),
            shown(per_cloud[name]),
            "{name}"
        );
        assert_eq!(num(&cl["m_o_m"]), 0.0);
    }
    assert_eq!(clouds[0]["cloud"], "AWS", "largest first");
}

#[tokio::test]
async fn available_range_spans_both_samples() {
    let c = cost_app().await;
    let data = c.get("/cs/api/cost/cloud_available_range").await;
    let cur_min = cur_rows().iter().map(|r| r.start.clone()).min().unwrap();
    // `2023-11-01T00:00:00Z` → `2023-11-01T00:00:00+0000`.
    assert_eq!(data["min_date"], format!("{}+0000", &cur_min[..19]));
    let mut reader = csv::Reader::from_path(fixture(crate::costs::FOCUS)).unwrap();
    let headers = reader.headers().unwrap().clone();
    let start = headers
        .iter()
        .position(|h| h == "ChargePeriodStart")
        .unwrap();
    let focus_max = reader
        .records()
        .map(|r| r.unwrap()[start].to_string())
        .max()
        .unwrap();
    // `2024-09-30 23:00:00` → `2024-09-30T23:00:00+0000`.
    assert_eq!(
        data["max_date"],
        format!("{}+0000", focus_max.replace(' ', "T"))
    );
}

#[tokio::test]
async fn group_by_entities_ranks_regions_and_billing_accounts() {
    let c = cost_app().await;
    let rows = focus_rows();
    let query = |group: &str| {
        format!(
            "/cs/api/cost/cloud_group_by_entities{}",
            json_string(
                &json!({"start_date": "2024-09-01", "end_date": "2024-09-30",
                "group_by_type": group})
            )
        )
    };
    let data = c.get(&query("region")).await;
    let expected = sum_by(&rows, |r| Some((cloud_of(r).to_string(), dash(&r.region))));
    let got = data["data"].as_array().unwrap();
    assert_eq!(got.len(), expected.len());
    let mut previous = f64::INFINITY;
    for e in got {
        let k = (
            e["cloud"].as_str().unwrap().to_string(),
            e["name"].as_str().unwrap().to_string(),
        );
        assert_eq!(num(&e["cost"]), shown(expected[&k]), "{k:?}");
        assert_eq!(e["acc_name"], "FOCUS sample");
        assert!(num(&e["cost"]) <= previous, "largest first");
        previous = num(&e["cost"]);
    }

    // Several sub-accounts share a name: compare the (name, cost) lists.
    let data = c.get(&query("accounts")).await;
    let by_id = sum_by(&rows, |r| Some(r.sub_account.clone()));
    let mut expected: Vec<(String, f64)> = by_id
        .iter()
        .map(|(id, cost)| {
            let name = &rows
                .iter()
                .find(|r| &r.sub_account == id)
                .unwrap()
                .sub_account_name;
            (name.clone(), shown(*cost))
        })
        .collect();
    let mut got: Vec<(String, f64)> = data["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["name"].as_str().unwrap().to_string(), num(&e["cost"])))
        .collect();
    assert_eq!(got.len(), expected.len().min(100));
    expected.sort_by(|a, b| a.partial_cmp(b).unwrap());
    got.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert_eq!(got, expected);
}

#[tokio::test]
async fn sankey_flows_go_from_cloud_to_charge_region_and_service() {
    let c = cost_app().await;
    let rows = focus_rows();
    let mut reader = csv::Reader::from_path(fixture(crate::costs::FOCUS)).unwrap();
    let headers = reader.headers().unwrap().clone();
    let category = headers.iter().position(|h| h == "ChargeCategory").unwrap();
    let categories: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[category].to_string())
        .collect();
    let mut expected: BTreeMap<(String, String, String, String), Decimal> = BTreeMap::new();
    for (r, cat) in rows.iter().zip(&categories) {
        *expected
            .entry((
                cloud_of(r).into(),
                cat.clone(),
                dash(&r.region),
                dash(&r.service),
            ))
            .or_default() += r.billed;
    }
    let uri = format!(
        "/cs/api/cost/sankey_chart_data{}",
        json_string(&json!({"start_date": "2024-09-01", "end_date": "2024-09-30"}))
    );
    let data = c.get(&uri).await;
    let flows = data["data"].as_array().unwrap();
    assert_eq!(flows.len(), expected.len());
    for f in flows {
        let k = (
            f[0].as_str().unwrap().to_string(),
            f[1].as_str().unwrap().to_string(),
            f[2].as_str().unwrap().to_string(),
            f[3].as_str().unwrap().to_string(),
        );
        assert_eq!(num(&f[4]), shown(expected[&k]), "{k:?}");
    }
    assert!(flows.iter().any(|f| f[1] == "Credit"));
}

#[tokio::test]
async fn discounts_are_the_credits_per_cloud() {
    let c = cost_app().await;
    let rows = focus_rows();
    let mut reader = csv::Reader::from_path(fixture(crate::costs::FOCUS)).unwrap();
    let headers = reader.headers().unwrap().clone();
    let category = headers.iter().position(|h| h == "ChargeCategory").unwrap();
    let credit: Vec<bool> = reader
        .records()
        .map(|r| &r.unwrap()[category] == "Credit")
        .collect();
    let mut expected: BTreeMap<&str, Decimal> = BTreeMap::new();
    for (r, is_credit) in rows.iter().zip(&credit) {
        if *is_credit {
            *expected.entry(cloud_of(r)).or_default() += r.billed;
        }
    }
    assert!(!expected.is_empty(), "the sample has credits");
    let uri = format!(
        "/cs/api/cost/cloud_discounts{}",
        json_string(&json!({"start_date": "2024-09-01", "end_date": "2024-09-30"}))
    );
    let data = c.get(&uri).await;
    let got = data["data"].as_array().unwrap();
    assert_eq!(got.len(), expected.len());
    for d in got {
        let cloud = d["cloud"].as_str().unwrap();
        assert_eq!(num(&d["discount"]), shown(expected[cloud]), "{cloud}");
        assert_eq!(d["discounts"][0][0], "Credit");
    }
}

#[tokio::test]
async fn bills_are_monthly_spend_per_cost_account_and_cloud() {
    let c = cost_app().await;
    let rows = focus_rows();
    // Every month with data; unblended cost so the CUR sample can be summed from its CSV.
    let uri = format!(
        "/cs/api/cost/bills{}",
        json_string(&json!({"cost_type": 1}))
    );
    let data = c.get(&uri).await;
    let bills = data["data"].as_array().unwrap();
    let name = |r: &FocusRow| match r.provider.as_str() {
        "AWS" => "AWS",
        "Microsoft" => "Azure",
        _ => "OCI",
    };
    let focus = sum_by(&rows, |r| Some(name(r)));
    assert_eq!(bills.len(), focus.len() + 1, "{bills:?}");
    for b in bills {
        assert!(!b["entry_time"].as_str().unwrap().is_empty());
        assert_eq!(b["chargeable"], false);
        assert_eq!(num(&b["billed"]), 0.0);
        assert_eq!(b["unpaid"], false);
    }
    let cur = &bills[0];
    assert_eq!(
        cur["start_time"], "2023-11-01T00:00:00+0000",
        "months in order"
    );
    assert_eq!(cur["cost_account_id"], c.cur_account.as_str());
    assert_eq!(cur["cost_account_name"], "CUR sample");
    assert_eq!(cur["cloud_type"], "AWS");
    let november: Decimal = cur_rows().iter().map(|r| r.unblended).sum();
    assert_eq!(num(&cur["cost"]), shown(november));
    for b in &bills[1..] {
        assert_eq!(b["start_time"], "2024-09-01T00:00:00+0000");
        assert_eq!(b["cost_account_id"], c.focus_account.as_str());
        let cloud = b["cloud_type"].as_str().unwrap();
        assert_eq!(num(&b["cost"]), shown(focus[cloud]), "{cloud}");
    }

    // Plain parameters; a few days of a month bill the whole month.
    let data = c
        .get("/cs/api/cost/bills?start_date=2024-09-10&end_date=2024-09-12")
        .await;
    let bills = data["data"].as_array().unwrap();
    assert_eq!(bills.len(), focus.len());
    let total: f64 = bills.iter().map(|b| num(&b["cost"])).sum();
    let expected: Decimal = rows.iter().map(|r| r.billed).sum();
    assert!(
        (total - shown(expected)).abs() < 0.002,
        "{total} vs {expected}"
    );
}
