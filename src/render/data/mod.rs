//! The data handed to the templates as the virtual `data.json`: the figures of
//! [`Metrics`] with their printed form (`{"v": 0.932, "s": "93.2%"}`), tables cut to a
//! readable length (top-N), chart series, and which sections lack which table. Templates
//! choose labels and layout; they never compute a figure and never see raw input rows.

use indexmap::IndexMap;
use serde::Serialize;

mod alerts;
mod charts;
mod figures;
mod tiles;
mod work_plan;

use super::format::Formatter;
use crate::config::{ScorecardWeights, Thresholds};
use crate::figures::Metrics;
use crate::types::TableKind;

/// Rows per breakdown table in the documents; the rest are summed up as "others" in
/// metrics.json and metrics.xlsx only.
pub const TOP_N: usize = 12;

/// A figure value and how it prints.
#[derive(Debug, Clone, Serialize)]
pub struct Val {
    pub v: Option<f64>,
    pub s: String,
}

/// A figure by period.
pub type FigureView = IndexMap<String, Val>;

/// One breakdown row.
#[derive(Debug, Clone, Serialize)]
pub struct RowView {
    /// The value, or the "blank" label.
    pub key: String,
    pub name: Option<String>,
    pub figures: IndexMap<String, FigureView>,
}

/// A KPI tile of the executive summary.
#[derive(Debug, Clone, Serialize)]
pub struct Tile {
    pub figure: String,
    pub period: String,
    pub value: Val,
    /// Change against the month before (percentage points for ratios).
    pub delta: Option<String>,
    pub delta_negative: bool,
    /// `green`, `amber`, `red`, or `none` when the figure has no threshold.
    pub status: String,
    /// The last 12 months, scaled to 0–1 for a sparkline.
    pub spark: Vec<f64>,
}

/// One month of the trend chart.
#[derive(Debug, Clone, Serialize)]
pub struct TrendView {
    pub month: String,
    /// Short axis label (`10月`, `Oct`; the year on January and the first point).
    pub label: String,
    pub revenue: f64,
    pub target: Option<f64>,
    pub new_revenue: f64,
    pub returning_revenue: f64,
    pub active_customers: f64,
    pub new_customers: f64,
    pub revenue_s: String,
}

/// An axis tick.
#[derive(Debug, Clone, Serialize)]
pub struct Tick {
    pub v: f64,
    pub s: String,
}

/// One alert as printed.
#[derive(Debug, Clone, Serialize)]
pub struct AlertView {
    pub kpi: String,
    pub period: String,
    pub dimension: Option<String>,
    pub key: Option<String>,
    pub value: String,
    pub threshold: String,
    pub direction: String,
    pub status: String,
}

/// The heat map: rows are regions, columns product lines.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixView {
    pub regions: Vec<String>,
    pub lines: Vec<String>,
    /// `cells[r][c]`: share of the region's YTD revenue (0–1), its revenue, attainment.
    pub cells: Vec<Vec<Option<MatrixCellView>>>,
    /// Whether targets are given per region and product line.
    pub has_attainment: bool,
}

/// One cell of the heat map.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixCellView {
    pub share: f64,
    pub share_s: String,
    pub revenue_s: String,
    pub attainment: Option<f64>,
    pub attainment_s: String,
}

/// A region's standing against time progress, for action titles.
#[derive(Debug, Clone, Serialize)]
pub struct Gap {
    pub key: String,
    pub completion: Val,
    /// Completion minus time progress, in percentage points (negative = behind).
    pub gap: f64,
    pub gap_s: String,
    pub attainment_ytd: Val,
}

/// One stage of the funnel as printed.
#[derive(Debug, Clone, Serialize)]
pub struct FunnelView {
    pub stage: String,
    pub month: Val,
    pub ytd: Val,
    /// Share of the previous stage reached, year to date.
    pub step_ytd: Val,
}

/// One AR aging bucket as printed.
#[derive(Debug, Clone, Serialize)]
pub struct AgingView {
    pub bucket: String,
    pub amount: Val,
    pub invoices: String,
}

/// One scorecard row as printed.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreView {
    pub rank: usize,
    pub rep_id: String,
    pub name: Option<String>,
    pub attainment: Val,
    pub collection_rate: Val,
    pub nps: Val,
    pub visits_per_rep: Val,
    pub score: Val,
}

/// One month (or week) of the plan as printed.
#[derive(Debug, Clone, Serialize)]
pub struct PlanRowView {
    pub label: String,
    pub share: Val,
    pub target: Val,
    pub working_days: Option<u32>,
}

/// A region's part of the plan as printed.
#[derive(Debug, Clone, Serialize)]
pub struct PlanRegionView {
    pub key: String,
    pub share: Val,
    pub remaining: Val,
    pub months: Vec<PlanRowView>,
}

/// The plan as printed.
#[derive(Debug, Clone, Serialize)]
pub struct PlanView {
    pub basis: String,
    pub remaining: Val,
    pub months: Vec<PlanRowView>,
    pub regions: Vec<PlanRegionView>,
    pub next_month: Option<String>,
    pub next_target: Option<Val>,
    pub weeks: Vec<PlanRowView>,
}

/// Everything a template gets.
#[derive(Debug, Clone, Serialize)]
pub struct DocData {
    pub lang: String,
    pub company: String,
    pub currency: String,
    pub version: String,
    pub month: String,
    pub year: i32,
    pub month_number: u32,
    /// The split this document covers (`--split-by`), if any.
    pub scope: Option<Scope>,
    pub kpis: IndexMap<String, FigureView>,
    pub tiles: Vec<Tile>,
    pub by: IndexMap<String, Vec<RowView>>,
    /// How many entries each breakdown has in full.
    pub by_count: IndexMap<String, usize>,
    pub expenses_by_category: Vec<IndexMap<String, Val>>,
    pub trend: Vec<TrendView>,
    pub trend_ticks: Vec<Tick>,
    pub trend_max: f64,
    pub matrix: MatrixView,
    pub gaps: Vec<Gap>,
    pub funnel: Vec<FunnelView>,
    pub ar_aging: Vec<AgingView>,
    pub ar_open: Val,
    pub scorecard: Vec<ScoreView>,
    /// The scorecard's weights as printed (`40% / 20% / 20% / 20%`).
    pub scorecard_weights: String,
    pub plan: Option<PlanView>,
    pub alerts: Vec<AlertView>,
    pub alert_counts: IndexMap<String, usize>,
    pub notes: Vec<String>,
    pub thresholds: IndexMap<String, String>,
    /// The thresholds as numbers, for reference lines in charts.
    pub threshold_values: IndexMap<String, f64>,
    /// Share of the annual target done minus time elapsed: `v` signed, `s` unsigned points.
    pub progress_gap: Option<Val>,
    /// The last day of the report month.
    pub as_of: String,
    /// Tables the inputs lacked (`targets`, `roster`…), for "section not computed" lines.
    pub missing: Vec<String>,
    pub quality: crate::figures::quality::QualityReport,
}

/// The value of `--split-by` a document covers.
#[derive(Debug, Clone, Serialize)]
pub struct Scope {
    pub dimension: String,
    pub key: String,
}

/// What a document adds to the figures.
pub struct Context<'a> {
    pub company: &'a str,
    /// How a blank key prints (`(空)`, `(blank)`).
    pub blank_label: &'a str,
    pub thresholds: &'a Thresholds,
    pub weights: &'a ScorecardWeights,
    /// The tables the inputs had.
    pub present: &'a [TableKind],
    pub scope: Option<Scope>,
}

/// Builds the view of `m`.
pub fn build(m: &Metrics, f: &Formatter, cx: Context) -> DocData {
    let (by, by_count) = figures::breakdowns(m, f, cx.blank_label);
    let (trend, trend_ticks, trend_max) = charts::trend(m, f);
    let (alerts, alert_counts) = alerts::alerts(m, f);
    let (thresholds, threshold_values) = alerts::thresholds(f, cx.thresholds);
    let plan = work_plan::work_plan(m, f, cx.weights);
    let missing = [
        TableKind::Targets,
        TableKind::Roster,
        TableKind::Customers,
        TableKind::Expenses,
    ]
    .into_iter()
    .filter(|t| !cx.present.contains(t))
    .map(|t| t.name().to_string())
    .collect();
    DocData {
        lang: f.lang.clone(),
        company: cx.company.to_string(),
        currency: f.currency.clone(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        month: m.month.to_string(),
        year: m.month.year,
        month_number: m.month.month,
        scope: cx.scope,
        kpis: figures::kpis(m, f),
        tiles: tiles::tiles(m, f),
        by,
        by_count,
        expenses_by_category: figures::expenses_by_category(m, f, cx.blank_label),
        trend,
        trend_ticks,
        trend_max,
        matrix: charts::matrix(m, f, cx.blank_label),
        gaps: charts::gaps(m, f, cx.blank_label),
        funnel: plan.funnel,
        ar_aging: plan.ar_aging,
        ar_open: plan.ar_open,
        scorecard: plan.scorecard,
        scorecard_weights: plan.scorecard_weights,
        plan: plan.plan,
        alerts,
        alert_counts,
        notes: m.notes.clone(),
        thresholds,
        threshold_values,
        progress_gap: alerts::progress_gap(m, f),
        as_of: m.month.end().to_string(),
        missing,
        quality: m.data_quality.clone(),
    }
}

fn ratio_of(a: f64, b: f64) -> Option<f64> {
    (b != 0.0).then(|| a / b)
}

/// A round number at or above `x` (1, 2, 2.5, 5 × a power of ten).
pub fn nice_ceiling(x: f64) -> f64 {
    if x <= 0.0 || !x.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|v| *v >= x)
        .unwrap_or(10.0 * p)
}

fn month_label(year: i32, month: u32, lang: &str, first: bool) -> String {
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let with_year = first || month == 1;
    match (lang, with_year) {
        ("en", true) => format!("{} {}", EN[month as usize - 1], year % 100),
        ("en", false) => EN[month as usize - 1].to_string(),
        (_, true) => format!("{}年{}月", year % 100, month),
        (_, false) => format!("{month}月"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_axis_maxima() {
        assert_eq!(nice_ceiling(14_630_000.0), 20_000_000.0);
        assert_eq!(nice_ceiling(2_100.0), 2_500.0);
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(5_000.0), 5_000.0);
    }

    #[test]
    fn month_labels() {
        assert_eq!(month_label(2026, 10, "zh", false), "10月");
        assert_eq!(month_label(2026, 1, "zh", false), "26年1月");
        assert_eq!(month_label(2026, 10, "en", true), "Oct 26");
    }
}
