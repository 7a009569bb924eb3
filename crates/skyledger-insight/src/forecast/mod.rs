//! Forecasting: seasonal adjustment found from the data, a family of exponential smoothing and
//! Theta models combined, and prediction intervals calibrated on the series' own multi-step errors.

pub mod ets;
pub mod optim;
pub mod theta;

use crate::seasonality::{self, SeasonalComponent, SeasonalKind};
use crate::series::{self, Frequency};
use ets::{Ets, Trend};
use theta::Theta;

/// A prediction interval for every step of the horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct Interval {
    /// Nominal coverage in (0, 1), e.g. 0.95.
    pub level: f64,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

/// Point forecasts and intervals for steps `1..=horizon` after the last value.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    /// What produced the forecast, e.g. `comb(ses,damped,theta) seasonal[24x]`.
    pub method: String,
    pub mean: Vec<f64>,
    /// One entry per requested level, in the order requested.
    pub intervals: Vec<Interval>,
    /// Seasonal periods found in the data and removed before fitting.
    pub periods: Vec<usize>,
}

/// Which model (or combination) produces the point forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The default: the equal-weight combination of SES, damped trend and Theta.
    Auto,
    Naive,
    SeasonalNaive,
    Ses,
    Holt,
    Damped,
    Theta,
}

/// Everything [`forecast_with`] needs besides the values.
#[derive(Debug, Clone)]
pub struct ForecastConfig {
    pub frequency: Frequency,
    pub horizon: usize,
    /// Interval levels in (0, 1).
    pub levels: Vec<f64>,
    pub method: Method,
    /// Seasonal periods to test instead of the frequency's candidates.
    pub periods: Option<Vec<usize>>,
    /// How many of the latest points the models are fitted to (older history adds cost, not
    /// accuracy, to models that forget it geometrically); `usize::MAX` fits all of it.
    pub fit_window: usize,
    /// Calendar date of the first value of a daily series: enables the month-start effect
    /// (fees and commitments billed on the 1st) in place of the approximate 30-day season.
    pub start_date: Option<chrono::NaiveDate>,
}

impl ForecastConfig {
    pub fn new(frequency: Frequency, horizon: usize, levels: &[f64]) -> Self {
        ForecastConfig {
            frequency,
            horizon,
            levels: levels.to_vec(),
            method: Method::Auto,
            periods: None,
            fit_window: 600,
            start_date: None,
        }
    }
}

/// Forecast `horizon` steps of `values` (a regular grid; NaN marks a missing period) with the
/// default method, and intervals at each of `levels` (e.g. `[0.8, 0.95]`).
pub fn forecast(values: &[f64], freq: Frequency, horizon: usize, levels: &[f64]) -> Forecast {
    forecast_with(values, &ForecastConfig::new(freq, horizon, levels))
}

/// Forecast many series with the same settings, spread over the machine's cores (results in
/// input order).
pub fn forecast_many(series: &[Vec<f64>], cfg: &ForecastConfig) -> Vec<Forecast> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(series.len().max(1));
    if threads <= 1 {
        return series.iter().map(|y| forecast_with(y, cfg)).collect();
    }
    let chunk = series.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = series
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(|y| forecast_with(y, cfg)).collect()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| -> Vec<Forecast> {
                // a panic in a worker is a bug; surface it rather than lose series
                h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))
            })
            .collect()
    })
}

/// One fitted member of the model family, with its state after every observation.
enum Member {
    Naive,
    SeasonalNaive(usize),
    /// The model, its states after each observation, and `phi + … + phi^h` for each step.
    Ets(Ets, Vec<(f64, f64)>, Vec<f64>),
    Theta(Theta, Vec<f64>),
}

impl Member {
    fn fit(kind: Method, y: &[f64], season: usize, horizon: usize) -> Member {
        match kind {
            Method::Naive | Method::Auto => Member::Naive,
            Method::SeasonalNaive => Member::SeasonalNaive(season.max(1)),
            Method::Ses | Method::Holt | Method::Damped => {
                let trend = match kind {
                    Method::Ses => Trend::None,
                    Method::Holt => Trend::Additive,
                    _ => Trend::Damped,
                };
                let m = Ets::fit(y, trend);
                let mut states = Vec::with_capacity(y.len());
                m.filter(y, |_, l, b| states.push((l, b)));
                let damp = (1..=horizon).map(|h| m.point(0.0, 1.0, h)).collect();
                Member::Ets(m, states, damp)
            }
            Method::Theta => {
                let m = Theta::fit(y);
                let mut states = Vec::with_capacity(y.len());
                m.filter(y, |_, l| states.push(l));
                Member::Theta(m, states)
            }
        }
    }

    /// The `h`-step forecast made after observing `y[t]`.
    fn point(&self, y: &[f64], t: usize, h: usize) -> f64 {
        match self {
            Member::Naive => y[t],
            Member::SeasonalNaive(m) => {
                // the latest observed value at the same phase
                let k = h.div_ceil(*m) * m;
                if k > t + h { y[t] } else { y[t + h - k] }
            }
            Member::Ets(m, s, damp) => match damp.get(h - 1) {
                Some(d) => s[t].0 + d * s[t].1,
                None => m.point(s[t].0, s[t].1, h),
            },
            Member::Theta(m, s) => m.point(t, s[t], h),
        }
    }
}

fn method_name(m: Method) -> &'static str {
    match m {
        Method::Auto => "comb",
        Method::Naive => "naive",
        Method::SeasonalNaive => "snaive",
        Method::Ses => "ses",
        Method::Holt => "holt",
        Method::Damped => "damped",
        Method::Theta => "theta",
    }
}

/// Forecast with explicit settings; see [`forecast`].
pub fn forecast_with(values: &[f64], cfg: &ForecastConfig) -> Forecast {
    let horizon = cfg.horizon;
    let Some(y) = series::interpolate_missing(values) else {
        // nothing observed: forecast zero with zero-width intervals rather than NaN
        return Forecast {
            method: "empty".into(),
            mean: vec![0.0; horizon],
            intervals: cfg
                .levels
                .iter()
                .map(|&level| Interval {
                    level,
                    lower: vec![0.0; horizon],
                    upper: vec![0.0; horizon],
                })
                .collect(),
            periods: Vec::new(),
        };
    };
    let n = y.len();
    let non_negative = values.iter().all(|v| !v.is_finite() || *v >= 0.0);
    let positive = y.iter().all(|v| *v > 0.0);

    // Seasonality: test each candidate on the series, remove the ones found (shortest first).
    let calendar = cfg.start_date.filter(|_| cfg.frequency == Frequency::Daily);
    let candidates: Vec<usize> = cfg
        .periods
        .clone()
        .unwrap_or_else(|| cfg.frequency.candidate_periods().to_vec());
    let kind = if positive {
        SeasonalKind::Multiplicative
    } else {
        SeasonalKind::Additive
    };
    let mut adjusted = y.clone();
    // The month-start fee first (an amount added on the 1st): its spikes would otherwise hide
    // the weekly pattern from the autocorrelation test.
    let mut fee = calendar.and_then(|d0| {
        let fee = month_start_effect(&adjusted, d0, |_| 1.0, true)?;
        for (t, v) in adjusted.iter_mut().enumerate() {
            if is_month_start(d0, t) {
                *v -= fee;
            }
        }
        Some((d0, fee))
    });
    let mut components: Vec<SeasonalComponent> = Vec::new();
    for m in seasonality::detect_periods(&adjusted, &candidates) {
        if let Some(c) = seasonality::classical(&adjusted, m, kind) {
            c.remove(&mut adjusted, 0);
            components.push(c);
        }
    }
    let periods: Vec<usize> = components.iter().map(|c| c.period).collect();
    let season = periods.last().copied().unwrap_or(1);

    // the seasonal factor of every position up to the horizon, all components together
    // (they share one kind)
    let multiplicative = kind == SeasonalKind::Multiplicative;
    let mut season_at = vec![if multiplicative { 1.0 } else { 0.0 }; n + horizon];
    for c in &components {
        c.restore(&mut season_at, 0);
    }
    // Measure the fee again against the seasonal model of its own day, then take the season
    // and the fee out of the series the models are fitted to.
    if let Some((d0, first_guess)) = fee {
        let deseason = |fee: f64| -> Vec<f64> {
            y.iter()
                .enumerate()
                .map(|(t, v)| {
                    let v = if is_month_start(d0, t) { v - fee } else { *v };
                    if multiplicative {
                        v / season_at[t]
                    } else {
                        v - season_at[t]
                    }
                })
                .collect()
        };
        let extra = month_start_effect(
            &deseason(first_guess),
            d0,
            |t| if multiplicative { season_at[t] } else { 1.0 },
            false,
        )
        .unwrap_or(0.0);
        fee = Some((d0, first_guess + extra));
        adjusted = deseason(first_guess + extra);
    }
    let mut fee_at = vec![0.0; n + horizon];
    if let Some((d0, f)) = fee {
        for (t, x) in fee_at.iter_mut().enumerate() {
            if is_month_start(d0, t) {
                *x = f;
            }
        }
    }

    let kinds: Vec<Method> = if n < 4 {
        vec![Method::Naive]
    } else {
        match cfg.method {
            Method::Auto => vec![Method::Ses, Method::Damped, Method::Theta],
            m => vec![m],
        }
    };
    // the interval origins must lie inside the fitted window
    let fit_from = n.saturating_sub(cfg.fit_window.max(MAX_ORIGINS + 1));
    let recent = &adjusted[fit_from..];
    let members: Vec<Member> = kinds
        .iter()
        .map(|&k| Member::fit(k, recent, season, horizon))
        .collect();
    let combined = |t: usize, h: usize| -> f64 {
        let s: f64 = members
            .iter()
            .map(|m| m.point(recent, t - fit_from, h))
            .sum();
        let v = s / members.len() as f64;
        let seasonal = if multiplicative {
            v * season_at[t + h]
        } else {
            v + season_at[t + h]
        };
        seasonal + fee_at[t + h]
    };

    let last = n - 1;
    let mut mean: Vec<f64> = (1..=horizon).map(|h| combined(last, h)).collect();

    let intervals = if cfg.levels.is_empty() || horizon == 0 {
        Vec::new()
    } else {
        // with multiplicative seasons errors grow with the seasonal factor: measure them in
        // units of it and widen the intervals where the season is high
        // In-sample errors fit the seasonal indices they were estimated with: each index
        // averages n / period points, so out-of-sample errors are larger by about
        // sqrt((1 + a) / (1 - a)) with a = Σ period / n.
        let a = (periods.iter().sum::<usize>() as f64 / n as f64).min(0.5);
        let inflation = ((1.0 + a) / (1.0 - a)).sqrt();
        let unit = |pos: usize| inflation * if multiplicative { season_at[pos] } else { 1.0 };
        let sigma = error_scale(&y, horizon, &combined, &unit);
        cfg.levels
            .iter()
            .map(|&level| {
                let q = sigma.quantile(level);
                let mut lower = Vec::with_capacity(horizon);
                let mut upper = Vec::with_capacity(horizon);
                for (h, f) in mean.iter().enumerate() {
                    let w = q * sigma.by_step[h] * unit(last + 1 + h) * inflation;
                    let mut lo = f - w;
                    if non_negative {
                        lo = lo.max(0.0);
                    }
                    lower.push(lo);
                    upper.push(f + w);
                }
                Interval {
                    level,
                    lower,
                    upper,
                }
            })
            .collect()
    };
    if non_negative {
        mean.iter_mut().for_each(|v| *v = v.max(0.0));
    }
    let mut method = if kinds.len() > 1 {
        format!(
            "comb({})",
            kinds
                .iter()
                .map(|&k| method_name(k))
                .collect::<Vec<_>>()
                .join(",")
        )
    } else {
        method_name(kinds[0]).to_string()
    };
    if let Some((_, f)) = fee {
        method.push_str(&format!(" month-start[+{f:.3}]"));
    }
    if !periods.is_empty() {
        let p: Vec<String> = components
            .iter()
            .map(|c| {
                format!(
                    "{}{}",
                    c.period,
                    if c.kind == SeasonalKind::Multiplicative {
                        "x"
                    } else {
                        "+"
                    }
                )
            })
            .collect();
        method.push_str(&format!(" seasonal[{}]", p.join(",")));
    }
    Forecast {
        method,
        mean,
        intervals,
        periods,
    }
}

fn is_month_start(d0: chrono::NaiveDate, t: usize) -> bool {
    use chrono::Datelike;
    (d0 + chrono::Days::new(t as u64)).day() == 1
}

/// The month-start fee of a daily series: the median over month starts of the value less
/// the median of the days around it (other month starts excluded), times `scale(t)`; with
/// `significant`, only when the fee stands out from the same measure on ordinary days. Needs
/// at least two month starts.
fn month_start_effect(
    y: &[f64],
    d0: chrono::NaiveDate,
    scale: impl Fn(usize) -> f64,
    significant: bool,
) -> Option<f64> {
    let n = y.len();
    let excess_at = |t: usize| -> Option<f64> {
        let around: Vec<f64> = (t.saturating_sub(3)..(t + 4).min(n))
            .filter(|&k| k != t && !is_month_start(d0, k))
            .map(|k| y[k])
            .collect();
        if around.len() < 3 {
            return None;
        }
        Some((y[t] - series::median(&around)) * scale(t))
    };
    let (firsts, others): (Vec<usize>, Vec<usize>) = (0..n).partition(|&t| is_month_start(d0, t));
    let at_firsts: Vec<f64> = firsts.iter().filter_map(|&t| excess_at(t)).collect();
    if at_firsts.len() < 2 {
        return None;
    }
    let at_others: Vec<f64> = others.iter().filter_map(|&t| excess_at(t)).collect();
    let fee = series::median(&at_firsts);
    if !significant {
        return fee.is_finite().then_some(fee);
    }
    let typical = series::median(&at_others);
    let spread = series::mad_sigma(&at_others);
    (fee.is_finite() && (fee - typical).abs() > 3.0 * spread).then_some(fee)
}

/// Spread of the forecast errors by step, and the distribution of standardised errors.
struct ErrorScale {
    by_step: Vec<f64>,
    standardised: Vec<f64>,
}

impl ErrorScale {
    /// Multiplier of `by_step` giving a two-sided interval of coverage `level`: the empirical
    /// quantile of the standardised in-sample errors, or the normal quantile with fewer than
    /// 100 of them.
    fn quantile(&self, level: f64) -> f64 {
        let z = series::normal_quantile(0.5 + level / 2.0);
        if self.standardised.len() < 100 {
            return z;
        }
        let mut v = self.standardised.clone();
        let pos = level.clamp(0.0, 1.0) * (v.len() - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        let (_, &mut at_lo, rest) = v.select_nth_unstable_by(lo, |a, b| a.total_cmp(b));
        // the next order statistic is the smallest of the values above position `lo`
        let next = if hi > lo {
            rest.iter().copied().fold(f64::INFINITY, f64::min)
        } else {
            at_lo
        };
        at_lo + (next - at_lo) * (pos - lo as f64)
    }
}

/// The most recent forecast origins whose multi-step errors calibrate the intervals.
const MAX_ORIGINS: usize = 400;

/// Root mean square of the in-sample `h`-step errors of `point(t, h)` (in units of
/// `unit(position)`) for every step, taken over recent origins; steps with too few errors grow
/// like a random walk from the last well-estimated step.
fn error_scale(
    y: &[f64],
    horizon: usize,
    point: &dyn Fn(usize, usize) -> f64,
    unit: &dyn Fn(usize) -> f64,
) -> ErrorScale {
    let n = y.len();
    let burn = (n / 5).clamp(1, 10);
    let first = burn.max(n.saturating_sub(MAX_ORIGINS + 1));
    let mut sums = vec![0.0; horizon];
    let mut counts = vec![0usize; horizon];
    let mut errors: Vec<(usize, f64)> = Vec::new();
    for t in first..n.saturating_sub(1) {
        for h in 1..=horizon.min(n - 1 - t) {
            let e = (y[t + h] - point(t, h)) / unit(t + h);
            if e.is_finite() {
                sums[h - 1] += e * e;
                counts[h - 1] += 1;
                errors.push((h - 1, e));
            }
        }
    }
    let min_count = 8;
    let mut by_step = vec![f64::NAN; horizon];
    let mut last_good: Option<usize> = None;
    for h in 0..horizon {
        if counts[h] >= min_count {
            by_step[h] = (sums[h] / counts[h] as f64).sqrt();
            last_good = Some(h);
        } else {
            break;
        }
    }
    let (anchor_h, anchor_sigma) = match last_good {
        Some(h) => (h, by_step[h]),
        None => {
            // too short for multi-step errors: the spread of first differences
            let d: Vec<f64> = y.windows(2).map(|w| w[1] - w[0]).collect();
            let mut s = if d.is_empty() {
                0.0
            } else {
                (d.iter().map(|x| x * x).sum::<f64>() / d.len() as f64).sqrt()
            };
            if s == 0.0 {
                s = 0.05 * series::mean(y).abs();
            }
            by_step[0] = s;
            (0, s)
        }
    };
    for (h, s) in by_step.iter_mut().enumerate().skip(anchor_h + 1) {
        *s = anchor_sigma * ((h + 1) as f64 / (anchor_h + 1) as f64).sqrt();
    }
    // wider never narrower with the step
    for h in 1..horizon {
        by_step[h] = by_step[h].max(by_step[h - 1]);
    }
    let standardised: Vec<f64> = errors
        .iter()
        .filter(|(h, _)| *h <= anchor_h && by_step[*h] > 0.0)
        .map(|(h, e)| e.abs() / by_step[*h])
        .collect();
    ErrorScale {
        by_step,
        standardised,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::Rng;

    fn finite(f: &Forecast) -> bool {
        f.mean.iter().all(|v| v.is_finite())
            && f.intervals
                .iter()
                .all(|i| i.lower.iter().chain(&i.upper).all(|v| v.is_finite()))
    }

    #[test]
    fn recovers_daily_and_weekly_seasonality_in_hourly_data() {
        let mut rng = Rng::new(21);
        let truth = |t: usize| {
            let day = 10.0 * (2.0 * std::f64::consts::PI * t as f64 / 24.0).sin();
            let weekend = if (t / 24) % 7 >= 5 { -20.0 } else { 0.0 };
            200.0 + day + weekend
        };
        let n = 24 * 7 * 6;
        let y: Vec<f64> = (0..n).map(|t| truth(t) + rng.normal()).collect();
        let f = forecast(&y, Frequency::Hourly, 48, &[0.9]);
        assert_eq!(f.periods, vec![24, 168], "{}", f.method);
        let mae: f64 = f
            .mean
            .iter()
            .enumerate()
            .map(|(h, v)| (v - truth(n + h)).abs())
            .sum::<f64>()
            / 48.0;
        assert!(mae < 2.0, "mae {mae}");
    }

    #[test]
    fn interval_coverage_holds_on_simulated_series() {
        // local level + noise, the textbook case: measure the coverage over many series
        let mut rng = Rng::new(22);
        let (mut hit80, mut hit95, mut total) = (0usize, 0usize, 0usize);
        for _ in 0..200 {
            let mut level = 100.0;
            let mut y = Vec::new();
            for _ in 0..160 {
                level += 0.5 * rng.normal();
                y.push(level + rng.normal());
            }
            let (train, test) = y.split_at(148);
            let f = forecast(train, Frequency::Weekly, 12, &[0.8, 0.95]);
            for (h, v) in test.iter().enumerate() {
                total += 1;
                let i80 = &f.intervals[0];
                let i95 = &f.intervals[1];
                hit80 += usize::from(*v >= i80.lower[h] && *v <= i80.upper[h]);
                hit95 += usize::from(*v >= i95.lower[h] && *v <= i95.upper[h]);
            }
        }
        let c80 = hit80 as f64 / total as f64;
        let c95 = hit95 as f64 / total as f64;
        assert!((0.74..=0.88).contains(&c80), "80% coverage {c80}");
        assert!((0.91..=0.985).contains(&c95), "95% coverage {c95}");
    }

    #[test]
    fn interval_coverage_holds_with_few_seasons_of_data() {
        // five days of hourly data with a multiplicative daily cycle: the seasonal indices
        // rest on five points each, which the intervals must allow for
        let mut rng = Rng::new(25);
        let (mut hit, mut total) = (0usize, 0usize);
        for i in 0..150 {
            let level = 100.0 + i as f64;
            let y: Vec<f64> = (0..24 * 6)
                .map(|t| {
                    let day = 1.0 + 0.5 * (2.0 * std::f64::consts::PI * t as f64 / 24.0).sin();
                    level * day * (1.0 + 0.05 * rng.normal())
                })
                .collect();
            let (train, test) = y.split_at(24 * 5);
            let f = forecast(train, Frequency::Hourly, 24, &[0.9]);
            assert_eq!(f.periods, vec![24]);
            let i90 = &f.intervals[0];
            for (h, v) in test.iter().enumerate() {
                total += 1;
                hit += usize::from(*v >= i90.lower[h] && *v <= i90.upper[h]);
            }
        }
        let c = hit as f64 / total as f64;
        assert!((0.86..=0.97).contains(&c), "90% coverage {c}");
    }

    #[test]
    fn awkward_series_give_finite_forecasts() {
        let cases: Vec<Vec<f64>> = vec![
            vec![],
            vec![f64::NAN, f64::NAN],
            vec![5.0],
            vec![0.0; 30],
            vec![1.0, 2.0],
            vec![-5.0, -3.0, -8.0, 2.0, -1.0, -6.0, -4.0, -2.0],
            (0..50)
                .map(|t| if t % 7 == 0 { 3.0 } else { 0.0 })
                .collect(),
            (0..40)
                .map(|t| if t % 5 == 2 { f64::NAN } else { t as f64 })
                .collect(),
        ];
        for y in cases {
            for freq in [Frequency::Daily, Frequency::Monthly] {
                let f = forecast(&y, freq, 7, &[0.8, 0.95]);
                assert_eq!(f.mean.len(), 7);
                assert!(finite(&f), "{y:?} -> {f:?}");
                for i in &f.intervals {
                    assert!(i.lower.iter().zip(&i.upper).all(|(l, u)| l <= u));
                }
            }
        }
    }

    #[test]
    fn non_negative_series_never_get_negative_forecasts() {
        let y: Vec<f64> = (0..60).map(|t| (60 - t) as f64 * 0.5).collect();
        let f = forecast(&y, Frequency::Daily, 60, &[0.95]);
        assert!(f.mean.iter().all(|v| *v >= 0.0));
        assert!(f.intervals[0].lower.iter().all(|v| *v >= 0.0));
    }

    #[test]
    fn month_start_fees_are_forecast_on_the_first() {
        // daily cost with a weekly pattern and a fee of 400 on every 1st of the month
        let d0 = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let mut rng = Rng::new(24);
        let day = |t: usize| {
            let weekly = if t % 7 >= 5 { 60.0 } else { 100.0 };
            let fee = if is_month_start(d0, t) { 400.0 } else { 0.0 };
            weekly + fee
        };
        let n = 240;
        let y: Vec<f64> = (0..n).map(|t| day(t) + 2.0 * rng.normal()).collect();
        let mut cfg = ForecastConfig::new(Frequency::Daily, 40, &[0.9]);
        cfg.start_date = Some(d0);
        let f = forecast_with(&y, &cfg);
        assert!(f.method.contains("month-start"), "{}", f.method);
        let first = (n..n + 40).find(|&t| is_month_start(d0, t)).unwrap();
        let at_first = f.mean[first - n];
        assert!(
            (at_first - day(first)).abs() < 60.0,
            "{at_first} vs {}",
            day(first)
        );
        for t in first + 1..first + 8 {
            let v = f.mean[t - n];
            assert!((v - day(t)).abs() < 10.0, "day {t}: {v} vs {}", day(t));
        }
        // the weekly pattern is still found under the fees
        assert_eq!(f.periods, vec![7], "{}", f.method);
        // without the date the fee is missed
        let plain = forecast(&y, Frequency::Daily, 40, &[]);
        assert!((plain.mean[first - n] - day(first)).abs() > 100.0);
    }

    #[test]
    fn level_shift_moves_the_forecast_to_the_new_level() {
        let mut rng = Rng::new(23);
        let y: Vec<f64> = (0..200)
            .map(|t| if t < 150 { 10.0 } else { 30.0 } + 0.3 * rng.normal())
            .collect();
        let f = forecast(&y, Frequency::Daily, 5, &[]);
        assert!(
            f.mean.iter().all(|v| (v - 30.0).abs() < 3.0),
            "{:?}",
            f.mean
        );
    }

    #[test]
    fn missing_periods_are_bridged() {
        let y: Vec<f64> = (0..100)
            .map(|t| {
                if (40..45).contains(&t) {
                    f64::NAN
                } else {
                    50.0 + t as f64
                }
            })
            .collect();
        let f = forecast(&y, Frequency::Monthly, 3, &[0.8]);
        assert!(finite(&f));
        assert!((f.mean[0] - 150.0).abs() < 5.0, "{:?}", f.mean);
    }
}
