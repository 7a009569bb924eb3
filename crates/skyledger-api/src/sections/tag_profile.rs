//! Spec section 33, "Tag Profile" (Admin): `spec/sections/33-tag-profile.md`.

use skyledger_types::Operation::{Create, Read};

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            POST,
            "/cs/api/cost/admin/tag_profile",
            Create,
            "Create a new tag profile",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/admin/tags",
            Read,
            "Get available tags for profile creation",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/admin/all_custom_user_tags",
            Read,
            "Get all virtual tags",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/admin/tag_profiles",
            Read,
            "Get all tag profiles",
        ),
    ]
}
