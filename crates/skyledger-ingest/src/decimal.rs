//! Exact decimal parsing of money and quantity text into scaled `i128` (never through `f64`).

/// Largest magnitude a `Decimal128(38, _)` holds, plus one.
const LIMIT: i128 = 10i128.pow(38);

/// Parse decimal text (`-1.25`, `+3`, `.5`, `2.32376E-9`, `1e3`) into an integer scaled by
/// `10^scale`. Fractional digits beyond `scale` are rounded half to even; they only occur
/// beyond the 24th decimal for money, which no provider sample reaches.
pub fn parse_scaled(text: &str, scale: u32) -> Result<i128, String> {
    if let Some(v) = parse_short(text.as_bytes(), scale) {
        return v;
    }
    parse_general(text, scale)
}

/// `a + b` when it fits a `Decimal128(38, _)` (fewer than 39 digits), else `None`, even where
/// the `i128` sum itself would overflow.
pub fn checked_sum(a: i128, b: i128) -> Option<i128> {
    a.checked_add(b)
        .filter(|v| v.unsigned_abs() < LIMIT.unsigned_abs())
}

/// `10^i` for `i` in `0..=38`.
const POW10: [i128; 39] = {
    let mut t = [1i128; 39];
    let mut i = 1;
    while i < 39 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// The common case of [`parse_scaled`] without 128-bit arithmetic per digit: a plain number
/// (`-12.5`, `1.25E-7`, what Rust's and AWS's float formatting write) of at most 19 digits.
/// `None` hands anything else (spaces, signs in odd places, long or malformed text) to the
/// general parser, which also words the errors; the value is the same either way.
fn parse_short(b: &[u8], scale: u32) -> Option<Result<i128, String>> {
    let (negative, mut i) = match b.first()? {
        b'-' => (true, 1),
        _ => (false, 0),
    };
    let mut digits: u64 = 0;
    let (mut n_digits, mut frac, mut seen_dot) = (0u32, 0i64, false);
    while let Some(&c) = b.get(i) {
        match c {
            b'0'..=b'9' => {
                n_digits += 1;
                if n_digits > 19 {
                    return None;
                }
                digits = digits * 10 + (c - b'0') as u64;
                frac += seen_dot as i64;
            }
            b'.' if !seen_dot => seen_dot = true,
            b'e' | b'E' => break,
            _ => return None,
        }
        i += 1;
    }
    if n_digits == 0 {
        return None;
    }
    let mut exp: i64 = 0;
    if i < b.len() {
        let e = &b[i + 1..];
        let (neg_e, e) = match e.first()? {
            b'-' => (true, &e[1..]),
            b'+' => (false, &e[1..]),
            _ => (false, e),
        };
        if e.is_empty() || e.len() > 3 || !e.iter().all(u8::is_ascii_digit) {
            return None;
        }
        exp = e.iter().fold(0i64, |a, &d| a * 10 + (d - b'0') as i64);
        if exp > 400 {
            return None;
        }
        if neg_e {
            exp = -exp;
        }
    }
    // value = digits * 10^(exp - frac), wanted at `scale`.
    let shift = exp - frac + scale as i64;
    let d = digits as i128;
    let v = if shift >= 0 {
        if shift > 38 {
            return None;
        }
        d.checked_mul(POW10[shift as usize])?
    } else if shift < -38 {
        0
    } else {
        let p = POW10[(-shift) as usize];
        let (q, r) = (d / p, d % p);
        let half = p / 2;
        if r > half || (r == half && q % 2 == 1) {
            q + 1
        } else {
            q
        }
    };
    if v >= LIMIT {
        return None;
    }
    Some(Ok(if negative { -v } else { v }))
}

/// The exact decimal of a float as its shortest round-trip text reads (what Arrow's cast to
/// text and AWS's own CSV write), scaled by `10^scale`.
///
/// Most money floats have at most ten decimals; for them the integer `n = round(v·10¹⁰)`
/// is found with two float operations and no text: when `|n| < 2⁵¹` and `n / 10¹⁰` is `v`
/// again, the decimal `n·10⁻¹⁰` round-trips, and since the floats reading as `v` span less
/// than `10⁻¹⁰` there, it is the only such decimal on that grid, so the shortest text (whose
/// digits, no more than `n`'s, lie on the same grid) is `n·10⁻¹⁰` too. Anything else goes
/// through the text.
pub fn float_scaled(v: f64, scale: u32) -> Result<i128, String> {
    if let Some(n) = float_on_grid(v, scale) {
        return Ok(n);
    }
    let mut b = ryu::Buffer::new();
    parse_scaled(b.format(v), scale)
}

/// [`float_scaled`]'s arithmetic path alone: `None` where only the text gives the answer.
#[inline]
pub fn float_on_grid(v: f64, scale: u32) -> Option<i128> {
    const GRID: u32 = 10;
    const GRID_F: f64 = 1e10;
    const MAX: f64 = (1u64 << 51) as f64;
    // Adding and subtracting 1.5·2⁵² rounds any |x| < 2⁵¹ to an integer (ties to even) in
    // two additions, where `f64::round` is a library call on baseline x86-64; larger or
    // non-finite x give an n the range check refuses. Whichever integer n is, it is used only
    // if it passes the exact check below.
    const ROUND: f64 = 6_755_399_441_055_744.0;
    if scale >= GRID {
        let n = (v * GRID_F + ROUND) - ROUND;
        if n.abs() < MAX && n / GRID_F == v {
            return Some(i128::from(n as i64) * POW10[(scale - GRID) as usize]);
        }
    }
    None
}

fn parse_general(text: &str, scale: u32) -> Result<i128, String> {
    let s = text.trim();
    let bytes = s.as_bytes();
    if bytes.is_empty() {
        return Err("empty number".into());
    }
    let mut i = 0;
    let negative = match bytes[0] {
        b'-' => {
            i = 1;
            true
        }
        b'+' => {
            i = 1;
            false
        }
        _ => false,
    };
    let mut digits: i128 = 0;
    let mut n_digits = 0usize;
    let mut frac = 0i64;
    let mut seen_dot = false;
    // Zeros after the dot are held back until a non-zero digit follows, so trailing zeros
    // (Azure writes 28 decimals) never overflow the accumulator.
    let mut pending_zeros = 0i64;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'0'..=b'9' => {
                n_digits += 1;
                if seen_dot {
                    if b == b'0' {
                        pending_zeros += 1;
                    } else {
                        for _ in 0..pending_zeros {
                            digits = digits.checked_mul(10).ok_or_else(|| too_long(s))?;
                        }
                        frac += pending_zeros + 1;
                        pending_zeros = 0;
                        digits = digits
                            .checked_mul(10)
                            .and_then(|d| d.checked_add((b - b'0') as i128))
                            .ok_or_else(|| too_long(s))?;
                    }
                } else {
                    digits = digits
                        .checked_mul(10)
                        .and_then(|d| d.checked_add((b - b'0') as i128))
                        .ok_or_else(|| too_long(s))?;
                }
            }
            b'.' if !seen_dot => seen_dot = true,
            b'e' | b'E' => break,
            _ => return Err(format!("not a number: {s:?}")),
        }
        i += 1;
    }
    if n_digits == 0 {
        return Err(format!("not a number: {s:?}"));
    }
    let mut exp: i64 = 0;
    if i < bytes.len() {
        let e = &s[i + 1..];
        exp = e
            .parse::<i64>()
            .map_err(|_| format!("not a number: {s:?}"))?;
        if exp.abs() > 400 {
            return Err(format!("exponent out of range: {s:?}"));
        }
    }
    // value = digits * 10^(exp - frac); we want digits * 10^(exp - frac + scale)
    let shift = exp - frac + scale as i64;
    let mut v = digits;
    if shift >= 0 {
        for _ in 0..shift {
            v = v.checked_mul(10).ok_or_else(|| out_of_range(s))?;
        }
    } else {
        let drop = (-shift) as u32;
        if drop > 38 {
            v = 0;
        } else {
            let p = 10i128.pow(drop);
            let q = v / p;
            let r = v % p;
            let half = p / 2;
            v = if r > half || (r == half && q % 2 == 1) {
                q + 1
            } else {
                q
            };
        }
    }
    if v >= LIMIT {
        return Err(out_of_range(s));
    }
    Ok(if negative { -v } else { v })
}

/// Rescale an integer of scale `from` to scale `to`, rounding half to even like
/// [`parse_scaled`] does with the same number written as text.
pub fn rescale(v: i128, from: i8, to: u32) -> Result<i128, String> {
    let shift = to as i64 - from as i64;
    let out = if shift >= 0 {
        10i128
            .checked_pow(shift as u32)
            .and_then(|p| v.checked_mul(p))
            .ok_or_else(|| format!("decimal {v}e-{from} out of range for scale {to}"))?
    } else {
        let drop = (-shift) as u32;
        if drop > 38 {
            0
        } else {
            let p = 10i128.pow(drop);
            let (q, r) = (v / p, (v % p).abs());
            let half = p / 2;
            if r > half || (r == half && q % 2 != 0) {
                q + v.signum()
            } else {
                q
            }
        }
    };
    if out.abs() >= LIMIT {
        return Err(format!(
            "decimal {v}e-{from} out of range for Decimal128(38, {to})"
        ));
    }
    Ok(out)
}

fn too_long(s: &str) -> String {
    format!("number has more than 38 significant digits: {s:?}")
}

fn out_of_range(s: &str) -> String {
    format!("number out of range for Decimal128(38, scale): {s:?}")
}

/// Render a scaled integer as plain decimal text, trailing fractional zeros trimmed.
pub fn format_scaled(v: i128, scale: u32) -> String {
    let neg = v < 0;
    let a = v.unsigned_abs();
    let p = 10u128.pow(scale);
    let int = a / p;
    let frac = a % p;
    let mut f = format!("{frac:0width$}", width = scale as usize);
    while f.ends_with('0') {
        f.pop();
    }
    let sign = if neg { "-" } else { "" };
    if f.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_are_checked_against_38_digits_and_i128() {
        let max = LIMIT - 1;
        assert_eq!(checked_sum(max, 0), Some(max));
        assert_eq!(checked_sum(-max, 0), Some(-max));
        assert_eq!(checked_sum(max - 5, 5), Some(max));
        assert_eq!(checked_sum(max - 5, 6), None, "39 digits");
        assert_eq!(checked_sum(-max, -1), None, "39 digits, negative");
        assert_eq!(checked_sum(max, max), None, "past i128::MAX");
        assert_eq!(checked_sum(-max, -max), None, "past i128::MIN");
        assert_eq!(checked_sum(i128::MIN, 0), None);
        assert_eq!(checked_sum(max, -max), Some(0));
        assert_eq!(checked_sum(-7, 3), Some(-4));
    }

    /// The shortcut of `float_scaled` gives what the shortest text gives, for decimals of
    /// every length and magnitude and for arbitrary bit patterns.
    #[test]
    fn floats_convert_like_their_shortest_text() {
        let via_text = |v: f64, scale: u32| parse_scaled(ryu::Buffer::new().format(v), scale);
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut checked = 0;
        for _ in 0..400_000 {
            let r = next();
            // A decimal with 0..=14 fractional digits and up to 16 significant digits.
            let frac = (r % 15) as i32;
            let digits = (next() % 10u64.pow(1 + (r >> 8) as u32 % 16)) as f64;
            let sign = if r & 1 << 20 == 0 { 1.0 } else { -1.0 };
            let v = sign * digits / 10f64.powi(frac);
            let bits = f64::from_bits(next());
            for x in [v, bits] {
                if !x.is_finite() {
                    continue;
                }
                for scale in [10, 18, 24] {
                    let want = via_text(x, scale);
                    if want.is_ok() {
                        assert_eq!(float_scaled(x, scale), want, "{x:e} at scale {scale}");
                        checked += 1;
                    }
                }
            }
        }
        for x in [
            0.0,
            -0.0,
            1e-10,
            5e-11,
            0.1 + 0.2,
            1234567.0123456789,
            2.5e5,
            -7.25e-3,
        ] {
            assert_eq!(float_scaled(x, 24), via_text(x, 24), "{x:e}");
        }
        assert!(float_scaled(f64::NAN, 24).is_err());
        assert!(checked > 1_000_000);
    }

    #[test]
    fn parses_plain_signed_and_exponent_forms() {
        assert_eq!(parse_scaled("1.25", 2), Ok(125));
        assert_eq!(parse_scaled("-0.5", 3), Ok(-500));
        assert_eq!(parse_scaled("+3", 1), Ok(30));
        assert_eq!(parse_scaled(".5", 1), Ok(5));
        assert_eq!(parse_scaled("2.323760000E-9", 18), Ok(2_323_760_000));
        assert_eq!(parse_scaled("1e3", 0), Ok(1000));
        assert_eq!(parse_scaled("1.5E+2", 0), Ok(150));
    }

    #[test]
    fn keeps_24_digits_and_long_trailing_zeros() {
        let v = parse_scaled("0.0000000072922557592391990000", 24).unwrap();
        assert_eq!(v, 7_292_255_759_239_199);
        assert_eq!(format_scaled(v, 24), "0.000000007292255759239199");
    }

    #[test]
    fn rounds_half_even_beyond_scale() {
        assert_eq!(parse_scaled("0.125", 2), Ok(12));
        assert_eq!(parse_scaled("0.135", 2), Ok(14));
        assert_eq!(parse_scaled("-0.126", 2), Ok(-13));
    }

    #[test]
    fn the_short_path_agrees_with_the_general_one() {
        for text in [
            "0",
            "-0",
            "1",
            "-1.25",
            "12.5e-3",
            "1.25E-7",
            "1.5E+2",
            "0.000001234",
            "123456789.123456789",
            "9999999999999999999",
            "1844674407370955161.5",
            "99999999999999.5",
            "-0.135",
            "0.125",
            "5e-30",
            "1e14",
            "7e-25",
            "15e-25",
            "25e-25",
            "3.0000000000",
            "1e-400",
            "4e-60",
        ] {
            for scale in [0u32, 2, 18, 24] {
                assert_eq!(
                    parse_short(text.as_bytes(), scale)
                        .unwrap_or_else(|| parse_general(text, scale)),
                    parse_general(text, scale),
                    "{text} at {scale}"
                );
            }
        }
        for text in [
            "",
            "-",
            "1e",
            "1e-",
            "+",
            ".",
            "1.2.3",
            " 1",
            "1e9999",
            "1e-401",
            "12345678901234567890",
        ] {
            assert!(parse_short(text.as_bytes(), 2).is_none(), "{text}");
        }
    }

    #[test]
    fn rejects_garbage_and_overflow() {
        assert!(parse_scaled("", 2).is_err());
        assert!(parse_scaled("abc", 2).is_err());
        assert!(parse_scaled("1.2.3", 2).is_err());
        assert!(parse_scaled("1,5", 2).is_err());
        assert!(parse_scaled("-", 2).is_err());
        assert!(parse_scaled("100000000000000", 24).is_err());
        assert!(parse_scaled("99999999999999.5", 24).is_ok());
    }

    #[test]
    fn rescaling_matches_parsing_the_text() {
        for (v, from, text) in [
            (12_345i128, 2i8, "123.45"),
            (-12_345, 2, "-123.45"),
            (125, 3, "0.125"),
            (-135, 3, "-0.135"),
            (7, 0, "7"),
        ] {
            for to in [0u32, 1, 2, 24] {
                assert_eq!(
                    rescale(v, from, to),
                    parse_scaled(text, to),
                    "{text} at {to}"
                );
            }
        }
        assert!(rescale(10i128.pow(20), 0, 24).is_err());
    }

    #[test]
    fn formats_negative_and_integral_values() {
        assert_eq!(format_scaled(-1_500, 3), "-1.5");
        assert_eq!(format_scaled(2_000, 3), "2");
        assert_eq!(format_scaled(0, 3), "0");
    }
}
