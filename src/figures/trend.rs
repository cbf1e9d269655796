//! Month-by-month series for the documents' charts (`metrics.json` `trend`), and the
//! region × product-line matrix (`matrix`): figures the spec welcomes under further keys.

use polars::prelude::*;
use serde::Serialize;

use std::collections::HashMap;

use super::frame::{by_key, left_join, ratio, Key, Values};
use super::periods::{Month, Periods, Span};
use super::targets;
use crate::error::Result;

/// One month of the trend.
#[derive(Debug, Clone, Serialize)]
pub struct TrendPoint {
    pub month: Month,
    pub revenue: f64,
    /// Total target for the month; `null` when there is none.
    pub target: Option<f64>,
    pub attainment: Option<f64>,
    pub active_customers: f64,
    pub new_customers: f64,
    /// Revenue of customers whose first order is in this month.
    pub new_customer_revenue: f64,
    /// Revenue of everyone else.
    pub returning_revenue: f64,
    pub expenses: Option<f64>,
}

/// One cell of the region × product-line matrix.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixCell {
    pub region: Option<String>,
    pub product_line: Option<String>,
    pub revenue: super::Figure,
    /// Share of the region's revenue.
    pub share: super::Figure,
    /// When targets are given per region and product line.
    pub attainment: super::Figure,
}

/// A month-index column from a date column.
fn month_index(date: &str) -> Expr {
    (col(date).dt().year().cast(DataType::Int32) * lit(12)
        + col(date).dt().month().cast(DataType::Int32)
        - lit(1))
    .alias("month_idx")
}

/// The trend over `span` (at most 24 months ending with the report month, not before the
/// first order). `orders` are active lines; `first` the customers' first dates.
pub fn trend(
    orders: LazyFrame,
    first: LazyFrame,
    monthly_targets: Option<&DataFrame>,
    expenses: Option<&DataFrame>,
    span: Span,
) -> Result<Vec<TrendPoint>> {
    let inside = span.contains("order_date");
    let first_month = first
        .clone()
        .with_column(month_index("first_date").alias("first_idx"));
    let lines = orders
        .filter(inside)
        .with_column(month_index("order_date"))
        .join(
            first_month
                .clone()
                .select([col("customer_id"), col("first_idx")]),
            [col("customer_id")],
            [col("customer_id")],
            left_join(),
        );
    let is_new = col("first_idx").eq(col("month_idx"));
    let sums = lines
        .group_by_stable([col("month_idx").cast(DataType::String).alias("key")])
        .agg([
            col("amount").sum().alias("revenue"),
            col("customer_no")
                .n_unique()
                .cast(DataType::Float64)
                .alias("active"),
            col("amount")
                .filter(is_new.clone())
                .sum()
                .alias("new_revenue"),
        ])
        .collect()?;
    let sums = by_key(&sums)?;
    let new_counts = by_key(
        &first_month
            .filter(span.contains("first_date"))
            .group_by_stable([col("first_idx").cast(DataType::String).alias("key")])
            .agg([len().cast(DataType::Float64).alias("new")])
            .collect()?,
    )?;
    let target_sums = match monthly_targets {
        Some(m) => {
            let (rows, _) = targets::total(m)?;
            Some(by_key(
                &rows
                    .group_by_stable([col("month_idx").cast(DataType::String).alias("key")])
                    .agg([col("target").sum()])
                    .collect()?,
            )?)
        }
        None => None,
    };
    let expense_sums = match expenses {
        Some(e) => Some(by_key(
            &e.clone()
                .lazy()
                .filter(span.contains("date"))
                .with_column(month_index("date"))
                .group_by_stable([col("month_idx").cast(DataType::String).alias("key")])
                .agg([col("amount").sum()])
                .collect()?,
        )?),
        None => None,
    };
    let mut points = Vec::new();
    for i in span.first.index()..=span.last.index() {
        let key = Some(i.to_string());
        let s = sums.get(&key).cloned().unwrap_or_default();
        let revenue = s.num("revenue");
        let new_revenue = s.num("new_revenue");
        let target = target_sums
            .as_ref()
            .and_then(|t| t.get(&key))
            .and_then(|v| v.get("target"));
        points.push(TrendPoint {
            month: Month::from_index(i),
            revenue,
            target,
            attainment: ratio(Some(revenue), target),
            active_customers: s.num("active"),
            new_customers: new_counts.get(&key).map_or(0.0, |v| v.num("new")),
            new_customer_revenue: new_revenue,
            returning_revenue: revenue - new_revenue,
            expenses: expense_sums
                .as_ref()
                .map(|e| e.get(&key).map_or(0.0, |v| v.num("amount"))),
        });
    }
    Ok(points)
}

/// Revenue by region × product line for the reported periods, with each cell's share of
/// its region and, where targets name both, attainment.
pub fn matrix(
    orders: LazyFrame,
    monthly_targets: Option<&DataFrame>,
    p: &Periods,
    region_sums: Option<HashMap<Key, Values>>,
) -> Result<Vec<MatrixCell>> {
    let key = concat_key();
    // Grouped by the two columns, keyed after: cheaper than building a million keys.
    let revenue =
        super::sales::order_sums_by(orders.clone(), [col("region"), col("product_line")], p)
            .with_column(key.clone())
            .collect()?
            .drop_many(["region", "product_line"]);
    let revenue = by_key(&revenue)?;
    // The region breakdown's order sums, when the caller has them already.
    let region_rev = match region_sums {
        Some(r) => r,
        None => by_key(
            &super::sales::order_sums(orders.clone().with_column(col("region").alias("key")), p)
                .collect()?,
        )?,
    };
    let target_sums = match monthly_targets {
        Some(m) => {
            let both = m
                .clone()
                .lazy()
                .filter(
                    col("region")
                        .is_not_null()
                        .and(col("product_line").is_not_null()),
                )
                .with_column(key)
                .select([col("key"), col("month_idx"), col("target")]);
            Some(by_key(&targets::sums(both, p).collect()?)?)
        }
        None => None,
    };
    let pairs = orders
        .filter(p.ytd.contains("order_date"))
        .select([col("region"), col("product_line")])
        .unique_stable(None, UniqueKeepStrategy::First)
        .sort(
            ["region", "product_line"],
            SortMultipleOptions::default().with_nulls_last(true),
        )
        .collect()?;
    let regions = pairs.column("region")?.str()?.clone();
    let lines = pairs.column("product_line")?.str()?.clone();
    let mut cells = Vec::new();
    for (region, line) in regions.iter().zip(lines.iter()) {
        let k = Some(format!(
            "{}\u{1f}{}",
            region.unwrap_or(""),
            line.unwrap_or("")
        ));
        let v = revenue.get(&k).cloned().unwrap_or_default();
        let r = region_rev
            .get(&region.map(str::to_string))
            .cloned()
            .unwrap_or_default();
        let t = target_sums.as_ref().and_then(|t| t.get(&k));
        let per = |f: &dyn Fn(&str) -> Option<f64>| -> super::Figure {
            super::periods::REPORTED
                .iter()
                .map(|n| (*n, f(n)))
                .collect()
        };
        cells.push(MatrixCell {
            region: region.map(str::to_string),
            product_line: line.map(str::to_string),
            revenue: per(&|n| Some(v.of("rev", n))),
            share: per(&|n| ratio(Some(v.of("rev", n)), Some(r.of("rev", n)))),
            attainment: per(&|n| {
                let t = t?;
                let months = p.get(n).months() as f64;
                if t.of("tgtm", n) < months {
                    return None;
                }
                ratio(Some(v.of("rev", n)), t.get(&format!("tgt_{n}")))
            }),
        });
    }
    Ok(cells)
}

/// `region` and `product_line` joined by a unit separator, as one key.
fn concat_key() -> Expr {
    (col("region").fill_null(lit("")) + lit("\u{1f}") + col("product_line").fill_null(lit("")))
        .alias("key")
}
