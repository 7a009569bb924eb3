//! Keys of the cost store: billing periods (calendar months) and cost account ids.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::LedgerError;

/// A billing period: one calendar month, written `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BillingPeriod {
    year: i32,
    month: u32,
}

impl BillingPeriod {
    /// The period `year`-`month`; `month` is 1..=12 and `year` 1900..=9999.
    pub fn new(year: i32, month: u32) -> Result<Self, LedgerError> {
        if !(1..=12).contains(&month) || !(1900..=9999).contains(&year) {
            return Err(LedgerError::InvalidPeriod(format!("{year:04}-{month:02}")));
        }
        Ok(Self { year, month })
    }

    /// The period holding `date`.
    pub fn of(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    /// First day of the period.
    pub fn first_day(self) -> NaiveDate {
        // Invariant: year and month were checked on construction.
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid month")
    }

    /// The following period.
    pub fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }
}

impl fmt::Display for BillingPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for BillingPeriod {
    type Err = LedgerError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || LedgerError::InvalidPeriod(s.to_string());
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year = y.parse().map_err(|_| bad())?;
        let month = m.parse().map_err(|_| bad())?;
        Self::new(year, month)
    }
}

impl TryFrom<String> for BillingPeriod {
    type Error = LedgerError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<BillingPeriod> for String {
    fn from(p: BillingPeriod) -> Self {
        p.to_string()
    }
}

/// A cost account id as the store uses it in paths: 1 to 128 of `[A-Za-z0-9._-]`, not starting
/// with a dot (Skyledger's ids are 17-digit numeric strings).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CostAccountKey(String);

impl CostAccountKey {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for CostAccountKey {
    type Err = LedgerError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = !s.is_empty()
            && s.len() <= 128
            && !s.starts_with('.')
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(LedgerError::InvalidCostAccount(s.to_string()))
        }
    }
}

impl TryFrom<String> for CostAccountKey {
    type Error = LedgerError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<CostAccountKey> for String {
    fn from(k: CostAccountKey) -> Self {
        k.0
    }
}

impl fmt::Display for CostAccountKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_print_and_step() {
        let p: BillingPeriod = "2025-12".parse().unwrap();
        assert_eq!(p.to_string(), "2025-12");
        assert_eq!(p.next().to_string(), "2026-01");
        assert_eq!(p.first_day(), NaiveDate::from_ymd_opt(2025, 12, 1).unwrap());
        for bad in ["2025-13", "2025-0", "25-01", "2025/01", "", "2025-1x"] {
            assert!(bad.parse::<BillingPeriod>().is_err(), "{bad}");
        }
    }

    #[test]
    fn cost_account_keys_are_path_safe() {
        assert!("33240000000059001".parse::<CostAccountKey>().is_ok());
        assert!("aws-payer_1.x".parse::<CostAccountKey>().is_ok());
        for bad in ["", "..", ".x", "a/b", "a b", "a=b", "ä"] {
            assert!(bad.parse::<CostAccountKey>().is_err(), "{bad}");
        }
    }
}
