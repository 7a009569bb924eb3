//! Response shapes shared by the cost endpoints: money rounded as the spec shows it (3
//! decimals, a JSON number), time stamps `2025-12-01T00:00:00+0000`, `[stamp, cost]` pairs.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::Value;
use skyledger_ledger::CostRow;

/// A cost as the spec shows it: a JSON number rounded to 3 decimals (half away from zero).
pub(crate) fn money(d: Decimal) -> Value {
    let rounded = d.round_dp_with_strategy(3, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    // Three decimals of any realistic amount are exact enough in an f64 to print back as the
    // same decimal text.
    serde_json::Number::from_f64(rounded.to_f64().unwrap_or(0.0))
        .map_or(Value::from(0), Value::Number)
}

/// The start of a day bucket. Buckets are UTC days (docs/api-decisions.md A3), so the offset
/// is always +0000.
pub(crate) fn stamp(day: NaiveDate) -> String {
    format!("{}T00:00:00+0000", day.format("%Y-%m-%d"))
}

/// `[[stamp, cost], …]` of time-bucketed rows (rows without a bucket are skipped).
pub(crate) fn pairs<'a>(rows: impl IntoIterator<Item = &'a CostRow>) -> Value {
    Value::Array(
        rows.into_iter()
            .filter_map(|r| {
                r.period_start
                    .map(|d| Value::Array(vec![Value::from(stamp(d)), money(r.cost)]))
            })
            .collect(),
    )
}

/// A group key as shown to users: the value, or `-` when the rows lack it.
pub(crate) fn key(k: &Option<String>) -> String {
    match k {
        Some(s) if !s.is_empty() => s.clone(),
        _ => "-".to_string(),
    }
}

/// A percentage change from `before` to `now`, rounded to 3 decimals (0 when `before` is 0).
pub(crate) fn percent_change(before: Decimal, now: Decimal) -> Value {
    if before.is_zero() {
        return money(Decimal::ZERO);
    }
    money((now - before) / before.abs() * Decimal::from(100))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_rounds_to_three_decimals_half_away_from_zero() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(money(d("1.23450")).to_string(), "1.235");
        assert_eq!(money(d("-1.2345")).to_string(), "-1.235");
        assert_eq!(money(d("16120.7229999")).to_string(), "16120.723");
        assert_eq!(money(d("0")).to_string(), "0.0");
        assert_eq!(percent_change(d("100"), d("97.084")).to_string(), "-2.916");
    }

    #[test]
    fn stamps_carry_the_offset() {
        let day = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        assert_eq!(stamp(day), "2025-06-01T00:00:00+0000");
    }
}
