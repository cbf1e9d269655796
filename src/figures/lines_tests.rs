//! [`super::lines`] checked against the polars formulation of the same figures (the
//! filtered group-bys it replaced, kept here as the reference) on generated messy orders:
//! null ids and keys, orders spanning months, keys and customers, lines outside the 24
//! months, missing amounts and costs.

use std::collections::HashMap;

use polars::prelude::*;

use super::frame::left_join;
use super::lines::{Keys, OrderLines};
use super::periods::{Periods, REPORTED};
use super::sales::{self, windows};
use super::service;
use super::sums::Key;
use super::sums::{CustomerSums, OrderSums};
use crate::types::Month;

// The polars formulation.

/// Adds `order_no` and `customer_no`: each distinct `order_id` / `customer_id` (null too)
/// as a number, so that the many distinct counts below hash integers, not strings.
fn with_codes(mut orders: DataFrame) -> PolarsResult<DataFrame> {
    for (name, code_name) in [("order_id", "order_no"), ("customer_id", "customer_no")] {
        let ids = orders.column(name)?.str()?;
        let mut codes_of: std::collections::HashMap<
            Option<&str>,
            u32,
            foldhash::fast::RandomState,
        > = std::collections::HashMap::with_capacity_and_hasher(ids.len() / 2, Default::default());
        let codes: Vec<u32> = ids
            .iter()
            .map(|id| {
                let next = codes_of.len() as u32;
                *codes_of.entry(id).or_insert(next)
            })
            .collect();
        orders.with_column(Column::new(code_name.into(), codes))?;
    }
    Ok(orders)
}

/// A frame keyed by `customer_id`, keyed by the orders' `customer_no` instead (customers
/// without orders drop out): joins on integers, for the per-key customer figures.
fn by_customer_no(frame: LazyFrame, orders: LazyFrame) -> LazyFrame {
    orders
        .select([col("customer_id"), col("customer_no")])
        .unique(None, UniqueKeepStrategy::Any)
        .join(
            frame,
            [col("customer_id")],
            [col("customer_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .drop(cols(["customer_id"]))
}

/// Per key: `rev_<w>`, `orders_<w>`, `customers_<w>` for every window, and `costrev_<p>`,
/// `cost_<p>`, `costn_<p>` (revenue and cost of the lines that have a cost) for the
/// reported periods. `orders` are active lines with a `key` column and [`with_codes`].
fn order_sums(orders: LazyFrame, p: &Periods) -> LazyFrame {
    order_sums_by(orders, [col("key")], p)
}

/// [`order_sums`] grouped by `by` instead of a `key` column.
fn order_sums_by<const N: usize>(orders: LazyFrame, by: [Expr; N], p: &Periods) -> LazyFrame {
    let mut aggs = Vec::new();
    for (name, span) in windows(p) {
        let inside = span.contains("order_date");
        aggs.push(
            col("amount")
                .filter(inside.clone())
                .sum()
                .alias(format!("rev_{name}")),
        );
        aggs.push(
            col("order_no")
                .filter(inside.clone())
                .n_unique()
                .cast(DataType::Float64)
                .alias(format!("orders_{name}")),
        );
        aggs.push(
            col("customer_no")
                .filter(inside)
                .n_unique()
                .cast(DataType::Float64)
                .alias(format!("customers_{name}")),
        );
    }
    for name in REPORTED {
        let with_cost = p
            .get(name)
            .contains("order_date")
            .and(col("cost").is_not_null());
        aggs.push(
            col("amount")
                .filter(with_cost.clone())
                .sum()
                .alias(format!("costrev_{name}")),
        );
        aggs.push(
            col("cost")
                .filter(with_cost.clone())
                .sum()
                .alias(format!("cost_{name}")),
        );
        aggs.push(
            col("cost")
                .filter(with_cost)
                .count()
                .cast(DataType::Float64)
                .alias(format!("costn_{name}")),
        );
    }
    orders.group_by_stable(by).agg(aggs)
}

/// Per key: customer counts built on per-customer activity. `active_<w>` for the
/// reported periods; `ret_num_month`/`ret_den_month` and `ret_num_t12`/`ret_den_t12`
/// (retention); `repeat_<p>` (customers with two or more orders); `new_<p>` and
/// `newrev_<p>` (customers whose first order lies in the period, and their revenue);
/// with follow-ups, `fucov_<p>` (active customers with a follow-up dated in the period).
/// `first` and `follow_ups` are keyed by `customer_no` (see [`by_customer_no`]).
fn customer_sums(
    orders: LazyFrame,
    first: LazyFrame,
    follow_ups: Option<LazyFrame>,
    p: &Periods,
) -> LazyFrame {
    let mut per_customer = Vec::new();
    let activity = [
        ("month", p.month),
        ("qtd", p.qtd),
        ("ytd", p.ytd),
        ("prev_month", p.prev_month()),
        ("t12", p.trailing_12m()),
        ("p12", p.previous_12m()),
    ];
    for (name, span) in activity {
        per_customer.push(
            span.contains("order_date")
                .any(true)
                .alias(format!("a_{name}")),
        );
    }
    for name in REPORTED {
        let inside = p.get(name).contains("order_date");
        per_customer.push(
            col("order_no")
                .filter(inside.clone())
                .n_unique()
                .alias(format!("n_{name}")),
        );
        per_customer.push(
            col("amount")
                .filter(inside)
                .sum()
                .alias(format!("r_{name}")),
        );
    }
    // Grouped by the customer's code (integers hash faster than strings); the id rides along.
    let mut customers = orders
        .group_by_stable([col("key"), col("customer_no")])
        .agg(per_customer)
        .join(
            first,
            [col("customer_no")],
            [col("customer_no")],
            left_join(),
        );
    let has_follow_ups = follow_ups.is_some();
    if let Some(f) = follow_ups {
        customers = customers.join(f, [col("customer_no")], [col("customer_no")], left_join());
    }
    let count = |e: Expr| e.cast(DataType::Float64).sum();
    let mut aggs = vec![
        count(col("a_month").and(col("a_prev_month"))).alias("ret_num_month"),
        count(col("a_prev_month")).alias("ret_den_month"),
        count(col("a_t12").and(col("a_p12"))).alias("ret_num_t12"),
        count(col("a_p12")).alias("ret_den_t12"),
    ];
    for name in REPORTED {
        let active = col(format!("a_{name}").as_str());
        let new = active.clone().and(p.get(name).contains("first_date"));
        aggs.push(count(active).alias(format!("active_{name}")));
        aggs.push(
            count(col(format!("n_{name}").as_str()).gt_eq(lit(2))).alias(format!("repeat_{name}")),
        );
        aggs.push(count(new.clone()).alias(format!("new_{name}")));
        aggs.push(
            col(format!("r_{name}").as_str())
                .filter(new)
                .sum()
                .alias(format!("newrev_{name}")),
        );
        if has_follow_ups {
            let covered = col(format!("a_{name}").as_str())
                .and(col(format!("fu_{name}").as_str()).fill_null(lit(false)));
            aggs.push(count(covered).alias(format!("fucov_{name}")));
        }
    }
    customers.group_by_stable([col("key")]).agg(aggs)
}

/// A small deterministic generator (no test depends on a crate for randomness).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }

    /// `None` one time in `one_in`, else a value below `n` as text with `prefix`.
    fn id(&mut self, prefix: &str, n: u64, one_in: u64) -> Option<String> {
        (self.below(one_in) != 0).then(|| format!("{prefix}{}", self.below(n)))
    }
}

/// Messy active orders around report month 2026-03; `lines` of them.
pub(super) fn orders(seed: u64, lines: usize) -> DataFrame {
    let mut r = Lcg(seed);
    let start = crate::types::epoch_days(NaiveDate::from_ymd_opt(2023, 6, 1).unwrap());
    let (mut order_id, mut date, mut customer, mut amount, mut cost, mut region) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..lines {
        // Few order ids over three years: the same id recurs in several months.
        order_id.push(r.id("O", 300, 40));
        // Customer k buys from day 15·k on: first orders fall in every window.
        let k = r.below(60);
        let from = 15 * k;
        date.push((r.below(30) != 0).then(|| start + (from + r.below(1100 - from)) as i32));
        customer.push((r.below(30) != 0).then(|| format!("C{k}")));
        amount.push((r.below(25) != 0).then(|| r.below(100_000) as f64 / 100.0 - 50.0));
        cost.push((r.below(3) != 0).then(|| r.below(50_000) as f64 / 100.0));
        region.push(r.id("R", 5, 8));
    }
    DataFrame::new(
        lines,
        vec![
            Column::new("order_id".into(), order_id),
            Column::new("order_date".into(), date)
                .cast(&DataType::Date)
                .unwrap(),
            Column::new("customer_id".into(), customer),
            Column::new("amount".into(), amount),
            Column::new("cost".into(), cost),
            Column::new("region".into(), region),
        ],
    )
    .unwrap()
}

use chrono::NaiveDate;

/// Numbers by column name, per key.
type Named = HashMap<Key, HashMap<String, Option<f64>>>;

/// Every row of a reference frame keyed by its `key` column, numbers by column name.
fn by_key(df: &DataFrame) -> PolarsResult<Named> {
    let keys = df.column("key")?.cast(&DataType::String)?;
    let keys = keys.str()?;
    let mut out = Named::new();
    for c in df.columns() {
        if c.name().as_str() == "key" {
            continue;
        }
        let f = c.cast(&DataType::Float64)?;
        for (i, v) in f.f64()?.iter().enumerate() {
            out.entry(keys.get(i).map(str::to_string))
                .or_default()
                .insert(c.name().to_string(), v.filter(|x| x.is_finite()));
        }
    }
    Ok(out)
}

/// Our order sums under the reference's column names.
fn order_names(ours: &HashMap<Key, OrderSums>, p: &Periods) -> Named {
    let windows = windows(p);
    ours.iter()
        .map(|(key, o)| {
            let mut v = HashMap::new();
            for (w, (name, _)) in windows.iter().enumerate() {
                v.insert(format!("rev_{name}"), Some(o.revenue[w]));
                v.insert(format!("orders_{name}"), Some(o.orders[w]));
                v.insert(format!("customers_{name}"), Some(o.customers[w]));
            }
            for (i, name) in REPORTED.iter().enumerate() {
                v.insert(format!("costrev_{name}"), Some(o.cost_revenue[i]));
                v.insert(format!("cost_{name}"), Some(o.cost[i]));
                v.insert(format!("costn_{name}"), Some(o.cost_lines[i]));
            }
            (key.clone(), v)
        })
        .collect()
}

/// Our customer sums under the reference's column names.
fn customer_names(ours: &HashMap<Key, CustomerSums>) -> Named {
    ours.iter()
        .map(|(key, c)| {
            let mut v = HashMap::new();
            v.insert("ret_num_month".to_string(), Some(c.retained_month));
            v.insert("ret_den_month".to_string(), Some(c.active_prev_month));
            v.insert("ret_num_t12".to_string(), Some(c.retained_12m));
            v.insert("ret_den_t12".to_string(), Some(c.active_p12));
            for (i, name) in REPORTED.iter().enumerate() {
                v.insert(format!("active_{name}"), Some(c.active[i]));
                v.insert(format!("repeat_{name}"), Some(c.repeat[i]));
                v.insert(format!("new_{name}"), Some(c.new[i]));
                v.insert(format!("newrev_{name}"), Some(c.new_revenue[i]));
                if let Some(f) = c.followed_up {
                    v.insert(format!("fucov_{name}"), Some(f[i]));
                }
            }
            (key.clone(), v)
        })
        .collect()
}

fn same(what: &str, ours: &Named, reference: &Named) {
    assert_eq!(ours.len(), reference.len(), "{what}: keys");
    for (key, want) in reference {
        let got = &ours[key];
        for (name, &w) in want.iter() {
            let g = got.get(name).copied().flatten();
            assert!(got.contains_key(name), "{what} {key:?}: no {name}");
            let close = match (g, w) {
                (Some(g), Some(w)) => (g - w).abs() <= 1e-6 * w.abs().max(1.0),
                (g, w) => g == w,
            };
            assert!(close, "{what} {key:?} {name}: ours {g:?}, polars {w:?}");
        }
    }
}

#[test]
fn per_key_sums_match_the_polars_formulation() {
    for (seed, report) in [
        (1, "2026-03"),
        (2, "2025-12"),
        (3, "2026-01"),
        (4, "2024-02"),
    ] {
        let report: Month = report.parse().unwrap();
        let p = Periods::new(report);
        let active = orders(seed, 4000);
        let lines = OrderLines::new(&active, report).unwrap();
        let with_codes = with_codes(active.clone()).unwrap().lazy();
        let first = sales::first_dates(lines.first_orders().unwrap().lazy(), None)
            .unwrap()
            .collect()
            .unwrap();
        // Follow-ups for some customers, a null id among them.
        let follow_ups = df!(
            "customer_id" => [Some("C1"), Some("C2"), None, Some("C7"), Some("C2")],
            "date" => [Some(20_500), Some(20_140), Some(20_530), Some(20_517), None],
        )
        .unwrap()
        .lazy()
        .with_column(col("date").cast(DataType::Date));
        let flags = service::follow_up_flags(follow_ups, &p).collect().unwrap();
        let facts = lines.customer_facts(&first, Some(&flags), &p).unwrap();
        for (keys, key) in [
            (Keys::total(), lit("")),
            (
                Keys::of(active.column("region").unwrap().str().unwrap()),
                col("region"),
            ),
        ] {
            let (order, customer) = lines.sums(&keys, &facts, &p);
            let keyed = with_codes.clone().with_column(key.alias("key"));
            let want = by_key(&order_sums(keyed.clone(), &p).collect().unwrap()).unwrap();
            same("orders", &order_names(&order, &p), &want);
            let first_by_no = by_customer_no(first.clone().lazy(), with_codes.clone());
            let flags_by_no = by_customer_no(flags.clone().lazy(), with_codes.clone());
            let want = customer_sums(keyed, first_by_no, Some(flags_by_no), &p);
            same(
                "customers",
                &customer_names(&customer),
                &by_key(&want.collect().unwrap()).unwrap(),
            );
        }
    }
}

#[test]
fn monthly_pairs_and_customers_match_polars() {
    let report: Month = "2026-03".parse().unwrap();
    let p = Periods::new(report);
    let active = orders(9, 3000);
    let lines = OrderLines::new(&active, report).unwrap();
    let first = sales::first_dates(lines.first_orders().unwrap().lazy(), None)
        .unwrap()
        .collect()
        .unwrap();
    let facts = lines.customer_facts(&first, None, &p).unwrap();
    let month_idx = |c: &str| {
        col(c).dt().year().cast(DataType::Int32) * lit(12)
            + col(c).dt().month().cast(DataType::Int32)
            - lit(1)
    };
    // Per month: revenue, distinct customers, revenue in the customer's first month.
    let want = active
        .clone()
        .lazy()
        .filter(
            p.trailing_12m()
                .year_before()
                .contains("order_date")
                .or(p.trailing_12m().contains("order_date")),
        )
        .join(
            first.clone().lazy(),
            [col("customer_id")],
            [col("customer_id")],
            left_join(),
        )
        .with_columns([
            month_idx("order_date").alias("m"),
            month_idx("first_date").alias("f"),
        ])
        .group_by([col("m").cast(DataType::String).alias("key")])
        .agg([
            col("amount").sum().alias("revenue"),
            col("customer_id")
                .n_unique()
                .cast(DataType::Float64)
                .alias("customers"),
            col("amount")
                .filter(col("m").eq(col("f")))
                .sum()
                .alias("new_revenue"),
        ])
        .collect()
        .unwrap();
    let want = by_key(&want).unwrap();
    let months = lines.monthly(&facts);
    for back in 0..24 {
        let m = report.plus(-back);
        let got = months[lines.slot_of(m).unwrap()];
        let w = want
            .get(&Some(m.index().to_string()))
            .cloned()
            .unwrap_or_default();
        let num = |name: &str| w.get(name).copied().flatten().unwrap_or(0.0);
        assert!((got.revenue - num("revenue")).abs() < 1e-6, "{m} revenue");
        assert!(
            (got.new_revenue - num("new_revenue")).abs() < 1e-6,
            "{m} new revenue"
        );
        assert_eq!(f64::from(got.customers), num("customers"), "{m} customers");
    }
    assert_eq!(lines.slot_of(report.plus(-24)), None);
    assert_eq!(lines.slot_of(report.plus(1)), None);

    // Region × customer "pairs" as region × region-of-customer stand-ins: two key sets.
    let regions = Keys::of(active.column("region").unwrap().str().unwrap());
    let customers = Keys::of(active.column("customer_id").unwrap().str().unwrap());
    let pairs = lines.pair_sums(&regions, &customers, REPORTED.map(|n| p.get(n)));
    let want = active
        .clone()
        .lazy()
        .filter(p.ytd.contains("order_date"))
        .group_by([col("region"), col("customer_id")])
        .agg([col("amount").sum().alias("ytd"), len().alias("n")])
        .collect()
        .unwrap();
    assert_eq!(pairs.len(), want.height());
    let ytd: HashMap<(Key, Key), f64> = pairs
        .iter()
        .map(|(a, b, sums, _)| (((*a).clone(), (*b).clone()), sums[2]))
        .collect();
    let (r, c, s) = (
        want.column("region").unwrap().str().unwrap(),
        want.column("customer_id").unwrap().str().unwrap(),
        want.column("ytd").unwrap().f64().unwrap(),
    );
    for i in 0..want.height() {
        let k = (r.get(i).map(str::to_string), c.get(i).map(str::to_string));
        assert!((ytd[&k] - s.get(i).unwrap_or(0.0)).abs() < 1e-6, "{k:?}");
    }

    // Each region's customers in the year to date.
    let mut got: Vec<(Key, Option<&str>)> = lines
        .customers_of(&regions, p.ytd)
        .into_iter()
        .map(|(k, c)| (k.clone(), c))
        .collect();
    got.sort();
    let want = active
        .clone()
        .lazy()
        .filter(p.ytd.contains("order_date"))
        .select([col("region"), col("customer_id")])
        .unique(None, UniqueKeepStrategy::Any)
        .collect()
        .unwrap();
    let (r, c) = (
        want.column("region").unwrap().str().unwrap(),
        want.column("customer_id").unwrap().str().unwrap(),
    );
    let mut want: Vec<(Key, Option<&str>)> = (0..want.height())
        .map(|i| (r.get(i).map(str::to_string), c.get(i)))
        .collect();
    want.sort();
    assert_eq!(got, want);
}
