//! Reading aggregated frames back into Rust: one row per key, numbers by column name.
//! These loops run over groups (regions, reps), never over data rows.

use std::collections::HashMap;

use polars::prelude::*;

use crate::error::Result;

/// A breakdown key: a region, product line, segment or rep; `None` for rows whose value
/// was blank. The totals use the key `Some("")`.
pub type Key = Option<String>;

/// The key of the totals row.
pub fn total_key() -> Key {
    Some(String::new())
}

/// Numbers of one group, by column name.
#[derive(Debug, Clone, Default)]
pub struct Values(HashMap<String, Option<f64>>);

impl Values {
    /// A value; missing columns and nulls are `None`.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.0.get(name).copied().flatten()
    }

    /// The sum or count `<prefix>_<period>` (e.g. `rev_qtd`), 0 when missing.
    pub fn of(&self, prefix: &str, period: &str) -> f64 {
        self.num(&format!("{prefix}_{period}"))
    }

    /// Every value, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Option<f64>)> {
        self.0.iter().map(|(n, v)| (n.as_str(), *v))
    }

    /// Sets a value.
    pub fn set(&mut self, name: &str, v: Option<f64>) {
        self.0.insert(name.to_string(), v);
    }

    /// A value, 0 when missing (sums and counts over no rows).
    pub fn num(&self, name: &str) -> f64 {
        self.get(name).unwrap_or(0.0)
    }
}

/// Every row of `df` keyed by its `key` column, every other column read as f64.
pub fn by_key(df: &DataFrame) -> Result<HashMap<Key, Values>> {
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
    let mut out = HashMap::with_capacity(df.height());
    for i in 0..df.height() {
        let mut v = HashMap::with_capacity(numeric.len());
        for (name, ca) in &numeric {
            v.insert(name.clone(), ca.get(i).filter(|x| x.is_finite()));
        }
        out.insert(keys.get(i).map(str::to_string), Values(v));
    }
    Ok(out)
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
