//! The figures of one key — the totals, or one value of a breakdown — from its typed sums
//! ([`super::sums::KeySums`]): order and customer figures, growth, targets and the
//! forecast, team, costs and the work plan's own KPIs, each `null` with a note when it
//! cannot be computed.

use indexmap::IndexMap;

use super::frame::ratio;
use super::periods::{self, Periods, REPORTED};
use super::sums::{window, KeySums, PerPeriod};
use super::{Breakdown, Figure, Figures};
use crate::types::{Month, OrderKeys};

/// The month whose first order is the earliest: figures that need an earlier month are
/// `null`.
#[derive(Debug, Clone, Copy)]
pub(super) struct History {
    pub(super) first: Option<Month>,
    pub(super) first_day: Option<chrono::NaiveDate>,
}

impl History {
    pub(super) fn covers(&self, m: Month) -> bool {
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
pub(super) struct Notes(pub(super) Vec<String>);

impl Notes {
    pub(super) fn add(&mut self, figure: &str, period: Option<&str>, why: impl AsRef<str>) {
        let place = match period {
            Some(p) => format!("{figure}.{p}"),
            None => figure.to_string(),
        };
        self.0.push(format!("{place}: {}", why.as_ref()));
    }
}

/// What the tables allow at all.
pub(super) struct Available {
    pub(super) cost: bool,
}

pub(super) fn figure(pairs: impl IntoIterator<Item = (&'static str, Option<f64>)>) -> Figure {
    pairs.into_iter().collect()
}

/// A figure of the reported periods: `f` of each period's index in [`REPORTED`].
pub(super) fn per_period(f: impl Fn(usize) -> Option<f64>) -> Figure {
    REPORTED
        .iter()
        .enumerate()
        .map(|(i, n)| (*n, f(i)))
        .collect()
}

/// The figures of one key (the totals or one breakdown value). Notes are kept for the
/// totals only.
pub(super) fn key_figures(
    k: &KeySums,
    p: &Periods,
    h: &History,
    avail: &Available,
    notes: &mut Notes,
) -> Figures {
    let o = &k.orders;
    let c = &k.customers;
    let rev = |i: usize| o.revenue[i];
    let mut f = Figures::new();

    f.insert("revenue", per_period(|i| Some(rev(i))));
    f.insert("orders", per_period(|i| Some(o.orders[i])));
    f.insert(
        "aov",
        per_period(|i| ratio(Some(rev(i)), Some(o.orders[i]))),
    );
    f.insert("active_customers", per_period(|i| Some(o.customers[i])));
    f.insert(
        "revenue_per_customer",
        per_period(|i| ratio(Some(rev(i)), Some(o.customers[i]))),
    );
    f.insert("new_customers", per_period(|i| Some(c.new[i])));
    f.insert(
        "new_customer_revenue_share",
        per_period(|i| ratio(Some(c.new_revenue[i]), Some(rev(i)))),
    );
    f.insert(
        "repurchase_rate",
        per_period(|i| ratio(Some(c.repeat[i]), Some(o.customers[i]))),
    );
    for (i, n) in REPORTED.iter().enumerate() {
        if o.orders[i] == 0.0 {
            notes.add("aov", Some(n), "no orders in the period");
        }
    }
    growth_figures(k, p, h, notes, &mut f);
    target_figures(k, p, h, notes, &mut f);

    // Team.
    let headcount = |i: usize| k.headcount.map(|h| h[i]);
    if k.headcount.is_none() {
        notes.add("avg_headcount", None, "no roster table in the inputs");
    }
    f.insert("avg_headcount", per_period(headcount));
    f.insert(
        "per_capita_revenue",
        per_period(|i| ratio(Some(rev(i)), headcount(i))),
    );

    // Costs.
    let expenses = |i: usize| k.expenses.map(|e| e[i]);
    if k.expenses.is_none() {
        notes.add("expenses", None, "no expenses table in the inputs");
    }
    f.insert("expenses", per_period(expenses));
    f.insert(
        "expense_ratio",
        per_period(|i| ratio(expenses(i), Some(rev(i)))),
    );
    if !avail.cost {
        notes.add("gross_margin", None, "orders have no cost column");
    }
    f.insert(
        "gross_margin",
        per_period(|i| {
            if !avail.cost || o.cost_lines[i] == 0.0 {
                return None;
            }
            let r = o.cost_revenue[i];
            ratio(Some(r - o.cost[i]), Some(r))
        }),
    );
    service_figures(k, notes, &mut f);
    f
}

/// Retention and growth: they need history before the report month.
fn growth_figures(k: &KeySums, p: &Periods, h: &History, notes: &mut Notes, f: &mut Figures) {
    let (o, c) = (&k.orders, &k.customers);
    let prev = p.report.plus(-1);
    let retention_month = if h.covers(prev) {
        let r = ratio(Some(c.retained_month), Some(c.active_prev_month));
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
        ratio(Some(c.retained_12m), Some(c.active_p12))
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
        let g = ratio(
            Some(o.revenue[window::MONTH]),
            Some(o.revenue[window::PREV_MONTH]),
        )
        .map(|g| g - 1.0);
        if g.is_none() {
            notes.add("mom_growth", Some("month"), format!("no revenue in {prev}"));
        }
        g
    } else {
        notes.add("mom_growth", Some("month"), h.why_not(prev, "orders"));
        None
    };
    f.insert("mom_growth", figure([("month", mom)]));
    let mut yoy = Figure::new();
    for (i, n) in REPORTED.iter().enumerate() {
        let before = p.get(n).year_before();
        let g = if !h.covers(before.first) {
            notes.add("yoy_growth", Some(n), h.why_not(before.first, "orders"));
            None
        } else {
            let g =
                ratio(Some(o.revenue[i]), Some(o.revenue[window::LAST_YEAR + i])).map(|g| g - 1.0);
            if g.is_none() {
                notes.add(
                    "yoy_growth",
                    Some(n),
                    "no revenue in the same period a year before",
                );
            }
            g
        };
        yoy.insert(n, g);
    }
    f.insert("yoy_growth", yoy);
}

/// Targets, attainment and the forecast against the year's target.
fn target_figures(k: &KeySums, p: &Periods, h: &History, notes: &mut Notes, f: &mut Figures) {
    const YEAR: usize = 3;
    let rev = |i: usize| k.orders.revenue[i];
    let target = |w: usize| k.targets.and_then(|t| t.complete(w, p));
    let mut target_fig = per_period(target);
    target_fig.insert("year", target(YEAR));
    if k.targets.is_none() {
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
    f.insert("attainment", per_period(|i| ratio(Some(rev(i)), target(i))));
    // Year-to-date revenue against the full-year target, to compare with time progress.
    let ytd = rev(2);
    f.insert(
        "annual_completion",
        figure([("ytd", ratio(Some(ytd), target(YEAR)))]),
    );
    f.insert("target", target_fig);

    // Forecast.
    let left = p.report.months_left_in_year() as f64;
    let last_3m = rev(window::LAST_3M);
    let forecast = if left == 0.0 {
        Some(ytd)
    } else if h.covers(p.last_3m().first) {
        Some(ytd + left * last_3m / 3.0)
    } else {
        notes.add(
            "forecast_year",
            Some("year"),
            h.why_not(p.last_3m().first, "3 months of orders"),
        );
        None
    };
    f.insert("forecast_year", figure([("year", forecast)]));
    let remaining = target(YEAR).map(|t| t - ytd);
    f.insert("remaining_target", figure([("year", remaining)]));
    f.insert(
        "required_monthly",
        figure([("year", remaining.filter(|_| left > 0.0).map(|r| r / left))]),
    );
    let run_rate = h.covers(p.last_3m().first).then(|| last_3m / 3.0);
    f.insert("run_rate_3m", figure([("month", run_rate)]));
    f.insert(
        "forecast_attainment",
        figure([("year", ratio(forecast, target(YEAR)))]),
    );
}

/// The work plan's own KPIs for one key: conversion, NPS, SLA, follow-ups, visits,
/// collection. Each is `null` with a note when its table is missing.
fn service_figures(k: &KeySums, notes: &mut Notes, f: &mut Figures) {
    let missing = |notes: &mut Notes, figure: &str, table: &str| {
        notes.add(figure, None, format!("no {table} table in the inputs"));
    };
    // Notes for each period whose denominator is zero.
    let empty = |notes: &mut Notes, figure: &str, counts: &PerPeriod, why: &str| {
        for (i, n) in REPORTED.iter().enumerate() {
            if counts[i] == 0.0 {
                notes.add(figure, Some(n), why);
            }
        }
    };
    match &k.leads {
        Some(l) => {
            f.insert("leads", per_period(|i| Some(l.leads[i])));
            f.insert(
                "inquiry_conversion",
                per_period(|i| ratio(Some(l.won[i]), Some(l.leads[i]))),
            );
            empty(
                notes,
                "inquiry_conversion",
                &l.leads,
                "no leads created in the period",
            );
        }
        None => missing(notes, "inquiry_conversion", "leads"),
    }
    match &k.nps {
        Some(s) => {
            f.insert(
                "nps",
                per_period(|i| {
                    let total = s.responses[i];
                    (total > 0.0).then(|| (s.promoters[i] - s.detractors[i]) / total * 100.0)
                }),
            );
            f.insert("nps_responses", per_period(|i| Some(s.responses[i])));
            empty(
                notes,
                "nps",
                &s.responses,
                "no survey responses in the period",
            );
        }
        None => missing(notes, "nps", "nps"),
    }
    match &k.tickets {
        Some(t) => {
            f.insert(
                "response_sla",
                per_period(|i| ratio(Some(t.within[i]), Some(t.counted[i]))),
            );
            f.insert("response_hours_median", per_period(|i| t.median_hours[i]));
            f.insert("response_hours_p90", per_period(|i| t.p90_hours[i]));
            let why = "no tickets whose response time is known";
            empty(notes, "response_sla", &t.counted, why);
        }
        None => missing(notes, "response_sla", "tickets"),
    }
    let c = &k.customers;
    if k.follow_ups {
        let covered = c.followed_up.unwrap_or_default();
        f.insert(
            "follow_up_coverage",
            per_period(|i| ratio(Some(covered[i]), Some(c.active[i]))),
        );
    } else {
        missing(notes, "follow_up_coverage", "follow_ups");
    }
    if let Some(v) = &k.visits {
        f.insert("visits", per_period(|i| Some(v[i])));
        f.insert(
            "visits_per_rep",
            per_period(|i| ratio(Some(v[i]), k.headcount.map(|h| h[i]))),
        );
    } else if k.follow_ups {
        missing(notes, "visits_per_rep", "follow_ups");
    }
    match &k.collection {
        Some(r) => {
            f.insert(
                "collection_rate",
                per_period(|i| ratio(Some(r.collected[i]), Some(r.due[i]))),
            );
            empty(
                notes,
                "collection_rate",
                &r.due,
                "no invoices due in the period",
            );
        }
        None => missing(notes, "collection_rate", "receivables"),
    }
}

pub(super) fn time_progress(p: &Periods) -> Figure {
    per_period(|i| {
        let span = p.get(REPORTED[i]);
        let whole = match REPORTED[i] {
            "qtd" => periods::Span::new(span.first, span.first.plus(2)).days(),
            "ytd" => p.year.days(),
            _ => span.days(),
        };
        Some(span.days() as f64 / whole as f64)
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
pub(super) fn blank_unknowable(
    keys: &OrderKeys,
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
