//! Receivables and inventory (SPEC §3): collection rate, AR aging at the end of the month,
//! and days of inventory cover per product line.

use polars::prelude::*;
use serde::Serialize;

use std::collections::HashMap;

use super::frame::{ratio, read_by_key};
use super::periods::{date_lit, Periods, REPORTED};
use super::sums::{total_key, CollectionSums, Key};
use crate::error::Result;

/// Whether an invoice's collection counts by `end`: collected on or before it. A
/// collected amount without a date counts as collected (nothing dates it later).
fn collected_by(end: chrono::NaiveDate) -> Expr {
    col("collected_date")
        .is_null()
        .or(col("collected_date").lt_eq(date_lit(end)))
}

/// Per key: Σ amount of invoices due in the period, and Σ collected_amount of those
/// collected by the period's end. `receivables` carries `key`.
pub fn collection_sums(
    receivables: LazyFrame,
    p: &Periods,
) -> Result<HashMap<Key, CollectionSums>> {
    let collected = col("collected_amount").fill_null(lit(0.0));
    let mut aggs = Vec::new();
    for name in REPORTED {
        let span = p.get(name);
        let due = span.contains("due_date");
        aggs.push(
            col("amount")
                .filter(due.clone())
                .sum()
                .alias(format!("due_{name}")),
        );
        aggs.push(
            collected
                .clone()
                .filter(due.and(collected_by(span.end())))
                .sum()
                .alias(format!("collected_{name}")),
        );
    }
    let sums = receivables
        .group_by_stable([col("key")])
        .agg(aggs)
        .collect()?;
    read_by_key(&sums, |r| CollectionSums {
        due: r.periods("due"),
        collected: r.periods("collected"),
    })
}

/// One bucket of the AR aging.
#[derive(Debug, Clone, Serialize)]
pub struct AgingBucket {
    /// `not_due`, `1_30`, `31_60`, `61_90`, `over_90`.
    pub bucket: &'static str,
    pub amount: f64,
    pub invoices: f64,
}

/// The buckets, by days past due at the end of the month.
pub const BUCKETS: [(&str, i64, i64); 5] = [
    ("not_due", i64::MIN, 0),
    ("1_30", 1, 30),
    ("31_60", 31, 60),
    ("61_90", 61, 90),
    ("over_90", 91, i64::MAX),
];

/// Amounts still open at the end of the report month, by days past due. Invoices dated
/// after the month are not yet open.
pub fn ar_aging(receivables: LazyFrame, p: &Periods) -> Result<Vec<AgingBucket>> {
    let end = p.month.end();
    let end_day =
        (end - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days() as i32;
    let collected = when(collected_by(end))
        .then(col("collected_amount").fill_null(lit(0.0)))
        .otherwise(lit(0.0));
    let issued = col("invoice_date")
        .is_null()
        .or(col("invoice_date").lt_eq(date_lit(end)));
    let open = receivables
        .filter(issued)
        .with_columns([
            (col("amount") - collected).alias("open"),
            (lit(end_day) - col("due_date").cast(DataType::Int32)).alias("days_past_due"),
        ])
        .filter(col("open").gt(lit(0.005)));
    let aggs: Vec<Expr> = BUCKETS
        .iter()
        .flat_map(|(name, lo, hi)| {
            let days = col("days_past_due").cast(DataType::Int64);
            let inside = days.clone().gt_eq(lit(*lo)).and(days.lt_eq(lit(*hi)));
            [
                col("open")
                    .filter(inside.clone())
                    .sum()
                    .alias(format!("amount_{name}")),
                inside
                    .cast(DataType::Float64)
                    .sum()
                    .alias(format!("count_{name}")),
            ]
        })
        .collect();
    let sums = open
        .select(aggs)
        .with_column(lit("").alias("key"))
        .collect()?;
    let buckets = read_by_key(&sums, |r| {
        BUCKETS.map(|(name, _, _)| AgingBucket {
            bucket: name,
            amount: r.num(&format!("amount_{name}")),
            invoices: r.num(&format!("count_{name}")),
        })
    })?;
    Ok(match buckets.into_iter().find(|(k, _)| *k == total_key()) {
        Some((_, b)) => b.to_vec(),
        None => BUCKETS
            .iter()
            .map(|(name, _, _)| AgingBucket {
                bucket: name,
                amount: 0.0,
                invoices: 0.0,
            })
            .collect(),
    })
}

/// A product line, its quantity on hand and its quantity sold in 90 days.
pub type Stock = (Option<String>, Option<f64>, Option<f64>);

/// Per product line: `on_hand` (latest snapshot on or before the end of the month) and
/// `sold_90d` (quantity of active lines in the 90 days ending that day).
pub fn inventory_days(
    inventory: LazyFrame,
    active_orders: LazyFrame,
    p: &Periods,
) -> Result<Vec<Stock>> {
    let end = p.month.end();
    let start = end - chrono::Duration::days(89);
    let latest = inventory
        .filter(col("snapshot_date").lt_eq(date_lit(end)))
        .with_column(
            col("snapshot_date")
                .max()
                .over([col("product_line")])?
                .alias("latest"),
        )
        .filter(col("snapshot_date").eq(col("latest")))
        .group_by_stable([col("product_line").alias("key")])
        .agg([col("on_hand_qty").sum().alias("on_hand")])
        .collect()?;
    let sold = active_orders
        .filter(
            col("order_date")
                .gt_eq(date_lit(start))
                .and(col("order_date").lt_eq(date_lit(end))),
        )
        .group_by_stable([col("product_line").alias("key")])
        .agg([
            col("quantity").sum().alias("sold_90d"),
            col("quantity").count().alias("qty_rows"),
        ])
        .collect()?;
    let latest = read_by_key(&latest, |r| r.get("on_hand"))?;
    let sold = read_by_key(&sold, |r| {
        (r.num("qty_rows") > 0.0)
            .then(|| r.get("sold_90d"))
            .flatten()
    })?;
    let mut stock: Vec<Stock> = latest
        .into_iter()
        .map(|(k, on_hand)| {
            let sold_90d = sold.get(&k).copied().flatten();
            (k, on_hand, sold_90d)
        })
        .collect();
    stock.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(stock)
}

/// Days of cover: on hand ÷ (sold in 90 days ÷ 90); `None` when nothing (net) was sold.
pub fn cover_days(on_hand: Option<f64>, sold_90d: Option<f64>) -> Option<f64> {
    ratio(on_hand, sold_90d.filter(|s| *s > 0.0).map(|s| s / 90.0))
}
