//! Billing-format readers: each streams a provider export as Arrow batches of normalised cost rows.
//!
//! [`open`] a file (plain, `.gz`, `.zip`, Parquet, or a CUR delivery manifest) or
//! [`open_reader`] a byte stream; the format is sniffed from the header or schema unless
//! [`ReadOptions::format`] says it. The returned [`BatchReader`] yields record batches of
//! [`skyledger_types::cost_row::cost_row_schema`] rows, at most `batch_size` rows each, so
//! memory follows the batch size, not the file size. After the last batch,
//! [`BatchReader::stats`] tells rows, skipped bad rows, billing periods, accounts and
//! per-currency totals.
//!
//! By default the first bad row stops the read with an error naming `file:line:column`; the
//! caller then stores nothing for the period. With [`ReadOptions::skip_bad_rows`] bad rows are
//! counted and skipped.

mod aws;
mod azure;
pub mod azure_pair;
mod columnar;
pub mod decimal;
mod drivers;
mod error;
mod focus;
mod gcp;
mod header;
mod input;
mod manifest;
mod oci;
mod row;
mod sniff;
mod source;
pub mod time;

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use arrow_array::RecordBatch;

pub use error::IngestError;
pub use skyledger_types::cost_row::SourceFormat as Format;
pub use source::{CostTotals, ReadStats};

use crate::header::Header;
use crate::input::{Opened, Peeked};
use crate::source::{Mapper, RowSink};

/// The format a list of column names (CSV header or Parquet schema) belongs to; the error
/// says what was looked for. `--format` skips this.
pub fn sniff_columns(names: &[String]) -> Result<Format, String> {
    sniff::sniff(&Header::new(names.to_vec()))
}

/// Default rows per batch.
pub const DEFAULT_BATCH_SIZE: usize = 8192;

/// Whether an Azure cost file holds actual (billed) or amortized cost; the two exports share
/// one schema, so the kind comes from the file name (`…Amortized…`) unless given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AzureCostKind {
    Actual,
    Amortized,
}

/// How to read a billing file.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Force a format instead of sniffing it (`--format`).
    pub format: Option<Format>,
    /// Skip (and count) bad rows instead of failing on the first one.
    pub skip_bad_rows: bool,
    /// Rows per batch (at least 1).
    pub batch_size: usize,
    /// Azure actual vs amortized; `None` = from the file name, actual by default.
    pub azure_cost_kind: Option<AzureCostKind>,
    /// Values for mandatory FOCUS columns a FOCUS file lacks, e.g. `("BillingCurrency", "USD")`
    /// (the FOCUS spec examples carry only the columns they illustrate).
    pub column_defaults: Vec<(String, String)>,
    /// Map every row through the row mappers, never a whole Parquet batch at once: the
    /// reference the columnar path is tested against (same rows either way).
    pub row_by_row: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            format: None,
            skip_bad_rows: false,
            batch_size: DEFAULT_BATCH_SIZE,
            azure_cost_kind: None,
            column_defaults: Vec::new(),
            row_by_row: false,
        }
    }
}

/// A streaming reader of normalised cost rows.
pub trait BatchReader: Iterator<Item = Result<RecordBatch, IngestError>> + Send {
    /// The format being read.
    fn format(&self) -> Format;
    /// What was read so far (complete once the iterator returned `None`).
    fn stats(&self) -> ReadStats;
}

/// The formats, as listed in errors and `--help`.
pub fn supported_formats() -> String {
    Format::ALL
        .iter()
        .map(|f| format!("{} ({})", f.as_str(), describe(*f)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe(f: Format) -> &'static str {
    match f {
        Format::Focus => "FOCUS 1.0-1.2 CSV/Parquet",
        Format::AwsCur => "AWS legacy CUR CSV/gz/zip, manifest deliveries",
        Format::AwsCur2 => "AWS CUR 2.0 / Data Exports Parquet or CSV",
        Format::Azure => "Azure EA/MCA/pay-as-you-go cost exports, actual or amortized",
        Format::Gcp => "Google Cloud BigQuery billing export, JSON lines or CSV",
        Format::Oci => "OCI cost reports",
    }
}

/// Open a billing file, a CUR delivery manifest (`*Manifest.json`), or a folder holding one.
pub fn open(path: &Path, opts: &ReadOptions) -> Result<Box<dyn BatchReader>, IngestError> {
    if let Some(files) = manifest::delivery_files(path)? {
        return Ok(Box::new(manifest::ChainReader::new(files, opts.clone())));
    }
    let name = path.display().to_string();
    match input::open_path(path)? {
        Opened::Parquet(f) => open_parquet(&name, f, opts),
        Opened::ParquetBytes(b) => open_parquet(&name, bytes_of(b), opts),
        Opened::Text(p) => open_text(&name, p, opts),
    }
}

/// Open a billing byte stream (e.g. fetched from object storage). `name` is used in messages
/// and `x_SourceFile`, and for the Azure actual/amortized hint. Parquet streams are buffered
/// in memory (Parquet needs random access); prefer [`open`] on a temporary file for those.
pub fn open_reader(
    name: &str,
    r: Box<dyn Read + Send>,
    opts: &ReadOptions,
) -> Result<Box<dyn BatchReader>, IngestError> {
    match input::open_stream(name, r, None)? {
        Opened::Parquet(f) => open_parquet(name, f, opts),
        Opened::ParquetBytes(b) => open_parquet(name, bytes_of(b), opts),
        Opened::Text(p) => open_text(name, p, opts),
    }
}

fn bytes_of(b: Vec<u8>) -> bytes::Bytes {
    bytes::Bytes::from(b)
}

fn mapper_for(
    format: Format,
    header: &mut Header,
    name: &str,
    opts: &ReadOptions,
) -> Result<Box<dyn Mapper>, IngestError> {
    let missing = |column: String| IngestError::MissingColumn {
        file: name.to_string(),
        format: format.as_str(),
        column,
    };
    Ok(match format {
        Format::Focus => Box::new(focus::FocusMapper::new(header, opts).map_err(missing)?),
        Format::AwsCur | Format::AwsCur2 => {
            Box::new(aws::AwsMapper::new(format, header).map_err(missing)?)
        }
        Format::Azure => Box::new(azure::AzureMapper::new(header, name, opts).map_err(missing)?),
        Format::Gcp => Box::new(gcp::GcpMapper::new(header).map_err(missing)?),
        Format::Oci => Box::new(oci::OciMapper::new(header).map_err(missing)?),
    })
}

fn pick_format(name: &str, header: &Header, opts: &ReadOptions) -> Result<Format, IngestError> {
    match opts.format {
        Some(f) => Ok(f),
        None => sniff::sniff(header).map_err(|reason| IngestError::UnknownFormat {
            file: name.to_string(),
            reason,
            supported: supported_formats(),
        }),
    }
}

fn open_parquet<T: parquet::file::reader::ChunkReader + 'static>(
    name: &str,
    src: T,
    opts: &ReadOptions,
) -> Result<Box<dyn BatchReader>, IngestError> {
    let (mut header, src, meta) = drivers::parquet_header(name, src)?;
    let format = pick_format(name, &header, opts)?;
    let mapper = mapper_for(format, &mut header, name, opts)?;
    let sink = RowSink::new(name, mapper, opts);
    Ok(Box::new(drivers::ParquetBatchReader::new(
        src,
        meta,
        &header,
        sink,
        opts.batch_size.max(1),
    )?))
}

fn open_text(
    name: &str,
    p: Peeked,
    opts: &ReadOptions,
) -> Result<Box<dyn BatchReader>, IngestError> {
    let first = p
        .prefix
        .iter()
        .copied()
        .find(|b| !b.is_ascii_whitespace() && *b != 0xef && *b != 0xbb && *b != 0xbf);
    if first == Some(b'{') {
        let format = opts.format.unwrap_or(Format::Gcp);
        if format != Format::Gcp {
            return Err(IngestError::UnknownFormat {
                file: name.into(),
                reason: format!("JSON lines are read only as {}", Format::Gcp.as_str()),
                supported: supported_formats(),
            });
        }
        let paths = Arc::new(gcp::JSON_PATHS.to_vec());
        let mut header = Header::new(paths.iter().map(|s| s.to_string()).collect());
        let mapper = mapper_for(format, &mut header, name, opts)?;
        let sink = RowSink::new(name, mapper, opts);
        return Ok(Box::new(drivers::JsonLinesReader::new(
            p.into_reader(),
            paths,
            sink,
        )));
    }
    let mut rdr = drivers::csv_reader(p.into_reader());
    let mut header = drivers::csv_header(name, &mut rdr)?;
    let format = pick_format(name, &header, opts)?;
    let mapper = mapper_for(format, &mut header, name, opts)?;
    let null_token = (format == Format::Focus).then_some("NULL");
    // Some Azure exports drop trailing empty fields; other formats must match the header.
    let allow_short_rows = format == Format::Azure;
    let sink = RowSink::new(name, mapper, opts);
    Ok(Box::new(drivers::CsvBatchReader::new(
        rdr,
        header.names().len(),
        sink,
        null_token,
        allow_short_rows,
    )))
}
