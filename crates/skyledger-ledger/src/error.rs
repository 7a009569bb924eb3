//! Errors of the cost store.

use datafusion::error::DataFusionError;

/// Boxed error of a batch source handed to the store.
pub type SourceError = Box<dyn std::error::Error + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("invalid billing period {0:?}: expected YYYY-MM")]
    InvalidPeriod(String),
    #[error("invalid cost account id {0:?}: expected 1-128 characters of A-Z a-z 0-9 . _ -")]
    InvalidCostAccount(String),
    #[error("invalid store location {location:?}: {reason}")]
    InvalidLocation { location: String, reason: String },
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    #[error("input batch {batch}: {reason}")]
    InvalidInput { batch: usize, reason: String },
    #[error(
        "input batch {batch} row {row}: BillingPeriodStart {found} is outside billing period {expected}"
    )]
    PeriodMismatch {
        batch: usize,
        row: usize,
        expected: String,
        found: String,
    },
    #[error("reading input batch {batch} failed, nothing was committed: {source}")]
    Source {
        batch: usize,
        #[source]
        source: SourceError,
    },
    #[error(
        "the manifest changed under {attempts} commit attempts in a row; nothing was committed"
    )]
    CommitConflict { attempts: usize },
    #[error("manifest {path}: {reason}")]
    CorruptManifest { path: String, reason: String },
    #[error("object store: {0}")]
    Store(#[from] object_store::Error),
    #[error("parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    #[error("arrow: {0}")]
    Arrow(#[from] datafusion::arrow::error::ArrowError),
    #[error("query engine: {0}")]
    Engine(#[from] DataFusionError),
    #[error("internal: {0}")]
    Internal(String),
    #[error("manifest encoding: {0}")]
    Json(#[from] serde_json::Error),
}

pub type Result<T, E = LedgerError> = std::result::Result<T, E>;
