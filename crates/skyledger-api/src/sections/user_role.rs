//! Spec section 38, "User Role" (Admin): `spec/sections/38-user-role.md`.

use skyledger_types::Operation::{Create, Read};

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            GET,
            "/cs/api/cost/user_roles",
            Read,
            "Get all custom user roles",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/user_role",
            Create,
            "Create a custom user role",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/user_role/{roleId}",
            Read,
            "Get custom role details by ID",
        ),
    ]
}
