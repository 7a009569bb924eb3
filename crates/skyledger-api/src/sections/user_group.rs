//! Spec section 39, "User Group" (Admin): `spec/sections/39-user-group.md`.

use skyledger_types::Operation::{Create, Update};

use crate::routes::{POST, PUT, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            POST,
            "/cs/api/cost/user_group",
            Create,
            "Create a new user group",
        ),
        Route::missing(
            PUT,
            "/cs/api/cost/user_group",
            Update,
            "Update a user group",
        ),
    ]
}
