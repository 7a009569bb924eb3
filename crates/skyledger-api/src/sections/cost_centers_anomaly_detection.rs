//! Spec section 05, "Cost Centers > Anomaly Detection" (Cost Centers): `spec/sections/05-cost-centers-anomaly-detection.md`.

use skyledger_types::Operation::{Create, Read};

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            GET,
            "/cs/api/cost/cost_centers/spend_analysis/anomaly/similar",
            Read,
            "Get similar cost centers anomalies",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/cost_centers/spend_analysis/anomaly/chart",
            Read,
            "Get cost centers anomaly chart data",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/cost_centers/spend_analysis/anomaly/details/meta",
            Read,
            "Get cost centers anomaly details metadata",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/cost_centers/spend_analysis/anomaly/details/report",
            Create,
            "Generate anomaly details report for cost centers",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/cost_centers/spend_analysis/anomaly/details/rca",
            Read,
            "Get cost centers anomaly root cause analysis",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/cost_centers/spend_analysis/anomaly/details/report/profiles",
            Read,
            "List anomaly report profiles",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/cost_centers/spend_analysis/anomaly/data",
            Read,
            "Get cost centers anomaly history data",
        ),
    ]
}
