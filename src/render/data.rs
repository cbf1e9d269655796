//! The data handed to the templates as the virtual `data.json`: the figures of
//! [`Metrics`] with their printed form (`{"v": 0.932, "s": "93.2%"}`), tables cut to a
//! readable length (top-N), chart series, and which sections lack which table. Templates
//! choose labels and layout; they never compute a figure and never see raw input rows.

use indexmap::IndexMap;
use serde::Serialize;

use super::format::{kind_of, Formatter, Kind};
use crate::figures::alerts::Status;
use crate::figures::{Breakdown, Metrics};
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

/// Builds the view of `m`.
#[allow(clippy::too_many_arguments)]
pub fn build(
    m: &Metrics,
    f: &Formatter,
    company: &str,
    blank_label: &str,
    thresholds: &crate::config::Thresholds,
    weights: &crate::config::ScorecardWeights,
    present: &[TableKind],
    scope: Option<Scope>,
) -> DocData {
    let view_fig = |name: &str, fig: &crate::figures::Figure| -> FigureView {
        let kind = kind_of(name);
        fig.iter()
            .map(|(p, v)| {
                (
                    p.to_string(),
                    Val {
                        v: *v,
                        s: f.format(kind, *v),
                    },
                )
            })
            .collect()
    };
    let kpis: IndexMap<String, FigureView> = m
        .kpis
        .iter()
        .map(|(k, fig)| (k.to_string(), view_fig(k, fig)))
        .collect();

    let row = |b: &Breakdown| RowView {
        key: b.key.clone().unwrap_or_else(|| blank_label.to_string()),
        name: b.name.clone(),
        figures: b
            .figures
            .iter()
            .map(|(k, fig)| (k.to_string(), view_fig(k, fig)))
            .collect(),
    };
    let by =
        m.by.iter()
            .map(|(d, rows)| (d.to_string(), rows.iter().take(TOP_N).map(row).collect()))
            .collect();
    let by_count =
        m.by.iter()
            .map(|(d, rows)| (d.to_string(), rows.len()))
            .collect();

    let expenses_by_category = m
        .expenses_by_category
        .iter()
        .take(TOP_N)
        .map(|c| {
            let mut r = IndexMap::new();
            r.insert(
                "key".to_string(),
                Val {
                    v: None,
                    s: c.key.clone().unwrap_or_else(|| blank_label.to_string()),
                },
            );
            r.insert(
                "month".into(),
                Val {
                    v: Some(c.month),
                    s: f.money(c.month),
                },
            );
            r.insert(
                "ytd".into(),
                Val {
                    v: Some(c.ytd),
                    s: f.money(c.ytd),
                },
            );
            for (name, fig) in [("share", &c.share), ("ratio", &c.ratio_to_revenue)] {
                for p in ["month", "ytd"] {
                    let v = fig.get(p).copied().flatten();
                    r.insert(
                        format!("{name}_{p}"),
                        Val {
                            v,
                            s: f.format(Kind::Ratio, v),
                        },
                    );
                }
            }
            r
        })
        .collect();

    // The trend: bars scaled to a round maximum with four ticks.
    let peak = m
        .trend
        .iter()
        .map(|t| t.revenue.max(t.target.unwrap_or(0.0)))
        .fold(0.0_f64, f64::max);
    let trend_max = nice_ceiling(peak);
    let trend_ticks = (0..=4)
        .map(|i| trend_max * i as f64 / 4.0)
        .map(|v| Tick { v, s: f.money(v) })
        .collect();
    let trend = m
        .trend
        .iter()
        .enumerate()
        .map(|(i, t)| TrendView {
            month: t.month.to_string(),
            label: month_label(t.month.year, t.month.month, &f.lang, i == 0),
            revenue: t.revenue,
            target: t.target,
            new_revenue: t.new_customer_revenue,
            returning_revenue: t.returning_revenue,
            active_customers: t.active_customers,
            new_customers: t.new_customers,
            revenue_s: f.money(t.revenue),
        })
        .collect();

    let tiles = tiles(m, f);
    let matrix = matrix(m, f, blank_label);
    let gaps = gaps(m, f, blank_label);

    let status_name = |s: Status| match s {
        Status::Green => "green",
        Status::Amber => "amber",
        Status::Red => "red",
    };
    let mut alerts: Vec<&crate::figures::alerts::Alert> = m.alerts.iter().collect();
    alerts.sort_by_key(|a| std::cmp::Reverse(a.status));
    let alert_counts = ["red", "amber", "green"]
        .iter()
        .map(|s| {
            (
                s.to_string(),
                m.alerts
                    .iter()
                    .filter(|a| status_name(a.status) == *s)
                    .count(),
            )
        })
        .collect();
    let alerts = alerts
        .into_iter()
        .filter(|a| a.status != Status::Green)
        .take(40)
        .map(|a| {
            let kind = kind_of(a.kpi);
            AlertView {
                kpi: a.kpi.to_string(),
                period: a.period.to_string(),
                dimension: a.dimension.map(str::to_string),
                key: a.key.clone(),
                value: f.format(kind, Some(a.value)),
                threshold: f.format(kind, Some(a.threshold)),
                direction: format!("{:?}", a.direction).to_lowercase(),
                status: status_name(a.status).to_string(),
            }
        })
        .collect();

    let th: IndexMap<String, String> = [
        ("expense_ratio_max", f.pct(thresholds.expense_ratio_max)),
        (
            "new_customer_revenue_share_min",
            f.pct(thresholds.new_customer_revenue_share_min),
        ),
        ("attainment_green", f.pct(thresholds.attainment_green)),
        ("attainment_amber", f.pct(thresholds.attainment_amber)),
        (
            "inquiry_conversion_min",
            f.pct(thresholds.inquiry_conversion_min),
        ),
        (
            "response_sla_hours",
            f.format(Kind::Hours, Some(thresholds.response_sla_hours)),
        ),
        ("response_sla_min", f.pct(thresholds.response_sla_min)),
        (
            "follow_up_coverage_min",
            f.pct(thresholds.follow_up_coverage_min),
        ),
        (
            "inventory_days_min",
            f.format(Kind::Days, Some(thresholds.inventory_days_min)),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();

    let val = |kind: Kind, v: Option<f64>| Val {
        v,
        s: f.format(kind, v),
    };
    let funnel = m
        .funnel
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let before = if i == 0 {
                None
            } else {
                Some(m.funnel[i - 1].ytd)
            };
            FunnelView {
                stage: st.stage.clone(),
                month: val(Kind::Count, Some(st.month)),
                ytd: val(Kind::Count, Some(st.ytd)),
                step_ytd: val(
                    Kind::Ratio,
                    before.and_then(|b| (b > 0.0).then(|| st.ytd / b)),
                ),
            }
        })
        .collect();
    let ar_aging = m
        .ar_aging
        .iter()
        .map(|b| AgingView {
            bucket: b.bucket.to_string(),
            amount: val(Kind::Money, Some(b.amount)),
            invoices: f.count(b.invoices),
        })
        .collect();
    let ar_open = val(Kind::Money, Some(m.ar_aging.iter().map(|b| b.amount).sum()));
    let scorecard = m
        .scorecard
        .iter()
        .take(15)
        .map(|r| ScoreView {
            rank: r.rank,
            rep_id: r.rep_id.clone(),
            name: r.name.clone(),
            attainment: val(Kind::Ratio, r.attainment),
            collection_rate: val(Kind::Ratio, r.collection_rate),
            nps: val(Kind::Score, r.nps),
            visits_per_rep: val(Kind::Headcount, r.visits_per_rep),
            score: val(Kind::Score, r.score),
        })
        .collect();
    let month_row = |pm: &crate::figures::plan::PlanMonth| PlanRowView {
        label: month_label(pm.month.year, pm.month.month, &f.lang, true),
        share: val(Kind::Ratio, Some(pm.share)),
        target: val(Kind::Money, Some(pm.target)),
        working_days: None,
    };
    let plan = m.plan.as_ref().map(|pl| PlanView {
        basis: pl.basis.to_string(),
        remaining: val(Kind::Money, Some(pl.remaining)),
        months: pl.months.iter().map(month_row).collect(),
        regions: pl
            .regions
            .iter()
            .map(|r| PlanRegionView {
                key: r.key.clone(),
                share: val(Kind::Ratio, Some(r.share)),
                remaining: val(Kind::Money, Some(r.remaining)),
                months: r.months.iter().map(month_row).collect(),
            })
            .collect(),
        next_month: pl
            .next_month
            .as_ref()
            .map(|n| month_label(n.month.year, n.month.month, &f.lang, true)),
        next_target: pl
            .next_month
            .as_ref()
            .map(|n| val(Kind::Money, Some(n.target))),
        weeks: pl
            .next_month
            .iter()
            .flat_map(|n| &n.weeks)
            .map(|w| PlanRowView {
                label: format!("{} ({} – {})", w.week, &w.start[5..], &w.end[5..]),
                share: val(
                    Kind::Ratio,
                    pl.next_month
                        .as_ref()
                        .and_then(|n| ratio_of(w.target, n.target)),
                ),
                target: val(Kind::Money, Some(w.target)),
                working_days: Some(w.working_days),
            })
            .collect(),
    });

    let mut threshold_values = IndexMap::new();
    threshold_values.insert("expense_ratio_max".into(), thresholds.expense_ratio_max);
    threshold_values.insert(
        "new_customer_revenue_share_min".into(),
        thresholds.new_customer_revenue_share_min,
    );
    threshold_values.insert("attainment_green".into(), thresholds.attainment_green);
    threshold_values.insert("attainment_amber".into(), thresholds.attainment_amber);
    threshold_values.insert("inventory_days_min".into(), thresholds.inventory_days_min);
    threshold_values.insert(
        "inquiry_conversion_min".into(),
        thresholds.inquiry_conversion_min,
    );
    let get = |fig: &str, p: &str| m.kpis.get(fig).and_then(|x| x.get(p)).copied().flatten();
    let progress_gap = get("annual_completion", "ytd")
        .zip(get("time_progress", "ytd"))
        .map(|(c, t)| {
            let gap = c - t;
            Val {
                v: Some(gap),
                s: f.points(gap.abs()).trim_start_matches('+').to_string(),
            }
        });

    let missing = [
        TableKind::Targets,
        TableKind::Roster,
        TableKind::Customers,
        TableKind::Expenses,
    ]
    .into_iter()
    .filter(|t| !present.contains(t))
    .map(|t| t.name().to_string())
    .collect();

    DocData {
        lang: f.lang.clone(),
        company: company.to_string(),
        currency: f.currency.clone(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        month: m.month.to_string(),
        year: m.month.year,
        month_number: m.month.month,
        scope,
        kpis,
        tiles,
        by,
        by_count,
        expenses_by_category,
        trend,
        trend_ticks,
        trend_max,
        matrix,
        gaps,
        funnel,
        ar_aging,
        ar_open,
        scorecard,
        scorecard_weights: [
            weights.attainment,
            weights.collection,
            weights.nps,
            weights.visits,
        ]
        .map(|w| {
            f.pct(w / (weights.attainment + weights.collection + weights.nps + weights.visits))
        })
        .join(" / "),
        plan,
        alerts,
        alert_counts,
        notes: m.notes.clone(),
        thresholds: th,
        threshold_values,
        progress_gap,
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

/// The executive summary's tiles: value, change against last month, light, sparkline.
fn tiles(m: &Metrics, f: &Formatter) -> Vec<Tile> {
    let spark = |pick: &dyn Fn(&crate::figures::trend::TrendPoint) -> Option<f64>| -> Vec<f64> {
        let pts: Vec<f64> = m
            .trend
            .iter()
            .rev()
            .take(12)
            .rev()
            .map(|t| pick(t).unwrap_or(0.0))
            .collect();
        let (lo, hi) = pts
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
        pts.iter()
            .map(|v| if hi > lo { (v - lo) / (hi - lo) } else { 0.5 })
            .collect()
    };
    let prev = m.trend.iter().rev().nth(1);
    let status = |kpi: &str, period: &str| -> String {
        m.alerts
            .iter()
            .find(|a| a.kpi == kpi && a.period == period && a.key.is_none())
            .map(|a| format!("{:?}", a.status).to_lowercase())
            .unwrap_or_else(|| "none".into())
    };
    let get = |fig: &str, p: &str| m.kpis.get(fig).and_then(|x| x.get(p)).copied().flatten();
    let mut out = Vec::new();
    let mut push =
        |figure: &str, period: &str, delta: Option<f64>, ratio: bool, spark: Vec<f64>| {
            let v = get(figure, period);
            let kind = kind_of(figure);
            out.push(Tile {
                figure: figure.into(),
                period: period.into(),
                value: Val {
                    v,
                    s: f.format(kind, v),
                },
                delta: delta.map(|d| if ratio { f.points(d) } else { f.growth(d) }),
                delta_negative: delta.is_some_and(|d| d < 0.0),
                status: status(figure, period),
                spark,
            });
        };
    push(
        "revenue",
        "month",
        get("mom_growth", "month"),
        false,
        spark(&|t| Some(t.revenue)),
    );
    let att_prev = prev.and_then(|p| p.attainment);
    let att_delta = get("attainment", "month").zip(att_prev).map(|(a, b)| a - b);
    push(
        "attainment",
        "month",
        att_delta,
        true,
        spark(&|t| t.attainment),
    );
    push(
        "annual_completion",
        "ytd",
        None,
        true,
        spark(&|t| Some(t.revenue)),
    );
    push(
        "per_capita_revenue",
        "month",
        None,
        false,
        spark(&|t| Some(t.revenue)),
    );
    let share = |t: &crate::figures::trend::TrendPoint| {
        (t.revenue != 0.0).then(|| t.new_customer_revenue / t.revenue)
    };
    let share_delta = get("new_customer_revenue_share", "month")
        .zip(prev.and_then(share))
        .map(|(a, b)| a - b);
    push(
        "new_customer_revenue_share",
        "month",
        share_delta,
        true,
        spark(&share),
    );
    let ratio = |t: &crate::figures::trend::TrendPoint| {
        t.expenses
            .filter(|_| t.revenue != 0.0)
            .map(|e| e / t.revenue)
    };
    let ratio_delta = get("expense_ratio", "month")
        .zip(prev.and_then(ratio))
        .map(|(a, b)| a - b);
    push("expense_ratio", "month", ratio_delta, true, spark(&ratio));
    // The work plan's seed KPIs, where their tables exist (no monthly series to draw).
    for kpi in ["inquiry_conversion", "response_sla", "follow_up_coverage"] {
        if m.kpis.contains_key(kpi) {
            push(kpi, "month", None, true, Vec::new());
        }
    }
    // A tile shows a figure the data has: without targets, a roster or expenses, the
    // story is revenue, orders, customers and growth instead.
    let wanted = out.len();
    let mut out: Vec<Tile> = out.into_iter().filter(|t| t.value.v.is_some()).collect();
    let fallbacks = [
        ("yoy_growth", "month"),
        ("orders", "month"),
        ("aov", "month"),
        ("active_customers", "month"),
        ("gross_margin", "month"),
        ("revenue", "ytd"),
    ];
    for (figure, period) in fallbacks {
        if out.len() >= wanted.max(6) {
            break;
        }
        let v = get(figure, period);
        if v.is_none() || out.iter().any(|t| t.figure == figure && t.period == period) {
            continue;
        }
        let kind = kind_of(figure);
        let series = match figure {
            "active_customers" => spark(&|t| Some(t.active_customers)),
            "revenue" => spark(&|t| Some(t.revenue)),
            _ => Vec::new(),
        };
        out.push(Tile {
            figure: figure.into(),
            period: period.into(),
            value: Val {
                v,
                s: f.format(kind, v),
            },
            delta: None,
            delta_negative: false,
            status: status(figure, period),
            spark: series,
        });
    }
    out
}

fn matrix(m: &Metrics, f: &Formatter, blank: &str) -> MatrixView {
    let label = |k: &Option<String>| k.clone().unwrap_or_else(|| blank.to_string());
    // Regions and lines in the order of the breakdowns (by revenue).
    let order = |dim: &str| -> Vec<String> {
        m.by.get(dim)
            .map(|rows| rows.iter().map(|b| label(&b.key)).collect())
            .unwrap_or_default()
    };
    let regions: Vec<String> = order("region").into_iter().take(TOP_N).collect();
    let lines: Vec<String> = order("product_line").into_iter().take(TOP_N).collect();
    let mut cells = vec![vec![None; lines.len()]; regions.len()];
    let mut has_attainment = false;
    for c in &m.matrix {
        let (Some(r), Some(l)) = (
            regions.iter().position(|x| *x == label(&c.region)),
            lines.iter().position(|x| *x == label(&c.product_line)),
        ) else {
            continue;
        };
        let share = c.share.get("ytd").copied().flatten().unwrap_or(0.0);
        let attainment = c.attainment.get("ytd").copied().flatten();
        has_attainment |= attainment.is_some();
        cells[r][l] = Some(MatrixCellView {
            share,
            share_s: f.pct(share),
            revenue_s: f.money(c.revenue.get("ytd").copied().flatten().unwrap_or(0.0)),
            attainment,
            attainment_s: f.format(Kind::Ratio, attainment),
        });
    }
    MatrixView {
        regions,
        lines,
        cells,
        has_attainment,
    }
}

fn gaps(m: &Metrics, f: &Formatter, blank: &str) -> Vec<Gap> {
    let progress = m
        .kpis
        .get("time_progress")
        .and_then(|t| t.get("ytd"))
        .copied()
        .flatten()
        .unwrap_or(1.0);
    let mut out: Vec<Gap> =
        m.by.get("region")
            .into_iter()
            .flatten()
            .filter_map(|b| {
                let c = b
                    .figures
                    .get("annual_completion")?
                    .get("ytd")
                    .copied()
                    .flatten()?;
                let a = b
                    .figures
                    .get("attainment")
                    .and_then(|x| x.get("ytd"))
                    .copied()
                    .flatten();
                Some(Gap {
                    key: b.key.clone().unwrap_or_else(|| blank.to_string()),
                    completion: Val {
                        v: Some(c),
                        s: f.pct(c),
                    },
                    gap: c - progress,
                    gap_s: f.points(c - progress),
                    attainment_ytd: Val {
                        v: a,
                        s: f.format(Kind::Ratio, a),
                    },
                })
            })
            .collect();
    out.sort_by(|a, b| a.gap.total_cmp(&b.gap));
    out
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
