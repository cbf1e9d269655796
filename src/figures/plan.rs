//! The plan ahead (执行计划, SPEC §4 part 4): the remaining annual target split over the
//! remaining months by last year's monthly shares (evenly without that history), by region
//! in proportion to their annual targets, and next month's target by ISO week in
//! proportion to working days (Monday to Friday).

use chrono::{Datelike, Weekday};
use serde::Serialize;

use super::periods::Periods;
use crate::types::Month;

/// One month of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlanMonth {
    pub month: Month,
    /// Share of the remaining target.
    pub share: f64,
    pub target: f64,
}

/// One region's part of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlanRegion {
    pub key: String,
    pub annual_target: f64,
    /// Share of the regions' annual targets.
    pub share: f64,
    pub remaining: f64,
    pub months: Vec<PlanMonth>,
}

/// One ISO week of next month.
#[derive(Debug, Clone, Serialize)]
pub struct PlanWeek {
    /// `2026-W45`.
    pub week: String,
    pub start: String,
    pub end: String,
    pub working_days: u32,
    pub target: f64,
}

/// Next month by week.
#[derive(Debug, Clone, Serialize)]
pub struct NextMonth {
    pub month: Month,
    pub target: f64,
    pub weeks: Vec<PlanWeek>,
}

/// `metrics.json` `plan`.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// `last_year` (seasonality) or `even`.
    pub basis: &'static str,
    /// Annual target less year-to-date revenue, not below zero.
    pub remaining: f64,
    pub months: Vec<PlanMonth>,
    pub regions: Vec<PlanRegion>,
    pub next_month: Option<NextMonth>,
}

/// Builds the plan. `last_year(m)` gives the revenue of month `m` when the data covers
/// it; `regions` are (key, annual target).
pub fn plan(
    p: &Periods,
    annual_target: f64,
    ytd_revenue: f64,
    last_year: impl Fn(Month) -> Option<f64>,
    regions: &[(String, f64)],
) -> Plan {
    let remaining = (annual_target - ytd_revenue).max(0.0);
    let months: Vec<Month> = (1..=p.report.months_left_in_year() as i32)
        .map(|i| p.report.plus(i))
        .collect();
    let history: Option<Vec<f64>> = months.iter().map(|m| last_year(m.plus(-12))).collect();
    let (basis, weights) = match history {
        Some(h) if h.iter().sum::<f64>() > 0.0 && h.iter().all(|v| *v >= 0.0) => ("last_year", h),
        _ => ("even", vec![1.0; months.len()]),
    };
    let total: f64 = weights.iter().sum();
    let split = |amount: f64| -> Vec<PlanMonth> {
        months
            .iter()
            .zip(&weights)
            .map(|(m, w)| {
                let share = if total > 0.0 { w / total } else { 0.0 };
                PlanMonth {
                    month: *m,
                    share,
                    target: amount * share,
                }
            })
            .collect()
    };
    let planned = split(remaining);
    let all_regions: f64 = regions.iter().map(|(_, t)| t).sum();
    let regions = regions
        .iter()
        .map(|(key, t)| {
            let share = if all_regions > 0.0 {
                t / all_regions
            } else {
                0.0
            };
            PlanRegion {
                key: key.clone(),
                annual_target: *t,
                share,
                remaining: remaining * share,
                months: split(remaining * share),
            }
        })
        .collect();
    let next_month = planned.first().map(|m| NextMonth {
        month: m.month,
        target: m.target,
        weeks: weeks(m.month, m.target),
    });
    Plan {
        basis,
        remaining,
        months: planned,
        regions,
        next_month,
    }
}

/// A month's target by ISO week, in proportion to the working days of the week that fall in
/// the month.
pub fn weeks(month: Month, target: f64) -> Vec<PlanWeek> {
    let mut out: Vec<(chrono::IsoWeek, chrono::NaiveDate, chrono::NaiveDate, u32)> = Vec::new();
    let mut day = month.start();
    while day <= month.end() {
        let working = !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) as u32;
        match out.last_mut() {
            Some((w, _, end, n)) if *w == day.iso_week() => {
                *end = day;
                *n += working;
            }
            _ => out.push((day.iso_week(), day, day, working)),
        }
        day = day.succ_opt().expect("a next day");
    }
    let total: u32 = out.iter().map(|w| w.3).sum();
    out.into_iter()
        .filter(|w| w.3 > 0)
        .map(|(w, start, end, n)| PlanWeek {
            week: format!("{}-W{:02}", w.year(), w.week()),
            start: start.to_string(),
            end: end.to_string(),
            working_days: n,
            target: if total > 0 {
                target * n as f64 / total as f64
            } else {
                0.0
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_split_by_working_days() {
        // November 2026: Sun 1st … Mon 30th; 21 working days.
        let w = weeks("2026-11".parse().unwrap(), 2100.0);
        assert_eq!(w.first().unwrap().week, "2026-W45");
        assert_eq!(w.first().unwrap().start, "2026-11-02");
        let days: u32 = w.iter().map(|x| x.working_days).sum();
        assert_eq!(days, 21);
        assert_eq!(w[0].working_days, 5);
        assert!((w[0].target - 500.0).abs() < 1e-9);
        // The last week holds only Monday the 30th.
        assert_eq!(
            (
                w.last().unwrap().week.as_str(),
                w.last().unwrap().working_days
            ),
            ("2026-W49", 1)
        );
        assert!((w.iter().map(|x| x.target).sum::<f64>() - 2100.0).abs() < 1e-9);
    }

    #[test]
    fn remaining_target_follows_last_years_shape() {
        let p = Periods::new("2026-10".parse().unwrap());
        let last = |m: Month| {
            Some(match m.month {
                11 => 100.0,
                12 => 300.0,
                _ => 0.0,
            })
        };
        let plan = plan(
            &p,
            1000.0,
            600.0,
            last,
            &[("A".into(), 600.0), ("B".into(), 200.0)],
        );
        assert_eq!(plan.basis, "last_year");
        assert_eq!(plan.remaining, 400.0);
        assert_eq!(
            plan.months.iter().map(|m| m.target).collect::<Vec<_>>(),
            [100.0, 300.0]
        );
        assert_eq!(plan.regions[0].remaining, 300.0);
        assert_eq!(plan.regions[1].months[1].target, 75.0);
        assert_eq!(
            plan.next_month.as_ref().unwrap().month.to_string(),
            "2026-11"
        );
    }

    #[test]
    fn without_history_the_split_is_even() {
        let p = Periods::new("2026-09".parse().unwrap());
        let plan = plan(&p, 900.0, 600.0, |_| None, &[]);
        assert_eq!(plan.basis, "even");
        assert_eq!(
            plan.months.iter().map(|m| m.target).collect::<Vec<_>>(),
            [100.0, 100.0, 100.0]
        );
        // Ahead of target: nothing remains.
        let plan = super::plan(&p, 500.0, 600.0, |_| None, &[]);
        assert_eq!(plan.remaining, 0.0);
    }
}
