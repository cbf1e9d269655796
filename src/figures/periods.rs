//! Report month and the periods figures are computed over (SPEC §3): `month`, `qtd`,
//! `ytd`, and the comparison windows behind growth, retention and the forecast.

use chrono::NaiveDate;
use polars::prelude::*;
use serde::Serialize;

use crate::types::{epoch_days, Month};

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

#[cfg(test)]
mod tests {
    use super::*;

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
