//! The work plan's own KPIs from the CRM tables (SPEC §3, second list): inquiry
//! conversion and the funnel (leads), NPS (survey), response SLA (tickets), follow-up
//! coverage and visits (follow-ups). Sums per key come from polars; ratios are computed
//! on the few numbers per key.

use polars::prelude::*;

use std::collections::HashMap;

use super::frame::read_by_key;
use super::periods::{Periods, Span, REPORTED};
use super::sums::{Key, LeadSums, NpsSums, PerPeriod, TicketSums};
use crate::error::Result;

/// Milliseconds since 1970 at the start of a day, as Datetime(ms) columns store them.
fn ms(d: chrono::NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
        .timestamp_millis()
}

/// Whether the datetime column `name` lies in `span` (from its first midnight to the
/// midnight after its last day).
pub fn contains_datetime(span: Span, name: &str) -> Expr {
    let c = col(name).cast(DataType::Int64);
    c.clone()
        .gt_eq(lit(ms(span.start())))
        .and(c.lt(lit(ms(span.end()) + 86_400_000)))
}

/// A lead's furthest stage as its position in the configured order.
pub fn stage_rank(stages: &[String]) -> Expr {
    let mut e: Option<Then> = None;
    let mut chained: Option<ChainedThen> = None;
    for (i, s) in stages.iter().enumerate() {
        let cond = col("stage").eq(lit(s.clone()));
        let value = lit(i as i32);
        match (e.take(), chained.take()) {
            (None, None) => e = Some(when(cond).then(value)),
            (Some(t), None) => chained = Some(t.when(cond).then(value)),
            (_, Some(c)) => chained = Some(c.when(cond).then(value)),
        }
    }
    match (e, chained) {
        (_, Some(c)) => c.otherwise(lit(NULL).cast(DataType::Int32)),
        (Some(t), None) => t.otherwise(lit(NULL).cast(DataType::Int32)),
        (None, None) => lit(NULL).cast(DataType::Int32),
    }
    .alias("stage_rank")
}

/// Per key: leads created in the period, won (status won, or at the last stage) and at or
/// past each stage (by their furthest stage). `leads` carries `key`.
pub fn lead_sums(
    leads: LazyFrame,
    p: &Periods,
    stages: &[String],
) -> Result<HashMap<Key, LeadSums>> {
    let last = stages.len().saturating_sub(1) as i32;
    let won = col("status")
        .eq(lit("won"))
        .fill_null(lit(false))
        .or(col("stage_rank").eq(lit(last)));
    let mut aggs = Vec::new();
    for name in REPORTED {
        let inside = p.get(name).contains("created_date");
        let count = |e: Expr| e.cast(DataType::Float64).sum();
        aggs.push(count(inside.clone()).alias(format!("leads_{name}")));
        aggs.push(count(inside.clone().and(won.clone())).alias(format!("won_{name}")));
        for k in 0..stages.len() {
            aggs.push(
                count(inside.clone().and(col("stage_rank").gt_eq(lit(k as i32))))
                    .alias(format!("stage{k}_{name}")),
            );
        }
    }
    let sums = leads
        .with_column(stage_rank(stages))
        .group_by_stable([col("key")])
        .agg(aggs)
        .collect()?;
    read_by_key(&sums, |r| LeadSums {
        leads: r.periods("leads"),
        won: r.periods("won"),
        stages: (0..stages.len())
            .map(|k| r.periods(&format!("stage{k}")))
            .collect(),
    })
}

/// Per key: responses, promoters (9–10) and detractors (0–6) per period. `nps` carries
/// `key`.
pub fn nps_sums(nps: LazyFrame, p: &Periods) -> Result<HashMap<Key, NpsSums>> {
    let mut aggs = Vec::new();
    for name in REPORTED {
        let inside = p.get(name).contains("date");
        let count = |e: Expr| e.cast(DataType::Float64).sum();
        aggs.push(count(inside.clone()).alias(format!("nps_n_{name}")));
        aggs.push(
            count(inside.clone().and(col("score").gt_eq(lit(9.0))))
                .alias(format!("nps_promoters_{name}")),
        );
        aggs.push(
            count(inside.and(col("score").lt_eq(lit(6.0)))).alias(format!("nps_detractors_{name}")),
        );
    }
    let sums = nps.group_by_stable([col("key")]).agg(aggs).collect()?;
    read_by_key(&sums, |r| NpsSums {
        responses: r.periods("nps_n"),
        promoters: r.periods("nps_promoters"),
        detractors: r.periods("nps_detractors"),
    })
}

/// Per key: tickets answered within `sla_hours`, tickets counted (the denominator: every
/// ticket created in the period but the unanswered ones whose SLA had not yet expired at
/// the midnight after the period), and the median and 90th percentile of the response
/// hours of answered tickets. `tickets` carries `key`.
pub fn ticket_sums(
    tickets: LazyFrame,
    p: &Periods,
    sla_hours: f64,
) -> Result<HashMap<Key, TicketSums>> {
    let hours = ((col("first_response_at").cast(DataType::Int64)
        - col("created_at").cast(DataType::Int64))
    .cast(DataType::Float64)
        / lit(3_600_000.0))
    .alias("response_hours");
    let sla_ms = (sla_hours * 3_600_000.0).round() as i64;
    let mut aggs = Vec::new();
    for name in REPORTED {
        let span = p.get(name);
        let inside = contains_datetime(span, "created_at");
        let answered = col("response_hours").is_not_null();
        let expired = (col("created_at").cast(DataType::Int64) + lit(sla_ms))
            .lt_eq(lit(ms(span.end()) + 86_400_000));
        let within = answered
            .clone()
            .and(col("response_hours").lt_eq(lit(sla_hours)));
        let counted = answered.clone().or(expired);
        let count = |e: Expr| e.cast(DataType::Float64).sum();
        aggs.push(count(inside.clone().and(within)).alias(format!("sla_within_{name}")));
        aggs.push(count(inside.clone().and(counted)).alias(format!("sla_counted_{name}")));
        let answered_hours = col("response_hours").filter(inside.and(answered));
        aggs.push(
            answered_hours
                .clone()
                .median()
                .alias(format!("resp_median_{name}")),
        );
        aggs.push(
            answered_hours
                .quantile(lit(0.9), QuantileMethod::Linear)
                .alias(format!("resp_p90_{name}")),
        );
    }
    let sums = tickets
        .with_column(hours)
        .group_by_stable([col("key")])
        .agg(aggs)
        .collect()?;
    read_by_key(&sums, |r| TicketSums {
        within: r.periods("sla_within"),
        counted: r.periods("sla_counted"),
        median_hours: r.periods_opt("resp_median"),
        p90_hours: r.periods_opt("resp_p90"),
    })
}

/// Per key: follow-up rows that are visits, per period. `follow_ups` carries `key` and
/// `is_visit`.
pub fn visit_sums(follow_ups: LazyFrame, p: &Periods) -> Result<HashMap<Key, PerPeriod>> {
    let aggs: Vec<Expr> = REPORTED
        .iter()
        .map(|name| {
            p.get(name)
                .contains("date")
                .and(col("is_visit"))
                .cast(DataType::Float64)
                .sum()
                .alias(format!("visits_{name}"))
        })
        .collect();
    let sums = follow_ups
        .group_by_stable([col("key")])
        .agg(aggs)
        .collect()?;
    read_by_key(&sums, |r| r.periods("visits"))
}

/// Per customer: `fu_<p>`, whether they had a follow-up dated in the period.
pub fn follow_up_flags(follow_ups: LazyFrame, p: &Periods) -> LazyFrame {
    let aggs: Vec<Expr> = REPORTED
        .iter()
        .map(|name| {
            p.get(name)
                .contains("date")
                .any(true)
                .alias(format!("fu_{name}"))
        })
        .collect();
    follow_ups.group_by_stable([col("customer_id")]).agg(aggs)
}
