//! The route table type: method, path, scope and handler of one spec endpoint.

use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter, on};
use skyledger_types::Operation;

use crate::AppState;
use crate::envelope::ApiError;
use crate::gate;

pub(crate) const GET: Method = Method::GET;
pub(crate) const POST: Method = Method::POST;
pub(crate) const PUT: Method = Method::PUT;
pub(crate) const DELETE: Method = Method::DELETE;

/// One spec endpoint: its (method, path), the operation its scope names, and its handler —
/// or none yet, in which case it answers 501 after authentication.
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub operation: Operation,
    pub summary: &'static str,
    handler: Option<MethodRouter<AppState>>,
}

impl Route {
    /// An endpoint not built yet: it authenticates, then answers 501.
    pub fn missing(
        method: Method,
        path: &'static str,
        operation: Operation,
        summary: &'static str,
    ) -> Route {
        Route {
            method,
            path,
            operation,
            summary,
            handler: None,
        }
    }

    /// A built endpoint.
    pub fn new<H, T>(
        method: Method,
        path: &'static str,
        operation: Operation,
        summary: &'static str,
        handler: H,
    ) -> Route
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = filter(&method);
        Route {
            method,
            path,
            operation,
            summary,
            handler: Some(on(filter, handler)),
        }
    }

    pub fn implemented(&self) -> bool {
        self.handler.is_some()
    }

    /// The handler wrapped in the gate: authentication, the route's scope, path parameters.
    pub(crate) fn into_method_router(self, state: &AppState) -> MethodRouter<AppState> {
        let gate = gate::Gate::new(state.meta.clone(), self.operation, self.path);
        let handler = match self.handler {
            Some(handler) => handler,
            None => {
                let method = self.method.clone();
                let path = self.path;
                on(filter(&self.method), move || async move {
                    ApiError::NotImplemented(format!("{method} {path} is not implemented yet"))
                })
            }
        };
        handler.layer(axum::middleware::from_fn_with_state(gate, gate::gate))
    }
}

fn filter(method: &Method) -> MethodFilter {
    MethodFilter::try_from(method.clone()).unwrap_or(MethodFilter::GET)
}

/// One row of the route inventory (`skyledger routes`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RouteInfo {
    pub section: &'static str,
    pub method: String,
    pub path: &'static str,
    pub scope: &'static str,
    pub summary: &'static str,
    pub implemented: bool,
}

/// Every spec route with its scope and whether it is built, in the spec's order.
pub fn inventory() -> Vec<RouteInfo> {
    crate::sections::all()
        .into_iter()
        .map(|(section, r)| RouteInfo {
            section,
            method: r.method.to_string(),
            path: r.path,
            scope: r.operation.scope(),
            summary: r.summary,
            implemented: r.implemented(),
        })
        .collect()
}
