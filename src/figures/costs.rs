//! Cost figures (SPEC §3): expenses per period, by category and by region.

use polars::prelude::*;

use std::collections::HashMap;

use super::frame::read_by_key;
use super::periods::{Periods, REPORTED};
use super::sums::{Key, PerPeriod};
use crate::error::Result;

/// Per key: Σ expenses.amount dated in each period. `expenses` carries `key`.
pub fn sums(expenses: LazyFrame, p: &Periods) -> Result<HashMap<Key, PerPeriod>> {
    let aggs: Vec<Expr> = REPORTED
        .iter()
        .map(|name| {
            col("amount")
                .filter(p.get(name).contains("date"))
                .sum()
                .alias(format!("exp_{name}"))
        })
        .collect();
    let sums = expenses.group_by_stable([col("key")]).agg(aggs).collect()?;
    read_by_key(&sums, |r| r.periods("exp"))
}
