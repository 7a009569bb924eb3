//! Spec section 13, "Report Scheduling" (Reports): `spec/sections/13-report-scheduling.md`.

use skyledger_types::Operation::{Create, Read};

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            GET,
            "/cs/api/cost/reports/integration/alert_configs",
            Read,
            "List alert configurations for reports module",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/reports/users",
            Read,
            "Get users and groups for report delivery",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/reports/budget_policys/{account_type}",
            Read,
            "Get budget policies by account type for reports module",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/reports/accounts_data",
            Read,
            "Get available accounts for cost reports (allocation and savings)",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/reports/integration/msp_alert_configs",
            Read,
            "List msp customer alert configurations for reports module",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/reports/custom_report/report",
            Create,
            "Create scheduled custom report",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/reports/accounts",
            Read,
            "Get all available accounts for spend analysis",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/reports/custom_report/report/profiles",
            Read,
            "Get available schedule profiles for report scheduling",
        ),
    ]
}
