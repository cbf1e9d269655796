//! Data-quality findings: data that reads but looks wrong, for `check`, the report's
//! 工具支持 part and `metrics.json` (`data_quality.findings`). Each is a count with a
//! sentence; none stops a run.

use polars::prelude::*;
use serde::Serialize;

use super::periods::date_lit;
use crate::error::Result;
use crate::model::{Tables, SOURCE_FILE};
use crate::types::{DataQuality, Finding, Month, TableKind};

fn details<const N: usize>(
    pairs: [(&'static str, String); N],
) -> std::collections::BTreeMap<&'static str, String> {
    pairs.into_iter().collect()
}

/// Per order line: whether its order id also appears in another file. Only such lines can
/// be the same line in two files; one pass over the ids spares the full comparison when
/// files do not overlap (the usual case, monthly exports). `order_codes` number the ids
/// (see [`super::lines::codes`]) when the caller has them.
fn in_several_files(orders: &DataFrame, order_codes: Option<&[u32]>) -> Result<Vec<bool>> {
    // One file (every line has one): its lowest number is its highest. Counting the
    // distinct numbers hashed a million of them, 5-10 ms.
    let numbers = orders.column(SOURCE_FILE)?.u32()?;
    if numbers.min() == numbers.max() {
        return Ok(vec![false; orders.height()]);
    }
    let numbered;
    let codes = match order_codes {
        Some(c) => c,
        None => {
            numbered = super::lines::codes(orders.column("order_id")?.str()?).0;
            &numbered
        }
    };
    let files = orders.column(SOURCE_FILE)?.u32()?;
    // Per id: the first file it was seen in, and whether another file has it too.
    let ids = codes.iter().map(|c| *c as usize).max().map_or(0, |m| m + 1);
    let (mut first, mut several) = (vec![None; ids], vec![false; ids]);
    let mut any = false;
    for (&code, file) in codes.iter().zip(files.iter()) {
        let seen = &mut first[code as usize];
        match seen {
            None => *seen = Some(file),
            Some(f) if *f != file => {
                several[code as usize] = true;
                any = true;
            }
            Some(_) => {}
        }
    }
    if !any {
        return Ok(vec![false; orders.height()]);
    }
    Ok(codes.iter().map(|c| several[*c as usize]).collect())
}

/// How many of the orders' distinct customer ids (`ids`, a missing id among them) the
/// customer master does not list: a set of the master's ids, a lookup per distinct id (a
/// join of the million lines' ids took a tenth of a second).
fn unknown_customers(ids: &[Option<&str>], master: &StringChunked) -> usize {
    let known: std::collections::HashSet<&str, foldhash::fast::RandomState> =
        master.iter().flatten().collect();
    ids.iter()
        .filter(|id| !id.is_some_and(|id| known.contains(id)))
        .count()
}

/// The order lines that appear identically (id, date, customer, amount) in two files or
/// more, among the lines whose id another file has (`overlap`, per line of `orders`).
fn duplicate_lines(
    orders: LazyFrame,
    overlap: Vec<bool>,
    files: &[String],
) -> Result<Option<Finding>> {
    let dupes = orders
        .filter(lit(Series::new("overlap".into(), overlap)))
        .group_by_stable([
            col("order_id"),
            col("order_date"),
            col("customer_id"),
            col("amount"),
        ])
        .agg([
            col(SOURCE_FILE).n_unique().alias("files"),
            col(SOURCE_FILE).min().alias("first"),
            col(SOURCE_FILE).max().alias("last"),
        ])
        .filter(col("files").gt(lit(1)))
        .collect()?;
    if dupes.height() > 0 {
        let name = |c: &str| -> String {
            dupes
                .column(c)
                .ok()
                .and_then(|c| c.u32().ok().and_then(|v| v.get(0)))
                .and_then(|i| files.get(i as usize).cloned())
                .unwrap_or_default()
        };
        return Ok(Some(Finding {
            kind: "duplicate_lines",
            table: "orders",
            count: dupes.height(),
            message: format!(
                "{} order lines appear identically in two files (first in {} and {}); overlapping exports count twice",
                dupes.height(),
                name("first"),
                name("last")
            ),
            details: details([
                ("count", dupes.height().to_string()),
                ("first", name("first")),
                ("second", name("last")),
            ]),
        }));
    }
    Ok(None)
}

/// `data_quality` of `metrics.json`: what ingest saw, and the findings the figures add.
#[derive(Debug, Clone, Serialize)]
pub struct QualityReport {
    #[serde(flatten)]
    pub read: DataQuality,
    /// Data that is legal but suspicious (SPEC: data-quality warnings).
    pub findings: Vec<Finding>,
}

/// The findings for report month `month`; `today` marks dates in the future (`check`
/// passes the clock; a run passes `None` so that its documents do not depend on the day).
/// `lines` are the active order lines reduced, when the caller has them (their order and
/// customer ids are numbered there already).
pub fn findings(
    tables: &Tables,
    month: Month,
    today: Option<chrono::NaiveDate>,
    files: &[String],
    lines: Option<&super::lines::OrderLines>,
) -> Result<Vec<Finding>> {
    let mut out = Vec::new();
    let frame = tables.active_orders().collect()?;
    let overlap = in_several_files(&frame, lines.map(|l| l.order_codes()))?;
    let orders = frame.clone().lazy();
    // The four date counts in one query: the lines of the month and the month before, after
    // the month, after today.
    let in_month = |m: Month| super::periods::Span::new(m, m).contains("order_date");
    let after_today = today.map_or(lit(false), |t| col("order_date").gt(date_lit(t)));
    let counts = orders
        .clone()
        .select([
            in_month(month).sum().alias("now"),
            in_month(month.plus(-1)).sum().alias("before"),
            col("order_date")
                .gt(date_lit(month.end()))
                .sum()
                .alias("after"),
            after_today.sum().alias("future"),
        ])
        .collect()?;
    let counted = |name: &str| -> Result<usize> {
        let n = counts.column(name)?.cast(&DataType::UInt64)?;
        Ok(n.u64()?.get(0).unwrap_or(0) as usize)
    };
    let (now, before) = (counted("now")?, counted("before")?);
    if before > 0 {
        let change = now as f64 / before as f64 - 1.0;
        if change.abs() > 0.5 {
            out.push(Finding {
                kind: "volume_change",
                table: "orders",
                count: now,
                message: format!(
                    "{now} order lines in {month} against {before} in {}: {:+.0}% (more than ±50%); an export may be missing or doubled",
                    month.plus(-1),
                    change * 100.0
                ),
                details: details([
                    ("now", now.to_string()),
                    ("before", before.to_string()),
                    ("month", month.to_string()),
                    ("previous", month.plus(-1).to_string()),
                    ("change", format!("{:+.0}%", change * 100.0)),
                ]),
            });
        }
    }
    let after = counted("after")?;
    if after > 0 {
        out.push(Finding {
            kind: "after_report_month",
            table: "orders",
            count: after,
            message: format!("{after} order lines are dated after {month}; the figures for {month} leave them out"),
            details: details([("count", after.to_string()), ("month", month.to_string())]),
        });
    }
    if let Some(today) = today {
        let future = counted("future")?;
        if future > 0 {
            out.push(Finding {
                kind: "future_dates",
                table: "orders",
                count: future,
                message: format!("{future} order lines are dated after today ({today})"),
                details: details([("count", future.to_string()), ("today", today.to_string())]),
            });
        }
    }
    // The same order line in two files: an export that overlaps another. Only lines
    // whose order id another file has too can be.
    if overlap.contains(&true) {
        out.extend(duplicate_lines(orders, overlap, files)?);
    }
    if let Some(customers) = tables.get(TableKind::Customers) {
        let numbered;
        let ids = match lines {
            Some(l) => l.customer_ids(),
            None => {
                numbered = super::lines::codes(frame.column("customer_id")?.str()?).1;
                &numbered
            }
        };
        let n = unknown_customers(ids, customers.column("customer_id")?.str()?);
        if n > 0 {
            out.push(Finding {
                kind: "unknown_customers",
                table: "customers",
                count: n,
                message: format!(
                    "{n} customers in the orders are missing from the customer master"
                ),
                details: details([("count", n.to_string())]),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows of a query, counted without collecting its columns.
    fn count(df: LazyFrame) -> Result<usize> {
        let n = df.select([len()]).collect()?;
        let n = n.column("len")?.cast(&DataType::UInt64)?;
        Ok(n.u64()?.get(0).unwrap_or(0) as usize)
    }

    /// The count the set gives is the one a join of the orders' distinct ids against the
    /// master gives: a missing id is unknown, a master listing an id twice knows it once.
    #[test]
    fn unknown_customers_as_a_join_counts_them() {
        let orders = StringChunked::from_iter([
            Some("C1"),
            None,
            Some("C2"),
            Some("C1"),
            Some("C3"),
            Some("c3"),
            None,
        ]);
        let master = StringChunked::from_iter([Some("C1"), Some("C3"), None, Some("C1")]);
        let ids = super::super::lines::codes(&orders).1;
        let joined = orders
            .clone()
            .with_name("customer_id".into())
            .into_series()
            .into_frame()
            .lazy()
            .unique(None, UniqueKeepStrategy::Any)
            .join(
                master
                    .clone()
                    .with_name("customer_id".into())
                    .into_series()
                    .into_frame()
                    .lazy()
                    .with_column(lit(true).alias("known")),
                [col("customer_id")],
                [col("customer_id")],
                JoinArgs::new(JoinType::Left),
            )
            .filter(col("known").is_null());
        assert_eq!(
            unknown_customers(&ids, &master),
            3,
            "C2, c3 and the missing id"
        );
        assert_eq!(unknown_customers(&ids, &master), count(joined).unwrap());
    }
}
