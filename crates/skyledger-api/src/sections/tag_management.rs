//! Spec section 06, "Tag Management" (Cost Centers): `spec/sections/06-tag-management.md`.

use skyledger_types::Operation::{Create, Read};

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            POST,
            "/cs/api/cost/show_more_tags",
            Read,
            "Get available tags for cost analysis grouping",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/cost_centers/cc_tags",
            Read,
            "Get cost centers tags",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/cost_centers/custom_tags_for_cc_ca",
            Create,
            "Set custom tags for cost centers cost account",
        ),
    ]
}
