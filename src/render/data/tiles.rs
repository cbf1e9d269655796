//! The executive summary's tiles.

use super::{Tile, Val};
use crate::figures::Metrics;
use crate::render::format::{kind_of, Formatter};

/// The executive summary's tiles: value, change against last month, light, sparkline.
pub(super) fn tiles(m: &Metrics, f: &Formatter) -> Vec<Tile> {
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
