//! The route table: one module per spec section, in the spec's order.

mod account_association;
mod account_management;
mod accounts_anomaly_detection;
mod accounts_cost_allocation;
mod accounts_reports;
mod analytics;
mod anomaly;
mod budget;
mod budget_policy;
mod cost_analytics;
mod cost_centers_anomaly_detection;
mod cost_centers_management;
mod cost_centers_reports;
mod currency;
mod custom_dashboard;
mod governance;
mod licensing;
mod permission_boundary;
mod report_profile;
mod report_scheduling;
mod reports_cost_allocation;
mod reservation;
mod resource_insights;
mod resource_inventory;
mod resource_management;
mod rule_engine;
mod savings;
mod schedule_report;
mod settings;
mod solution_report;
mod summary_report;
mod tag_management;
mod tag_profile;
mod tagging_compliance;
mod tags;
mod unit_economics;
mod user_group;
mod user_management;
mod user_role;
mod zia_anomaly;

use crate::routes::Route;

/// A spec section's name and its route list.
type Section = (&'static str, fn() -> Vec<Route>);

/// Every route of the API, with the spec section it belongs to.
pub(crate) fn all() -> Vec<(&'static str, Route)> {
    let sections: [Section; 40] = [
        ("Cost Centers Management", cost_centers_management::routes),
        ("Cost Analytics", cost_analytics::routes),
        ("Cost Centers > Reports", cost_centers_reports::routes),
        ("Resource Insights", resource_insights::routes),
        (
            "Cost Centers > Anomaly Detection",
            cost_centers_anomaly_detection::routes,
        ),
        ("Tag Management", tag_management::routes),
        ("Account Association", account_association::routes),
        ("Summary Report", summary_report::routes),
        ("Tagging Compliance", tagging_compliance::routes),
        ("Solution Report", solution_report::routes),
        ("Custom Dashboard", custom_dashboard::routes),
        ("Resource Inventory", resource_inventory::routes),
        ("Report Scheduling", report_scheduling::routes),
        ("Zia Anomaly", zia_anomaly::routes),
        ("Savings", savings::routes),
        ("Reports > Cost Allocation", reports_cost_allocation::routes),
        ("Unit Economics", unit_economics::routes),
        ("Reservation", reservation::routes),
        ("Budget", budget::routes),
        ("Anomaly", anomaly::routes),
        ("Governance", governance::routes),
        (
            "Accounts > Anomaly Detection",
            accounts_anomaly_detection::routes,
        ),
        ("Analytics", analytics::routes),
        ("Accounts > Reports", accounts_reports::routes),
        ("Tags", tags::routes),
        (
            "Accounts > Cost Allocation",
            accounts_cost_allocation::routes,
        ),
        ("Account Management", account_management::routes),
        ("Resource Management", resource_management::routes),
        ("Licensing", licensing::routes),
        ("Rule Engine", rule_engine::routes),
        ("Budget Policy", budget_policy::routes),
        ("Currency", currency::routes),
        ("Tag Profile", tag_profile::routes),
        ("Settings", settings::routes),
        ("Permission Boundary", permission_boundary::routes),
        ("User Management", user_management::routes),
        ("Schedule Report", schedule_report::routes),
        ("User Role", user_role::routes),
        ("User Group", user_group::routes),
        ("Report Profile", report_profile::routes),
    ];
    sections
        .into_iter()
        .flat_map(|(section, routes)| routes().into_iter().map(move |r| (section, r)))
        .collect()
}
