//! Speed benchmark: the detector over 1 million points and the forecaster over 10,000 series of
//! length 1,000 with horizon 48 (synthetic hourly data with daily and weekly seasons).
//!
//! Usage: `cargo run --release -p skyledger-insight --example speed [-- POINTS SERIES LENGTH HORIZON]`

use std::time::Instant;

use skyledger_insight::detect::{DetectorConfig, score_series};
use skyledger_insight::forecast::{ForecastConfig, forecast_many};
use skyledger_insight::series::Frequency;

/// Small deterministic generator (SplitMix64) so the benchmark needs no dependency.
struct Rng(u64);
impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (((z ^ (z >> 31)) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

fn hourly(rng: &mut Rng, n: usize, level: f64) -> Vec<f64> {
    (0..n)
        .map(|t| {
            let day = (2.0 * std::f64::consts::PI * t as f64 / 24.0).sin();
            let weekend = if (t / 24) % 7 >= 5 { 0.8 } else { 1.0 };
            level * weekend * (1.0 + 0.2 * day) + 0.05 * level * rng.normal()
        })
        .collect()
}

fn main() {
    let arg = |i: usize, d: usize| {
        std::env::args()
            .nth(i)
            .and_then(|s| s.parse().ok())
            .unwrap_or(d)
    };
    let (points, count, len, horizon) =
        (arg(1, 1_000_000), arg(2, 10_000), arg(3, 1_000), arg(4, 48));
    let mut rng = Rng(42);

    let y = hourly(&mut rng, points, 100.0);
    let cfg = DetectorConfig {
        season_hints: vec![24, 168],
        ..DetectorConfig::default()
    };
    let t = Instant::now();
    let s = score_series(&y, &cfg);
    let dt = t.elapsed().as_secs_f64();
    let alarms = s.iter().filter(|v| **v >= 0.5).count();
    println!(
        "detect: {points} points in {dt:.3} s ({:.1} M points/s; {alarms} scores >= 0.5)",
        points as f64 / dt / 1e6
    );

    let series: Vec<Vec<f64>> = (0..count)
        .map(|i| hourly(&mut rng, len, 10.0 + i as f64 % 100.0))
        .collect();
    // SPEED_NO_INTERVALS=1 times the point forecasts alone
    let levels: &[f64] = if std::env::var_os("SPEED_NO_INTERVALS").is_some() {
        &[]
    } else {
        &[0.8, 0.95]
    };
    let fcfg = ForecastConfig::new(Frequency::Hourly, horizon, levels);
    let t = Instant::now();
    let f = forecast_many(&series, &fcfg);
    let dt = t.elapsed().as_secs_f64();
    let finite = f.iter().all(|x| x.mean.iter().all(|v| v.is_finite()));
    println!(
        "forecast: {count} series × {len} points, horizon {horizon}, intervals {levels:?}, {} threads: {dt:.2} s (all finite: {finite}; method of the first: {})",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        f[0].method
    );
}
