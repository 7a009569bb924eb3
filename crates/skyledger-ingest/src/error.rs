//! Typed ingest errors; every one names the file, and row errors the line and column.

use std::io;

/// Why reading a billing file failed.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{file}: cannot read: {source}")]
    Io {
        file: String,
        #[source]
        source: io::Error,
    },
    #[error("{file}: the file is empty (no header and no rows)")]
    Empty { file: String },
    #[error("{file}: cannot decompress: {reason}")]
    Decompress { file: String, reason: String },
    #[error("{file}: unknown billing format ({reason}); supported formats: {supported}")]
    UnknownFormat {
        file: String,
        reason: String,
        supported: String,
    },
    #[error("{file}: not a valid {format} file: required column {column} is missing")]
    MissingColumn {
        file: String,
        format: &'static str,
        column: String,
    },
    #[error("{file}:{line}:{column}: {reason}")]
    BadRow {
        file: String,
        /// 1-based line of the (decompressed) text file, or the 0-based row index in a
        /// Parquet file (`row` in the message then).
        line: u64,
        column: String,
        reason: String,
    },
    #[error("{file}: Parquet: {reason}")]
    Parquet { file: String, reason: String },
    #[error(
        "{file}:{line}: billing account {account} has rows in two currencies ({first} and {second}); \
         one account must bill in one currency"
    )]
    MixedCurrency {
        file: String,
        line: u64,
        account: String,
        first: String,
        second: String,
    },
    #[error("{file}: manifest: {reason}")]
    Manifest { file: String, reason: String },
    #[error("{file}: duplicate delivery: {reason}")]
    DuplicateDelivery { file: String, reason: String },
}

impl IngestError {
    pub(crate) fn io(file: &str, source: io::Error) -> Self {
        // flate2 reports a cut-off gzip stream as UnexpectedEof.
        if source.kind() == io::ErrorKind::UnexpectedEof {
            return Self::Decompress {
                file: file.to_string(),
                reason: "the compressed stream ends early (truncated file?)".into(),
            };
        }
        if source.kind() == io::ErrorKind::InvalidData
            || source.kind() == io::ErrorKind::InvalidInput
        {
            return Self::Decompress {
                file: file.to_string(),
                reason: source.to_string(),
            };
        }
        Self::Io {
            file: file.to_string(),
            source,
        }
    }
}
