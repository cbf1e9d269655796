//! Figures: typed tables → every figure of SPEC §3, as the [`Metrics`] that
//! `metrics.json` serialises. Sums and counts are polars lazy plans grouped by a `key`
//! (the totals use one key, `""`; breakdowns the dimension's value); the ratios between
//! them are plain arithmetic on the few numbers per key that come back.

pub mod alerts;
mod breakdown;
pub mod costs;
pub mod finance;
pub mod frame;
mod keyed;
mod kpis;
pub mod lines;
#[cfg(test)]
mod lines_tests;
pub mod periods;
pub mod plan;
pub mod quality;
pub mod sales;
pub mod scorecard;
pub mod service;
pub mod sums;
pub mod targets;
pub mod team;
#[cfg(test)]
mod tests;
pub mod trend;

use indexmap::IndexMap;
use polars::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::error::Result;
use crate::model::Tables;
use crate::types::{DataQuality, Month, TableKind};
use keyed::Inputs;
use kpis::{figure, key_figures, time_progress, Notes};
use periods::{PeriodDates, REPORTED};
use sums::{total_key, KeySums, PerPeriod};

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

/// The latest month that has (not cancelled) orders.
pub fn latest_month(tables: &Tables) -> Result<Option<Month>> {
    Ok(order_date(tables, col("order_date").max())?.map(Month::of))
}

/// One date aggregated over the active orders' dates.
pub(crate) fn order_date(tables: &Tables, agg: Expr) -> Result<Option<chrono::NaiveDate>> {
    let df = tables.active_orders().select([agg]).collect()?;
    let date = df
        .column("order_date")?
        .date()?
        .as_date_iter()
        .next()
        .flatten();
    Ok(date)
}

/// Computes every figure for report month `month`.
pub fn compute(
    tables: &Tables,
    month: Month,
    config: &Config,
    quality: DataQuality,
) -> Result<Metrics> {
    let active = tables.active_orders().collect()?;
    let inputs = Inputs::new(tables, &active, month, config)?;
    let p = &inputs.p;
    tracing::debug!("figures: order lines reduced");
    let findings = quality::findings(tables, month, None, &quality.files, Some(&inputs.lines))?;
    tracing::debug!("figures: data-quality findings");
    let mut notes = Notes::default();
    let (totals, by_dimension) = inputs.keyed_all()?;
    tracing::debug!("figures: sums by key");

    // Totals.
    let mut sums = totals.for_key(&total_key());
    // New customers over the whole customer universe, master-only customers included.
    sums.customers.new = sales::new_customer_totals(inputs.first.clone().lazy(), p)?;
    let mut kpis = key_figures(&sums, p, &inputs.history, &inputs.avail, &mut notes);
    kpis.insert("time_progress", time_progress(p));
    let total_revenue: PerPeriod = [0, 1, 2].map(|i| sums.orders.revenue[i]);

    // Breakdowns; inventory cover's headline is the lowest product line's.
    let inventory = breakdown::inventory(&inputs, &mut notes)?;
    let keyed::ByDimension {
        sums: by_sums,
        keys,
    } = by_dimension;
    let mut by = breakdown::breakdowns(&inputs, by_sums, total_revenue, &inventory)?;
    if !inventory.is_empty() {
        let lowest = breakdown::lowest_cover(&inventory, p, &mut notes);
        kpis.insert("inventory_days", figure([("month", lowest)]));
    }
    let expenses_by_category = match inputs.table(TableKind::Expenses) {
        Some(x) => breakdown::category_rows(x.clone().lazy(), p, total_revenue)?,
        None => Vec::new(),
    };
    kpis::blank_unknowable(&tables.keys, &mut kpis, &mut by, &mut notes);
    let alerts = alerts::evaluate(&kpis, &by, &config.thresholds);
    let extras = extras(&inputs, keys, &kpis, &by, &mut notes)?;
    tracing::debug!("figures: breakdowns and extras");
    let periods = REPORTED
        .iter()
        .map(|n| (*n, PeriodDates::from(p.get(n))))
        .collect();
    notes.0.dedup();
    Ok(Metrics {
        schema: SCHEMA,
        month,
        periods,
        kpis,
        by,
        expenses_by_category,
        funnel: funnel(config, &sums),
        ar_aging: match inputs.table(TableKind::Receivables) {
            Some(r) => finance::ar_aging(r.clone().lazy(), p)?,
            None => Vec::new(),
        },
        scorecard: extras.scorecard,
        plan: extras.plan,
        trend: extras.trend,
        matrix: extras.matrix,
        alerts,
        notes: notes.0,
        data_quality: quality::QualityReport {
            read: quality,
            findings,
        },
    })
}

/// The funnel: leads at or past each stage, from the totals' sums.
fn funnel(config: &Config, totals: &KeySums) -> Vec<FunnelStage> {
    let Some(leads) = &totals.leads else {
        return Vec::new();
    };
    config
        .stages
        .iter()
        .zip(&leads.stages)
        .map(|(stage, n)| FunnelStage {
            stage: stage.clone(),
            month: n[0],
            qtd: n[1],
            ytd: n[2],
        })
        .collect()
}

/// The figures built on the key figures: trend, matrix, scorecard and plan.
struct Extras {
    trend: Vec<trend::TrendPoint>,
    matrix: Vec<trend::MatrixCell>,
    scorecard: Vec<scorecard::ScorecardRow>,
    plan: Option<plan::Plan>,
}

fn extras(
    inputs: &Inputs,
    mut keys: std::collections::HashMap<&'static str, lines::Keys>,
    kpis: &Figures,
    by: &IndexMap<&'static str, Vec<Breakdown>>,
    notes: &mut Notes,
) -> Result<Extras> {
    let (p, month, history) = (&inputs.p, inputs.p.report, &inputs.history);
    let trend_start = history
        .first
        .map_or(month, |f| f.max(month.plus(-23)).min(month));
    let trend = trend::trend(
        &inputs.lines,
        &inputs.facts,
        inputs.first.clone().lazy(),
        inputs.monthly_targets.as_ref(),
        inputs.table(TableKind::Expenses),
        periods::Span::new(trend_start, month),
    )?;
    // Each breakdown's keys, as the sums had them, else anew.
    let mut keys = |dim: &'static str| -> Result<lines::Keys> {
        match keys.remove(dim) {
            Some(k) => Ok(k),
            None => inputs.keys_of(dim),
        }
    };
    let matrix = trend::matrix(
        &inputs.lines,
        &keys("region")?,
        &keys("product_line")?,
        inputs.monthly_targets.as_ref(),
        p,
    )?;
    let scorecard = match by.get("rep_id") {
        Some(reps) => scorecard::scorecard(
            reps,
            rep_customers(&inputs.lines, &keys("rep_id")?, p.ytd)?,
            inputs.table(TableKind::Nps),
            inputs.table(TableKind::Receivables),
            p,
            &inputs.config.scorecard,
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
            p,
            annual,
            get("revenue", "ytd").unwrap_or(0.0),
            last_year,
            &regions,
        )
    });
    if plan.is_none() {
        notes.add("plan", None, "no full-year target to plan against");
    }
    Ok(Extras {
        trend,
        matrix,
        scorecard,
        plan,
    })
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
