//! Spec section 32, "Currency" (Admin): `spec/sections/32-currency.md`.

use skyledger_types::Operation::{Create, Read};

use crate::routes::{GET, POST, Route};

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::missing(
            GET,
            "/cs/api/cost/display_currency",
            Read,
            "Get current display currency setting",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/exchange_rates",
            Read,
            "Get historical exchange rates by month",
        ),
        Route::missing(
            GET,
            "/cs/api/cost/currencies_format",
            Read,
            "Get all supported currency formats",
        ),
        Route::missing(
            POST,
            "/cs/api/cost/exchange_rate",
            Create,
            "Add a custom exchange rate",
        ),
    ]
}
