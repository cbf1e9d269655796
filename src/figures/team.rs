//! Team figures (SPEC §3): average headcount over a period from the roster's hire and
//! leave dates (a blank bound is open), the base of per-capita output.

use polars::prelude::*;

use std::collections::HashMap;

use super::frame::read_by_key;
use super::periods::{Periods, REPORTED};
use super::sums::{Key, PerPeriod};
use crate::error::Result;

/// Days since 1970-01-01, as Date columns are stored.
fn day_number(d: chrono::NaiveDate) -> i32 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    (d - epoch).num_days() as i32
}

/// Per key: Σ days employed in the period ÷ days in the period, for the reported periods.
/// `roster` carries a `key` column.
pub fn headcount(roster: LazyFrame, p: &Periods) -> Result<HashMap<Key, PerPeriod>> {
    // Open bounds are far outside any period.
    let hire = col("hire_date")
        .cast(DataType::Int32)
        .fill_null(lit(i32::MIN / 2));
    let leave = col("leave_date")
        .cast(DataType::Int32)
        .fill_null(lit(i32::MAX / 2));
    let aggs: Vec<Expr> = REPORTED
        .iter()
        .map(|name| {
            let span = p.get(name);
            let (start, end) = (lit(day_number(span.start())), lit(day_number(span.end())));
            let from = when(hire.clone().gt(start.clone()))
                .then(hire.clone())
                .otherwise(start);
            let to = when(leave.clone().lt(end.clone()))
                .then(leave.clone())
                .otherwise(end);
            let days = to - from + lit(1);
            let days = when(days.clone().gt(lit(0))).then(days).otherwise(lit(0));
            (days.cast(DataType::Float64).sum() / lit(span.days() as f64))
                .alias(format!("headcount_{name}"))
        })
        .collect();
    let sums = roster.group_by_stable([col("key")]).agg(aggs).collect()?;
    read_by_key(&sums, |r| r.periods("headcount"))
}
