//! Exponential smoothing with additive errors: simple (ETS(A,N,N)), Holt (A,A,N) and damped trend (A,Ad,N).

use super::optim::nelder_mead;

/// The trend component of an exponential smoothing model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    None,
    Additive,
    Damped,
}

/// A fitted exponential smoothing model.
#[derive(Debug, Clone)]
pub struct Ets {
    pub trend: Trend,
    pub alpha: f64,
    pub beta: f64,
    pub phi: f64,
    pub l0: f64,
    pub b0: f64,
    /// Sum of squared one-step errors.
    pub sse: f64,
    /// Number of fitted observations.
    pub n: usize,
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

impl Ets {
    fn from_params(trend: Trend, p: &[f64]) -> Ets {
        let alpha = 1e-4 + 0.9998 * sigmoid(p[0]);
        let (beta, phi, l0, b0) = match trend {
            Trend::None => (0.0, 1.0, p[1], 0.0),
            Trend::Additive => (alpha * 0.999 * sigmoid(p[1]), 1.0, p[2], p[3]),
            Trend::Damped => (
                alpha * 0.999 * sigmoid(p[1]),
                0.8 + 0.18 * sigmoid(p[4]),
                p[2],
                p[3],
            ),
        };
        Ets {
            trend,
            alpha,
            beta,
            phi,
            l0,
            b0,
            sse: f64::INFINITY,
            n: 0,
        }
    }

    /// Fit by least squares of the one-step errors (equivalent to maximum likelihood for
    /// Gaussian additive errors), initial states included. `y` must be finite and non-empty.
    pub fn fit(y: &[f64], trend: Trend) -> Ets {
        let n = y.len();
        let k = n.min(10);
        let scale = {
            let m = y.iter().sum::<f64>() / n as f64;
            let v = y.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n as f64;
            v.sqrt().max(1e-6 * m.abs()).max(1e-9)
        };
        let l0 = y[..k].iter().sum::<f64>() / k as f64;
        let b0 = if n >= 2 {
            let k2 = n.min(6);
            (y[k2 - 1] - y[0]) / (k2 - 1) as f64
        } else {
            0.0
        };
        let (x0, step): (Vec<f64>, Vec<f64>) = match trend {
            Trend::None => (vec![logit(0.3), y[0]], vec![1.5, 0.2 * scale]),
            Trend::Additive => (
                vec![logit(0.3), logit(0.1), l0, b0],
                vec![1.5, 1.5, 0.2 * scale, 0.05 * scale],
            ),
            Trend::Damped => (
                vec![logit(0.3), logit(0.1), l0, b0, logit(0.5)],
                vec![1.5, 1.5, 0.2 * scale, 0.05 * scale, 1.5],
            ),
        };
        let max_evals = 40 * (x0.len() + 1) * 2;
        let (p, sse) = nelder_mead(
            |p| Ets::from_params(trend, p).sse_of(y),
            &x0,
            &step,
            max_evals,
            1e-6,
        );
        let mut m = Ets::from_params(trend, &p);
        m.sse = sse;
        m.n = n;
        m
    }

    /// Sum of squared one-step errors of this model on `y`.
    pub fn sse_of(&self, y: &[f64]) -> f64 {
        let (mut l, mut b) = (self.l0, self.b0);
        let mut sse = 0.0;
        for &v in y {
            let f = l + self.phi * b;
            let e = v - f;
            sse += e * e;
            l = f + self.alpha * e;
            b = self.phi * b + self.beta * e;
        }
        sse
    }

    /// Number of estimated parameters (smoothing parameters, initial states, error variance).
    pub fn n_params(&self) -> usize {
        match self.trend {
            Trend::None => 3,
            Trend::Additive => 5,
            Trend::Damped => 6,
        }
    }

    /// Corrected Akaike information criterion of the fit.
    pub fn aicc(&self) -> f64 {
        let n = self.n as f64;
        let k = self.n_params() as f64;
        let ll = n * (self.sse.max(1e-300) / n).ln();
        if n - k - 1.0 > 0.0 {
            ll + 2.0 * k + 2.0 * k * (k + 1.0) / (n - k - 1.0)
        } else {
            f64::INFINITY
        }
    }

    /// Cumulative damping `phi + phi² + … + phi^h`.
    fn damp_sum(&self, h: usize) -> f64 {
        if self.phi == 1.0 {
            h as f64
        } else {
            self.phi * (1.0 - self.phi.powi(h as i32)) / (1.0 - self.phi)
        }
    }

    /// Run the filter over `y`, calling `at_origin(t, level, slope)` after observing `y[t]`;
    /// returns the final states.
    pub fn filter(&self, y: &[f64], mut at_origin: impl FnMut(usize, f64, f64)) -> (f64, f64) {
        let (mut l, mut b) = (self.l0, self.b0);
        for (t, &v) in y.iter().enumerate() {
            let f = l + self.phi * b;
            let e = v - f;
            l = f + self.alpha * e;
            b = self.phi * b + self.beta * e;
            at_origin(t, l, b);
        }
        (l, b)
    }

    /// The `h`-step forecast from states `(l, b)`.
    pub fn point(&self, l: f64, b: f64, h: usize) -> f64 {
        l + self.damp_sum(h) * b
    }

    /// Forecasts for steps `1..=horizon` after the end of `y`.
    pub fn forecast(&self, y: &[f64], horizon: usize) -> Vec<f64> {
        let (l, b) = self.filter(y, |_, _, _| {});
        (1..=horizon).map(|h| self.point(l, b, h)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::Rng;

    #[test]
    fn ses_recovers_level_of_noisy_constant() {
        let mut rng = Rng::new(7);
        let y: Vec<f64> = (0..300).map(|_| 50.0 + rng.normal()).collect();
        let m = Ets::fit(&y, Trend::None);
        let f = m.forecast(&y, 5);
        assert!(f.iter().all(|v| (v - 50.0).abs() < 0.6), "{f:?}");
        assert!(m.alpha < 0.3, "alpha {}", m.alpha);
    }

    #[test]
    fn holt_follows_a_linear_trend() {
        let mut rng = Rng::new(8);
        let y: Vec<f64> = (0..200)
            .map(|t| 10.0 + 2.0 * t as f64 + rng.normal())
            .collect();
        let m = Ets::fit(&y, Trend::Additive);
        let f = m.forecast(&y, 10);
        for (h, v) in f.iter().enumerate() {
            let truth = 10.0 + 2.0 * (200 + h) as f64;
            assert!((v - truth).abs() < 3.0, "h{h}: {v} vs {truth}");
        }
        let d = Ets::fit(&y, Trend::Damped);
        assert!(d.phi >= 0.8 && d.phi <= 0.98);
        assert!(d.forecast(&y, 10)[9] < f[9] + 1e-9);
    }

    #[test]
    fn aicc_prefers_the_simpler_model_on_a_flat_series() {
        let mut rng = Rng::new(9);
        let y: Vec<f64> = (0..100).map(|_| 5.0 + rng.normal()).collect();
        let ses = Ets::fit(&y, Trend::None);
        let holt = Ets::fit(&y, Trend::Additive);
        assert!(ses.aicc() < holt.aicc());
    }
}
