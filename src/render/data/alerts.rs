//! Alerts as printed, their counts, the thresholds in words and numbers, and the gap
//! between the year's completion and the time elapsed.

use indexmap::IndexMap;

use super::{AlertView, Val};
use crate::config::Thresholds;
use crate::figures::alerts::{Alert, Status};
use crate::figures::Metrics;
use crate::render::format::{kind_of, Formatter, Kind};

/// The red and amber alerts, worst first (at most 40), and the count of each status.
pub(super) fn alerts(m: &Metrics, f: &Formatter) -> (Vec<AlertView>, IndexMap<String, usize>) {
    let status_name = |s: Status| match s {
        Status::Green => "green",
        Status::Amber => "amber",
        Status::Red => "red",
    };
    let mut alerts: Vec<&Alert> = m.alerts.iter().collect();
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

    (alerts, alert_counts)
}

/// The thresholds as printed, and as numbers for reference lines in charts.
pub(super) fn thresholds(
    f: &Formatter,
    thresholds: &Thresholds,
) -> (IndexMap<String, String>, IndexMap<String, f64>) {
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
    (th, threshold_values)
}

/// Share of the annual target done minus time elapsed.
pub(super) fn progress_gap(m: &Metrics, f: &Formatter) -> Option<Val> {
    let get = |fig: &str, p: &str| m.kpis.get(fig).and_then(|x| x.get(p)).copied().flatten();
    get("annual_completion", "ytd")
        .zip(get("time_progress", "ytd"))
        .map(|(c, t)| {
            let gap = c - t;
            Val {
                v: Some(gap),
                s: f.points(gap.abs()).trim_start_matches('+').to_string(),
            }
        })
}
