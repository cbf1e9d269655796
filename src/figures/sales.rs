//! The windows order figures are summed over, and the customers' first orders: what the
//! per-key sums of [`super::lines`] and the new-customer counts build on.

use polars::prelude::*;

use super::frame::read_by_key;
use super::periods::{Periods, Span, REPORTED};
use super::sums::{total_key, PerPeriod, WINDOWS};
use crate::error::Result;

/// The windows orders are summed over: the reported periods and the comparison windows.
pub fn windows(p: &Periods) -> [(&'static str, Span); WINDOWS] {
    [
        ("month", p.month),
        ("qtd", p.qtd),
        ("ytd", p.ytd),
        ("prev_month", p.prev_month()),
        ("last_3m", p.last_3m()),
        ("ly_month", p.month.year_before()),
        ("ly_qtd", p.qtd.year_before()),
        ("ly_ytd", p.ytd.year_before()),
        ("t12", p.trailing_12m()),
        ("p12", p.previous_12m()),
    ]
}

/// Each customer's first order date: the earlier of their first active order
/// (`from_orders`: `customer_id`, `first_date`) and `customers.first_order_date` (SPEC §3).
/// Columns `customer_id`, `first_date`.
pub fn first_dates(
    from_orders: LazyFrame,
    customers: Option<LazyFrame>,
) -> PolarsResult<LazyFrame> {
    let all = match customers {
        Some(c) => concat(
            [
                from_orders,
                c.select([
                    col("customer_id"),
                    col("first_order_date").alias("first_date"),
                ])
                .filter(col("first_date").is_not_null()),
            ],
            UnionArgs::default(),
        )?,
        None => from_orders,
    };
    Ok(all
        .group_by_stable([col("customer_id")])
        .agg([col("first_date").min()]))
}

/// Customers new in each reported period over the whole customer universe (orders and
/// the customer master).
pub fn new_customer_totals(first: LazyFrame, p: &Periods) -> Result<PerPeriod> {
    let aggs: Vec<Expr> = REPORTED
        .iter()
        .map(|name| {
            p.get(name)
                .contains("first_date")
                .cast(DataType::Float64)
                .sum()
                .alias(format!("new_{name}"))
        })
        .collect();
    let counts = first
        .select(aggs)
        .with_column(lit("").alias("key"))
        .collect()?;
    let counts = read_by_key(&counts, |r| r.periods("new"))?;
    Ok(counts.get(&total_key()).copied().unwrap_or_default())
}
