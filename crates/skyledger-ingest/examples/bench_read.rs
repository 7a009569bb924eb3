//! Reads billing files as fast as it can and prints rows/s, peak RSS and the per-currency totals.
//!
//! `cargo run --release -p skyledger-ingest --example bench_read -- FILE_OR_MANIFEST... [--batch N]`
//! Each argument is read on its own (a manifest or folder reads its whole delivery). Peak RSS
//! is the process high-water mark (`VmHWM`), so run one input per process to attribute it.

use std::path::PathBuf;
use std::time::Instant;

use skyledger_ingest::decimal::format_scaled;
use skyledger_ingest::{ReadOptions, open};
use skyledger_types::cost_row::MONEY_SCALE;

fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut opts = ReadOptions::default();
    let mut paths = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--batch" {
            opts.batch_size = args.next().ok_or("--batch needs a number")?.parse()?;
        } else {
            paths.push(PathBuf::from(a));
        }
    }
    if paths.is_empty() {
        eprintln!("usage: bench_read FILE_OR_MANIFEST... [--batch N]");
        std::process::exit(2);
    }
    let all = Instant::now();
    let (mut total_rows, n_paths) = (0usize, paths.len());
    for p in paths {
        let t = Instant::now();
        let mut r = open(&p, &opts)?;
        let mut rows = 0usize;
        let mut batches = 0usize;
        for b in r.by_ref() {
            rows += b?.num_rows();
            batches += 1;
        }
        let secs = t.elapsed().as_secs_f64();
        let s = r.stats();
        println!(
            "{}: format {}, {} files, {rows} rows in {batches} batches, {secs:.2} s = {:.0} rows/s, peak RSS {:.1} MiB",
            p.display(),
            r.format().as_str(),
            s.files.len(),
            rows as f64 / secs,
            vm_hwm_kib().unwrap_or(0) as f64 / 1024.0,
        );
        for (cur, t) in &s.totals {
            let f = |v: i128| format_scaled(v, MONEY_SCALE as u32);
            println!(
                "  {cur}: billed {} effective {} unblended {} blended {} amortized {} recurring {}",
                f(t.billed),
                f(t.effective),
                f(t.unblended),
                f(t.blended),
                f(t.amortized),
                f(t.recurring)
            );
        }
        println!(
            "  billing periods {}, billing accounts {}, sub accounts {}, bad rows skipped {}",
            s.billing_periods.len(),
            s.billing_account_ids.len(),
            s.sub_account_ids.len(),
            s.bad_rows_skipped
        );
        total_rows += rows;
    }
    if n_paths > 1 {
        let secs = all.elapsed().as_secs_f64();
        println!(
            "ALL: {n_paths} inputs, {total_rows} rows in {secs:.2} s = {:.0} rows/s, peak RSS {:.1} MiB",
            total_rows as f64 / secs,
            vm_hwm_kib().unwrap_or(0) as f64 / 1024.0
        );
    }
    Ok(())
}
