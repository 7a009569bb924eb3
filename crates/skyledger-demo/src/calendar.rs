//! The 13 billing months the demo covers, their days, and the per-day row schedule (growth and
//! weekly seasonality).

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};

/// Number of billing months generated.
pub const MONTHS: usize = 13;

/// Month-over-month growth of the number of active resources (and so of cost).
const MONTHLY_GROWTH: f64 = 0.028;
/// Share of resources running on Saturdays and Sundays (stopped dev/test and batch fleets).
const WEEKEND_ACTIVITY: f64 = 0.82;

/// One billing month.
#[derive(Debug, Clone)]
pub(crate) struct Month {
    pub(crate) start: NaiveDate,
    /// First day of the next month (billing periods are half-open).
    pub(crate) end: NaiveDate,
    /// Index of its first day in [`Calendar::days`].
    pub(crate) first_day: usize,
    pub(crate) n_days: usize,
}

impl Month {
    pub(crate) fn year(&self) -> i32 {
        self.start.year()
    }

    pub(crate) fn month(&self) -> u32 {
        self.start.month()
    }
}

/// One usage day.
#[derive(Debug, Clone)]
pub(crate) struct Day {
    pub(crate) date: NaiveDate,
    pub(crate) month: usize,
    /// Milliseconds since the epoch of 00:00 UTC.
    pub(crate) start_ms: i64,
    pub(crate) weekend: bool,
}

/// All months and days of the demo window.
#[derive(Debug, Clone)]
pub(crate) struct Calendar {
    pub(crate) months: Vec<Month>,
    pub(crate) days: Vec<Day>,
}

pub(crate) const DAY_MS: i64 = 86_400_000;

pub(crate) fn midnight_ms(d: NaiveDate) -> i64 {
    NaiveDateTime::new(d, NaiveTime::MIN)
        .and_utc()
        .timestamp_millis()
}

impl Calendar {
    /// The [`MONTHS`] months ending with `end` (year, month), inclusive.
    pub(crate) fn ending(end: NaiveDate) -> Self {
        let mut start = end;
        for _ in 1..MONTHS {
            start = start.pred_opt().map(first_of_month).unwrap_or(start);
        }
        let mut months = Vec::with_capacity(MONTHS);
        let mut days = Vec::new();
        let mut m = start;
        for mi in 0..MONTHS {
            let next = next_month(m);
            let first_day = days.len();
            let mut d = m;
            while d < next {
                days.push(Day {
                    date: d,
                    month: mi,
                    start_ms: midnight_ms(d),
                    weekend: d.weekday().number_from_monday() >= 6,
                });
                d = d.succ_opt().unwrap_or(d);
            }
            months.push(Month {
                start: m,
                end: next,
                first_day,
                n_days: days.len() - first_day,
            });
            m = next;
        }
        Calendar { months, days }
    }

    /// Relative activity of each day: compound monthly growth times weekly seasonality.
    pub(crate) fn activity(&self, d: usize) -> f64 {
        let day = &self.days[d];
        let m = &self.months[day.month];
        let t = day.month as f64 + (d - m.first_day) as f64 / m.n_days as f64;
        let weekly = if day.weekend { WEEKEND_ACTIVITY } else { 1.0 };
        (1.0 + MONTHLY_GROWTH).powf(t) * weekly
    }

    /// Cumulative row targets: `targets[d]` rows should have been written by the end of day `d`,
    /// and the last equals `total`.
    pub(crate) fn cumulative_targets(&self, total: u64) -> Vec<u64> {
        let w: Vec<f64> = (0..self.days.len()).map(|d| self.activity(d)).collect();
        let sum: f64 = w.iter().sum();
        let mut acc = 0.0;
        let mut out = Vec::with_capacity(w.len());
        for x in w {
            acc += x;
            out.push(((acc / sum) * total as f64).round() as u64);
        }
        if let Some(last) = out.last_mut() {
            *last = total;
        }
        out
    }
}

pub(crate) fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

pub(crate) fn next_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirteen_months_ending_with_the_given_one() {
        let c = Calendar::ending(NaiveDate::from_ymd_opt(2026, 10, 1).unwrap());
        assert_eq!(c.months.len(), MONTHS);
        assert_eq!(
            c.months[0].start,
            NaiveDate::from_ymd_opt(2025, 10, 1).unwrap()
        );
        assert_eq!(
            c.months[12].end,
            NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
        );
        assert_eq!(c.days.len(), 365 + 31);
        assert_eq!(
            c.days.last().unwrap().date,
            NaiveDate::from_ymd_opt(2026, 10, 31).unwrap()
        );
    }

    #[test]
    fn targets_grow_and_end_at_total() {
        let c = Calendar::ending(NaiveDate::from_ymd_opt(2026, 10, 1).unwrap());
        let t = c.cumulative_targets(1_000_000);
        assert_eq!(*t.last().unwrap(), 1_000_000);
        assert!(t.windows(2).all(|w| w[0] <= w[1]));
        let first_month = t[c.months[0].n_days - 1];
        let last_month = 1_000_000 - t[c.months[12].first_day - 1];
        assert!(
            last_month as f64 > first_month as f64 * 1.3,
            "{first_month} {last_month}"
        );
    }
}
