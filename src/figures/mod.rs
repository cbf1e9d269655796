//! Figures: typed tables → every figure of SPEC §3, as the [`Metrics`] that
//! `metrics.json` serialises. Sums and counts are polars lazy plans grouped by a `key`
//! (the totals use one key, `""`; breakdowns the dimension's value); the ratios between
//! them are plain arithmetic on the few numbers per key that come back.

pub mod alerts;
pub mod costs;
pub mod finance;
pub mod frame;
pub mod lines;
#[cfg(test)]
mod lines_tests;
pub mod periods;
pub mod plan;
pub mod quality;
pub mod sales;
pub mod scorecard;
pub mod service;
pub mod targets;
pub mod team;
#[cfg(test)]
mod tests;
pub mod trend;

use std::collections::{BTreeMap, HashMap};

use indexmap::IndexMap;
use polars::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::error::Result;
use crate::model::Tables;
use crate::types::DataQuality;
use crate::types::Month;
use crate::types::TableKind;
use frame::{by_key, left_join, ratio, total_key, Key, Values};
use periods::{PeriodDates, Periods, REPORTED};

/// `metrics.json`'s schema id.
pub const SCHEMA: &str = "salesplan.metrics/1";

/// One figure by period (`month`, `qtd`, `ytd`, `year`, `trailing_12m`); `null` when it
/// cannot be computed.
pub type Figure = IndexMap<&'static str, Option<f64>>;

/// Figures by name, in a stable order.
pub type Figures = IndexMap<&'static str, Figure>;

/// One entry of `by.<dimension>`.
#[derive(Debug, Clone, Serialize)]
pub struct Breakdown {
    /// The dimension's value; `null` for rows where it was blank.
    pub key: Option<String>,
    /// A rep's name from the roster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(flatten)]
    pub figures: Figures,
    /// Per region: expenses by category.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expenses_by_category: Option<Vec<CategoryRow>>,
}

/// One entry of `expenses_by_category`.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryRow {
    pub key: Option<String>,
    pub month: f64,
    pub qtd: f64,
    pub ytd: f64,
    /// Share of all expenses in the period.
    pub share: Figure,
    /// Ratio to revenue in the period.
    pub ratio_to_revenue: Figure,
}

/// One stage of the funnel: leads created in the period whose furthest stage is at or
/// past this one.
#[derive(Debug, Clone, Serialize)]
pub struct FunnelStage {
    pub stage: String,
    pub month: f64,
    pub qtd: f64,
    pub ytd: f64,
}

/// Every figure, as `metrics.json` has it (SPEC §3).
#[derive(Debug, Clone, Serialize)]
pub struct Metrics {
    pub schema: &'static str,
    pub month: Month,
    pub periods: IndexMap<&'static str, PeriodDates>,
    pub kpis: Figures,
    pub by: IndexMap<&'static str, Vec<Breakdown>>,
    pub expenses_by_category: Vec<CategoryRow>,
    pub funnel: Vec<FunnelStage>,
    /// Amounts open at the end of the month, by days past due.
    pub ar_aging: Vec<finance::AgingBucket>,
    /// The balanced scorecard per rep, ranked.
    pub scorecard: Vec<scorecard::ScorecardRow>,
    /// The remaining annual target by month, region and next month's weeks.
    pub plan: Option<plan::Plan>,
    /// Month by month, up to 24 months ending with the report month.
    pub trend: Vec<trend::TrendPoint>,
    /// Region × product line.
    pub matrix: Vec<trend::MatrixCell>,
    pub alerts: Vec<alerts::Alert>,
    pub notes: Vec<String>,
    pub data_quality: quality::QualityReport,
}

/// The breakdown dimensions, in `metrics.json` order.
pub const DIMENSIONS: [&str; 4] = ["region", "product_line", "customer_segment", "rep_id"];

/// The month whose first order is the earliest: figures that need an earlier month are
/// `null`.
#[derive(Debug, Clone, Copy)]
struct History {
    first: Option<Month>,
    first_day: Option<chrono::NaiveDate>,
}

impl History {
    fn covers(&self, m: Month) -> bool {
        self.first.is_some_and(|f| m >= f)
    }

    fn why_not(&self, needed: Month, what: &str) -> String {
        match self.first_day {
            Some(d) => format!("orders start {d}, {what} from {needed} needed"),
            None => "no orders".to_string(),
        }
    }
}

/// Collected notes, `"figure.period: why"`.
#[derive(Default)]
struct Notes(Vec<String>);

impl Notes {
    fn add(&mut self, figure: &str, period: Option<&str>, why: impl AsRef<str>) {
        let place = match period {
            Some(p) => format!("{figure}.{p}"),
            None => figure.to_string(),
        };
        self.0.push(format!("{place}: {}", why.as_ref()));
    }
}

/// The latest month that has (not cancelled) orders.
pub fn latest_month(tables: &Tables) -> Result<Option<Month>> {
    Ok(order_date(tables, col("order_date").max())?.map(Month::of))
}

fn first_order_day(tables: &Tables) -> Result<Option<chrono::NaiveDate>> {
    order_date(tables, col("order_date").min())
}

/// One date aggregated over the active orders' dates.
fn order_date(tables: &Tables, agg: Expr) -> Result<Option<chrono::NaiveDate>> {
    let df = tables.active_orders().select([agg]).collect()?;
    let date = df
        .column("order_date")?
        .date()?
        .as_date_iter()
        .next()
        .flatten();
    Ok(date)
}

/// Sums for one key, by source (`orders`, `customers`, `targets`, `headcount`,
/// `expenses`, `leads`, `tickets`, `visits`, `nps`, `collection`). A source is absent when
/// its table is missing or cannot be keyed this way; present but empty (all zeros) when
/// the key has no rows in it.
#[derive(Default)]
struct KeyInputs {
    sources: HashMap<&'static str, Values>,
}

impl KeyInputs {
    /// The sums of a source, if it applies.
    fn get(&self, source: &str) -> Option<&Values> {
        self.sources.get(source)
    }

    /// Whether a source applies.
    fn has(&self, source: &str) -> bool {
        self.sources.contains_key(source)
    }

    /// The sums of a source that always applies (orders, customers).
    fn must(&self, source: &str) -> &Values {
        static EMPTY: std::sync::OnceLock<Values> = std::sync::OnceLock::new();
        self.sources
            .get(source)
            .unwrap_or_else(|| EMPTY.get_or_init(Values::default))
    }
}

/// What the tables allow at all.
struct Available {
    cost: bool,
    stages: usize,
}

fn figure(pairs: impl IntoIterator<Item = (&'static str, Option<f64>)>) -> Figure {
    pairs.into_iter().collect()
}

fn per_period(mut f: impl FnMut(&'static str) -> Option<f64>) -> Figure {
    figure(REPORTED.map(|p| (p, f(p))))
}

/// The figures of one key (the totals or one breakdown value). Notes are kept for the
/// totals only.
fn key_figures(
    k: &KeyInputs,
    p: &Periods,
    h: &History,
    avail: &Available,
    notes: &mut Notes,
) -> Figures {
    let o = k.must("orders");
    let c = k.must("customers");
    let ov = |prefix: &str, n: &str| o.of(prefix, n);
    let cv = |prefix: &str, n: &str| c.of(prefix, n);
    let rev = |n: &str| ov("rev", n);
    let mut f = Figures::new();

    f.insert("revenue", per_period(|n| Some(rev(n))));
    f.insert("orders", per_period(|n| Some(ov("orders", n))));
    f.insert(
        "aov",
        per_period(|n| ratio(Some(rev(n)), Some(ov("orders", n)))),
    );
    f.insert("active_customers", per_period(|n| Some(ov("customers", n))));
    f.insert(
        "revenue_per_customer",
        per_period(|n| ratio(Some(rev(n)), Some(ov("customers", n)))),
    );
    f.insert("new_customers", per_period(|n| Some(cv("new", n))));
    f.insert(
        "new_customer_revenue_share",
        per_period(|n| ratio(Some(cv("newrev", n)), Some(rev(n)))),
    );
    f.insert(
        "repurchase_rate",
        per_period(|n| ratio(Some(cv("repeat", n)), Some(ov("customers", n)))),
    );
    for n in REPORTED {
        if o.of("orders", n) == 0.0 {
            notes.add("aov", Some(n), "no orders in the period");
        }
    }

    // Retention and growth need history.
    let prev = p.report.plus(-1);
    let retention_month = if h.covers(prev) {
        let r = ratio(c.get("ret_num_month"), c.get("ret_den_month"));
        if r.is_none() {
            notes.add(
                "retention_rate",
                Some("month"),
                format!("no active customers in {prev}"),
            );
        }
        r
    } else {
        notes.add("retention_rate", Some("month"), h.why_not(prev, "orders"));
        None
    };
    let before_12m = p.previous_12m().first;
    let retention_12m = if h.covers(before_12m) {
        ratio(c.get("ret_num_t12"), c.get("ret_den_t12"))
    } else {
        notes.add(
            "retention_rate",
            Some("trailing_12m"),
            h.why_not(before_12m, "24 months of orders"),
        );
        None
    };
    f.insert(
        "retention_rate",
        figure([("month", retention_month), ("trailing_12m", retention_12m)]),
    );

    let mom = if h.covers(prev) {
        let g = ratio(Some(rev("month")), Some(rev("prev_month"))).map(|g| g - 1.0);
        if g.is_none() {
            notes.add("mom_growth", Some("month"), format!("no revenue in {prev}"));
        }
        g
    } else {
        notes.add("mom_growth", Some("month"), h.why_not(prev, "orders"));
        None
    };
    f.insert("mom_growth", figure([("month", mom)]));
    f.insert(
        "yoy_growth",
        per_period(|n| {
            let before = p.get(n).year_before();
            if !h.covers(before.first) {
                notes.add("yoy_growth", Some(n), h.why_not(before.first, "orders"));
                return None;
            }
            let g = ratio(Some(rev(n)), Some(rev(&format!("ly_{n}")))).map(|g| g - 1.0);
            if g.is_none() {
                notes.add(
                    "yoy_growth",
                    Some(n),
                    "no revenue in the same period a year before",
                );
            }
            g
        }),
    );

    // Targets and attainment.
    let target = |n: &'static str| -> Option<f64> {
        let t = k.get("targets")?;
        let months = p.get(n).months() as f64;
        if t.of("tgtm", n) < months {
            return None;
        }
        t.get(&format!("tgt_{n}"))
    };
    let mut target_fig = per_period(target);
    target_fig.insert("year", target("year"));
    if !k.has("targets") {
        notes.add("target", None, "no targets table in the inputs");
    } else {
        for (n, v) in &target_fig {
            if v.is_none() {
                notes.add(
                    "target",
                    Some(n),
                    "targets do not cover every month of the period",
                );
            }
        }
    }
    f.insert("attainment", per_period(|n| ratio(Some(rev(n)), target(n))));
    // Year-to-date revenue against the full-year target, to compare with time progress.
    f.insert(
        "annual_completion",
        figure([("ytd", ratio(Some(rev("ytd")), target("year")))]),
    );
    f.insert("target", target_fig);

    // Forecast.
    let left = p.report.months_left_in_year() as f64;
    let forecast = if left == 0.0 {
        Some(rev("ytd"))
    } else if h.covers(p.last_3m().first) {
        Some(rev("ytd") + left * rev("last_3m") / 3.0)
    } else {
        notes.add(
            "forecast_year",
            Some("year"),
            h.why_not(p.last_3m().first, "3 months of orders"),
        );
        None
    };
    f.insert("forecast_year", figure([("year", forecast)]));
    let remaining = target("year").map(|t| t - rev("ytd"));
    f.insert("remaining_target", figure([("year", remaining)]));
    f.insert(
        "required_monthly",
        figure([("year", remaining.filter(|_| left > 0.0).map(|r| r / left))]),
    );
    let run_rate = h.covers(p.last_3m().first).then(|| rev("last_3m") / 3.0);
    f.insert("run_rate_3m", figure([("month", run_rate)]));
    f.insert(
        "forecast_attainment",
        figure([("year", ratio(forecast, target("year")))]),
    );

    // Team.
    let headcount = |n: &str| -> Option<f64> { k.get("headcount").map(|h| h.of("headcount", n)) };
    if !k.has("headcount") {
        notes.add("avg_headcount", None, "no roster table in the inputs");
    }
    f.insert("avg_headcount", per_period(headcount));
    f.insert(
        "per_capita_revenue",
        per_period(|n| ratio(Some(rev(n)), headcount(n))),
    );

    // Costs.
    let expenses = |n: &str| -> Option<f64> { k.get("expenses").map(|e| e.of("exp", n)) };
    if !k.has("expenses") {
        notes.add("expenses", None, "no expenses table in the inputs");
    }
    f.insert("expenses", per_period(expenses));
    f.insert(
        "expense_ratio",
        per_period(|n| ratio(expenses(n), Some(rev(n)))),
    );
    if !avail.cost {
        notes.add("gross_margin", None, "orders have no cost column");
    }
    f.insert(
        "gross_margin",
        per_period(|n| {
            if !avail.cost || o.of("costn", n) == 0.0 {
                return None;
            }
            let r = o.of("costrev", n);
            ratio(Some(r - o.of("cost", n)), Some(r))
        }),
    );
    service_figures(k, avail, headcount_fn(k), notes, &mut f);
    f
}

/// A key's average headcount by period, when the roster applies.
fn headcount_fn(k: &KeyInputs) -> impl Fn(&str) -> Option<f64> + '_ {
    move |n| k.get("headcount").map(|h| h.of("headcount", n))
}

/// The work plan's own KPIs for one key: conversion, NPS, SLA, follow-ups, visits,
/// collection. Each is `null` with a note when its table is missing.
fn service_figures(
    k: &KeyInputs,
    avail: &Available,
    headcount: impl Fn(&str) -> Option<f64>,
    notes: &mut Notes,
    f: &mut Figures,
) {
    let missing = |notes: &mut Notes, figure: &str, table: &str| {
        notes.add(figure, None, format!("no {table} table in the inputs"));
    };
    match k.get("leads") {
        Some(l) => {
            f.insert("leads", per_period(|n| Some(l.of("leads", n))));
            f.insert(
                "inquiry_conversion",
                per_period(|n| ratio(Some(l.of("won", n)), Some(l.of("leads", n)))),
            );
            for n in REPORTED {
                if l.of("leads", n) == 0.0 {
                    notes.add(
                        "inquiry_conversion",
                        Some(n),
                        "no leads created in the period",
                    );
                }
            }
        }
        None => missing(notes, "inquiry_conversion", "leads"),
    }
    match k.get("nps") {
        Some(s) => {
            f.insert(
                "nps",
                per_period(|n| {
                    let total = s.of("nps_n", n);
                    (total > 0.0).then(|| {
                        (s.of("nps_promoters", n) - s.of("nps_detractors", n)) / total * 100.0
                    })
                }),
            );
            f.insert("nps_responses", per_period(|n| Some(s.of("nps_n", n))));
            for n in REPORTED {
                if s.of("nps_n", n) == 0.0 {
                    notes.add("nps", Some(n), "no survey responses in the period");
                }
            }
        }
        None => missing(notes, "nps", "nps"),
    }
    match k.get("tickets") {
        Some(t) => {
            f.insert(
                "response_sla",
                per_period(|n| ratio(Some(t.of("sla_within", n)), Some(t.of("sla_counted", n)))),
            );
            f.insert(
                "response_hours_median",
                per_period(|n| t.get(&format!("resp_median_{n}"))),
            );
            f.insert(
                "response_hours_p90",
                per_period(|n| t.get(&format!("resp_p90_{n}"))),
            );
            for n in REPORTED {
                if t.of("sla_counted", n) == 0.0 {
                    notes.add(
                        "response_sla",
                        Some(n),
                        "no tickets whose response time is known",
                    );
                }
            }
        }
        None => missing(notes, "response_sla", "tickets"),
    }
    let c = k.must("customers");
    if k.has("follow_ups") {
        f.insert(
            "follow_up_coverage",
            per_period(|n| ratio(Some(c.of("fucov", n)), Some(c.of("active", n)))),
        );
    } else {
        missing(notes, "follow_up_coverage", "follow_ups");
    }
    if let Some(v) = k.get("visits") {
        f.insert("visits", per_period(|n| Some(v.of("visits", n))));
        f.insert(
            "visits_per_rep",
            per_period(|n| ratio(Some(v.of("visits", n)), headcount(n))),
        );
    } else if k.has("follow_ups") {
        missing(notes, "visits_per_rep", "follow_ups");
    }
    match k.get("collection") {
        Some(r) => {
            f.insert(
                "collection_rate",
                per_period(|n| ratio(Some(r.of("collected", n)), Some(r.of("due", n)))),
            );
            for n in REPORTED {
                if r.of("due", n) == 0.0 {
                    notes.add("collection_rate", Some(n), "no invoices due in the period");
                }
            }
        }
        None => missing(notes, "collection_rate", "receivables"),
    }
    let _ = avail.stages;
}

fn time_progress(p: &Periods) -> Figure {
    per_period(|n| {
        let span = p.get(n);
        let whole = match n {
            "qtd" => periods::Span::new(span.first, span.first.plus(2)).days(),
            "ytd" => p.year.days(),
            _ => span.days(),
        };
        Some(span.days() as f64 / whole as f64)
    })
}

/// Whether column `name` of `df` has any non-null value.
fn has_values(df: Option<&DataFrame>, name: &str) -> bool {
    df.and_then(|d| d.column(name).ok())
        .is_some_and(|c| c.null_count() < c.len())
}

/// Sums per key of every source, for one way of keying the tables.
#[derive(Default)]
struct Keyed {
    sources: Vec<(&'static str, HashMap<Key, Values>)>,
}

impl Keyed {
    fn add(&mut self, source: &'static str, sums: Option<HashMap<Key, Values>>) {
        if let Some(s) = sums {
            self.sources.push((source, s));
        }
    }

    fn get(&self, source: &str) -> Option<&HashMap<Key, Values>> {
        self.sources
            .iter()
            .find(|(n, _)| *n == source)
            .map(|(_, s)| s)
    }

    /// The inputs of one key: every source that applies, zeros where the key is absent.
    fn for_key(&self, key: &Key) -> KeyInputs {
        KeyInputs {
            sources: self
                .sources
                .iter()
                .map(|(n, s)| (*n, s.get(key).cloned().unwrap_or_default()))
                .collect(),
        }
    }
}

/// Computes every figure for report month `month`.
pub fn compute(
    tables: &Tables,
    month: Month,
    config: &Config,
    quality: DataQuality,
) -> Result<Metrics> {
    let p = Periods::new(month);
    let first_day = first_order_day(tables)?;
    let history = History {
        first: first_day.map(Month::of),
        first_day,
    };
    let customers = tables.get(TableKind::Customers).map(|c| {
        c.clone().lazy().group_by_stable([col("customer_id")]).agg([
            col("segment").drop_nulls().first().alias("segment"),
            col("first_order_date").min().alias("first_order_date"),
        ])
    });
    // The active order lines reduced once for the order and customer figures of every
    // key, the trend, the matrix and the scorecard (see `lines`).
    let active = tables.active_orders().collect()?;
    let lines = lines::OrderLines::new(&active, month)?;
    let codes = Some(lines.order_codes());
    let findings = quality::findings(tables, month, None, &quality.files, codes)?;
    let customers = match customers {
        Some(c) => Some(c.collect()?),
        None => None,
    };
    let first = sales::first_dates(
        lines.first_orders()?.lazy(),
        customers.clone().map(DataFrame::lazy),
    )?
    .collect()?;
    // Each breakdown's keys; the segment is the customer's, from the customer master.
    let keys_of = |dim: &str| -> Result<lines::Keys> {
        Ok(match (dim, &customers) {
            ("customer_segment", Some(c)) => lines.customer_keys(c, "segment")?,
            ("customer_segment", None) => lines::Keys::null(),
            (d, _) => lines::Keys::of(active.column(d)?.str()?),
        })
    };
    let monthly_targets = match tables.get(TableKind::Targets) {
        Some(t) => Some(targets::monthly(t.clone().lazy())?.collect()?),
        None => None,
    };
    let roster = tables.get(TableKind::Roster);
    let expenses = tables.get(TableKind::Expenses);
    let orders_df = tables.get(TableKind::Orders);
    let leads = tables.get(TableKind::Leads);
    let tickets = tables.get(TableKind::Tickets);
    let nps = tables.get(TableKind::Nps);
    let follow_ups = tables.get(TableKind::FollowUps);
    let receivables = tables.get(TableKind::Receivables);
    let avail = Available {
        cost: has_values(orders_df, "cost"),
        stages: config.stages.len(),
    };
    // For the per-key customer figures: first dates and follow-ups by customer.
    let follow_up_flags = match follow_ups {
        Some(f) => Some(service::follow_up_flags(f.clone().lazy(), &p).collect()?),
        None => None,
    };
    let facts = lines.customer_facts(&first, follow_up_flags.as_ref(), &p)?;
    // Follow-ups keyed by the rep's roster region, for visits per region.
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

    let keyed = |dim: Option<&str>, keys: &lines::Keys| -> Result<Keyed> {
        let mut k = Keyed::default();
        let (order_sums, customer_sums) = lines.sums(keys, &facts, &p);
        k.add("orders", Some(order_sums));
        k.add("customers", Some(customer_sums));
        if follow_ups.is_some() {
            k.add("follow_ups", Some(HashMap::new()));
        }
        let target_rows = match (&monthly_targets, dim) {
            (Some(m), None) => Some(targets::total(m)?.0),
            (Some(m), Some(d)) => targets::by_dim(m, d)?,
            (None, _) => None,
        };
        if let Some(rows) = target_rows {
            k.add(
                "targets",
                Some(by_key(&targets::sums(rows, &p).collect()?)?),
            );
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
        let table = |df: Option<&DataFrame>, column: &str| -> Option<LazyFrame> {
            let df = df?;
            (dim.is_none() || has_values(Some(df), column)).then(|| df.clone().lazy())
        };
        if let Some(r) = on_key(table(roster, "region"), "region")
            .or_else(|| on_key(table(roster, "rep_id"), "rep_id"))
        {
            k.add(
                "headcount",
                Some(by_key(&team::headcount(r, &p).collect()?)?),
            );
        }
        if let Some(e) = on_key(table(expenses, "region"), "region") {
            k.add("expenses", Some(by_key(&costs::sums(e, &p).collect()?)?));
        }
        for column in ["region", "rep_id"] {
            if let Some(l) = on_key(table(leads, column), column) {
                k.add(
                    "leads",
                    Some(by_key(
                        &service::lead_sums(l, &p, &config.stages).collect()?,
                    )?),
                );
                break;
            }
        }
        if let Some(t) = on_key(table(tickets, "region"), "region") {
            let sums =
                service::ticket_sums(t, &p, config.thresholds.response_sla_hours).collect()?;
            k.add("tickets", Some(by_key(&sums)?));
        }
        let visits = match dim {
            Some("region") => on_key(follow_ups_by_region.clone(), "region"),
            _ => on_key(table(follow_ups, "rep_id"), "rep_id"),
        };
        if let Some(v) = visits {
            k.add(
                "visits",
                Some(by_key(&service::visit_sums(v, &p).collect()?)?),
            );
        }
        if dim.is_none() {
            if let Some(n) = nps {
                let n = n.clone().lazy().with_column(lit("").alias("key"));
                k.add("nps", Some(by_key(&service::nps_sums(n, &p).collect()?)?));
            }
            if let Some(r) = receivables {
                let r = r.clone().lazy().with_column(lit("").alias("key"));
                k.add(
                    "collection",
                    Some(by_key(&finance::collection_sums(r, &p).collect()?)?),
                );
            }
        }
        Ok(k)
    };

    let mut notes = Notes::default();

    // The totals and each breakdown: one set of queries per key.
    let wanted: Vec<&str> = DIMENSIONS
        .into_iter()
        .filter(|&dim| {
            let in_orders = match dim {
                "customer_segment" => has_values(tables.get(TableKind::Customers), "segment"),
                d => has_values(orders_df, d),
            };
            in_orders
                || dim == "product_line"
                || monthly_targets
                    .as_ref()
                    .is_some_and(|m| has_values(Some(m), dim))
        })
        .collect();
    // Each is a pass over the lines and a few small queries, independent of the others:
    // two threads share them.
    let jobs: Vec<Option<&str>> = std::iter::once(None)
        .chain(wanted.into_iter().map(Some))
        .collect();
    let done = on_two_threads(jobs, |dim| -> Result<(Option<&str>, lines::Keys, Keyed)> {
        let keys = match dim {
            Some(d) => keys_of(d)?,
            None => lines::Keys::total(),
        };
        let k = keyed(dim, &keys)?;
        Ok((dim, keys, k))
    });
    let mut totals = Keyed::default();
    let mut dim_keys = HashMap::new();
    let mut keyed_by = HashMap::new();
    for result in done {
        match result? {
            (None, _, k) => totals = k,
            (Some(dim), keys, k) => {
                keyed_by.insert(dim, k);
                dim_keys.insert(dim, keys);
            }
        }
    }

    // Totals.
    let tk = total_key();
    let mut inputs = totals.for_key(&tk);
    // New customers over the whole customer universe, master-only customers included.
    let universe = by_key(&sales::new_customer_totals(first.clone().lazy(), &p).collect()?)?;
    if let (Some(u), Some(c)) = (universe.get(&tk), inputs.sources.get_mut("customers")) {
        for n in REPORTED {
            let name = format!("new_{n}");
            c.set(&name, u.get(&name));
        }
    }
    let mut kpis = key_figures(&inputs, &p, &history, &avail, &mut notes);
    kpis.insert("time_progress", time_progress(&p));
    let total_revenue: BTreeMap<&str, f64> = REPORTED
        .iter()
        .map(|n| (*n, inputs.must("orders").of("rev", n)))
        .collect();
    let funnel = match totals.get("leads").and_then(|l| l.get(&tk)) {
        Some(l) => config
            .stages
            .iter()
            .enumerate()
            .map(|(i, stage)| FunnelStage {
                stage: stage.clone(),
                month: l.of(&format!("stage{i}"), "month"),
                qtd: l.of(&format!("stage{i}"), "qtd"),
                ytd: l.of(&format!("stage{i}"), "ytd"),
            })
            .collect(),
        None => Vec::new(),
    };

    // Breakdowns.
    let rep_names = rep_names(roster)?;
    let inventory = match tables.get(TableKind::Inventory) {
        Some(inv) => {
            if !has_values(orders_df, "quantity") {
                notes.add("inventory_days", None, "orders have no quantity column");
            }
            finance::inventory_days(inv.clone().lazy(), tables.active_orders(), &p)?
        }
        None => {
            notes.add("inventory_days", None, "no inventory table in the inputs");
            Vec::new()
        }
    };
    let mut by = IndexMap::new();
    for dim in DIMENSIONS {
        let in_orders = match dim {
            "customer_segment" => has_values(tables.get(TableKind::Customers), "segment"),
            d => has_values(orders_df, d),
        };
        let in_targets = monthly_targets
            .as_ref()
            .is_some_and(|m| has_values(Some(m), dim));
        let in_inventory = dim == "product_line" && !inventory.is_empty();
        if !in_orders && !in_targets && !in_inventory {
            continue;
        }
        let Some(k) = keyed_by.remove(dim) else {
            continue;
        };
        let mut keys: Vec<Key> = k
            .get("orders")
            .into_iter()
            .flatten()
            .filter(|(_, v)| v.num("orders_ytd") > 0.0 || v.num("orders_t12") > 0.0)
            .map(|(key, _)| key.clone())
            .collect();
        if let Some(t) = k.get("targets") {
            keys.extend(
                t.iter()
                    .filter(|(_, v)| v.num("tgtm_year") > 0.0)
                    .map(|(key, _)| key.clone()),
            );
        }
        if in_inventory {
            keys.extend(inventory.iter().map(|(key, _, _)| key.clone()));
        }
        keys.sort();
        keys.dedup();
        let mut entries: Vec<Breakdown> = keys
            .into_iter()
            .map(|key| {
                let inputs = k.for_key(&key);
                let mut figures = key_figures(&inputs, &p, &history, &avail, &mut Notes::default());
                let rev = |n: &str| inputs.must("orders").of("rev", n);
                figures.shift_insert(
                    1,
                    "revenue_share",
                    per_period(|n| ratio(Some(rev(n)), total_revenue.get(n).copied())),
                );
                if !inputs.has("headcount") {
                    figures.shift_remove("avg_headcount");
                    figures.shift_remove("per_capita_revenue");
                }
                if !inputs.has("expenses") {
                    figures.shift_remove("expenses");
                    figures.shift_remove("expense_ratio");
                }
                if in_inventory {
                    let cover = inventory
                        .iter()
                        .find(|(k, _, _)| *k == key)
                        .and_then(|(_, on_hand, sold)| finance::cover_days(*on_hand, *sold));
                    figures.insert("inventory_days", figure([("month", cover)]));
                }
                let expenses_by_category = (dim == "region" && inputs.has("expenses"))
                    .then(|| {
                        let rev = REPORTED.map(rev);
                        expenses
                            .map(|x| {
                                let only = match &key {
                                    Some(v) => col("region").eq(lit(v.clone())),
                                    None => col("region").is_null(),
                                };
                                category_rows(x.clone().lazy().filter(only), &p, rev)
                            })
                            .transpose()
                    })
                    .transpose()?
                    .flatten();
                let name = (dim == "rep_id")
                    .then(|| key.as_ref().and_then(|k| rep_names.get(k).cloned()))
                    .flatten();
                Ok(Breakdown {
                    key,
                    name,
                    figures,
                    expenses_by_category,
                })
            })
            .collect::<Result<_>>()?;
        entries.sort_by(|a, b| {
            let r = |x: &Breakdown, n: &str| x.figures["revenue"][n].unwrap_or(0.0);
            r(b, "month")
                .total_cmp(&r(a, "month"))
                .then(r(b, "ytd").total_cmp(&r(a, "ytd")))
                .then(a.key.is_none().cmp(&b.key.is_none()))
                .then(a.key.cmp(&b.key))
        });
        by.insert(dim, entries);
    }

    // Inventory cover: the lowest product line is the headline.
    if !inventory.is_empty() {
        let mut lowest: Option<f64> = None;
        for (key, on_hand, sold) in &inventory {
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
        kpis.insert("inventory_days", figure([("month", lowest)]));
    }
    let ar_aging = match receivables {
        Some(r) => finance::ar_aging(r.clone().lazy(), &p)?,
        None => Vec::new(),
    };

    let expenses_by_category = match expenses {
        Some(x) => category_rows(x.clone().lazy(), &p, REPORTED.map(|n| total_revenue[n]))?,
        None => Vec::new(),
    };
    blank_unknowable(&tables.keys, &mut kpis, &mut by, &mut notes);
    let alerts = alerts::evaluate(&kpis, &by, &config.thresholds);
    let trend_start = history
        .first
        .map_or(month, |f| f.max(month.plus(-23)).min(month));
    let trend = trend::trend(
        &lines,
        &facts,
        first.clone().lazy(),
        monthly_targets.as_ref(),
        expenses,
        periods::Span::new(trend_start, month),
    )?;
    let mut keys = |dim: &'static str| -> Result<lines::Keys> {
        match dim_keys.remove(dim) {
            Some(k) => Ok(k),
            None => keys_of(dim),
        }
    };
    let matrix = trend::matrix(
        &lines,
        &keys("region")?,
        &keys("product_line")?,
        monthly_targets.as_ref(),
        &p,
    )?;
    let scorecard = match by.get("rep_id") {
        Some(reps) => scorecard::scorecard(
            reps,
            rep_customers(&lines, &keys("rep_id")?, p.ytd)?,
            nps,
            receivables,
            &p,
            &config.scorecard,
        )?,
        None => Vec::new(),
    };
    let get =
        |fig: &str, period: &str| kpis.get(fig).and_then(|f| f.get(period)).copied().flatten();
    let plan = get("target", "year").map(|annual| {
        let last_year = |m: Month| {
            history
                .covers(m)
                .then(|| trend.iter().find(|t| t.month == m).map(|t| t.revenue))
                .flatten()
        };
        let regions: Vec<(String, f64)> = by
            .get("region")
            .into_iter()
            .flatten()
            .filter_map(|b| {
                let t = b.figures.get("target")?.get("year").copied().flatten()?;
                Some((b.key.clone()?, t))
            })
            .collect();
        plan::plan(
            &p,
            annual,
            get("revenue", "ytd").unwrap_or(0.0),
            last_year,
            &regions,
        )
    });
    if plan.is_none() {
        notes.add("plan", None, "no full-year target to plan against");
    }
    let mut periods = IndexMap::new();
    for n in REPORTED {
        periods.insert(n, PeriodDates::from(p.get(n)));
    }
    notes.0.dedup();
    Ok(Metrics {
        schema: SCHEMA,
        month,
        periods,
        kpis,
        by,
        expenses_by_category,
        funnel,
        ar_aging,
        scorecard,
        plan,
        trend,
        matrix,
        alerts,
        notes: notes.0,
        data_quality: quality::QualityReport {
            read: quality,
            findings,
        },
    })
}

/// Figures that count customers: `null` when the orders have no customer key.
const CUSTOMER_FIGURES: [&str; 7] = [
    "active_customers",
    "revenue_per_customer",
    "new_customers",
    "new_customer_revenue_share",
    "repurchase_rate",
    "retention_rate",
    "follow_up_coverage",
];

/// Figures that count orders: `null` when the orders are monthly sums.
const ORDER_FIGURES: [&str; 2] = ["orders", "aov"];

/// SPEC §2 (optional keys): without a customer key, customer figures are `null`; from
/// monthly sums, order counts too. Each said once in the notes.
fn blank_unknowable(
    keys: &crate::types::OrderKeys,
    kpis: &mut Figures,
    by: &mut IndexMap<&'static str, Vec<Breakdown>>,
    notes: &mut Notes,
) {
    let no_customers = keys.without_customer > 0 || keys.aggregated > 0;
    let no_orders = keys.aggregated > 0;
    let mut blank = |names: &[&str]| {
        let all =
            std::iter::once(&mut *kpis).chain(by.values_mut().flatten().map(|b| &mut b.figures));
        for figures in all {
            for name in names {
                if let Some(f) = figures.get_mut(*name) {
                    f.values_mut().for_each(|v| *v = None);
                }
            }
        }
    };
    if no_customers {
        blank(&CUSTOMER_FIGURES);
        let why = if keys.aggregated > 0 {
            "the orders are monthly sums, with no customer key"
        } else {
            "the orders have no customer key (no customer id, name, e-mail, card or member number column)"
        };
        for name in CUSTOMER_FIGURES {
            notes.add(name, None, why);
        }
    }
    if no_orders {
        blank(&ORDER_FIGURES);
        for name in ORDER_FIGURES {
            notes.add(name, None, "the orders are monthly sums, with no order id");
        }
    }
}

/// Expenses by category: amount per period, share of the period's expenses, and ratio to
/// the period's revenue (`revenue` in REPORTED order).
fn category_rows(expenses: LazyFrame, p: &Periods, revenue: [f64; 3]) -> Result<Vec<CategoryRow>> {
    let sums =
        by_key(&costs::sums(expenses.with_column(col("category").alias("key")), p).collect()?)?;
    // Sum in key order: the same inputs must give the same bits.
    let mut sums: Vec<(Key, Values)> = sums.into_iter().collect();
    sums.sort_by(|a, b| a.0.cmp(&b.0));
    let totals: Vec<f64> = REPORTED
        .iter()
        .map(|n| sums.iter().map(|(_, v)| v.of("exp", n)).sum())
        .collect();
    let mut rows: Vec<CategoryRow> = sums
        .into_iter()
        .map(|(key, v)| {
            let amount = |n: &str| v.of("exp", n);
            let share = figure(
                REPORTED
                    .iter()
                    .zip(&totals)
                    .map(|(n, t)| (*n, ratio(Some(amount(n)), Some(*t)))),
            );
            let to_rev = figure(
                REPORTED
                    .iter()
                    .zip(revenue)
                    .map(|(n, r)| (*n, ratio(Some(amount(n)), Some(r)))),
            );
            CategoryRow {
                key,
                month: amount("month"),
                qtd: amount("qtd"),
                ytd: amount("ytd"),
                share,
                ratio_to_revenue: to_rev,
            }
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

/// The reps' customers in `span`: `rep_id`, `customer_id` pairs with orders in it.
fn rep_customers(
    lines: &lines::OrderLines,
    reps: &lines::Keys,
    span: periods::Span,
) -> Result<DataFrame> {
    let (reps, customers): (Vec<&str>, Vec<Option<&str>>) = lines
        .customers_of(reps, span)
        .into_iter()
        .filter_map(|(rep, customer)| Some((rep.as_deref()?, customer)))
        .unzip();
    Ok(DataFrame::new(
        reps.len(),
        vec![
            Column::new("rep_id".into(), reps),
            Column::new("customer_id".into(), customers),
        ],
    )?)
}

/// `f` of every item, in order; the items alternate between this thread and another.
fn on_two_threads<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let (mine, theirs): (Vec<_>, Vec<_>) =
        items.into_iter().enumerate().partition(|(i, _)| i % 2 == 0);
    let f = &f;
    let (mine, theirs) = std::thread::scope(|s| {
        let other = s.spawn(move || theirs.into_iter().map(|(_, x)| f(x)).collect::<Vec<R>>());
        let mine: Vec<R> = mine.into_iter().map(|(_, x)| f(x)).collect();
        (mine, other.join())
    });
    let theirs = theirs.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    let mut out = Vec::with_capacity(mine.len() + theirs.len());
    let (mut a, mut b) = (mine.into_iter(), theirs.into_iter());
    loop {
        match (a.next(), b.next()) {
            (Some(x), Some(y)) => out.extend([x, y]),
            (Some(x), None) => out.push(x),
            _ => break,
        }
    }
    out
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
