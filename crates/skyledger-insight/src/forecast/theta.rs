//! The classic Theta method (Assimakopoulos & Nikolopoulos 2000, as run by the M4 benchmarks):
//! the mean of the linear-trend line (theta 0) extrapolated and SES on the theta-2 line.

use super::ets::{Ets, Trend};

/// A fitted Theta model.
#[derive(Debug, Clone)]
pub struct Theta {
    /// Intercept of the linear trend at position 0.
    pub a: f64,
    /// Slope of the linear trend per period.
    pub b: f64,
    /// SES fitted to the theta-2 line `2y - (a + bt)`.
    pub ses: Ets,
}

impl Theta {
    /// Fit to finite, non-empty `y`.
    pub fn fit(y: &[f64]) -> Theta {
        let (a, b) = linear_fit(y);
        let z = theta_line(y, a, b);
        Theta {
            a,
            b,
            ses: Ets::fit(&z, Trend::None),
        }
    }

    /// Run over `y`, calling `at_origin(t, forecast_fn_state)` with the SES level of the theta
    /// line after observing `y[t]`.
    pub fn filter(&self, y: &[f64], mut at_origin: impl FnMut(usize, f64)) -> f64 {
        let z = theta_line(y, self.a, self.b);
        let (l, _) = self.ses.filter(&z, |t, l, _| at_origin(t, l));
        l
    }

    /// The `h`-step forecast made at origin `t` with theta-line level `level`.
    pub fn point(&self, t: usize, level: f64, h: usize) -> f64 {
        0.5 * level + 0.5 * (self.a + self.b * (t + h) as f64)
    }

    /// Forecasts for steps `1..=horizon` after the end of `y`.
    pub fn forecast(&self, y: &[f64], horizon: usize) -> Vec<f64> {
        let l = self.filter(y, |_, _| {});
        let t = y.len() - 1;
        (1..=horizon).map(|h| self.point(t, l, h)).collect()
    }
}

fn theta_line(y: &[f64], a: f64, b: f64) -> Vec<f64> {
    y.iter()
        .enumerate()
        .map(|(t, v)| 2.0 * v - (a + b * t as f64))
        .collect()
}

/// Least-squares line `a + b t` over positions `t = 0..n`.
pub fn linear_fit(y: &[f64]) -> (f64, f64) {
    let n = y.len() as f64;
    if y.len() < 2 {
        return (y.first().copied().unwrap_or(0.0), 0.0);
    }
    let tm = (n - 1.0) / 2.0;
    let ym = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (t, v) in y.iter().enumerate() {
        let dt = t as f64 - tm;
        sxy += dt * (v - ym);
        sxx += dt * dt;
    }
    let b = sxy / sxx;
    (ym - b * tm, b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::Rng;

    #[test]
    fn extrapolates_half_the_trend_plus_level() {
        let mut rng = Rng::new(11);
        let y: Vec<f64> = (0..120)
            .map(|t| 100.0 + 0.5 * t as f64 + rng.normal())
            .collect();
        let m = Theta::fit(&y);
        assert!((m.b - 0.5).abs() < 0.05);
        let f = m.forecast(&y, 12);
        // Theta's drift is half the regression slope on top of an SES level that already
        // tracks the trend, so forecasts keep rising.
        assert!(f[11] > f[0]);
        assert!((f[0] - 160.0).abs() < 3.0, "{}", f[0]);
    }

    #[test]
    fn linear_fit_is_exact_on_a_line() {
        let y: Vec<f64> = (0..10).map(|t| 3.0 - 2.0 * t as f64).collect();
        let (a, b) = linear_fit(&y);
        assert!((a - 3.0).abs() < 1e-12 && (b + 2.0).abs() < 1e-12);
    }
}
