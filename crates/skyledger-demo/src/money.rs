//! Exact fixed-point amounts: every number the generator writes is an integer count of 1e-8 (or
//! 1e-10 for unit rates), so the totals it reports are exactly the sums of the values as written.

use rust_decimal::Decimal;

/// Decimal places of amounts (costs and quantities).
pub(crate) const SCALE: u32 = 8;
/// One unit (1.0) of an amount.
pub(crate) const ONE: i64 = 100_000_000;
/// Decimal places of unit rates (AWS Lambda is priced at $0.0000166667 per GB-second).
pub(crate) const RATE_SCALE: u32 = 10;
/// One unit (1.0) of a rate.
pub(crate) const RATE_ONE: i64 = 10_000_000_000;

/// An amount from a float, rounded to the amount scale.
pub(crate) fn amount(x: f64) -> i64 {
    (x * ONE as f64).round() as i64
}

/// A rate from a float, rounded to the rate scale.
pub(crate) fn rate(x: f64) -> i64 {
    (x * RATE_ONE as f64).round() as i64
}

/// `quantity × rate`, rounded half away from zero to the amount scale.
pub(crate) fn cost(quantity: i64, rate: i64) -> i64 {
    let p = i128::from(quantity) * i128::from(rate);
    let d = i128::from(RATE_ONE);
    let q = if p >= 0 {
        (p + d / 2) / d
    } else {
        (p - d / 2) / d
    };
    q as i64
}

/// `x × num / den`, rounded to nearest.
pub(crate) fn scale(x: i64, num: i64, den: i64) -> i64 {
    let p = i128::from(x) * i128::from(num);
    let d = i128::from(den);
    let q = if p >= 0 {
        (p + d / 2) / d
    } else {
        (p - d / 2) / d
    };
    q as i64
}

/// The value as an `f64` (for Parquet doubles and JSON numbers); the shortest decimal that
/// round-trips this double is the fixed-point value itself (at most 17 significant digits).
pub(crate) fn to_f64(v: i64, scale: u32) -> f64 {
    v as f64 / 10f64.powi(scale as i32)
}

/// Appends `v / 10^scale` in plain decimal notation with trailing zeros trimmed but at least one
/// fractional digit (`0.0`, `12.5`, `-0.00012`), the way the provider samples print numbers.
pub(crate) fn push(buf: &mut String, v: i64, scale: u32) {
    use std::fmt::Write;
    let div = 10u64.pow(scale);
    let abs = v.unsigned_abs();
    if v < 0 {
        buf.push('-');
    }
    let _ = write!(buf, "{}", abs / div);
    let mut frac = abs % div;
    buf.push('.');
    if frac == 0 {
        buf.push('0');
        return;
    }
    let mut digits = scale;
    while frac.is_multiple_of(10) {
        frac /= 10;
        digits -= 1;
    }
    let _ = write!(buf, "{frac:0width$}", width = digits as usize);
}

/// The value as a string (see [`push`]).
#[cfg(test)]
pub(crate) fn fmt(v: i64, scale: u32) -> String {
    let mut s = String::new();
    push(&mut s, v, scale);
    s
}

/// An exact running sum of amounts.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Sum(pub(crate) i128);

impl Sum {
    pub(crate) fn add(&mut self, v: i64) {
        self.0 += i128::from(v);
    }

    pub(crate) fn decimal(self) -> Decimal {
        Decimal::from_i128_with_scale(self.0, SCALE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_the_samples() {
        assert_eq!(fmt(0, SCALE), "0.0");
        assert_eq!(fmt(ONE * 24, SCALE), "24.0");
        assert_eq!(fmt(-1_250_000, SCALE), "-0.0125");
        assert_eq!(fmt(1, SCALE), "0.00000001");
        assert_eq!(fmt(166_667, RATE_SCALE), "0.0000166667");
    }

    #[test]
    fn cost_rounds_half_away_from_zero() {
        // 3 hours at $0.0965 = 0.2895
        assert_eq!(cost(3 * ONE, rate(0.0965)), 28_950_000);
        // 1e-8 × 0.5 rounds away from zero
        assert_eq!(cost(1, RATE_ONE / 2), 1);
        assert_eq!(cost(-1, RATE_ONE / 2), -1);
    }

    #[test]
    fn doubles_round_trip_to_the_written_decimal() {
        for v in [1i64, 123_456_789_012, -987_654_321, 99_999_999_999_999] {
            let s = fmt(v, SCALE);
            let d: Decimal = s.parse().unwrap();
            let f = to_f64(v, SCALE);
            let back: Decimal = format!("{f}").parse().unwrap();
            assert_eq!(d.normalize(), back.normalize(), "{s} vs {f}");
        }
    }
}
