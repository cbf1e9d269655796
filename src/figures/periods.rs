//! Report month and the periods figures are computed over (SPEC §3): `month`, `qtd`,
//! `ytd`, and the comparison windows behind growth, retention and the forecast.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use polars::prelude::*;
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

/// An inclusive span of whole months.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub first: Month,
    pub last: Month,
}

impl Span {
    /// From `first` to `last`, inclusive.
    pub fn new(first: Month, last: Month) -> Span {
        Span { first, last }
    }

    /// First day.
    pub fn start(self) -> NaiveDate {
        self.first.start()
    }

    /// Last day.
    pub fn end(self) -> NaiveDate {
        self.last.end()
    }

    /// Days in the span.
    pub fn days(self) -> i64 {
        (self.end() - self.start()).num_days() + 1
    }

    /// Whether the date column `name` lies in the span.
    pub fn contains(self, name: &str) -> Expr {
        col(name)
            .gt_eq(date_lit(self.start()))
            .and(col(name).lt_eq(date_lit(self.end())))
    }

    /// Whether the month-index column `name` lies in the span.
    pub fn contains_month(self, name: &str) -> Expr {
        col(name)
            .gt_eq(lit(self.first.index()))
            .and(col(name).lt_eq(lit(self.last.index())))
    }

    /// The same span a year earlier.
    pub fn year_before(self) -> Span {
        Span::new(self.first.plus(-12), self.last.plus(-12))
    }

    /// Months in the span.
    pub fn months(self) -> i32 {
        self.last.index() - self.first.index() + 1
    }
}

/// The three reported periods and the windows derived from them.
#[derive(Debug, Clone, Copy)]
pub struct Periods {
    pub report: Month,
    pub month: Span,
    pub qtd: Span,
    pub ytd: Span,
    /// The whole year of the report month.
    pub year: Span,
}

/// The reported periods, by the names `metrics.json` uses.
pub const REPORTED: [&str; 3] = ["month", "qtd", "ytd"];

impl Periods {
    /// Periods for report month `m`.
    pub fn new(m: Month) -> Periods {
        let jan = Month {
            year: m.year,
            month: 1,
        };
        Periods {
            report: m,
            month: Span::new(m, m),
            qtd: Span::new(m.quarter_start(), m),
            ytd: Span::new(jan, m),
            year: Span::new(
                jan,
                Month {
                    year: m.year,
                    month: 12,
                },
            ),
        }
    }

    /// A reported period by name.
    pub fn get(&self, name: &str) -> Span {
        match name {
            "qtd" => self.qtd,
            "ytd" => self.ytd,
            "year" => self.year,
            _ => self.month,
        }
    }

    /// The month before the report month.
    pub fn prev_month(&self) -> Span {
        let p = self.report.plus(-1);
        Span::new(p, p)
    }

    /// The 12 months ending with the report month.
    pub fn trailing_12m(&self) -> Span {
        Span::new(self.report.plus(-11), self.report)
    }

    /// The 12 months before [`Periods::trailing_12m`].
    pub fn previous_12m(&self) -> Span {
        Span::new(self.report.plus(-23), self.report.plus(-12))
    }

    /// The last three months, for the forecast's run rate.
    pub fn last_3m(&self) -> Span {
        Span::new(self.report.plus(-2), self.report)
    }
}

/// `{ "start": "2026-10-01", "end": "2026-10-31" }` in `metrics.json`.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodDates {
    pub start: String,
    pub end: String,
}

impl From<Span> for PeriodDates {
    fn from(s: Span) -> Self {
        PeriodDates {
            start: s.start().to_string(),
            end: s.end().to_string(),
        }
    }
}

/// A date literal of polars' `Date` type. (`lit(NaiveDate)` is a nanosecond datetime, and
/// comparing a date column with it casts the whole column, row by row, every time.)
pub fn date_lit(d: NaiveDate) -> Expr {
    lit(epoch_days(d)).cast(DataType::Date)
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

    #[test]
    fn periods_of_a_month() {
        let p = Periods::new("2026-11".parse().unwrap());
        assert_eq!(p.qtd.start().to_string(), "2026-10-01");
        assert_eq!(p.ytd.days(), 334);
        assert_eq!(p.previous_12m().first.to_string(), "2024-12");
        assert_eq!(p.trailing_12m().first.to_string(), "2025-12");
        assert_eq!(p.qtd.year_before().start().to_string(), "2025-10-01");
    }
}
