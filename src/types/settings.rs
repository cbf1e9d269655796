//! Settings that more than one stage reads: the limits on input files (ingest), how dates
//! written `a/b/yyyy` are read (config, ingest), how money is scaled (config, render).

/// Limits on what one input file may make the run allocate (SPEC §2).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Cells in one sheet's used range.
    pub max_cells: u64,
    /// Bytes one archive entry (or a csv file) may expand to.
    pub max_entry_bytes: u64,
    /// How many times its compressed size an entry may expand to.
    pub max_entry_ratio: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_cells: 50_000_000,
            max_entry_bytes: 1 << 30,
            max_entry_ratio: 200.0,
        }
    }
}

/// How a date written `a/b/yyyy` (or `a-b-yyyy`) is read: which of `a` and `b` is the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// Refused: the order is unknown.
    Strict,
    /// `08/13/2026`, as US systems write it.
    MonthFirst,
    /// `13/08/2026`, as European and many Asian systems write it.
    DayFirst,
    /// Read month first for now, counting the evidence in the evidence of `ingest::coerce` so that the
    /// column's order is settled from its values (a part over 12) once it is read.
    Infer,
}

/// How money is scaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyUnit {
    /// 万/亿 (K/M/B in English) for large amounts.
    Auto,
    /// Always the full amount.
    Full,
}
