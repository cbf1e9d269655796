//! The library's error type. Every variant says where the problem is (file, sheet, row,
//! column) and maps to one of the exit codes of SPEC §1, so a scheduler can act on it.

use std::path::PathBuf;

/// Exit codes for schedulers (SPEC §1).
pub mod exit {
    /// Success.
    pub const OK: i32 = 0;
    /// Success, but alerts at or above `--fail-on`.
    pub const ALERTS: i32 = 1;
    /// Bad input data; nothing written (but the rejected-rows file).
    pub const DATA: i32 = 65;
    /// No input found.
    pub const NO_INPUT: i32 = 66;
    /// Delivery failed (the outputs are written). Wins over [`ALERTS`].
    pub const UNAVAILABLE: i32 = 69;
    /// Internal error.
    pub const SOFTWARE: i32 = 70;
    /// Cannot write output.
    pub const CANT_CREATE: i32 = 73;
    /// Another run holds the lock.
    pub const TEMP_FAIL: i32 = 75;
    /// Bad configuration or template.
    pub const CONFIG: i32 = 78;
}

/// Everything that can stop a run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input folder does not exist or holds no spreadsheet.
    #[error("no input found in {dir} ({why})")]
    NoInput { dir: PathBuf, why: String },

    /// No sheet of any input file was recognised as the required orders table.
    #[error("no orders table found under {dir}{seen}")]
    NoOrders { dir: PathBuf, seen: String },

    /// A file that cannot be read as a spreadsheet, or one past the limits.
    #[error("{file}: {why}")]
    Unreadable { file: PathBuf, why: String },

    /// A file or sheet past a configured limit (cells, expansion, size).
    #[error("{file}{sheet}: {why}")]
    Limit {
        file: PathBuf,
        sheet: String,
        why: String,
    },

    /// A sheet recognised as a table lacks a required column.
    #[error(
        "{file}, sheet {sheet:?}: table {table} is missing required column {column} \
         (header row {row} has: {found})\n  hint: name the column {aliases}, or map it in \
         salesplan.toml under [[sheets]] columns; if the sheet is not that table, this line \
         in salesplan.toml leaves it out: {ignore}"
    )]
    MissingColumn {
        file: PathBuf,
        sheet: String,
        table: &'static str,
        column: &'static str,
        row: u32,
        found: String,
        aliases: String,
        /// The one-line mapping that leaves the sheet out.
        ignore: String,
    },

    /// A date column whose `a/b/yyyy` values read either way and say nothing of their order.
    #[error(
        "{file}, sheet {sheet:?}, column {column}: {count} date(s) such as 03/04/2026 could be \
         day/month or month/day, and no value has a part over 12 to tell\n  hint: add \
         date_order = \"dmy\" (day first) or date_order = \"mdy\" (month first) to salesplan.toml"
    )]
    AmbiguousDates {
        file: PathBuf,
        sheet: String,
        column: String,
        count: usize,
    },

    /// A sheet mapped to a table by name or by configuration, with no header row in reach.
    #[error(
        "{file}, sheet {sheet:?}: no header row for table {table} in the first {rows} rows \
         (expected at least two of: {expected})\n  hint: set header_row for this sheet in \
         salesplan.toml"
    )]
    NoHeader {
        file: PathBuf,
        sheet: String,
        table: &'static str,
        rows: u32,
        expected: String,
    },

    /// Rows that could not be coerced; the run refuses to go on.
    #[error("{count} rejected row(s) in the input (max share {max_share}); see {listing}")]
    Rejected {
        count: usize,
        max_share: f64,
        listing: String,
    },

    /// A template failed to compile: every diagnostic as `file:line:col: error: …`. In the
    /// built-in templates that is salesplan's own bug (exit 70), in edited ones the user's
    /// (exit 78).
    #[error("template error in {origin}:\n{message}\n  hint: {}", if *builtin {
        "this is a bug in salesplan's built-in templates; please report it with the command line and metrics.json of a run that works"
    } else {
        "fix the template, or remove `templates` from salesplan.toml to use the built-in set"
    })]
    Template {
        origin: String,
        message: String,
        builtin: bool,
    },

    /// salesplan.toml (or a command-line value) is wrong.
    #[error("configuration: {0}")]
    Config(String),

    /// An output file or folder could not be written.
    #[error("cannot write {path} ({source})")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },

    /// Another run holds the output folder's lock.
    #[error("another salesplan run holds {path} ({holder}); try again when it has finished")]
    Locked { path: PathBuf, holder: String },

    /// An input file changed while the run read it.
    #[error("{file} changed while it was being read (its SHA-256, size or times differ before and after); nothing was written\n  hint: run again once the export is complete")]
    InputChanged { file: PathBuf },

    /// An error inside salesplan itself (a computation that should not fail).
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// The process exit code for this error (SPEC §1).
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::NoInput { .. } | Error::NoOrders { .. } => exit::NO_INPUT,
            Error::Unreadable { .. }
            | Error::Limit { .. }
            | Error::MissingColumn { .. }
            | Error::AmbiguousDates { .. }
            | Error::NoHeader { .. }
            | Error::Rejected { .. } => exit::DATA,
            Error::Template { builtin: true, .. } => exit::SOFTWARE,
            Error::Config(_) | Error::Template { .. } => exit::CONFIG,
            Error::Write { .. } => exit::CANT_CREATE,
            Error::Locked { .. } | Error::InputChanged { .. } => exit::TEMP_FAIL,
            Error::Internal(_) => exit::SOFTWARE,
        }
    }
}

impl From<polars::error::PolarsError> for Error {
    fn from(e: polars::error::PolarsError) -> Self {
        Error::Internal(format!("polars: {e}"))
    }
}

/// Result with the library error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
