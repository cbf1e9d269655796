//! The tables prepared once per run ([`Inputs`]) and each way of keying them: the totals
//! (one key, `""`) and every breakdown dimension, each summed into [`Keyed`] — one pass
//! over the order lines and a few small polars queries per way, shared by two threads.

use std::collections::HashMap;

use polars::prelude::*;

use super::frame::left_join;
use super::kpis::{Available, History};
use super::lines::{self, CustomerFacts, OrderLines};
use super::periods::Periods;
use super::sums::Keyed;
use super::{costs, finance, sales, service, targets, team, DIMENSIONS};
use crate::config::Config;
use crate::error::Result;
use crate::model::Tables;
use crate::types::{Month, TableKind};

/// The tables as every key's sums read them.
pub(super) struct Inputs<'a> {
    pub p: Periods,
    pub config: &'a Config,
    pub tables: &'a Tables,
    /// The active order lines reduced once for the order and customer figures of every
    /// key, the trend, the matrix and the scorecard (see [`super::lines`]).
    pub lines: OrderLines<'a>,
    active: &'a DataFrame,
    /// One row per customer of the master: `customer_id`, `segment`, `first_order_date`.
    customers: Option<DataFrame>,
    /// Each customer's first order date: `customer_id`, `first_date`.
    pub first: DataFrame,
    pub facts: CustomerFacts,
    /// Targets as one row per target row and month ([`targets::monthly`]).
    pub monthly_targets: Option<DataFrame>,
    /// Follow-ups keyed by the rep's roster region, for visits per region.
    follow_ups_by_region: Option<LazyFrame>,
    pub history: History,
    pub avail: Available,
}

/// Whether column `name` of `df` has any non-null value.
pub(super) fn has_values(df: Option<&DataFrame>, name: &str) -> bool {
    df.and_then(|d| d.column(name).ok())
        .is_some_and(|c| c.null_count() < c.len())
}

impl<'a> Inputs<'a> {
    /// Prepares `tables` for report month `month`; `active` are its active orders.
    pub fn new(
        tables: &'a Tables,
        active: &'a DataFrame,
        month: Month,
        config: &'a Config,
    ) -> Result<Inputs<'a>> {
        let p = Periods::new(month);
        let first_day = first_order_day(tables)?;
        let history = History {
            first: first_day.map(Month::of),
            first_day,
        };
        let customers = match tables.get(TableKind::Customers) {
            Some(c) => Some(
                c.clone()
                    .lazy()
                    .group_by_stable([col("customer_id")])
                    .agg([
                        col("segment").drop_nulls().first().alias("segment"),
                        col("first_order_date").min().alias("first_order_date"),
                    ])
                    .collect()?,
            ),
            None => None,
        };
        tracing::debug!("figures: first order day, customers");
        let lines = OrderLines::new(active, month)?;
        tracing::debug!("figures: order lines");
        let first = sales::first_dates(
            lines.first_orders()?.lazy(),
            customers.clone().map(DataFrame::lazy),
        )?
        .collect()?;
        let monthly_targets = match tables.get(TableKind::Targets) {
            Some(t) => Some(targets::monthly(t.clone().lazy())?.collect()?),
            None => None,
        };
        let follow_ups = tables.get(TableKind::FollowUps);
        let roster = tables.get(TableKind::Roster);
        // For the per-key customer figures: first dates and follow-ups by customer.
        let follow_up_flags = match follow_ups {
            Some(f) => Some(service::follow_up_flags(f.clone().lazy(), &p).collect()?),
            None => None,
        };
        tracing::debug!("figures: first dates, targets, follow-up flags");
        let facts = lines.customer_facts(&first, follow_up_flags.as_ref(), &p)?;
        let follow_ups_by_region = match (follow_ups, roster) {
            (Some(f), Some(r)) if has_values(Some(r), "region") => Some(
                f.clone().lazy().join(
                    r.clone()
                        .lazy()
                        .group_by_stable([col("rep_id")])
                        .agg([col("region").drop_nulls().first()]),
                    [col("rep_id")],
                    [col("rep_id")],
                    left_join(),
                ),
            ),
            _ => None,
        };
        let avail = Available {
            cost: has_values(tables.get(TableKind::Orders), "cost"),
        };
        Ok(Inputs {
            p,
            config,
            tables,
            lines,
            active,
            customers,
            first,
            facts,
            monthly_targets,
            follow_ups_by_region,
            history,
            avail,
        })
    }

    /// A table, if the inputs have it.
    pub fn table(&self, kind: TableKind) -> Option<&'a DataFrame> {
        self.tables.get(kind)
    }

    /// Whether the orders (or, for segments, the customer master) carry `dim`.
    pub fn in_orders(&self, dim: &str) -> bool {
        match dim {
            "customer_segment" => has_values(self.table(TableKind::Customers), "segment"),
            d => has_values(self.table(TableKind::Orders), d),
        }
    }

    /// Whether the targets carry `dim`.
    pub fn in_targets(&self, dim: &str) -> bool {
        self.monthly_targets
            .as_ref()
            .is_some_and(|m| has_values(Some(m), dim))
    }

    /// The keys of breakdown `dim`; the segment is the customer's, from the master.
    pub fn keys_of(&self, dim: &str) -> Result<lines::Keys> {
        Ok(match (dim, &self.customers) {
            ("customer_segment", Some(c)) => self.lines.customer_keys(c, "segment")?,
            ("customer_segment", None) => lines::Keys::null(),
            (d, _) => lines::Keys::of(self.active.column(d)?.str()?),
        })
    }

    /// The totals' sums, and each breakdown's sums and keys, for the dimensions some table
    /// carries (product lines always: inventory is by product line).
    pub fn keyed_all(&self) -> Result<(Keyed, ByDimension)> {
        let wanted = DIMENSIONS
            .into_iter()
            .filter(|&dim| self.in_orders(dim) || dim == "product_line" || self.in_targets(dim));
        // Each is a pass over the lines and a few small queries, independent of the
        // others: two threads share them.
        let jobs: Vec<Option<&'static str>> =
            std::iter::once(None).chain(wanted.map(Some)).collect();
        let done = on_two_threads(&jobs, |dim| -> Result<_> {
            let keys = match dim {
                Some(d) => self.keys_of(d)?,
                None => lines::Keys::total(),
            };
            let k = self.keyed(dim, &keys)?;
            Ok((dim, keys, k))
        });
        let mut totals = Keyed::default();
        let mut by = ByDimension::default();
        for result in done {
            match result? {
                (None, _, k) => totals = k,
                (Some(dim), keys, k) => {
                    by.sums.insert(dim, k);
                    by.keys.insert(dim, keys);
                }
            }
        }
        Ok((totals, by))
    }

    /// Every table's sums per key of `keys` (breakdown `dim`, or the totals).
    fn keyed(&self, dim: Option<&str>, keys: &lines::Keys) -> Result<Keyed> {
        let p = &self.p;
        let (orders, customers) = self.lines.sums(keys, &self.facts, p);
        let follow_ups = self.table(TableKind::FollowUps);
        let mut k = Keyed {
            orders,
            customers,
            follow_ups: follow_ups.is_some(),
            ..Keyed::default()
        };
        let target_rows = match (&self.monthly_targets, dim) {
            (Some(m), None) => Some(targets::total(m)?.0),
            (Some(m), Some(d)) => targets::by_dim(m, d)?,
            (None, _) => None,
        };
        if let Some(rows) = target_rows {
            k.targets = Some(targets::sums(rows, p)?);
        }
        // A table keyed by `column` when breaking down by it, by `""` for the totals.
        let on_key = |df: Option<LazyFrame>, column: &str| -> Option<LazyFrame> {
            let df = df?;
            match dim {
                None => Some(df.with_column(lit("").alias("key"))),
                Some(d) if d == column => Some(df.with_column(col(d).alias("key"))),
                Some(_) => None,
            }
        };
        let table = |kind: TableKind, column: &str| -> Option<LazyFrame> {
            let df = self.table(kind)?;
            (dim.is_none() || has_values(Some(df), column)).then(|| df.clone().lazy())
        };
        if let Some(r) = on_key(table(TableKind::Roster, "region"), "region")
            .or_else(|| on_key(table(TableKind::Roster, "rep_id"), "rep_id"))
        {
            k.headcount = Some(team::headcount(r, p)?);
        }
        if let Some(e) = on_key(table(TableKind::Expenses, "region"), "region") {
            k.expenses = Some(costs::sums(e, p)?);
        }
        for column in ["region", "rep_id"] {
            if let Some(l) = on_key(table(TableKind::Leads, column), column) {
                k.leads = Some(service::lead_sums(l, p, &self.config.stages)?);
                break;
            }
        }
        if let Some(t) = on_key(table(TableKind::Tickets, "region"), "region") {
            let sla_hours = self.config.thresholds.response_sla_hours;
            k.tickets = Some(service::ticket_sums(t, p, sla_hours)?);
        }
        let visits = match dim {
            Some("region") => on_key(self.follow_ups_by_region.clone(), "region"),
            _ => on_key(table(TableKind::FollowUps, "rep_id"), "rep_id"),
        };
        if let Some(v) = visits {
            k.visits = Some(service::visit_sums(v, p)?);
        }
        if dim.is_none() {
            // Survey answers and invoices are by customer: totals only.
            if let Some(n) = self.table(TableKind::Nps) {
                let n = n.clone().lazy().with_column(lit("").alias("key"));
                k.nps = Some(service::nps_sums(n, p)?);
            }
            if let Some(r) = self.table(TableKind::Receivables) {
                let r = r.clone().lazy().with_column(lit("").alias("key"));
                k.collection = Some(finance::collection_sums(r, p)?);
            }
        }
        Ok(k)
    }
}

/// Each breakdown's sums and keys, by dimension.
#[derive(Default)]
pub(super) struct ByDimension {
    pub sums: HashMap<&'static str, Keyed>,
    pub keys: HashMap<&'static str, lines::Keys>,
}

/// The first day with an active order.
fn first_order_day(tables: &Tables) -> Result<Option<chrono::NaiveDate>> {
    super::order_date(tables, col("order_date").min())
}

/// `f` of every item, in order, on this thread and another: each takes the next item
/// when it is free (the breakdowns differ in cost, and dealt alternately one thread was
/// left with the longer half).
fn on_two_threads<T: Copy + Sync, R: Send>(items: &[T], f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return done;
            };
            done.push((i, f(*item)));
        }
    };
    let (mut mine, theirs) = std::thread::scope(|s| {
        let other = s.spawn(work);
        let mine = work();
        (mine, other.join())
    });
    mine.extend(theirs.unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
    mine.sort_unstable_by_key(|(i, _)| *i);
    mine.into_iter().map(|(_, r)| r).collect()
}
