//! Threshold checks (SPEC §3): every figure with a threshold, compared with it, as a
//! traffic light. Attainment has an amber band; the other thresholds are met or not.

use indexmap::IndexMap;
use serde::Serialize;

use super::{Breakdown, Figures};
use crate::config::Thresholds;

/// Whether a figure must stay above (`min`) or below (`max`) its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Min,
    Max,
}

/// Traffic light.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Green,
    Amber,
    Red,
}

/// One threshold check.
#[derive(Debug, Clone, Serialize)]
pub struct Alert {
    pub kpi: &'static str,
    pub period: &'static str,
    /// `region` for a region's check; absent for the totals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dimension: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub value: f64,
    pub threshold: f64,
    pub direction: Direction,
    pub status: Status,
}

/// A threshold: the green bound, an optional amber bound, and the direction.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub kpi: &'static str,
    pub green: f64,
    pub amber: Option<f64>,
    pub direction: Direction,
}

impl Rule {
    /// The light for `value`. Meeting the threshold exactly is green.
    pub fn status(&self, value: f64) -> Status {
        let meets = |bound: f64| match self.direction {
            Direction::Min => value >= bound,
            Direction::Max => value <= bound,
        };
        if meets(self.green) {
            Status::Green
        } else if self.amber.is_some_and(meets) {
            Status::Amber
        } else {
            Status::Red
        }
    }
}

/// The rules for the figures computed so far.
pub fn rules(t: &Thresholds) -> Vec<Rule> {
    vec![
        Rule {
            kpi: "attainment",
            green: t.attainment_green,
            amber: Some(t.attainment_amber),
            direction: Direction::Min,
        },
        Rule {
            kpi: "expense_ratio",
            green: t.expense_ratio_max,
            amber: None,
            direction: Direction::Max,
        },
        Rule {
            kpi: "new_customer_revenue_share",
            green: t.new_customer_revenue_share_min,
            amber: None,
            direction: Direction::Min,
        },
        Rule {
            kpi: "inquiry_conversion",
            green: t.inquiry_conversion_min,
            amber: None,
            direction: Direction::Min,
        },
        Rule {
            kpi: "response_sla",
            green: t.response_sla_min,
            amber: None,
            direction: Direction::Min,
        },
        Rule {
            kpi: "follow_up_coverage",
            green: t.follow_up_coverage_min,
            amber: None,
            direction: Direction::Min,
        },
        Rule {
            kpi: "inventory_days",
            green: t.inventory_days_min,
            amber: None,
            direction: Direction::Min,
        },
    ]
}

/// Checks the totals for every period; each region's attainment, expense ratio and
/// inquiry conversion; each product line's inventory cover.
pub fn evaluate(
    kpis: &Figures,
    by: &IndexMap<&'static str, Vec<Breakdown>>,
    t: &Thresholds,
) -> Vec<Alert> {
    let rules = rules(t);
    let mut out = Vec::new();
    let mut check =
        |figures: &Figures, dimension: Option<&'static str>, key: Option<String>, only: &[&str]| {
            for rule in &rules {
                if !only.is_empty() && !only.contains(&rule.kpi) {
                    continue;
                }
                let Some(fig) = figures.get(rule.kpi) else {
                    continue;
                };
                for (period, value) in fig {
                    let Some(value) = *value else { continue };
                    out.push(Alert {
                        kpi: rule.kpi,
                        period,
                        dimension,
                        key: key.clone(),
                        value,
                        threshold: rule.green,
                        direction: rule.direction,
                        status: rule.status(value),
                    });
                }
            }
        };
    check(kpis, None, None, &[]);
    if let Some(regions) = by.get("region") {
        for r in regions {
            if let Some(key) = &r.key {
                check(
                    &r.figures,
                    Some("region"),
                    Some(key.clone()),
                    &["attainment", "expense_ratio", "inquiry_conversion"],
                );
            }
        }
    }
    if let Some(lines) = by.get("product_line") {
        for r in lines {
            if let Some(key) = &r.key {
                check(
                    &r.figures,
                    Some("product_line"),
                    Some(key.clone()),
                    &["inventory_days"],
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attainment_lights_at_and_around_the_bounds() {
        let r = rules(&Thresholds::default())[0];
        assert_eq!(r.status(1.0), Status::Green);
        assert_eq!(r.status(1.2), Status::Green);
        assert_eq!(r.status(0.9999), Status::Amber);
        assert_eq!(r.status(0.9), Status::Amber);
        assert_eq!(r.status(0.8999), Status::Red);
    }

    #[test]
    fn expense_ratio_is_a_cap() {
        let r = rules(&Thresholds::default())[1];
        assert_eq!(r.status(0.08), Status::Green);
        assert_eq!(r.status(0.0801), Status::Red);
        assert_eq!(r.status(0.05), Status::Green);
    }

    #[test]
    fn the_work_plans_floors() {
        let t = Thresholds::default();
        let rule = |kpi: &str| *rules(&t).iter().find(|r| r.kpi == kpi).unwrap();
        for (kpi, at, above, below) in [
            ("inquiry_conversion", 0.15, 0.1501, 0.1499),
            ("response_sla", 1.0, 1.0, 0.999),
            ("follow_up_coverage", 1.0, 1.0, 0.9999),
            ("inventory_days", 45.0, 45.01, 44.99),
        ] {
            let r = rule(kpi);
            assert_eq!(r.status(at), Status::Green, "{kpi} at");
            assert_eq!(r.status(above), Status::Green, "{kpi} above");
            assert_eq!(r.status(below), Status::Red, "{kpi} below");
        }
    }

    #[test]
    fn new_customer_share_is_a_floor() {
        let r = rules(&Thresholds::default())[2];
        assert_eq!(r.status(0.30), Status::Green);
        assert_eq!(r.status(0.2999), Status::Red);
    }
}
