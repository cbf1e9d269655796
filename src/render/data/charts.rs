//! The charts' series: the monthly trend with its scale, the region × product line
//! matrix, and the gaps to target.

use super::{
    month_label, nice_ceiling, Gap, MatrixCellView, MatrixView, Tick, TrendView, Val, TOP_N,
};
use crate::figures::Metrics;
use crate::render::format::{Formatter, Kind};

/// The trend: bars scaled to a round maximum with four ticks.
pub(super) fn trend(m: &Metrics, f: &Formatter) -> (Vec<TrendView>, Vec<Tick>, f64) {
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

    (trend, trend_ticks, trend_max)
}

pub(super) fn matrix(m: &Metrics, f: &Formatter, blank: &str) -> MatrixView {
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

pub(super) fn gaps(m: &Metrics, f: &Formatter, blank: &str) -> Vec<Gap> {
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
