//! Business rules: cost accounts and ingestion now; cost centers, budgets, anomaly, governance
//! and the rest as the API grows.

pub mod azure_pair;
pub mod ingestion;
pub mod poll;
pub mod sources;
