//! Spec section 22, "Accounts > Anomaly Detection" (Accounts): `spec/sections/22-accounts-anomaly-detection.md`.

use skyledger_types::Operation::{Create, Read};

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            GET,
            "/cs/api/accounts/spend_analysis/anomaly/data",
            Read,
            "List Account Anomaly History",
        ),
        Route::missing(
            GET,
            "/cs/api/accounts/spend_analysis/anomaly/chart",
            Read,
            "Get Account Spend Anomaly Chart Data",
        ),
        Route::missing(
            GET,
            "/cs/api/accounts/spend_analysis/anomaly/similar",
            Read,
            "Get Similar Anomalies for Pattern Analysis",
        ),
        Route::missing(
            GET,
            "/cs/api/accounts/spend_analysis/anomaly/details/meta",
            Read,
            "Get Account Spend Anomaly Details Metadata",
        ),
        Route::missing(
            GET,
            "/cs/api/accounts/spend_analysis/anomaly/details/rca",
            Read,
            "Get Account Anomaly Root Cause Analysis",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/accounts/spend_analysis/anomaly/details/report",
            Create,
            "Generate anomaly details report",
        ),
    ]
}
