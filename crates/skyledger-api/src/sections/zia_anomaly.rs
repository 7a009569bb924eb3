//! Spec section 14, "Zia Anomaly" (Reports): `spec/sections/14-zia-anomaly.md`.

use skyledger_types::Operation::{Create, Read};

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            GET,
            "/cs/api/reports/anomaly/summary/list/chart",
            Read,
            "Get anomaly trend chart data",
        ),
        Route::missing(
            POST,
            "/cs/api/reports/anomaly/report",
            Create,
            "Create scheduled zia anomaly report (summary and category)",
        ),
        Route::missing(
            GET,
            "/cs/api/reports/anomaly/summary/list/details/meta",
            Read,
            "Get anomaly metadata and summary information",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/reports/anomaly/report/profiles",
            Read,
            "Get schedule profiles for zia anomaly report scheduling",
        ),
        Route::missing(
            GET,
            "/cs/api/reports/anomaly/all",
            Read,
            "Get all available anomalies for details report scheduling",
        ),
        Route::missing(
            GET,
            "/cs/api/reports/anomaly/summary",
            Read,
            "Get zia anomaly detection summary",
        ),
        Route::missing(
            GET,
            "/cs/api/reports/anomaly/summary/list/details/rca",
            Read,
            "Get comprehensive anomaly root cause analysis",
        ),
        Route::missing(
            GET,
            "/cs/api/reports/anomaly/summary/list",
            Read,
            "Get anomaly detection list by category",
        ),
        Route::missing(
            GET,
            "/cs/api/reports/anomaly/summary/list/data",
            Read,
            "Get detailed anomaly analysis data",
        ),
        Route::missing(
            GET,
            "/cs/api/reports/anomaly/summary/list/similar",
            Read,
            "Get similar anomaly recommendations",
        ),
        Route::missing(
            POST,
            "/cs/api/reports/anomaly/list/details/report",
            Create,
            "Create scheduled zia anomaly details report",
        ),
        Route::missing(
            GET,
            "/cs/api/reports/anomaly/list/details/report/profiles",
            Read,
            "Get schedule profiles for zia anomaly details report scheduling",
        ),
    ]
}
