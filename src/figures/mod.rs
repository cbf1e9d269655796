//! Figures: typed tables → every figure of SPEC §3, as the [`Metrics`] that
//! `metrics.json` serialises. Sums and counts are polars lazy plans grouped by a `key`
//! (the totals use one key, `""`; breakdowns the dimension's value); the ratios between
//! them are plain arithmetic on the few numbers per key that come back.

pub mod alerts;
pub mod costs;
pub mod frame;
pub mod periods;
pub mod sales;
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
use crate::ingest::schema::TableKind;
use crate::ingest::DataQuality;
use crate::model::Tables;
use frame::{by_key, left_join, ratio, total_key, Key, Values};
use periods::{Month, PeriodDates, Periods, REPORTED};

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

/// Every figure, as `metrics.json` has it (SPEC §3).
#[derive(Debug, Clone, Serialize)]
pub struct Metrics {
    pub schema: &'static str,
    pub month: Month,
    pub periods: IndexMap<&'static str, PeriodDates>,
    pub kpis: Figures,
    pub by: IndexMap<&'static str, Vec<Breakdown>>,
    pub expenses_by_category: Vec<CategoryRow>,
    pub funnel: Vec<serde_json::Value>,
    /// Month by month, up to 24 months ending with the report month.
    pub trend: Vec<trend::TrendPoint>,
    /// Region × product line.
    pub matrix: Vec<trend::MatrixCell>,
    pub alerts: Vec<alerts::Alert>,
    pub notes: Vec<String>,
    pub data_quality: DataQuality,
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
    let df = tables
        .active_orders()
        .select([col("order_date").max()])
        .collect()?;
    let d = df
        .column("order_date")?
        .date()?
        .as_date_iter()
        .next()
        .flatten();
    Ok(d.map(Month::of))
}

fn first_order_day(tables: &Tables) -> Result<Option<chrono::NaiveDate>> {
    let df = tables
        .active_orders()
        .select([col("order_date").min()])
        .collect()?;
    let d = df
        .column("order_date")?
        .date()?
        .as_date_iter()
        .next()
        .flatten();
    Ok(d)
}

/// Inputs for one key's figures.
struct KeyInputs<'a> {
    orders: &'a Values,
    customers: &'a Values,
    targets: Option<&'a Values>,
    headcount: Option<&'a Values>,
    expenses: Option<&'a Values>,
}

/// What the tables allow at all.
struct Available {
    targets: bool,
    roster: bool,
    expenses: bool,
    cost: bool,
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
    let o = k.orders;
    let c = k.customers;
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
        let t = k.targets?;
        let months = p.get(n).months() as f64;
        if t.of("tgtm", n) < months {
            return None;
        }
        t.get(&format!("tgt_{n}"))
    };
    let mut target_fig = per_period(target);
    target_fig.insert("year", target("year"));
    if !avail.targets {
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
    let headcount = |n: &str| -> Option<f64> {
        avail
            .roster
            .then(|| k.headcount.map_or(0.0, |h| h.of("headcount", n)))
    };
    if !avail.roster {
        notes.add("avg_headcount", None, "no roster table in the inputs");
    }
    f.insert("avg_headcount", per_period(headcount));
    f.insert(
        "per_capita_revenue",
        per_period(|n| ratio(Some(rev(n)), headcount(n))),
    );

    // Costs.
    let expenses = |n: &str| -> Option<f64> {
        avail
            .expenses
            .then(|| k.expenses.map_or(0.0, |e| e.of("exp", n)))
    };
    if !avail.expenses {
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
    f
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

/// Everything the per-key figures need, for one way of keying the tables.
struct Keyed {
    orders: HashMap<Key, Values>,
    customers: HashMap<Key, Values>,
    targets: Option<HashMap<Key, Values>>,
    headcount: Option<HashMap<Key, Values>>,
    expenses: Option<HashMap<Key, Values>>,
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
    let orders = match &customers {
        Some(c) => tables.active_orders().join(
            c.clone()
                .select([col("customer_id"), col("segment").alias("customer_segment")]),
            [col("customer_id")],
            [col("customer_id")],
            left_join(),
        ),
        None => tables
            .active_orders()
            .with_column(lit(NULL).cast(DataType::String).alias("customer_segment")),
    };
    let first = sales::first_dates(tables.active_orders(), customers.clone())?.collect()?;
    let monthly_targets = match tables.get(TableKind::Targets) {
        Some(t) => Some(targets::monthly(t.clone().lazy())?.collect()?),
        None => None,
    };
    let roster = tables.get(TableKind::Roster);
    let expenses = tables.get(TableKind::Expenses);
    let orders_df = tables.get(TableKind::Orders);
    let avail = Available {
        targets: monthly_targets.is_some(),
        roster: roster.is_some(),
        expenses: expenses.is_some(),
        cost: has_values(orders_df, "cost"),
    };

    let keyed = |key: Expr, dim: Option<&str>| -> Result<Keyed> {
        let o = orders.clone().with_column(key.clone().alias("key"));
        let order_sums = by_key(&sales::order_sums(o.clone(), &p).collect()?)?;
        let customer_sums = by_key(&sales::customer_sums(o, first.clone().lazy(), &p).collect()?)?;
        let target_rows = match (&monthly_targets, dim) {
            (Some(m), None) => Some(targets::total(m)?.0),
            (Some(m), Some(d)) => targets::by_dim(m, d)?,
            (None, _) => None,
        };
        let targets = match target_rows {
            Some(rows) => Some(by_key(&targets::sums(rows, &p).collect()?)?),
            None => None,
        };
        let on_key = |df: &DataFrame, column: &str| -> Option<LazyFrame> {
            match dim {
                None => Some(df.clone().lazy().with_column(lit("").alias("key"))),
                Some(d) if d == column && has_values(Some(df), d) => {
                    Some(df.clone().lazy().with_column(col(d).alias("key")))
                }
                Some(_) => None,
            }
        };
        let headcount = match roster.and_then(|r| on_key(r, "region")) {
            Some(r) => Some(by_key(&team::headcount(r, &p).collect()?)?),
            None => None,
        };
        let expenses = match expenses.and_then(|e| on_key(e, "region")) {
            Some(e) => Some(by_key(&costs::sums(e, &p).collect()?)?),
            None => None,
        };
        Ok(Keyed {
            orders: order_sums,
            customers: customer_sums,
            targets,
            headcount,
            expenses,
        })
    };

    let mut notes = Notes::default();
    let inputs = |k: &'_ Keyed,
                  key: &Key|
     -> (
        Values,
        Values,
        Option<Values>,
        Option<Values>,
        Option<Values>,
    ) {
        (
            k.orders.get(key).cloned().unwrap_or_default(),
            k.customers.get(key).cloned().unwrap_or_default(),
            k.targets
                .as_ref()
                .map(|t| t.get(key).cloned().unwrap_or_default()),
            k.headcount
                .as_ref()
                .map(|t| t.get(key).cloned().unwrap_or_default()),
            k.expenses
                .as_ref()
                .map(|t| t.get(key).cloned().unwrap_or_default()),
        )
    };

    // Totals.
    let totals = keyed(lit(""), None)?;
    let tk = total_key();
    let (o, mut c, t, h, e) = inputs(&totals, &tk);
    // New customers over the whole customer universe, master-only customers included.
    let universe = by_key(&sales::new_customer_totals(first.clone().lazy(), &p).collect()?)?;
    if let Some(u) = universe.get(&tk) {
        for n in REPORTED {
            let name = format!("new_{n}");
            c.set(&name, u.get(&name));
        }
    }
    let mut kpis = key_figures(
        &KeyInputs {
            orders: &o,
            customers: &c,
            targets: t.as_ref(),
            headcount: h.as_ref(),
            expenses: e.as_ref(),
        },
        &p,
        &history,
        &avail,
        &mut notes,
    );
    kpis.insert("time_progress", time_progress(&p));
    let total_revenue: BTreeMap<&str, f64> =
        REPORTED.iter().map(|n| (*n, o.of("rev", n))).collect();

    // Breakdowns.
    let rep_names = rep_names(roster)?;
    let mut by = IndexMap::new();
    for dim in DIMENSIONS {
        let in_orders = match dim {
            "customer_segment" => has_values(tables.get(TableKind::Customers), "segment"),
            d => has_values(orders_df, d),
        };
        let in_targets = monthly_targets
            .as_ref()
            .is_some_and(|m| has_values(Some(m), dim));
        if !in_orders && !in_targets {
            continue;
        }
        let k = keyed(col(dim), Some(dim))?;
        let mut keys: Vec<Key> = k
            .orders
            .iter()
            .filter(|(_, v)| v.num("orders_ytd") > 0.0 || v.num("orders_t12") > 0.0)
            .map(|(key, _)| key.clone())
            .collect();
        if let Some(t) = &k.targets {
            keys.extend(
                t.iter()
                    .filter(|(_, v)| v.num("tgtm_year") > 0.0)
                    .map(|(key, _)| key.clone()),
            );
        }
        keys.sort();
        keys.dedup();
        let mut entries: Vec<Breakdown> = keys
            .into_iter()
            .map(|key| {
                let (o, c, t, h, e) = inputs(&k, &key);
                let mut figures = key_figures(
                    &KeyInputs {
                        orders: &o,
                        customers: &c,
                        targets: t.as_ref(),
                        headcount: h.as_ref(),
                        expenses: e.as_ref(),
                    },
                    &p,
                    &history,
                    &Available {
                        targets: k.targets.is_some(),
                        roster: k.headcount.is_some(),
                        expenses: k.expenses.is_some(),
                        cost: avail.cost,
                    },
                    &mut Notes::default(),
                );
                figures.shift_insert(
                    1,
                    "revenue_share",
                    per_period(|n| ratio(Some(o.of("rev", n)), total_revenue.get(n).copied())),
                );
                if k.headcount.is_none() {
                    figures.shift_remove("avg_headcount");
                    figures.shift_remove("per_capita_revenue");
                }
                if k.expenses.is_none() {
                    figures.shift_remove("expenses");
                    figures.shift_remove("expense_ratio");
                }
                let expenses_by_category = (dim == "region" && k.expenses.is_some())
                    .then(|| {
                        let rev = REPORTED.map(|n| o.of("rev", n));
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

    let expenses_by_category = match expenses {
        Some(x) => category_rows(x.clone().lazy(), &p, REPORTED.map(|n| total_revenue[n]))?,
        None => Vec::new(),
    };
    let alerts = alerts::evaluate(&kpis, &by, &config.thresholds);
    let trend_start = history
        .first
        .map_or(month, |f| f.max(month.plus(-23)).min(month));
    let trend = trend::trend(
        orders.clone(),
        first.clone().lazy(),
        monthly_targets.as_ref(),
        expenses,
        periods::Span::new(trend_start, month),
    )?;
    let matrix = trend::matrix(orders.clone(), monthly_targets.as_ref(), &p)?;
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
        funnel: Vec::new(),
        trend,
        matrix,
        alerts,
        notes: notes.0,
        data_quality: quality,
    })
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
