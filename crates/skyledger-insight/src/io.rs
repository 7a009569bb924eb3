//! CSV reading and writing: `timestamp,value` series (NAB layout) and the M4 layout `id,v1,v2,…`.

use std::io::{Read, Write};

use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// A problem with an input file, naming the line.
#[derive(Debug, thiserror::Error)]
pub enum IoError {
    #[error("line {line}: {source}")]
    Csv {
        line: u64,
        #[source]
        source: csv::Error,
    },
    #[error("line {line}: timestamp {value:?} is not a date or date-time")]
    BadTimestamp { line: u64, value: String },
    #[error("line {line}: value {value:?} is not a number")]
    BadValue { line: u64, value: String },
    #[error("line {line}: expected {expected} columns, found {found}")]
    Columns {
        line: u64,
        expected: usize,
        found: usize,
    },
    #[error("no data rows")]
    Empty,
    #[error("writing output: {0}")]
    Write(#[from] std::io::Error),
}

fn csv_error(e: csv::Error) -> IoError {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    IoError::Csv { line, source: e }
}

/// Rows of a `timestamp,value` file as read: the timestamp text is kept for echoing back.
#[derive(Debug, Clone, Default)]
pub struct TimestampedSeries {
    /// The timestamps exactly as written in the file.
    pub raw_timestamps: Vec<String>,
    /// Seconds since the Unix epoch (UTC; zone-less times are taken as UTC).
    pub seconds: Vec<i64>,
    /// The values; an empty cell reads as NaN.
    pub values: Vec<f64>,
}

/// A series placed on a regular grid: gaps in the timestamps became NaN.
#[derive(Debug, Clone)]
pub struct RegularSeries {
    pub start: i64,
    /// Grid step in seconds.
    pub step: i64,
    pub values: Vec<f64>,
}

/// Parse a timestamp in the usual CSV shapes (`2014-04-01 00:00:00`, ISO 8601 with or without
/// zone, or a bare date) to epoch seconds.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Some(t) = parse_plain(s.as_bytes()) {
        return Some(t);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp());
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S%.fZ",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t.and_utc().timestamp());
        }
    }
    for fmt in ["%Y-%m-%d", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp());
        }
    }
    None
}

/// Fast path for `YYYY-MM-DD`, `YYYY-MM-DD HH:MM` and `YYYY-MM-DD[ T]HH:MM:SS` (zone-less,
/// read as UTC); anything else goes to chrono.
fn parse_plain(b: &[u8]) -> Option<i64> {
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let mut v = 0i64;
        for &c in b.get(r)? {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + (c - b'0') as i64;
        }
        Some(v)
    };
    if !(b.len() == 10 || b.len() == 16 || b.len() == 19) || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    let (mut hh, mut mm, mut ss) = (0, 0, 0);
    if b.len() >= 16 {
        if !(b[10] == b' ' || b[10] == b'T') || b[13] != b':' {
            return None;
        }
        hh = num(11..13)?;
        mm = num(14..16)?;
        if b.len() == 19 {
            if b[16] != b':' {
                return None;
            }
            ss = num(17..19)?;
        }
        if hh > 23 || mm > 59 || ss > 60 {
            return None;
        }
    }
    Some(days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn parse_value(s: &str, line: u64) -> Result<f64, IoError> {
    let t = s.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("nan") || t.eq_ignore_ascii_case("null") {
        return Ok(f64::NAN);
    }
    t.parse::<f64>().map_err(|_| IoError::BadValue {
        line,
        value: s.to_string(),
    })
}

/// Read a `timestamp,value` CSV (a header row is recognised by a first cell that is not a
/// timestamp). Rows are kept in file order even where a timestamp goes backwards (real exports
/// have clock changes); [`TimestampedSeries::regularise`] puts them on the grid.
pub fn read_timestamp_value<R: Read>(reader: R) -> Result<TimestampedSeries, IoError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut out = TimestampedSeries::default();
    let mut rec = csv::StringRecord::new();
    let mut i = 0usize;
    while rdr.read_record(&mut rec).map_err(csv_error)? {
        i += 1;
        let line = rec.position().map(|p| p.line()).unwrap_or(i as u64);
        if rec.len() == 1 && rec[0].trim().is_empty() {
            continue;
        }
        if rec.len() < 2 {
            return Err(IoError::Columns {
                line,
                expected: 2,
                found: rec.len(),
            });
        }
        let Some(ts) = parse_timestamp(&rec[0]) else {
            if i == 1 {
                continue; // header
            }
            return Err(IoError::BadTimestamp {
                line,
                value: rec[0].to_string(),
            });
        };
        out.values.push(parse_value(&rec[1], line)?);
        out.seconds.push(ts);
        out.raw_timestamps.push(rec[0].to_string());
    }
    if out.values.is_empty() {
        return Err(IoError::Empty);
    }
    Ok(out)
}

/// The most common gap between consecutive distinct timestamps (0 for a single row).
pub fn typical_step(seconds: &[i64]) -> i64 {
    let mut d: Vec<i64> = seconds
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|&d| d > 0)
        .collect();
    if d.is_empty() {
        return 0;
    }
    d.sort_unstable();
    let (mut best, mut best_n, mut run_v, mut run_n) = (d[0], 0, d[0], 0);
    for &x in &d {
        if x == run_v {
            run_n += 1;
        } else {
            run_v = x;
            run_n = 1;
        }
        if run_n > best_n {
            best = run_v;
            best_n = run_n;
        }
    }
    best
}

impl TimestampedSeries {
    /// Place the rows on a grid of the typical step: missing periods become NaN and rows that
    /// fall in the same period are summed (cost lines of one day add up).
    pub fn regularise(&self) -> RegularSeries {
        let step = typical_step(&self.seconds).max(1);
        let start = self.seconds.iter().copied().min().unwrap_or(0);
        let last = self.seconds.iter().copied().max().unwrap_or(start);
        let len = ((last - start) / step) as usize + 1;
        let mut values = vec![f64::NAN; len];
        for (s, v) in self.seconds.iter().zip(&self.values) {
            let idx = (((s - start) as f64 / step as f64).round() as usize).min(len - 1);
            if v.is_finite() {
                values[idx] = if values[idx].is_finite() {
                    values[idx] + v
                } else {
                    *v
                };
            }
        }
        RegularSeries {
            start,
            step,
            values,
        }
    }
}

impl RegularSeries {
    /// Calendar date (UTC) of the first grid point.
    pub fn start_date(&self) -> Option<chrono::NaiveDate> {
        DateTime::from_timestamp(self.start, 0).map(|t| t.date_naive())
    }
}

/// Read the M4 layout: one series a row, `id,v1,v2,…`, rows padded with empty cells; a
/// header row whose second cell is not a number is skipped.
pub fn read_m4<R: Read>(reader: R) -> Result<Vec<(String, Vec<f64>)>, IoError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(csv_error)?;
        let line = rec.position().map(|p| p.line()).unwrap_or(i as u64 + 1);
        if rec.is_empty() || (rec.len() == 1 && rec[0].trim().is_empty()) {
            continue;
        }
        if i == 0 && rec.len() > 1 && rec[1].trim().parse::<f64>().is_err() {
            continue;
        }
        let mut values = Vec::with_capacity(rec.len());
        for cell in rec.iter().skip(1) {
            values.push(parse_value(cell, line)?);
        }
        while values.last().is_some_and(|v| v.is_nan()) {
            values.pop();
        }
        out.push((rec[0].to_string(), values));
    }
    if out.is_empty() {
        return Err(IoError::Empty);
    }
    Ok(out)
}

/// True when the text looks like a `timestamp,value` file rather than the M4 layout.
pub fn looks_like_timestamp_value(text: &str) -> bool {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let first = lines.next().unwrap_or("");
    let cell = |l: &str| {
        l.split(',')
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches('"')
            .to_string()
    };
    if parse_timestamp(&cell(first)).is_some() {
        return true;
    }
    lines
        .next()
        .is_some_and(|l| parse_timestamp(&cell(l)).is_some())
}

/// Format a number without trailing noise (NaN is written as an empty cell).
pub fn fmt_num(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else if v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Write `timestamp,value,anomaly_score`, one row for each input row.
pub fn write_scores<W: Write>(
    mut w: W,
    series: &TimestampedSeries,
    scores: &[f64],
) -> Result<(), IoError> {
    writeln!(w, "timestamp,value,anomaly_score")?;
    for ((t, v), s) in series.raw_timestamps.iter().zip(&series.values).zip(scores) {
        if v.is_nan() {
            writeln!(w, "{t},,{s:.6}")?;
        } else {
            writeln!(w, "{t},{v},{s:.6}")?;
        }
    }
    w.flush()?;
    Ok(())
}

/// Write forecasts as `id,F1..FH`, followed (when `intervals` is set) by `lo{L}_F1..` and
/// `hi{L}_F1..` columns for each interval level `L` in percent.
pub fn write_forecasts<W: Write>(
    mut w: W,
    rows: &[(String, crate::forecast::Forecast)],
    horizon: usize,
    intervals: bool,
) -> Result<(), IoError> {
    let levels: Vec<f64> = rows
        .first()
        .map(|(_, f)| f.intervals.iter().map(|i| i.level).collect())
        .unwrap_or_default();
    let pct = |l: f64| fmt_num((l * 1000.0).round() / 10.0);
    let mut header = vec!["id".to_string()];
    header.extend((1..=horizon).map(|h| format!("F{h}")));
    if intervals {
        for &l in &levels {
            header.extend((1..=horizon).map(|h| format!("lo{}_F{h}", pct(l))));
            header.extend((1..=horizon).map(|h| format!("hi{}_F{h}", pct(l))));
        }
    }
    writeln!(w, "{}", header.join(","))?;
    for (id, f) in rows {
        let mut cells = vec![id.clone()];
        cells.extend(f.mean.iter().map(|v| fmt_num(*v)));
        if intervals {
            for i in &f.intervals {
                cells.extend(i.lower.iter().map(|v| fmt_num(*v)));
                cells.extend(i.upper.iter().map(|v| fmt_num(*v)));
            }
        }
        writeln!(w, "{}", cells.join(","))?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nab_layout_and_fills_gaps() {
        let text = "timestamp,value\n2014-04-01 00:00:00,1\n2014-04-01 00:05:00,2\n2014-04-01 00:15:00,4.5\n";
        let s = read_timestamp_value(text.as_bytes()).unwrap();
        assert_eq!(s.values, vec![1.0, 2.0, 4.5]);
        assert_eq!(s.raw_timestamps[0], "2014-04-01 00:00:00");
        let r = s.regularise();
        assert_eq!(r.step, 300);
        assert_eq!(r.values.len(), 4);
        assert!(r.values[2].is_nan());
        assert!(looks_like_timestamp_value(text));
    }

    #[test]
    fn bad_rows_name_their_line() {
        let text = "timestamp,value\n2014-04-01,1\n2014-04-02,abc\n";
        let e = read_timestamp_value(text.as_bytes()).unwrap_err();
        assert!(e.to_string().starts_with("line 3:"), "{e}");
        let text = "timestamp,value\n2014-04-01,1\nyesterday,2\n";
        let e = read_timestamp_value(text.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("line 3"), "{e}");
        assert!(matches!(
            read_timestamp_value("timestamp,value\n".as_bytes()),
            Err(IoError::Empty)
        ));
    }

    #[test]
    fn reads_m4_rows_with_padding() {
        let text =
            "\"V1\",\"V2\",\"V3\",\"V4\"\n\"W1\",\"1.5\",\"2\",\"\"\n\"W2\",\"3\",\"4\",\"5\"\n";
        let rows = read_m4(text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0], ("W1".to_string(), vec![1.5, 2.0]));
        assert_eq!(rows[1].1, vec![3.0, 4.0, 5.0]);
        assert!(!looks_like_timestamp_value(text));
    }

    #[test]
    fn forecasts_are_written_with_interval_columns() {
        let f = crate::forecast::forecast(
            &[1.0, 2.0, 3.0, 4.0, 5.0],
            crate::Frequency::Daily,
            2,
            &[0.8],
        );
        let mut out = Vec::new();
        write_forecasts(&mut out, &[("s1".into(), f)], 2, true).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next().unwrap(),
            "id,F1,F2,lo80_F1,lo80_F2,hi80_F1,hi80_F2"
        );
        assert_eq!(lines.next().unwrap().split(',').count(), 7);
    }

    #[test]
    fn fast_path_agrees_with_chrono() {
        for s in [
            "2014-04-01 00:05:00",
            "2000-02-29T23:59:59",
            "1969-12-31",
            "2024-12-31 10:30",
        ] {
            let fast = parse_plain(s.as_bytes()).unwrap();
            let slow = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
                .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
                .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
                .map(|t| t.and_utc().timestamp())
                .or_else(|_| {
                    NaiveDate::parse_from_str(s, "%Y-%m-%d")
                        .map(|d| d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp())
                })
                .unwrap();
            assert_eq!(fast, slow, "{s}");
        }
        assert_eq!(parse_plain(b"2023-02-29"), None);
        assert_eq!(parse_plain(b"2023-13-01"), None);
    }

    #[test]
    fn timestamps_in_common_shapes() {
        assert_eq!(parse_timestamp("1970-01-02"), Some(86_400));
        assert_eq!(parse_timestamp("1970-01-01T00:01:00Z"), Some(60));
        assert_eq!(parse_timestamp("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_timestamp("W1"), None);
    }
}
