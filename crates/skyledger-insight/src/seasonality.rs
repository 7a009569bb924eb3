//! Seasonality found from the data: autocorrelation tests and classical seasonal decomposition.

/// Sample autocorrelations for lags `0..=max_lag` (finite input assumed; a constant series gives
/// zeros beyond lag 0).
pub fn acf(values: &[f64], max_lag: usize) -> Vec<f64> {
    let n = values.len();
    let mut out = vec![0.0; max_lag + 1];
    if n == 0 {
        return out;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let d: Vec<f64> = values.iter().map(|x| x - mean).collect();
    let denom: f64 = d.iter().map(|x| x * x).sum();
    out[0] = 1.0;
    if denom <= f64::EPSILON * n as f64 {
        return out;
    }
    for (lag, o) in out.iter_mut().enumerate().skip(1) {
        if lag >= n {
            break;
        }
        let s: f64 = d[lag..].iter().zip(&d[..n - lag]).map(|(a, b)| a * b).sum();
        *o = s / denom;
    }
    out
}

/// Sample autocorrelations at the given lags only (each lag costs one pass over the data).
pub fn acf_at(values: &[f64], lags: &[usize]) -> Vec<f64> {
    let n = values.len();
    if n == 0 {
        return vec![0.0; lags.len()];
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let denom: f64 = values.iter().map(|x| (x - mean) * (x - mean)).sum();
    lags.iter()
        .map(|&lag| {
            if lag == 0 {
                1.0
            } else if lag >= n || denom <= f64::EPSILON * n as f64 {
                0.0
            } else {
                values[lag..]
                    .iter()
                    .zip(&values[..n - lag])
                    .map(|(a, b)| (a - mean) * (b - mean))
                    .sum::<f64>()
                    / denom
            }
        })
        .collect()
}

/// The M4 benchmarks' seasonality test: the autocorrelation at lag `period` exceeds its 90 %
/// limit `1.645 * sqrt((1 + 2 * Σ acf_k², k < period) / n)`. Needs three full seasons.
pub fn is_seasonal(values: &[f64], period: usize) -> bool {
    let n = values.len();
    if period < 2 || n < 3 * period {
        return false;
    }
    let r = acf(values, period);
    let s: f64 = r[1..period].iter().map(|x| x * x).sum();
    let limit = 1.645 * ((1.0 + 2.0 * s) / n as f64).sqrt();
    r[period].abs() > limit
}

/// A quicker test for online use with only two seasons of data: the autocorrelation at
/// `period` is clearly positive and clearly above the one at half the period (which rules out
/// trends and random walks, whose autocorrelation decays smoothly).
pub fn has_peak_at(values: &[f64], period: usize) -> bool {
    peak_strength(values, period).is_some()
}

/// The autocorrelation at `period` when [`has_peak_at`] holds.
pub fn peak_strength(values: &[f64], period: usize) -> Option<f64> {
    let n = values.len();
    if period < 2 || n < 2 * period {
        return None;
    }
    let r = acf_at(values, &[period / 2, period]);
    (r[1] > 0.3 && r[1] > r[0] + 0.1).then_some(r[1])
}

/// The lag in `2..=max_lag` (and at most a third of the data) where the autocorrelation has
/// its strongest local peak passing the [`has_peak_at`] rule, with that autocorrelation.
pub fn strongest_period(values: &[f64], max_lag: usize) -> Option<(usize, f64)> {
    let max_lag = max_lag.min(values.len() / 3);
    if max_lag < 3 {
        return None;
    }
    let r = acf(values, max_lag + 1);
    (2..=max_lag)
        .filter(|&l| r[l] >= r[l - 1] && r[l] >= r[l + 1])
        .filter(|&l| r[l] > 0.3 && r[l] > r[l / 2] + 0.1)
        .map(|l| (l, r[l]))
        .fold(None, |best: Option<(usize, f64)>, c| match best {
            Some(b) if b.1 >= c.1 => Some(b),
            _ => Some(c),
        })
}

/// The candidate periods that pass [`is_seasonal`], shortest first.
pub fn detect_periods(values: &[f64], candidates: &[usize]) -> Vec<usize> {
    let mut out: Vec<usize> = candidates
        .iter()
        .copied()
        .filter(|&m| is_seasonal(values, m))
        .collect();
    out.sort_unstable();
    out
}

/// How seasonal indices combine with the level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeasonalKind {
    Additive,
    Multiplicative,
}

/// Seasonal indices of one period; `index[t % period]` applies to position `t` of the series.
#[derive(Debug, Clone)]
pub struct SeasonalComponent {
    pub period: usize,
    pub kind: SeasonalKind,
    pub index: Vec<f64>,
}

impl SeasonalComponent {
    /// Remove the component from `values` (positions start at `offset`).
    pub fn remove(&self, values: &mut [f64], offset: usize) {
        for (i, v) in values.iter_mut().enumerate() {
            let s = self.index[(offset + i) % self.period];
            match self.kind {
                SeasonalKind::Additive => *v -= s,
                SeasonalKind::Multiplicative => *v /= s,
            }
        }
    }

    /// Put the component back into `values` (positions start at `offset`).
    pub fn restore(&self, values: &mut [f64], offset: usize) {
        for (i, v) in values.iter_mut().enumerate() {
            let s = self.index[(offset + i) % self.period];
            match self.kind {
                SeasonalKind::Additive => *v += s,
                SeasonalKind::Multiplicative => *v *= s,
            }
        }
    }
}

/// Classical decomposition: a centred moving average of order `period` estimates the trend, the
/// detrended values are averaged per phase and normalised (mean 1 or 0). Uses the trimmed mean
/// of each phase so a few anomalies do not leak into the profile. Needs two full seasons.
pub fn classical(values: &[f64], period: usize, kind: SeasonalKind) -> Option<SeasonalComponent> {
    let n = values.len();
    if period < 2 || n < 2 * period {
        return None;
    }
    let trend = centred_moving_average(values, period);
    let mut per_phase: Vec<Vec<f64>> = vec![Vec::new(); period];
    for (t, tr) in trend.iter().enumerate() {
        if let Some(tr) = tr {
            let d = match kind {
                SeasonalKind::Additive => values[t] - tr,
                SeasonalKind::Multiplicative => {
                    if *tr <= 0.0 {
                        return None;
                    }
                    values[t] / tr
                }
            };
            per_phase[t % period].push(d);
        }
    }
    let mut index: Vec<f64> = per_phase.iter_mut().map(|v| trimmed_mean(v)).collect();
    if index.iter().any(|x| !x.is_finite()) {
        return None;
    }
    let m = index.iter().sum::<f64>() / period as f64;
    match kind {
        SeasonalKind::Additive => index.iter_mut().for_each(|x| *x -= m),
        SeasonalKind::Multiplicative => {
            if m <= 0.0 {
                return None;
            }
            index.iter_mut().for_each(|x| *x /= m);
            if index.iter().any(|&x| x <= 0.0) {
                return None;
            }
        }
    }
    Some(SeasonalComponent {
        period,
        kind,
        index,
    })
}

/// Mean after dropping the lowest and highest 10 % (plain mean for fewer than 5 values).
fn trimmed_mean(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_unstable_by(|a, b| a.total_cmp(b));
    let k = if v.len() >= 5 { v.len() / 10 } else { 0 };
    let s = &v[k..v.len() - k];
    s.iter().sum::<f64>() / s.len() as f64
}

/// Centred moving average of order `m` (a 2×m average for even `m`); `None` near the ends.
fn centred_moving_average(values: &[f64], m: usize) -> Vec<Option<f64>> {
    let n = values.len();
    let mut out = vec![None; n];
    let mut prefix = vec![0.0; n + 1];
    for i in 0..n {
        prefix[i + 1] = prefix[i] + values[i];
    }
    let sum = |a: usize, b: usize| prefix[b] - prefix[a]; // values[a..b]
    if m % 2 == 1 {
        let h = m / 2;
        for (t, o) in out.iter_mut().enumerate().take(n - h).skip(h) {
            *o = Some(sum(t - h, t + h + 1) / m as f64);
        }
    } else {
        let h = m / 2;
        for (t, o) in out.iter_mut().enumerate().take(n - h).skip(h) {
            // half weights on the two end points
            let s = sum(t - h, t + h + 1) - 0.5 * values[t - h] - 0.5 * values[t + h];
            *o = Some(s / m as f64);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seasonal_series(n: usize, period: usize, amp: f64, noise_seed: u64) -> Vec<f64> {
        let mut rng = crate::testutil::Rng::new(noise_seed);
        (0..n)
            .map(|t| {
                100.0
                    + 0.05 * t as f64
                    + amp * (2.0 * std::f64::consts::PI * t as f64 / period as f64).sin()
                    + rng.normal()
            })
            .collect()
    }

    #[test]
    fn finds_the_planted_period_and_not_others() {
        let y = seasonal_series(24 * 30, 24, 10.0, 1);
        assert_eq!(detect_periods(&y, &[24, 168]), vec![24]);
        let mut rng = crate::testutil::Rng::new(2);
        let noise: Vec<f64> = (0..500).map(|_| rng.normal()).collect();
        assert!(detect_periods(&noise, &[7, 30]).is_empty());
    }

    #[test]
    fn finds_two_periods_in_hourly_data() {
        let mut rng = crate::testutil::Rng::new(3);
        let y: Vec<f64> = (0..24 * 7 * 8)
            .map(|t| {
                let day = (2.0 * std::f64::consts::PI * t as f64 / 24.0).sin() * 10.0;
                let weekend = if (t / 24) % 7 >= 5 { -15.0 } else { 0.0 };
                100.0 + day + weekend + rng.normal()
            })
            .collect();
        assert_eq!(detect_periods(&y, &[24, 168]), vec![24, 168]);
    }

    #[test]
    fn acf_at_matches_acf() {
        let y = seasonal_series(300, 12, 5.0, 9);
        let all = acf(&y, 24);
        let some = acf_at(&y, &[0, 6, 12, 24]);
        for (k, lag) in [0, 6, 12, 24].iter().enumerate() {
            assert!((all[*lag] - some[k]).abs() < 1e-12);
        }
    }

    #[test]
    fn peak_test_accepts_seasons_and_rejects_trends() {
        let y = seasonal_series(72, 24, 10.0, 6);
        assert!(has_peak_at(&y, 24));
        let trend: Vec<f64> = (0..200).map(|t| t as f64).collect();
        assert!(!has_peak_at(&trend, 24));
    }

    #[test]
    fn strongest_period_is_found_without_hints() {
        let y = seasonal_series(400, 12, 10.0, 7);
        assert_eq!(strongest_period(&y, 100).map(|p| p.0), Some(12));
        let mut rng = crate::testutil::Rng::new(8);
        let noise: Vec<f64> = (0..400).map(|_| rng.normal()).collect();
        assert_eq!(strongest_period(&noise, 100), None);
    }

    #[test]
    fn short_series_are_not_seasonal() {
        let y = seasonal_series(40, 24, 10.0, 4);
        assert!(!is_seasonal(&y, 24));
        assert!(classical(&y, 24, SeasonalKind::Additive).is_none());
    }

    #[test]
    fn decomposition_recovers_the_profile() {
        let y = seasonal_series(7 * 40, 7, 5.0, 5);
        let c = classical(&y, 7, SeasonalKind::Additive).unwrap();
        for (p, s) in c.index.iter().enumerate() {
            let truth = 5.0 * (2.0 * std::f64::consts::PI * p as f64 / 7.0).sin();
            assert!((s - truth).abs() < 0.5, "phase {p}: {s} vs {truth}");
        }
        let mut adj = y.clone();
        c.remove(&mut adj, 0);
        c.restore(&mut adj, 0);
        assert!(adj.iter().zip(&y).all(|(a, b)| (a - b).abs() < 1e-9));
        let m = classical(&y, 7, SeasonalKind::Multiplicative).unwrap();
        assert!((m.index.iter().sum::<f64>() - 7.0).abs() < 1e-9);
    }
}
