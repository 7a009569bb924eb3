//! Spec section 35, "Permission Boundary" (Admin): `spec/sections/35-permission-boundary.md`.

use skyledger_types::Operation::{Create, Delete, Read, Update};

use crate::routes::{DELETE, GET, POST, PUT, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            GET,
            "/cs/api/cost/admin/rule/group/details",
            Read,
            "Get rule group details",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/admin/accounts_data",
            Read,
            "Get accounts data for permission boundary configuration",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/admin/rule/group/list",
            Read,
            "List rule groups for permission boundaries",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/admin/tag/virtual/list",
            Read,
            "List all permission boundaries",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/admin/tag/virtual",
            Create,
            "Create a new permission boundary",
        ),
        Route::missing(
            DELETE,
            "/cs/api/cost/admin/tag/virtual",
            Delete,
            "Delete a permission boundary",
        ),
        Route::missing(
            PUT,
            "/cs/api/cost/admin/tag/virtual",
            Update,
            "Update an existing permission boundary",
        ),
    ]
}
