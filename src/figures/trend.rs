//! Month-by-month series for the documents' charts (`metrics.json` `trend`), and the
//! region × product-line matrix (`matrix`): figures the spec welcomes under further keys.

use polars::prelude::*;
use serde::Serialize;

use std::collections::HashMap;

use super::frame::{ratio, read_by_key};
use super::kpis::per_period;
use super::lines::{CustomerFacts, Keys, OrderLines, Sum};
use super::periods::{Periods, Span, REPORTED};
use super::sums::Key;
use super::targets;
use crate::error::Result;
use crate::types::Month;

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
/// first order): revenue, active customers and new customers' revenue from the order lines;
/// new customers from `first`, the customers' first dates.
pub fn trend(
    lines: &OrderLines,
    facts: &CustomerFacts,
    first: LazyFrame,
    monthly_targets: Option<&DataFrame>,
    expenses: Option<&DataFrame>,
    span: Span,
) -> Result<Vec<TrendPoint>> {
    let months = lines.monthly(facts);
    let first_month = first.with_column(month_index("first_date").alias("first_idx"));
    let new_counts = read_by_key(
        &first_month
            .filter(span.contains("first_date"))
            .group_by_stable([col("first_idx").cast(DataType::String).alias("key")])
            .agg([len().cast(DataType::Float64).alias("new")])
            .collect()?,
        |r| r.num("new"),
    )?;
    let target_sums = match monthly_targets {
        Some(m) => {
            let (rows, _) = targets::total(m)?;
            Some(read_by_key(
                &rows
                    .group_by_stable([col("month_idx").cast(DataType::String).alias("key")])
                    .agg([col("target").sum()])
                    .collect()?,
                |r| r.get("target"),
            )?)
        }
        None => None,
    };
    let expense_sums = match expenses {
        Some(e) => Some(read_by_key(
            &e.clone()
                .lazy()
                .filter(span.contains("date"))
                .with_column(month_index("date"))
                .group_by_stable([col("month_idx").cast(DataType::String).alias("key")])
                .agg([col("amount").sum()])
                .collect()?,
            |r| r.num("amount"),
        )?),
        None => None,
    };
    let mut points = Vec::new();
    for i in span.first.index()..=span.last.index() {
        let key = Some(i.to_string());
        let month = Month::from_index(i);
        let s = lines.slot_of(month).map(|s| months[s]).unwrap_or_default();
        let (revenue, new_revenue) = (s.revenue, s.new_revenue);
        let target = target_sums
            .as_ref()
            .and_then(|t| t.get(&key).copied().flatten());
        points.push(TrendPoint {
            month,
            revenue,
            target,
            attainment: ratio(Some(revenue), target),
            active_customers: s.customers.into(),
            new_customers: new_counts.get(&key).copied().unwrap_or(0.0),
            new_customer_revenue: new_revenue,
            returning_revenue: revenue - new_revenue,
            expenses: expense_sums
                .as_ref()
                .map(|e| e.get(&key).copied().unwrap_or(0.0)),
        });
    }
    Ok(points)
}

/// Revenue by region × product line for the reported periods, for the pairs with orders
/// in the year to date, with each cell's share of its region and, where targets name
/// both, attainment.
pub fn matrix(
    lines: &OrderLines,
    regions: &Keys,
    product_lines: &Keys,
    monthly_targets: Option<&DataFrame>,
    p: &Periods,
) -> Result<Vec<MatrixCell>> {
    let key = concat_key();
    let mut pairs = lines.pair_sums(regions, product_lines, REPORTED.map(|n| p.get(n)));
    // Nulls last, as the documents list them.
    pairs.sort_by(|a, b| {
        (a.0.is_none(), a.0, a.1.is_none(), a.1).cmp(&(b.0.is_none(), b.0, b.1.is_none(), b.1))
    });
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
            Some(targets::sums(both, p)?)
        }
        None => None,
    };
    // A region's revenue is its cells' (a pair without lines in the year adds nothing).
    let mut region_revenue: HashMap<&Key, [Sum; 3]> = HashMap::new();
    for (region, _, revenue, _) in &pairs {
        let r = region_revenue.entry(region).or_default();
        for (sum, v) in r.iter_mut().zip(revenue) {
            *sum += *v;
        }
    }
    let mut cells = Vec::new();
    for (region, line, revenue, _) in &pairs {
        let k = Some(format!(
            "{}\u{1f}{}",
            region.as_deref().unwrap_or(""),
            line.as_deref().unwrap_or("")
        ));
        let region_rev = |i: usize| region_revenue[region][i].get();
        let t = target_sums.as_ref().and_then(|t| t.get(&k));
        cells.push(MatrixCell {
            region: (*region).clone(),
            product_line: (*line).clone(),
            revenue: per_period(|i| Some(revenue[i])),
            share: per_period(|i| ratio(Some(revenue[i]), Some(region_rev(i)))),
            attainment: per_period(|i| ratio(Some(revenue[i]), t?.complete(i, p))),
        });
    }
    Ok(cells)
}

/// `region` and `product_line` joined by a unit separator, as one key.
fn concat_key() -> Expr {
    (col("region").fill_null(lit("")) + lit("\u{1f}") + col("product_line").fill_null(lit("")))
        .alias("key")
}
