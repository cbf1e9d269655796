//! Cost figures (SPEC §3): expenses per period, by category and by region.

use polars::prelude::*;

use super::periods::{Periods, REPORTED};

/// Per key: `exp_<p>` = Σ expenses.amount dated in the period. `expenses` carries `key`.
pub fn sums(expenses: LazyFrame, p: &Periods) -> LazyFrame {
    let aggs: Vec<Expr> = REPORTED
        .iter()
        .map(|name| {
            col("amount")
                .filter(p.get(name).contains("date"))
                .sum()
                .alias(format!("exp_{name}"))
        })
        .collect();
    expenses.group_by_stable([col("key")]).agg(aggs)
}
