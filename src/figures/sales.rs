//! Orders figures per key (the totals, a region, a rep…): revenue, orders, aov, revenue per
//! customer, gross margin, growth and forecast inputs; and the customer figures built on
//! per-customer activity: active, new, new-customer revenue, retention, repurchase.

use polars::prelude::*;

use super::frame::left_join;
use super::periods::{Periods, Span, REPORTED};

/// The windows orders are summed over: the reported periods and the comparison windows.
pub fn windows(p: &Periods) -> Vec<(&'static str, Span)> {
    vec![
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

/// Adds `order_no` and `customer_no`: each distinct `order_id` / `customer_id` (null too)
/// as a number, so that the many distinct counts below hash integers, not strings.
pub fn with_codes(mut orders: DataFrame) -> PolarsResult<DataFrame> {
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
pub fn by_customer_no(frame: LazyFrame, orders: LazyFrame) -> LazyFrame {
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
pub fn order_sums(orders: LazyFrame, p: &Periods) -> LazyFrame {
    order_sums_by(orders, [col("key")], p)
}

/// [`order_sums`] grouped by `by` instead of a `key` column.
pub fn order_sums_by<const N: usize>(orders: LazyFrame, by: [Expr; N], p: &Periods) -> LazyFrame {
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

/// Each customer's first order date: the earlier of their first active order and
/// `customers.first_order_date` (SPEC §3). Columns `customer_id`, `first_date`.
pub fn first_dates(
    active_orders: LazyFrame,
    customers: Option<LazyFrame>,
) -> PolarsResult<LazyFrame> {
    let from_orders =
        active_orders.select([col("customer_id"), col("order_date").alias("first_date")]);
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

/// Per key: customer counts built on per-customer activity. `active_<w>` for the
/// reported periods; `ret_num_month`/`ret_den_month` and `ret_num_t12`/`ret_den_t12`
/// (retention); `repeat_<p>` (customers with two or more orders); `new_<p>` and
/// `newrev_<p>` (customers whose first order lies in the period, and their revenue);
/// with follow-ups, `fucov_<p>` (active customers with a follow-up dated in the period).
/// `first` and `follow_ups` are keyed by `customer_no` (see [`by_customer_no`]).
pub fn customer_sums(
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

/// Customers new in each reported period over the whole customer universe (orders and
/// the customer master): one row, key `""`, columns `new_<p>`.
pub fn new_customer_totals(first: LazyFrame, p: &Periods) -> LazyFrame {
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
    first.select(aggs).with_column(lit("").alias("key"))
}
