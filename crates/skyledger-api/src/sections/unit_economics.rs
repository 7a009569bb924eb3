//! Spec section 17, "Unit Economics" (Reports): `spec/sections/17-unit-economics.md`.

use skyledger_types::Operation::{Create, Read};

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            GET,
            "/cs/api/cost/reports/unit/economics/unit/list",
            Read,
            "Get unit economics unit list",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/reports/unit/economics/cx_preference",
            Read,
            "Get unit economics customer preferences",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/reports/unit/economics/custom/report/list",
            Read,
            "List unit economics custom reports",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/reports/unit/economics/custom/report",
            Create,
            "Create unit economics custom report",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/reports/unit/economics/schedule/report/profiles",
            Read,
            "Get unit economics schedule profiles",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/reports/unit/economics/schedule/report",
            Create,
            "Create unit economics scheduled report",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/reports/unit/economics/custom/report/details/{report_id}",
            Read,
            "Get unit economics custom report details",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/reports/unit/economics/resource/list",
            Read,
            "Get usage unit resource details",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/reports/unit/economics/list",
            Read,
            "Get unit cost details",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/reports/unit/economics/resource/trend",
            Read,
            "Get usage unit resource trend details",
        ),
    ]
}
