//! `by.<dimension>` of `metrics.json`: every key's figures under each breakdown, with its
//! share of revenue, a rep's name, a region's expenses by category and a product line's
//! inventory cover; and the expenses by category of the totals.

use std::collections::HashMap;

use indexmap::IndexMap;
use polars::prelude::*;

use super::finance::{self, Stock};
use super::frame::ratio;
use super::keyed::Inputs;
use super::kpis::{figure, key_figures, per_period, Notes};
use super::periods::Periods;
use super::sums::{window, Key, Keyed, PerPeriod};
use super::{costs, Breakdown, CategoryRow, DIMENSIONS};
use crate::error::Result;
use crate::types::TableKind;

/// Every breakdown, in [`DIMENSIONS`] order. `total_revenue` is the totals' revenue per
/// period; `inventory` the stock per product line.
pub(super) fn breakdowns(
    inputs: &Inputs,
    mut by: HashMap<&'static str, Keyed>,
    total_revenue: PerPeriod,
    inventory: &[Stock],
) -> Result<IndexMap<&'static str, Vec<Breakdown>>> {
    let rep_names = rep_names(inputs.table(TableKind::Roster))?;
    let mut out = IndexMap::new();
    for dim in DIMENSIONS {
        let in_inventory = dim == "product_line" && !inventory.is_empty();
        if !inputs.in_orders(dim) && !inputs.in_targets(dim) && !in_inventory {
            continue;
        }
        let Some(k) = by.remove(dim) else {
            continue;
        };
        let stock = if in_inventory { inventory } else { &[] };
        let mut entries = keys(&k, stock)
            .into_iter()
            .map(|key| {
                let mut entry = breakdown(inputs, dim, &k, key, total_revenue, stock)?;
                if dim == "rep_id" {
                    entry.name = entry.key.as_ref().and_then(|k| rep_names.get(k).cloned());
                }
                Ok(entry)
            })
            .collect::<Result<Vec<_>>>()?;
        entries.sort_by(|a, b| {
            let r = |x: &Breakdown, n: &str| x.figures["revenue"][n].unwrap_or(0.0);
            r(b, "month")
                .total_cmp(&r(a, "month"))
                .then(r(b, "ytd").total_cmp(&r(a, "ytd")))
                .then(a.key.is_none().cmp(&b.key.is_none()))
                .then(a.key.cmp(&b.key))
        });
        out.insert(dim, entries);
    }
    Ok(out)
}

/// The keys a breakdown lists: those with orders in the year to date or the trailing 12
/// months, with a target in the year, or with stock.
fn keys(k: &Keyed, stock: &[Stock]) -> Vec<Key> {
    let mut keys: Vec<Key> = k
        .orders
        .iter()
        .filter(|(_, o)| o.orders[2] > 0.0 || o.orders[window::T12] > 0.0)
        .map(|(key, _)| key.clone())
        .collect();
    if let Some(t) = &k.targets {
        keys.extend(
            t.iter()
                .filter(|(_, t)| t.months[3] > 0.0)
                .map(|(key, _)| key.clone()),
        );
    }
    keys.extend(stock.iter().map(|(key, _, _)| key.clone()));
    keys.sort();
    keys.dedup();
    keys
}

/// One key's entry of breakdown `dim` (without a rep's name).
fn breakdown(
    inputs: &Inputs,
    dim: &str,
    k: &Keyed,
    key: Key,
    total_revenue: PerPeriod,
    stock: &[Stock],
) -> Result<Breakdown> {
    let sums = k.for_key(&key);
    // Notes are the totals'.
    let mut figures = key_figures(
        &sums,
        &inputs.p,
        &inputs.history,
        &inputs.avail,
        &mut Notes::default(),
    );
    let revenue: PerPeriod = [0, 1, 2].map(|i| sums.orders.revenue[i]);
    figures.shift_insert(
        1,
        "revenue_share",
        per_period(|i| ratio(Some(revenue[i]), Some(total_revenue[i]))),
    );
    if sums.headcount.is_none() {
        figures.shift_remove("avg_headcount");
        figures.shift_remove("per_capita_revenue");
    }
    if sums.expenses.is_none() {
        figures.shift_remove("expenses");
        figures.shift_remove("expense_ratio");
    }
    if !stock.is_empty() {
        let cover = stock
            .iter()
            .find(|(k, _, _)| *k == key)
            .and_then(|(_, on_hand, sold)| finance::cover_days(*on_hand, *sold));
        figures.insert("inventory_days", figure([("month", cover)]));
    }
    let expenses_by_category = match inputs.table(TableKind::Expenses) {
        Some(x) if dim == "region" && sums.expenses.is_some() => {
            let only = match &key {
                Some(v) => col("region").eq(lit(v.clone())),
                None => col("region").is_null(),
            };
            Some(category_rows(
                x.clone().lazy().filter(only),
                &inputs.p,
                revenue,
            )?)
        }
        _ => None,
    };
    Ok(Breakdown {
        key,
        name: None,
        figures,
        expenses_by_category,
    })
}

/// Expenses by category: amount per period, share of the period's expenses, and ratio to
/// the period's revenue.
pub(super) fn category_rows(
    expenses: LazyFrame,
    p: &Periods,
    revenue: PerPeriod,
) -> Result<Vec<CategoryRow>> {
    let sums = costs::sums(expenses.with_column(col("category").alias("key")), p)?;
    // Sum in key order: the same inputs must give the same bits.
    let mut sums: Vec<(Key, PerPeriod)> = sums.into_iter().collect();
    sums.sort_by(|a, b| a.0.cmp(&b.0));
    let totals: PerPeriod = [0, 1, 2].map(|i| sums.iter().map(|(_, v)| v[i]).sum());
    let mut rows: Vec<CategoryRow> = sums
        .into_iter()
        .map(|(key, amount)| CategoryRow {
            key,
            month: amount[0],
            qtd: amount[1],
            ytd: amount[2],
            share: per_period(|i| ratio(Some(amount[i]), Some(totals[i]))),
            ratio_to_revenue: per_period(|i| ratio(Some(amount[i]), Some(revenue[i]))),
        })
        .filter(|r| r.ytd != 0.0 || r.month != 0.0)
        .collect();
    rows.sort_by(|a, b| {
        b.month
            .total_cmp(&a.month)
            .then(b.ytd.total_cmp(&a.ytd))
            .then(a.key.cmp(&b.key))
    });
    Ok(rows)
}

/// The stock per product line, with the notes that say why there is none.
pub(super) fn inventory(inputs: &Inputs, notes: &mut Notes) -> Result<Vec<Stock>> {
    match inputs.table(TableKind::Inventory) {
        Some(inv) => {
            if !inputs.in_orders("quantity") {
                notes.add("inventory_days", None, "orders have no quantity column");
            }
            let active = inputs.tables.active_orders();
            finance::inventory_days(inv.clone().lazy(), active, &inputs.p)
        }
        None => {
            notes.add("inventory_days", None, "no inventory table in the inputs");
            Ok(Vec::new())
        }
    }
}

/// Inventory cover's headline: the lowest product line's, with a note for each line
/// whose cover is unknown.
pub(super) fn lowest_cover(stock: &[Stock], p: &Periods, notes: &mut Notes) -> Option<f64> {
    let mut lowest: Option<f64> = None;
    for (key, on_hand, sold) in stock {
        let label = key.clone().unwrap_or_default();
        match finance::cover_days(*on_hand, *sold) {
            Some(d) => lowest = Some(lowest.map_or(d, |l: f64| l.min(d))),
            None if on_hand.is_none() => notes.add(
                "inventory_days",
                Some("month"),
                format!("{label}: no snapshot on or before {}", p.month.end()),
            ),
            None => notes.add(
                "inventory_days",
                Some("month"),
                format!("{label}: nothing sold in the 90 days to {}", p.month.end()),
            ),
        }
    }
    lowest
}

/// Rep id → name, from the roster.
fn rep_names(roster: Option<&DataFrame>) -> Result<HashMap<String, String>> {
    let Some(r) = roster else {
        return Ok(HashMap::new());
    };
    let df = r
        .clone()
        .lazy()
        .filter(col("name").is_not_null())
        .group_by_stable([col("rep_id")])
        .agg([col("name").first()])
        .collect()?;
    let ids = df.column("rep_id")?.str()?.clone();
    let names = df.column("name")?.str()?.clone();
    Ok(ids
        .iter()
        .zip(names.iter())
        .filter_map(|(i, n)| Some((i?.to_string(), n?.to_string())))
        .collect())
}
