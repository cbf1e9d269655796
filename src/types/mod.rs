//! The words every stage speaks: months, the input tables and their columns, the settings
//! more than one stage reads, and the data-quality records. This module imports no stage
//! (ingest, model, figures, render, output all import it).

mod month;
mod quality;
mod settings;
mod table;
pub mod text;

pub use month::{epoch_days, Month};
pub use quality::{
    DataQuality, Finding, IgnoredSheet, OrderKeys, Rejection, SheetMapping, TableQuality,
};
pub use settings::{DateOrder, Limits, MoneyUnit};
pub use table::{column_letter, normalize_header, ColumnSpec, ColumnType, TableKind, HELPERS};
