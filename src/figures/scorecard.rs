//! The balanced scorecard per rep (SPEC §4 part 2): year-to-date revenue attainment,
//! collection rate and NPS of the rep's customers, and visits per head, each scored 0–100
//! and weighted as `[scorecard]` in salesplan.toml says. A component a rep has no data for
//! is left out and the weights of the others are scaled up.
//!
//! Scores: attainment `min(a, 1.2) / 1.2 × 100`; collection `min(c, 1) × 100`; NPS
//! `(nps + 100) / 2`; visits relative to the rep with the most (`v / max × 100`).
//! A rep's customers are those who bought from them in the year to date.

use std::collections::HashMap;

use polars::prelude::*;
use serde::Serialize;

use super::frame::{left_join, ratio};
use super::periods::Periods;
use super::sums::Key;
use super::{finance, service, Breakdown};
use crate::config::ScorecardWeights;
use crate::error::Result;

/// One rep's scorecard.
#[derive(Debug, Clone, Serialize)]
pub struct ScorecardRow {
    pub rep_id: String,
    pub name: Option<String>,
    pub attainment: Option<f64>,
    pub collection_rate: Option<f64>,
    pub nps: Option<f64>,
    pub visits_per_rep: Option<f64>,
    /// The weighted score, 0–100.
    pub score: Option<f64>,
    pub rank: usize,
}

/// Per rep: sums of a table joined to the rep's customers (rep × customer pairs of the
/// year to date).
fn via_customers<T>(
    pairs: &LazyFrame,
    table: LazyFrame,
    sums: impl Fn(LazyFrame) -> Result<HashMap<Key, T>>,
) -> Result<HashMap<Key, T>> {
    let joined = pairs.clone().join(
        table,
        [col("customer_id")],
        [col("customer_id")],
        left_join(),
    );
    sums(joined.with_column(col("rep_id").alias("key")))
}

/// The scorecard of every rep in `reps` (the `by.rep_id` breakdown). `pairs` are the
/// reps' customers: `rep_id`, `customer_id` pairs with orders in the year to date.
pub fn scorecard(
    reps: &[Breakdown],
    pairs: DataFrame,
    nps: Option<&DataFrame>,
    receivables: Option<&DataFrame>,
    p: &Periods,
    weights: &ScorecardWeights,
) -> Result<Vec<ScorecardRow>> {
    let pairs = pairs.lazy();
    let nps_by_rep = match nps {
        Some(n) => Some(via_customers(&pairs, n.clone().lazy(), |f| {
            service::nps_sums(f.filter(col("score").is_not_null()), p)
        })?),
        None => None,
    };
    let collection_by_rep = match receivables {
        Some(r) => Some(via_customers(&pairs, r.clone().lazy(), |f| {
            finance::collection_sums(f.filter(col("amount").is_not_null()), p)
        })?),
        None => None,
    };
    let figure = |b: &Breakdown, name: &str| {
        b.figures
            .get(name)
            .and_then(|f| f.get("ytd"))
            .copied()
            .flatten()
    };
    let mut rows: Vec<ScorecardRow> = reps
        .iter()
        .filter_map(|b| {
            let key = b.key.clone()?;
            let k = Some(key.clone());
            const YTD: usize = 2;
            let nps = nps_by_rep.as_ref().and_then(|m| m.get(&k)).and_then(|v| {
                let n = v.responses[YTD];
                (n > 0.0).then(|| (v.promoters[YTD] - v.detractors[YTD]) / n * 100.0)
            });
            let collection = collection_by_rep
                .as_ref()
                .and_then(|m| m.get(&k))
                .and_then(|v| ratio(Some(v.collected[YTD]), Some(v.due[YTD])));
            Some(ScorecardRow {
                rep_id: key,
                name: b.name.clone(),
                attainment: figure(b, "attainment"),
                collection_rate: collection,
                nps,
                visits_per_rep: figure(b, "visits_per_rep"),
                score: None,
                rank: 0,
            })
        })
        .collect();
    let max_visits = rows
        .iter()
        .filter_map(|r| r.visits_per_rep)
        .fold(0.0_f64, f64::max);
    for r in &mut rows {
        let parts = [
            (
                weights.attainment,
                r.attainment.map(|a| a.clamp(0.0, 1.2) / 1.2 * 100.0),
            ),
            (
                weights.collection,
                r.collection_rate.map(|c| c.clamp(0.0, 1.0) * 100.0),
            ),
            (weights.nps, r.nps.map(|n| (n + 100.0) / 2.0)),
            (
                weights.visits,
                r.visits_per_rep
                    .filter(|_| max_visits > 0.0)
                    .map(|v| v / max_visits * 100.0),
            ),
        ];
        let (sum, w) = parts
            .iter()
            .filter_map(|(w, s)| s.map(|s| (w * s, *w)))
            .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
        r.score = (w > 0.0).then(|| sum / w);
    }
    rows.sort_by(|a, b| {
        b.score
            .unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&a.score.unwrap_or(f64::NEG_INFINITY))
            .then(a.rep_id.cmp(&b.rep_id))
    });
    for (i, r) in rows.iter_mut().enumerate() {
        r.rank = i + 1;
    }
    Ok(rows)
}
