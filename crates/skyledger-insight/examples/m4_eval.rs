//! M4 Weekly benchmark: sMAPE, MASE and OWA of the forecaster next to Naive2 and Theta, plus the
//! measured coverage of its 80 % and 95 % intervals.
//!
//! Usage: `cargo run --release -p skyledger-insight --example m4_eval -- DIR [method] [frequency]`
//! where DIR holds `Weekly-train.csv` and `Weekly-test.csv`; `method` is one of auto (default),
//! naive, ses, holt, damped, theta; the last argument is `weekly` (default: period 52 is tested)
//! or `none` (no seasonal adjustment and models fitted to the whole series, as the M4
//! benchmarks ran them).

use std::fs::File;

use skyledger_insight::forecast::{ForecastConfig, Method, forecast_with};
use skyledger_insight::io::read_m4;
use skyledger_insight::metrics::{coverage, mase, owa, smape};
use skyledger_insight::series::Frequency;

// Published M4 Weekly figures (M4-point-forecast-scores-by-frequency.tsv).
const NAIVE2_SMAPE: f64 = 9.161;
const NAIVE2_MASE: f64 = 2.777;
const THETA_SMAPE: f64 = 9.093;
const THETA_MASE: f64 = 2.637;

/// sMAPE, MASE, and (hits, points) of the 80 % and 95 % intervals of one series.
type Scored = (f64, f64, (usize, usize), (usize, usize));

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let dir = args
        .get(1)
        .map(String::as_str)
        .unwrap_or("../shared/data/m4");
    let method = match args.get(2).map(String::as_str).unwrap_or("auto") {
        "auto" => Method::Auto,
        "naive" => Method::Naive,
        "ses" => Method::Ses,
        "holt" => Method::Holt,
        "damped" => Method::Damped,
        "theta" => Method::Theta,
        other => return Err(format!("unknown method {other}").into()),
    };
    // "none" switches the seasonality test off (the M4 benchmarks treat weekly data as
    // non-seasonal)
    let season_arg = args.get(3).map(String::as_str).unwrap_or("weekly");
    let no_season = season_arg == "none";
    let freq: Frequency = if no_season {
        Frequency::Weekly
    } else {
        season_arg.parse()?
    };
    let train = read_m4(File::open(format!("{dir}/Weekly-train.csv"))?)?;
    let test = read_m4(File::open(format!("{dir}/Weekly-test.csv"))?)?;
    let horizon = 13;
    let started = std::time::Instant::now();
    let results: Vec<Scored> = std::thread::scope(|s| {
        let chunks: Vec<_> = train.chunks(train.len().div_ceil(2)).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|(_, y)| {
                            let mut cfg = ForecastConfig::new(freq, horizon, &[0.8, 0.95]);
                            cfg.method = method;
                            if no_season {
                                // the M4 benchmarks' setting: no season, fit to all points
                                cfg.periods = Some(Vec::new());
                                cfg.fit_window = usize::MAX;
                            }
                            forecast_with(y, &cfg)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let forecasts: Vec<_> = handles
            .into_iter()
            .flat_map(|h| h.join().expect("forecast thread"))
            .collect();
        train
            .iter()
            .zip(&test)
            .zip(&forecasts)
            .map(|(((_, y), (_, actual)), f)| {
                (
                    smape(actual, &f.mean),
                    mase(y, actual, &f.mean, 1),
                    coverage(actual, &f.intervals[0].lower, &f.intervals[0].upper),
                    coverage(actual, &f.intervals[1].lower, &f.intervals[1].upper),
                )
            })
            .collect()
    });
    let elapsed = started.elapsed();
    let n = results.len() as f64;
    let s = results.iter().map(|r| r.0).sum::<f64>() / n;
    let m = results.iter().map(|r| r.1).sum::<f64>() / n;
    let c80 = results.iter().map(|r| r.2.0).sum::<usize>() as f64
        / results.iter().map(|r| r.2.1).sum::<usize>() as f64;
    let c95 = results.iter().map(|r| r.3.0).sum::<usize>() as f64
        / results.iter().map(|r| r.3.1).sum::<usize>() as f64;
    println!(
        "M4 Weekly, {} series, horizon {horizon}, method {method:?}, frequency {freq}",
        results.len()
    );
    println!("| method | sMAPE | MASE | OWA |");
    println!("|---|---|---|---|");
    println!(
        "| skyledger ({method:?}) | {s:.3} | {m:.3} | {:.3} |",
        owa(s, m, NAIVE2_SMAPE, NAIVE2_MASE)
    );
    println!(
        "| Theta (published) | {THETA_SMAPE:.3} | {THETA_MASE:.3} | {:.3} |",
        owa(THETA_SMAPE, THETA_MASE, NAIVE2_SMAPE, NAIVE2_MASE)
    );
    println!("| Naive2 (published) | {NAIVE2_SMAPE:.3} | {NAIVE2_MASE:.3} | 1.000 |");
    println!(
        "interval coverage over {} test points: 80 % → {:.1} %, 95 % → {:.1} %",
        results.iter().map(|r| r.2.1).sum::<usize>(),
        100.0 * c80,
        100.0 * c95
    );
    println!("time: {:.2} s", elapsed.as_secs_f64());
    Ok(())
}
