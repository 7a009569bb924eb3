//! Spec section 25, "Tags" (Accounts): `spec/sections/25-tags.md`.

use skyledger_types::Operation::{Create, Read};

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(GET, "/cs/api/cost/accounts/tags", Read, "Get Account Tags"),
        Route::missing(
            POST,
            "/cs/api/cost/accounts/custom_tags_for_cc_ca",
            Create,
            "Set custom tags for cost accounts",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/accounts/resource_explorer/resource_tags",
            Create,
            "Create custom tags for resources",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/accounts/resource_explorer/all_custom_user_tags",
            Read,
            "Get all available custom user tags",
        ),
    ]
}
