//! Generates demo exports and prints the generation speed.
//!
//! `cargo run --release -p skyledger-demo --example generate -- OUT_DIR [ROWS] [FORMATS] [SEED]`
//! where FORMATS is `all` or a comma list of `cur2`, `legacy`, `azure`, `gcp`.

use std::path::PathBuf;
use std::time::Instant;

use skyledger_demo::{DemoSpec, Formats, generate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first().map(PathBuf::from) else {
        eprintln!("usage: generate OUT_DIR [ROWS] [FORMATS] [SEED]");
        std::process::exit(2);
    };
    let rows: u64 = args
        .get(1)
        .map(|s| s.replace('_', "").parse())
        .transpose()?
        .unwrap_or(skyledger_demo::DEFAULT_ROWS);
    let mut formats = Formats::NONE;
    for f in args.get(2).map(String::as_str).unwrap_or("all").split(',') {
        match f {
            "all" => formats = Formats::ALL,
            "cur2" => formats.aws_cur2 = true,
            "legacy" => formats.aws_legacy = true,
            "azure" => formats.azure = true,
            "gcp" => formats.gcp = true,
            other => return Err(format!("unknown format {other}").into()),
        }
    }
    let seed: u64 = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(42);
    let spec = DemoSpec {
        seed,
        rows,
        end_month: (2026, 10),
        formats,
    };
    let t = Instant::now();
    let out = generate(&spec, &out, &|n| eprint!("\r{n} rows"))?;
    let secs = t.elapsed().as_secs_f64();
    eprintln!();
    let bytes: u64 = out
        .files
        .iter()
        .filter_map(|f| std::fs::metadata(&f.path).ok())
        .map(|m| m.len())
        .sum();
    let mut by_format = std::collections::BTreeMap::<&str, u64>::new();
    for f in &out.files {
        *by_format.entry(f.format).or_default() += f.rows;
    }
    for (f, n) in &by_format {
        println!("{f}: {n} rows");
    }
    println!(
        "{} rows in {} files ({:.1} MiB) in {secs:.2} s = {:.0} rows/s; {} anomalies",
        out.rows(),
        out.files.len(),
        bytes as f64 / 1048576.0,
        out.rows() as f64 / secs,
        out.anomalies.len()
    );
    Ok(())
}
