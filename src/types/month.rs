//! A calendar month, the unit every period of the report is made of.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    /// 1–12.
    pub month: u32,
}

impl Month {
    /// The month a date lies in.
    pub fn of(d: NaiveDate) -> Month {
        Month {
            year: d.year(),
            month: d.month(),
        }
    }

    /// Months since year 0, for arithmetic.
    pub fn index(self) -> i32 {
        self.year * 12 + self.month as i32 - 1
    }

    /// The month from an index.
    pub fn from_index(i: i32) -> Month {
        Month {
            year: i.div_euclid(12),
            month: (i.rem_euclid(12) + 1) as u32,
        }
    }

    /// `n` months later (earlier when negative).
    pub fn plus(self, n: i32) -> Month {
        Month::from_index(self.index() + n)
    }

    /// First day.
    pub fn start(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid month")
    }

    /// Last day.
    pub fn end(self) -> NaiveDate {
        self.plus(1).start().pred_opt().expect("valid date")
    }

    /// First month of the quarter.
    pub fn quarter_start(self) -> Month {
        Month {
            year: self.year,
            month: (self.month - 1) / 3 * 3 + 1,
        }
    }

    /// Months remaining in the year after this one.
    pub fn months_left_in_year(self) -> u32 {
        12 - self.month
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("expected a month as YYYY-MM, found {s:?}");
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        if y.len() != 4 || !(1..=12).contains(&month) {
            return Err(bad());
        }
        Ok(Month { year, month })
    }
}

impl Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Days since 1970-01-01: a date as polars stores it.
pub fn epoch_days(d: NaiveDate) -> i32 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date")).num_days() as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_arithmetic() {
        let m: Month = "2026-02".parse().unwrap();
        assert_eq!(m.plus(-2).to_string(), "2025-12");
        assert_eq!(m.plus(11).to_string(), "2027-01");
        assert_eq!(m.end(), NaiveDate::from_ymd_opt(2026, 2, 28).unwrap());
        assert_eq!(
            "2026-11"
                .parse::<Month>()
                .unwrap()
                .quarter_start()
                .to_string(),
            "2026-10"
        );
        assert!("2026-13".parse::<Month>().is_err());
        assert!("26-01".parse::<Month>().is_err());
    }
}
