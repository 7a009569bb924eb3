//! Series vocabulary (frequency, candidate seasons) and small robust statistics shared by the engines.

use std::fmt;
use std::str::FromStr;

/// Sampling frequency of a regular series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Frequency {
    Hourly,
    Daily,
    Weekly,
    Monthly,
}

impl Frequency {
    /// Season lengths (in periods) worth testing for this frequency, shortest first:
    /// day and week in hourly data, week in daily data, year in weekly and monthly data.
    /// (The month-start pattern of daily cost is a calendar effect, not a fixed period: see
    /// `ForecastConfig::start_date`.)
    pub fn candidate_periods(self) -> &'static [usize] {
        match self {
            Frequency::Hourly => &[24, 168],
            Frequency::Daily => &[7],
            Frequency::Weekly => &[52],
            Frequency::Monthly => &[12],
        }
    }

    /// Guess the frequency from a sampling step in seconds (nearest of the four).
    pub fn from_step_seconds(step: i64) -> Frequency {
        const HOUR: i64 = 3600;
        if step <= 6 * HOUR {
            Frequency::Hourly
        } else if step <= 3 * 24 * HOUR {
            Frequency::Daily
        } else if step <= 14 * 24 * HOUR {
            Frequency::Weekly
        } else {
            Frequency::Monthly
        }
    }
}

/// An unknown frequency name.
#[derive(Debug, thiserror::Error)]
#[error("unknown frequency {0:?}: expected hourly, daily, weekly or monthly")]
pub struct UnknownFrequency(pub String);

impl FromStr for Frequency {
    type Err = UnknownFrequency;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "hourly" | "h" => Ok(Frequency::Hourly),
            "daily" | "d" => Ok(Frequency::Daily),
            "weekly" | "w" => Ok(Frequency::Weekly),
            "monthly" | "m" => Ok(Frequency::Monthly),
            _ => Err(UnknownFrequency(s.to_string())),
        }
    }
}

impl fmt::Display for Frequency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Frequency::Hourly => "hourly",
            Frequency::Daily => "daily",
            Frequency::Weekly => "weekly",
            Frequency::Monthly => "monthly",
        })
    }
}

/// Median of the finite values (NaN if there are none).
pub fn median(values: &[f64]) -> f64 {
    quantile(values, 0.5)
}

/// Linear-interpolated quantile `q` in [0, 1] of the finite values (NaN if there are none).
pub fn quantile(values: &[f64], q: f64) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_unstable_by(|a, b| a.total_cmp(b));
    let pos = q.clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

/// Median absolute deviation from the median, scaled to estimate a normal sigma.
pub fn mad_sigma(values: &[f64]) -> f64 {
    let m = median(values);
    let dev: Vec<f64> = values.iter().map(|x| (x - m).abs()).collect();
    1.4826 * median(&dev)
}

/// Mean of the finite values (NaN if there are none).
pub fn mean(values: &[f64]) -> f64 {
    let (s, n) = values
        .iter()
        .filter(|x| x.is_finite())
        .fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    if n == 0 { f64::NAN } else { s / n as f64 }
}

/// Fill NaN gaps by linear interpolation; leading NaNs take the first value, trailing NaNs the
/// last. Returns `None` when no value is finite.
pub fn interpolate_missing(values: &[f64]) -> Option<Vec<f64>> {
    let first = values.iter().position(|x| x.is_finite())?;
    let mut out = values.to_vec();
    for x in out.iter_mut().take(first) {
        *x = values[first];
    }
    let mut last = first;
    for i in first + 1..values.len() {
        if values[i].is_finite() {
            if i > last + 1 {
                let (a, b) = (values[last], values[i]);
                let span = (i - last) as f64;
                for (k, x) in out.iter_mut().enumerate().take(i).skip(last + 1) {
                    *x = a + (b - a) * (k - last) as f64 / span;
                }
            }
            last = i;
        }
    }
    for x in out.iter_mut().skip(last + 1) {
        *x = values[last];
    }
    Some(out)
}

/// Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9).
pub fn normal_quantile(p: f64) -> f64 {
    let p = p.clamp(1e-12, 1.0 - 1e-12);
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_and_robust_scale() {
        let v = [1.0, 2.0, 3.0, 4.0, 100.0, f64::NAN];
        assert_eq!(median(&v), 3.0);
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 1.0), 100.0);
        // the outlier barely moves the MAD
        assert!((mad_sigma(&v) - 1.4826).abs() < 1e-9);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn interpolation_fills_every_gap() {
        let v = [f64::NAN, 1.0, f64::NAN, f64::NAN, 4.0, f64::NAN];
        assert_eq!(
            interpolate_missing(&v).unwrap(),
            vec![1.0, 1.0, 2.0, 3.0, 4.0, 4.0]
        );
        assert!(interpolate_missing(&[f64::NAN]).is_none());
    }

    #[test]
    fn normal_quantile_matches_tables() {
        assert!((normal_quantile(0.975) - 1.959_964).abs() < 1e-5);
        assert!((normal_quantile(0.9) - 1.281_552).abs() < 1e-5);
        assert!((normal_quantile(0.001) + 3.090_232).abs() < 1e-5);
        assert!(normal_quantile(0.5).abs() < 1e-9);
    }

    #[test]
    fn frequency_parses_and_guesses() {
        assert_eq!("Weekly".parse::<Frequency>().unwrap(), Frequency::Weekly);
        assert!("yearly".parse::<Frequency>().is_err());
        assert_eq!(Frequency::from_step_seconds(300), Frequency::Hourly);
        assert_eq!(Frequency::from_step_seconds(86_400), Frequency::Daily);
        assert_eq!(Frequency::from_step_seconds(7 * 86_400), Frequency::Weekly);
        assert_eq!(
            Frequency::from_step_seconds(30 * 86_400),
            Frequency::Monthly
        );
    }
}
