//! Targets (SPEC §3): month rows as given; a quarter or year row is split evenly over its
//! months when its dimension values have no finer rows in that quarter or year. The total
//! is the rows with every dimension blank, else the sum over the first dimension that has
//! rows, in the order region, product_line, customer_segment, rep_id.

use polars::prelude::*;

use std::collections::HashMap;

use super::frame::read_by_key;
use super::periods::{Periods, Span};
use super::sums::{Key, TargetSums};
use crate::error::Result;

/// The dimensions a target row may carry, in the spec's order of precedence.
pub const DIMS: [&str; 4] = ["region", "product_line", "customer_segment", "rep_id"];

/// One row per target row and month it covers: the dimensions, `month_idx`
/// ([`super::periods::Month::index`]) and `target` for that month.
pub fn monthly(targets: LazyFrame) -> Result<LazyFrame> {
    let pieces: Vec<LazyFrame> = (0..12)
        .map(|k| {
            targets
                .clone()
                .filter(col("period_months").gt(lit(k)))
                .with_columns([
                    (col("period_first") + lit(k)).alias("month_idx"),
                    (col("target") / col("period_months").cast(DataType::Float64)).alias("share"),
                ])
        })
        .collect();
    let all = concat(pieces, UnionArgs::default())?.with_columns([
        (col("month_idx") - col("month_idx") % lit(3)).alias("quarter_idx"),
        (col("month_idx") - col("month_idx") % lit(12)).alias("year_idx"),
    ]);
    let partition = |extra: &str| -> Vec<Expr> {
        DIMS.iter()
            .map(|d| col(*d))
            .chain(std::iter::once(col(extra)))
            .collect()
    };
    let months = col("period_months");
    let quarter_has_months = months
        .clone()
        .eq(lit(1))
        .any(false)
        .over(partition("quarter_idx"))?;
    let year_has_finer = months
        .clone()
        .lt(lit(12))
        .any(false)
        .over(partition("year_idx"))?;
    let keep = months
        .clone()
        .eq(lit(1))
        .or(months.clone().eq(lit(3)).and(quarter_has_months.not()))
        .or(months.eq(lit(12)).and(year_has_finer.not()));
    let mut select: Vec<Expr> = DIMS.iter().map(|d| col(*d)).collect();
    select.push(col("month_idx"));
    select.push(col("share").alias("target"));
    Ok(all.filter(keep).select(select))
}

fn blank(d: &str) -> Expr {
    col(d).is_null()
}

/// Rows of exactly these dimensions (the others blank).
fn level(only: &[&str]) -> Expr {
    DIMS.iter()
        .map(|d| {
            if only.contains(d) {
                col(*d).is_not_null()
            } else {
                blank(d)
            }
        })
        .reduce(|a, b| a.and(b))
        .unwrap_or(lit(true))
}

fn count(monthly: &DataFrame, filter: Expr) -> Result<usize> {
    Ok(monthly.clone().lazy().filter(filter).collect()?.height())
}

/// The monthly rows that make up the total target, with a `key` of `""`; and the
/// dimension summed when no row had every dimension blank.
pub fn total(monthly: &DataFrame) -> Result<(LazyFrame, Option<&'static str>)> {
    let mut filter = level(&[]);
    let mut via = None;
    if count(monthly, filter.clone())? == 0 {
        for d in DIMS {
            if let Some(f) = by_dim_filter(monthly, d)? {
                filter = f;
                via = Some(d);
                break;
            }
        }
    }
    let rows = monthly.clone().lazy().filter(filter).select([
        lit("").alias("key"),
        col("month_idx"),
        col("target"),
    ]);
    Ok((rows, via))
}

/// Rows carrying dimension `d` alone; failing that, every row that carries `d`.
fn by_dim_filter(monthly: &DataFrame, d: &str) -> Result<Option<Expr>> {
    let alone = level(&[d]);
    if count(monthly, alone.clone())? > 0 {
        return Ok(Some(alone));
    }
    let any = col(d).is_not_null();
    Ok((count(monthly, any.clone())? > 0).then_some(any))
}

/// The monthly rows for dimension `d`, keyed by its value; `None` if no row carries it.
pub fn by_dim(monthly: &DataFrame, d: &str) -> Result<Option<LazyFrame>> {
    Ok(by_dim_filter(monthly, d)?.map(|f| {
        monthly.clone().lazy().filter(f).select([
            col(d).alias("key"),
            col("month_idx"),
            col("target"),
        ])
    }))
}

/// The windows targets are summed over.
pub fn windows(p: &Periods) -> [(&'static str, Span); 4] {
    [
        ("month", p.month),
        ("qtd", p.qtd),
        ("ytd", p.ytd),
        ("year", p.year),
    ]
}

impl TargetSums {
    /// The target of window `w` of [`windows`] (0–2 the reported periods, 3 the year), when
    /// targets cover every month of it.
    pub fn complete(&self, w: usize, p: &Periods) -> Option<f64> {
        let months = windows(p)[w].1.months() as f64;
        if self.months[w] < months {
            return None;
        }
        self.target[w]
    }
}

/// Per key: the target summed over each of [`windows`], and the months of the window that
/// have a target.
pub fn sums(rows: LazyFrame, p: &Periods) -> Result<HashMap<Key, TargetSums>> {
    let mut aggs = Vec::new();
    for (name, span) in windows(p) {
        let inside = span.contains_month("month_idx");
        aggs.push(
            col("target")
                .filter(inside.clone())
                .sum()
                .alias(format!("tgt_{name}")),
        );
        aggs.push(
            col("month_idx")
                .filter(inside)
                .n_unique()
                .cast(DataType::Float64)
                .alias(format!("tgtm_{name}")),
        );
    }
    let sums = rows.group_by_stable([col("key")]).agg(aggs).collect()?;
    let names = windows(p).map(|(name, _)| name);
    read_by_key(&sums, |r| TargetSums {
        target: names.map(|n| r.get(&format!("tgt_{n}"))),
        months: names.map(|n| r.num(&format!("tgtm_{n}"))),
    })
}
