//! Integration tests: generate real exports into a temporary folder and read them back with
//! plain csv / Parquet / JSON readers.

mod files;
mod formats;
mod ingest;

use std::path::Path;
use std::sync::OnceLock;

use skyledger_demo::{DemoOutput, DemoSpec, Formats, generate};

/// Rows of the shared all-formats run.
pub const ROWS: u64 = 40_000;

pub fn spec(seed: u64, rows: u64, formats: Formats) -> DemoSpec {
    DemoSpec {
        seed,
        rows,
        end_month: (2026, 10),
        formats,
    }
}

pub fn run(spec: &DemoSpec, dir: &Path) -> DemoOutput {
    generate(spec, dir, &|_| {}).expect("generation succeeds")
}

/// One all-formats generation shared by the read-back tests.
pub fn shared() -> &'static (tempfile::TempDir, DemoOutput) {
    static SHARED: OnceLock<(tempfile::TempDir, DemoOutput)> = OnceLock::new();
    SHARED.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = run(&spec(7, ROWS, Formats::ALL), dir.path());
        (dir, out)
    })
}
