//! Forecast accuracy measures as the M4 competition defines them: sMAPE, MASE, OWA and interval coverage.

/// Symmetric MAPE in percent: `mean(200 |a - f| / (|a| + |f|))`; a step where both are zero
/// counts as a perfect forecast.
pub fn smape(actual: &[f64], forecast: &[f64]) -> f64 {
    let n = actual.len().min(forecast.len());
    if n == 0 {
        return f64::NAN;
    }
    let s: f64 = actual
        .iter()
        .zip(forecast)
        .map(|(a, f)| {
            let d = a.abs() + f.abs();
            if d == 0.0 {
                0.0
            } else {
                200.0 * (a - f).abs() / d
            }
        })
        .sum();
    s / n as f64
}

/// Mean absolute scaled error: the forecast's mean absolute error over the in-sample mean
/// absolute error of the seasonal naive method with period `m` (M4 uses m = 1 for weekly).
pub fn mase(insample: &[f64], actual: &[f64], forecast: &[f64], m: usize) -> f64 {
    let m = m.max(1);
    if insample.len() <= m {
        return f64::NAN;
    }
    let scale: f64 = insample
        .windows(m + 1)
        .map(|w| (w[m] - w[0]).abs())
        .sum::<f64>()
        / (insample.len() - m) as f64;
    let n = actual.len().min(forecast.len());
    let mae: f64 = actual
        .iter()
        .zip(forecast)
        .map(|(a, f)| (a - f).abs())
        .sum::<f64>()
        / n as f64;
    mae / scale
}

/// Overall weighted average relative to Naive2: `(sMAPE / sMAPE_naive2 + MASE / MASE_naive2) / 2`
/// of the dataset means.
pub fn owa(smape: f64, mase: f64, naive2_smape: f64, naive2_mase: f64) -> f64 {
    0.5 * (smape / naive2_smape + mase / naive2_mase)
}

/// Number of actual values inside `[lower, upper]`, and the number compared.
pub fn coverage(actual: &[f64], lower: &[f64], upper: &[f64]) -> (usize, usize) {
    let n = actual.len().min(lower.len()).min(upper.len());
    let hits = (0..n)
        .filter(|&i| actual[i] >= lower[i] && actual[i] <= upper[i])
        .count();
    (hits, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smape_and_mase_by_hand() {
        assert!((smape(&[100.0, 0.0], &[50.0, 0.0]) - 33.333_333).abs() < 1e-4);
        // naive in-sample errors are all 1, forecast errors 2 → MASE 2
        let ins = [1.0, 2.0, 3.0, 4.0];
        assert!((mase(&ins, &[5.0, 6.0], &[3.0, 4.0], 1) - 2.0).abs() < 1e-12);
        assert!((owa(9.0, 2.5, 9.0, 2.5) - 1.0).abs() < 1e-12);
        assert_eq!(coverage(&[1.0, 5.0], &[0.0, 0.0], &[2.0, 2.0]), (1, 2));
    }
}
