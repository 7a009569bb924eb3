//! Exact decimal parsing of money and quantity text into scaled `i128` (never through `f64`).

/// Largest magnitude a `Decimal128(38, _)` holds, plus one.
const LIMIT: i128 = 10i128.pow(38);

/// Parse decimal text (`-1.25`, `+3`, `.5`, `2.32376E-9`, `1e3`) into an integer scaled by
/// `10^scale`. Fractional digits beyond `scale` are rounded half to even; they only occur
/// beyond the 24th decimal for money, which no provider sample reaches.
pub fn parse_scaled(text: &str, scale: u32) -> Result<i128, String> {
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
