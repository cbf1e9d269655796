//! Reading aggregated frames back into Rust: one row per key, numbers by column name.
//! These loops run over groups (regions, reps), never over data rows.

use std::collections::HashMap;

use polars::prelude::*;

use super::periods::REPORTED;
use super::sums::{Key, PerPeriod};
use crate::error::Result;

/// One row of a frame of per-key sums, read back by the column names the function that
/// built the frame gave them (missing columns and non-finite values are `None`).
pub struct Row<'a> {
    columns: &'a [(String, Float64Chunked)],
    i: usize,
}

impl Row<'_> {
    /// A value.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.columns
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, c)| c.get(self.i))
            .filter(|x| x.is_finite())
    }

    /// A sum or count, 0 when missing (sums over no rows).
    pub fn num(&self, name: &str) -> f64 {
        self.get(name).unwrap_or(0.0)
    }

    /// `<prefix>_<period>` for each reported period.
    pub fn periods(&self, prefix: &str) -> PerPeriod {
        REPORTED.map(|n| self.num(&format!("{prefix}_{n}")))
    }

    /// `<prefix>_<period>` for each reported period, `None` where missing.
    pub fn periods_opt(&self, prefix: &str) -> PerPeriod<Option<f64>> {
        REPORTED.map(|n| self.get(&format!("{prefix}_{n}")))
    }
}

/// Every row of `df` keyed by its `key` column, read by `read` (every other column as
/// f64).
pub fn read_by_key<T>(df: &DataFrame, read: impl Fn(&Row) -> T) -> Result<HashMap<Key, T>> {
    let keys = df.column("key")?.cast(&DataType::String)?;
    let keys = keys.str()?;
    let mut numeric = Vec::new();
    for c in df.columns() {
        if c.name().as_str() == "key" {
            continue;
        }
        let f = c.cast(&DataType::Float64)?;
        numeric.push((c.name().to_string(), f.f64()?.clone()));
    }
    Ok((0..df.height())
        .map(|i| {
            let row = Row {
                columns: &numeric,
                i,
            };
            (keys.get(i).map(str::to_string), read(&row))
        })
        .collect())
}

/// A left join that keeps the left frame's row order, so that sums taken after it add
/// in the same order on every run (reruns must be byte-identical).
pub fn left_join() -> JoinArgs {
    let mut args = JoinArgs::new(JoinType::Left);
    args.maintain_order = MaintainOrderJoin::Left;
    args
}

/// `a / b`, or `None` when `b` is zero or either is missing.
pub fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b != 0.0 => Some(a / b),
        _ => None,
    }
}
