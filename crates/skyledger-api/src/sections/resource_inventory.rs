//! Spec section 12, "Resource Inventory" (Reports): `spec/sections/12-resource-inventory.md`.

use skyledger_types::Operation::{Create, Read};

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            GET,
            "/cs/api/cost/reports/resource_inventory/report/profiles",
            Read,
            "Get resource inventory report schedule profiles",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/reports/all_custom_user_tags",
            Read,
            "Get all custom user tags",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/ri_list",
            Read,
            "Get resource details list",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/resource/{resource_id}/tags",
            Read,
            "Get comprehensive resource tags data",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/resources_list",
            Read,
            "Get resources list grouped by service, account, or region",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/reports/resource_tags",
            Create,
            "Add custom tags to resource",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/ri_resouce_trend_chart",
            Read,
            "Get individual resource trend chart data",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/reports/resource_inventory/ri_list/report",
            Create,
            "Create scheduled resource inventory list report",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/reports/resource_inventory/report",
            Create,
            "Create scheduled resource inventory report",
        ),
    ]
}
