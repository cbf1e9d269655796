//! The work plan's sections as printed: funnel, AR aging, scorecard and plan.

use super::{
    month_label, ratio_of, AgingView, FunnelView, PlanRegionView, PlanRowView, PlanView, ScoreView,
    Val,
};
use crate::config::ScorecardWeights;
use crate::figures::Metrics;
use crate::render::format::{Formatter, Kind};

/// The printed sections.
pub(super) struct WorkPlan {
    pub funnel: Vec<FunnelView>,
    pub ar_aging: Vec<AgingView>,
    pub ar_open: Val,
    pub scorecard: Vec<ScoreView>,
    pub scorecard_weights: String,
    pub plan: Option<PlanView>,
}

pub(super) fn work_plan(m: &Metrics, f: &Formatter, weights: &ScorecardWeights) -> WorkPlan {
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

    let scorecard_weights = [
        weights.attainment,
        weights.collection,
        weights.nps,
        weights.visits,
    ]
    .map(|w| f.pct(w / (weights.attainment + weights.collection + weights.nps + weights.visits)))
    .join(" / ");
    WorkPlan {
        funnel,
        ar_aging,
        ar_open,
        scorecard,
        scorecard_weights,
        plan,
    }
}
