//! The CloudSpend HTTP API: route table, envelope and error mapping, auth extractors.

mod cost;
pub mod envelope;
mod gate;
pub mod input;
mod metrics;
mod oauth;
mod observe;
pub mod routes;
mod sections;
mod system;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::routing::MethodRouter;
use skyledger_meta::Meta;

pub use envelope::{ApiError, ApiResult, ok};
pub use input::Input;
pub use metrics::Metrics;
pub use routes::{RouteInfo, inventory};
pub use skyledger_auth::Caller;

/// Settings the HTTP layer needs.
#[derive(Debug, Clone)]
pub struct ApiSettings {
    /// Largest request body accepted, in bytes; larger bodies get 413.
    pub body_limit: usize,
    /// The public base URL of this server (OAuth responses carry it as `api_domain`).
    pub api_domain: String,
}

impl Default for ApiSettings {
    fn default() -> Self {
        ApiSettings {
            body_limit: 1 << 20,
            api_domain: "http://127.0.0.1:8080".to_string(),
        }
    }
}

/// Everything a handler can reach; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub meta: Meta,
    pub settings: Arc<ApiSettings>,
    pub metrics: Arc<Metrics>,
    /// The cost store, when this server has one open (`/readyz` checks it).
    pub cost_store: Option<Arc<skyledger_ledger::Ledger>>,
    /// Per organisation, the cost store's period versions when its solution reports were last
    /// looked for: unchanged data is not scanned again.
    pub(crate) report_scans: Arc<std::sync::Mutex<std::collections::HashMap<String, String>>>,
}

impl AppState {
    pub fn new(meta: Meta, settings: ApiSettings) -> AppState {
        AppState {
            meta,
            settings: Arc::new(settings),
            metrics: Arc::new(Metrics::default()),
            cost_store: None,
            report_scans: Arc::default(),
        }
    }

    pub fn with_cost_store(mut self, ledger: skyledger_ledger::Ledger) -> AppState {
        self.cost_store = Some(Arc::new(ledger));
        self
    }
}

/// The whole HTTP surface: every spec route (built or answering 501), system endpoints, and the
/// envelope for everything else (404, 405, 413, panics).
pub fn router(state: AppState) -> Router {
    let mut by_path: BTreeMap<&'static str, (Vec<String>, MethodRouter<AppState>)> =
        BTreeMap::new();
    for (_, route) in sections::all() {
        let path = route.path;
        let method = route.method.to_string();
        let method_router = route.into_method_router(&state);
        match by_path.remove(path) {
            Some((mut methods, merged)) => {
                methods.push(method);
                by_path.insert(path, (methods, merged.merge(method_router)));
            }
            None => {
                by_path.insert(path, (vec![method], method_router));
            }
        }
    }
    let mut router = Router::new();
    for (path, (methods, method_router)) in by_path {
        let allow = methods.join(", ");
        router = router.route(
            path,
            method_router.fallback(move |method: axum::http::Method| async move {
                envelope::method_not_allowed(&method, path, &allow)
            }),
        );
    }
    finish(router.merge(system::routes()).merge(oauth::routes()), state)
}

/// Adds what every response goes through — the 404 envelope, body limit, request ids, logs,
/// metrics and the panic guard — to `router`.
pub fn finish(router: Router<AppState>, state: AppState) -> Router {
    router
        .fallback(envelope::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            observe::body_limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            observe::observe,
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            envelope::panic_response,
        ))
        .with_state(state)
}
