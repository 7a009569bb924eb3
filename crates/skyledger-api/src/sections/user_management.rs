//! Spec section 36, "User Management" (Admin): `spec/sections/36-user-management.md`.

use skyledger_types::Operation::{Create, Read, Update};

use crate::routes::{GET, POST, PUT, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(POST, "/cs/api/cost/users", Create, "Create a new user"),
        Route::missing(
            GET,
            "/cs/api/cost/users",
            Read,
            "Get all users and user groups",
        ),
        Route::missing(
            PUT,
            "/cs/api/cost/users/{userId}",
            Update,
            "Update user details",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/users/{userId}",
            Read,
            "Get user details by ID",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/resend_invite",
            Create,
            "Resend user invitation email",
        ),
    ]
}
