//! Spec section 07, "Account Association" (Cost Centers): `spec/sections/07-account-association.md`.

use skyledger_types::Operation::Read;

use crate::routes::{GET, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![Route::missing(
        GET,
        "/cs/api/cost/cost_centers/accounts",
        Read,
        "List cost centers accounts",
    )]
}
