//! Timestamp parsing for the date formats providers write, to microseconds since the epoch (UTC).

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The (year, month, day) of a day number since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Microseconds of midnight UTC on the given date.
pub fn date_micros(y: i64, m: u32, d: u32) -> i64 {
    days_from_civil(y, m, d) * MICROS_PER_DAY
}

/// The first instant of the calendar month containing `micros`.
pub fn month_start(micros: i64) -> i64 {
    let (y, m, _) = civil_from_days(micros.div_euclid(MICROS_PER_DAY));
    date_micros(y, m, 1)
}

/// The first instant of the calendar month after the one containing `micros`.
pub fn next_month_start(micros: i64) -> i64 {
    let (y, m, _) = civil_from_days(micros.div_euclid(MICROS_PER_DAY));
    if m == 12 {
        date_micros(y + 1, 1, 1)
    } else {
        date_micros(y, m + 1, 1)
    }
}

/// Render micros as `YYYY-MM-DDTHH:MM:SSZ` (seconds precision; for messages and snapshots).
pub fn format_micros(micros: i64) -> String {
    let days = micros.div_euclid(MICROS_PER_DAY);
    let rem = micros.rem_euclid(MICROS_PER_DAY) / 1_000_000;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// Render micros as `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`, losing nothing.
pub fn format_micros_exact(micros: i64) -> String {
    let frac = micros.rem_euclid(1_000_000);
    let s = format_micros(micros - frac);
    if frac == 0 {
        s
    } else {
        format!("{}.{frac:06}Z", &s[..s.len() - 1])
    }
}

struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cur<'_> {
    fn num(&mut self, min: usize, max: usize) -> Option<i64> {
        let start = self.i;
        let mut v: i64 = 0;
        while self.i < self.b.len() && self.i - start < max && self.b[self.i].is_ascii_digit() {
            v = v * 10 + (self.b[self.i] - b'0') as i64;
            self.i += 1;
        }
        (self.i - start >= min).then_some(v)
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn rest(&self) -> &[u8] {
        &self.b[self.i..]
    }
}

/// Parse a timestamp. Accepted forms (times without an offset are UTC):
/// `2024-09-01`, `2024-09-01 00:00:00`, `2024-09-01T00:00:00Z`, `2023-11-01T00:00:00.000Z`,
/// `2023-11-13T05:00Z`, `2024-01-01T00:00:00+01:00`, `2024-01-01 00:00:00 UTC`,
/// `9/22/2023`, `09/22/2023 13:00:00`, `5/1/25` (month first), `22.09.2023` (day first),
/// `20240901`.
pub fn parse_timestamp(text: &str) -> Result<i64, String> {
    let s = text.trim();
    let bad = || format!("not a date/time: {s:?}");
    let mut c = Cur {
        b: s.as_bytes(),
        i: 0,
    };
    let a = c.num(1, 8).ok_or_else(bad)?;
    let (y, m, d) = if c.eat(b'-') {
        let m = c.num(1, 2).ok_or_else(bad)?;
        if !c.eat(b'-') {
            return Err(bad());
        }
        let d = c.num(1, 2).ok_or_else(bad)?;
        (a, m, d)
    } else if c.eat(b'/') {
        let d = c.num(1, 2).ok_or_else(bad)?;
        if !c.eat(b'/') {
            return Err(bad());
        }
        let start = c.i;
        let y = c.num(2, 4).ok_or_else(bad)?;
        // Spreadsheet-style `5/1/25` (the FOCUS spec's SaaS examples): a two-digit year is 20yy.
        let y = match c.i - start {
            2 => 2000 + y,
            4 => y,
            _ => return Err(bad()),
        };
        (y, a, d)
    } else if c.eat(b'.') {
        let m = c.num(1, 2).ok_or_else(bad)?;
        if !c.eat(b'.') {
            return Err(bad());
        }
        let y = c.num(4, 4).ok_or_else(bad)?;
        (y, m, a)
    } else if c.i == 8 {
        (a / 10_000, (a / 100) % 100, a % 100)
    } else {
        return Err(bad());
    };
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(1000..=9999).contains(&y) {
        return Err(bad());
    }
    let (m, d) = (m as u32, d as u32);
    if days_in_month(y, m) < d {
        return Err(bad());
    }
    let mut micros = date_micros(y, m, d);
    if c.rest().is_empty() {
        return Ok(micros);
    }
    if !(c.eat(b'T') || c.eat(b' ')) {
        return Err(bad());
    }
    let hh = c.num(2, 2).ok_or_else(bad)?;
    if !c.eat(b':') {
        return Err(bad());
    }
    let mm = c.num(2, 2).ok_or_else(bad)?;
    let mut ss = 0;
    let mut frac_us = 0;
    if c.eat(b':') {
        ss = c.num(2, 2).ok_or_else(bad)?;
        if c.eat(b'.') {
            let start = c.i;
            let f = c.num(1, 9).ok_or_else(bad)?;
            let n = c.i - start;
            frac_us = if n <= 6 {
                f * 10i64.pow((6 - n) as u32)
            } else {
                f / 10i64.pow((n - 6) as u32)
            };
        }
    }
    if hh > 24 || mm > 59 || ss > 60 {
        return Err(bad());
    }
    micros += ((hh * 60 + mm) * 60 + ss) * 1_000_000 + frac_us;
    let rest = c.rest();
    let offset_min: i64 = match rest {
        b"" | b"Z" | b"z" | b" UTC" | b"UTC" | b" Z" => 0,
        [sign @ (b'+' | b'-'), tail @ ..] => {
            let mut t = Cur { b: tail, i: 0 };
            let oh = t.num(2, 2).ok_or_else(bad)?;
            t.eat(b':');
            let om = t.num(2, 2).unwrap_or(0);
            if !t.rest().is_empty() {
                return Err(bad());
            }
            let v = oh * 60 + om;
            if *sign == b'-' { -v } else { v }
        }
        _ => return Err(bad()),
    };
    Ok(micros - offset_min * 60_000_000)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        format_micros(parse_timestamp(s).unwrap())
    }

    #[test]
    fn reads_every_provider_form() {
        assert_eq!(p("2024-09-01 00:00:00"), "2024-09-01T00:00:00Z");
        assert_eq!(p("2023-11-01T00:00:00.000Z"), "2023-11-01T00:00:00Z");
        assert_eq!(p("2023-11-13T05:00Z"), "2023-11-13T05:00:00Z");
        assert_eq!(p("2024-01-01 08:00:00 UTC"), "2024-01-01T08:00:00Z");
        assert_eq!(p("2024-01-01T00:00:00-08:00"), "2024-01-01T08:00:00Z");
        assert_eq!(p("9/2/2023"), "2023-09-02T00:00:00Z");
        assert_eq!(p("09/22/2023"), "2023-09-22T00:00:00Z");
        assert_eq!(p("22.09.2023"), "2023-09-22T00:00:00Z");
        assert_eq!(p("2021-02-02"), "2021-02-02T00:00:00Z");
        assert_eq!(p("20240229"), "2024-02-29T00:00:00Z");
        assert_eq!(p("5/1/25"), "2025-05-01T00:00:00Z");
    }

    #[test]
    fn rejects_impossible_dates() {
        for s in [
            "2023-02-30",
            "13/01/2023",
            "2023-11-01T25:00Z",
            "yesterday",
            "",
            "2023-11-01X",
        ] {
            assert!(parse_timestamp(s).is_err(), "{s}");
        }
    }

    #[test]
    fn exact_formatting_round_trips() {
        for s in [
            "2024-03-05T10:00:00Z",
            "1969-12-31T23:59:59.999999Z",
            "2024-03-05T10:00:00.000123Z",
        ] {
            assert_eq!(format_micros_exact(parse_timestamp(s).unwrap()), s);
        }
    }

    #[test]
    fn month_arithmetic() {
        let t = parse_timestamp("2024-12-15T10:00:00Z").unwrap();
        assert_eq!(format_micros(month_start(t)), "2024-12-01T00:00:00Z");
        assert_eq!(format_micros(next_month_start(t)), "2025-01-01T00:00:00Z");
        assert_eq!(
            civil_from_days(days_from_civil(1999, 12, 31)),
            (1999, 12, 31)
        );
    }
}
