//! What ingest saw, as the data-quality account reports it (SPEC §3 `data_quality`): counts
//! per table, rejected cells, ignored sheets, how each sheet was understood, and the
//! findings the figures add to it ([`Finding`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::Serialize;

use super::TableKind;

/// A cell that could not be coerced, and so a row left out.
#[derive(Debug, Clone, Serialize)]
pub struct Rejection {
    pub file: String,
    pub sheet: String,
    /// 1-based, as Excel shows it.
    pub row: u32,
    /// Column letter and header, e.g. `D (金额)`.
    pub column: String,
    /// The canonical column.
    pub field: &'static str,
    pub expected: &'static str,
    pub found: String,
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}, sheet {:?}, row {}, column {}: expected {} for {}, found {}",
            self.file, self.sheet, self.row, self.column, self.expected, self.field, self.found
        )
    }
}

/// Counts for one table (SPEC §3 `data_quality.tables`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct TableQuality {
    /// Files that held the table.
    pub files: usize,
    /// Non-empty rows below the header.
    pub rows_read: usize,
    /// Rows that entered the figures.
    pub rows_used: usize,
    /// Rows left out for a value that could not be read.
    pub rows_rejected: usize,
    /// Totals rows skipped.
    pub totals_rows: usize,
    /// Orders rows left out as cancelled (counted in `rows_read`, not in `rows_used`).
    #[serde(skip_serializing_if = "is_zero")]
    pub cancelled_rows: usize,
    #[serde(skip)]
    pub(crate) file_set: BTreeSet<PathBuf>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A sheet that was not read as any table, and why.
#[derive(Debug, Clone, Serialize)]
pub struct IgnoredSheet {
    pub file: String,
    /// The file below the input folder.
    #[serde(skip)]
    pub relative: Option<String>,
    pub sheet: String,
    pub reason: String,
}

/// How one sheet was understood: its table and which header gave each column
/// (`check` prints it; `check --write-config` writes it as `[[sheets]]`).
#[derive(Debug, Clone, Serialize)]
pub struct SheetMapping {
    pub file: String,
    /// The file below the input folder, as `[[sheets]] file` names it.
    #[serde(skip)]
    pub relative: String,
    pub sheet: String,
    pub table: &'static str,
    /// 1-based, as Excel shows it.
    pub header_row: u32,
    /// `name` (the sheet's name or salesplan.toml) or `header` (its columns).
    pub by: &'static str,
    /// `field ← header` for every column used, with the choices made.
    pub columns: Vec<String>,
    /// Header → field, as `[[sheets]] columns` would pin it.
    #[serde(skip)]
    pub pinned: Vec<(String, String)>,
    /// A wide sheet's year, when it came from outside the sheet.
    #[serde(skip)]
    pub year: Option<i32>,
    /// Whether the sheet has periods as columns (its header is found again each run).
    #[serde(skip)]
    pub wide: bool,
}

/// How the orders sheets identify orders and customers (SPEC §2: optional keys).
#[derive(Debug, Clone, Copy, Default)]
pub struct OrderKeys {
    /// Orders lines read (cancelled ones included).
    pub lines: usize,
    /// Of them, lines with no customer key: customer figures are null.
    pub without_customer: usize,
    /// Lines with no order id: each is one order.
    pub lines_as_orders: usize,
    /// Lines that are monthly sums: order and customer counts are null.
    pub aggregated: usize,
}

/// What ingest saw, for the data-quality report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DataQuality {
    pub tables: BTreeMap<String, TableQuality>,
    pub ignored_sheets: Vec<IgnoredSheet>,
    /// Each sheet read, its table and its columns as understood.
    pub sheets: Vec<SheetMapping>,
    /// Input files read, relative to the input folder.
    pub files: Vec<String>,
}

/// A warning about data that reads but looks wrong.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// `volume_change`, `after_report_month`, `future_dates`, `duplicate_lines`,
    /// `unknown_customers`.
    pub kind: &'static str,
    pub table: &'static str,
    pub count: usize,
    /// The finding in English, for the terminal and logs.
    pub message: String,
    /// The values the message names, for the documents' own wording.
    pub details: std::collections::BTreeMap<&'static str, String>,
}

impl DataQuality {
    /// The counts of table `t`, made on first use.
    pub fn table(&mut self, t: TableKind) -> &mut TableQuality {
        // Called for every row: the key is allocated only the first time.
        if !self.tables.contains_key(t.name()) {
            self.tables
                .insert(t.name().to_string(), TableQuality::default());
        }
        self.tables.get_mut(t.name()).expect("inserted above")
    }

    /// Rows read over every table.
    pub fn rows_read(&self) -> usize {
        self.tables.values().map(|t| t.rows_read).sum()
    }

    /// Rows rejected over every table.
    pub fn rows_rejected(&self) -> usize {
        self.tables.values().map(|t| t.rows_rejected).sum()
    }
}
