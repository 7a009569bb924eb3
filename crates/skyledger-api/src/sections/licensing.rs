//! Spec section 29, "Licensing" (Admin): `spec/sections/29-licensing.md`.

use skyledger_types::Operation::Read;

use crate::routes::{GET, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![Route::missing(
        GET,
        "/cs/api/cost/bills",
        Read,
        "Get billing and license details",
    )]
}
