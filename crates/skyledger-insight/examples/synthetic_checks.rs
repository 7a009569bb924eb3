//! Synthetic checks quoted in docs/insight-benchmarks.md: one-day overruns in daily cost with a
//! weekly step (default detector vs the cost preset), and forecast accuracy and 95 % interval
//! coverage on hourly series with daily and weekly multiplicative seasons.
//!
//! Usage: `cargo run --release -p skyledger-insight --example synthetic_checks`

use skyledger_insight::detect::{DetectorConfig, Direction, score_series};
use skyledger_insight::forecast::forecast;
use skyledger_insight::metrics::{coverage, smape};
use skyledger_insight::series::Frequency;

/// Small deterministic generator (a 64-bit LCG with Box–Muller normals).
struct Rng(u64);
impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

fn cost_overruns(preset: &str, cfg: &DetectorConfig) {
    let mut rng = Rng(11);
    let (mut false_alarms, mut caught, k) = (0usize, 0usize, 100usize);
    for _ in 0..k {
        let growth = 0.002 * rng.uniform();
        let mut y: Vec<f64> = (0..365)
            .map(|t| {
                let weekly = if t % 7 >= 5 { 0.6 } else { 1.0 };
                1000.0 * (1.0 + growth * t as f64) * weekly * (1.0 + 0.03 * rng.normal())
            })
            .collect();
        y[300] *= 1.5;
        let s = score_series(&y, cfg);
        false_alarms += s
            .iter()
            .enumerate()
            .filter(|(i, v)| *i != 300 && *i > 60 && **v >= 0.5)
            .count();
        caught += usize::from(s[300] >= 0.5);
    }
    println!(
        "daily cost, 50 % one-day overrun, {preset}: caught {caught}/{k}, false alarms per series-year {:.2}",
        false_alarms as f64 / k as f64
    );
}

fn hourly_forecasts() {
    let mut rng = Rng(7);
    let (mut ours, mut snaive, mut hits, k) = (0.0, 0.0, 0usize, 200usize);
    for i in 0..k {
        let level = 50.0 + 500.0 * rng.uniform();
        let trend = (rng.uniform() - 0.5) * 0.002;
        let amp = 0.2 + 0.6 * rng.uniform();
        let noise = 0.02 + 0.1 * rng.uniform();
        let y: Vec<f64> = (0..748)
            .map(|t| {
                let day = 1.0 + amp * (2.0 * std::f64::consts::PI * (t + i) as f64 / 24.0).sin();
                let week = if (t / 24) % 7 >= 5 { 0.7 } else { 1.0 };
                level * (1.0 + trend * t as f64) * day * week * (1.0 + noise * rng.normal())
            })
            .collect();
        let (train, test) = y.split_at(700);
        let f = forecast(train, Frequency::Hourly, 48, &[0.95]);
        ours += smape(test, &f.mean);
        let seasonal_naive: Vec<f64> = (0..48).map(|h| train[700 - 168 + h]).collect();
        snaive += smape(test, &seasonal_naive);
        hits += coverage(test, &f.intervals[0].lower, &f.intervals[0].upper).0;
    }
    println!(
        "hourly, 200 series × 700 points, horizon 48: sMAPE {:.2} (seasonal naive {:.2}), 95 % interval coverage {:.1} %",
        ours / k as f64,
        snaive / k as f64,
        100.0 * hits as f64 / (48 * k) as f64
    );
}

fn main() {
    let hints = DetectorConfig::season_hints_for_step(86_400);
    let default = DetectorConfig {
        season_hints: hints.clone(),
        direction: Direction::Up,
        ..DetectorConfig::default()
    };
    let cost = DetectorConfig {
        season_hints: hints,
        ..DetectorConfig::cost()
    };
    cost_overruns("default settings (rises only)", &default);
    cost_overruns("DetectorConfig::cost()", &cost);
    hourly_forecasts();
}
