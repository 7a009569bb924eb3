//! The query layer of the cost endpoints (accounts, cost centers, reports, dashboards): request
//! fields, scope resolution into the ledger's typed `CostQuery`, and response shapes. Handlers
//! call this; none writes SQL.

pub(crate) mod format;
pub(crate) mod reports;
pub(crate) mod request;
pub(crate) mod scope;

pub(crate) use request::CostRequest;
pub(crate) use scope::Scope;
