//! One sheet's rows → one table's rows: which table the sheet is, where its header is,
//! which column is which, and every data row coerced or rejected with its place.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::Datelike;

use super::coerce::{self, Cell, Problem, SlashEvidence};
use super::schema::{header_text, sheet_name_matches, HeaderText};
use super::vocabulary;
use super::wide::{self, WideShape, YearSource};
use super::Ingest;
use crate::config::SheetTarget;
use crate::error::{Error, Result};
use crate::model::{ColumnValues, TableRows};
use crate::types::{
    column_letter, ColumnSpec, ColumnType, DateOrder, IgnoredSheet, Rejection, SheetMapping,
    TableKind,
};

mod layout;
mod wide_sheet;

pub use layout::{Aliases, Hit};
use layout::{Layout, Source};
use wide_sheet::WideLayout;

/// Rows searched for a header (SPEC §2).
pub const HEADER_WINDOW: u32 = 20;

/// One coerced value.
#[derive(Debug)]
enum Value<'c> {
    Text(Option<Cow<'c, str>>),
    Number(Option<f64>),
    Date(Option<i32>),
}

impl ColumnValues {
    fn push(&mut self, v: Value<'_>) {
        match (self, v) {
            (ColumnValues::Text(c), Value::Text(v)) => c.push(v.as_deref()),
            (ColumnValues::Number(c), Value::Number(v)) => c.push(v),
            (ColumnValues::Date(c), Value::Date(v)) => c.push(v),
            (c, _) => c.push_null(),
        }
    }

    /// The last value, when it is a text.
    fn last_text(&self) -> Option<&str> {
        match self {
            ColumnValues::Text(c) => c.last(),
            _ => None,
        }
    }

    fn push_null(&mut self) {
        match self {
            ColumnValues::Text(c) => c.push(None),
            ColumnValues::Number(c) => c.push(None),
            ColumnValues::Date(c) => c.push(None),
            ColumnValues::DateTime(c) => c.push(None),
        }
    }
}

/// How a cell is read beyond its column's type.
struct Reading<'s> {
    epoch_1904: bool,
    stages: &'s [String],
    /// For date columns: how `a/b/yyyy` is read.
    order: DateOrder,
}

/// Reads `cell` as `spec` says and pushes the value to `column` (numbers times `scale`);
/// nothing is pushed for a problem. Pushed here, not handed back: a value returned to be
/// pushed was copied through memory, a stall on every cell.
#[inline(always)]
fn coerce_into(
    spec: &ColumnSpec,
    cell: &Cell<'_>,
    how: &Reading<'_>,
    evidence: &mut SlashEvidence,
    scale: f64,
    column: &mut ColumnValues,
) -> Result<(), Problem> {
    // 1970-01-01 in days from the common era.
    const EPOCH_DAYS_FROM_CE: i32 = 719_163;
    let epoch_1904 = how.epoch_1904;
    let required = |present: bool| {
        if present || !spec.required {
            return Ok(());
        }
        Err(Problem {
            expected: "a value (the column is required)",
            found: cell.describe(),
        })
    };
    let scaled = |n: f64| if scale != 1.0 { n * scale } else { n };
    match (spec.ty, column) {
        (ColumnType::Text, ColumnValues::Text(c)) => {
            let v = coerce::to_text_ref(cell)?;
            required(v.is_some())?;
            c.push(v.as_deref());
        }
        (
            ColumnType::Period | ColumnType::Stage | ColumnType::LeadStatus,
            ColumnValues::Text(c),
        ) => {
            let v = match spec.ty {
                ColumnType::Period => coerce::to_period(cell, epoch_1904)?,
                ColumnType::Stage => coerce::to_stage(cell, how.stages)?,
                _ => coerce::to_lead_status(cell)?,
            };
            required(v.is_some())?;
            c.push(v.as_deref());
        }
        (ColumnType::Number | ColumnType::Score, ColumnValues::Number(c)) => {
            let v = match spec.ty {
                ColumnType::Number => coerce::to_number(cell)?,
                _ => coerce::to_score(cell)?,
            };
            required(v.is_some())?;
            c.push(v.map(scaled));
        }
        (ColumnType::Date, ColumnValues::Date(c)) => {
            let v = coerce::to_date_in(cell, epoch_1904, how.order, evidence)?;
            required(v.is_some())?;
            c.push(v.map(|d| d.num_days_from_ce() - EPOCH_DAYS_FROM_CE));
        }
        (ColumnType::DateTime, ColumnValues::DateTime(c)) => {
            let v = coerce::to_datetime_in(cell, epoch_1904, how.order, evidence)?;
            required(v.is_some())?;
            c.push(v.map(|d| d.and_utc().timestamp_millis()));
        }
        // A table's columns are made for its spec's types (`ColumnValues::with_capacity`).
        (_, c) => c.push_null(),
    }
    Ok(())
}

/// amount = quantity × unit price, each with its header's unit scale.
fn product(
    cells: &[Cell],
    quantity: &(usize, String, f64),
    price: &(usize, String, f64),
) -> Result<Value<'static>, Problem> {
    let cell_of = |i: usize| cells.get(i).unwrap_or(&Cell::Empty);
    match (
        coerce::to_number(cell_of(quantity.0)),
        coerce::to_number(cell_of(price.0)),
    ) {
        (Ok(Some(q)), Ok(Some(p))) => Ok(Value::Number(Some(q * quantity.2 * p * price.2))),
        (Err(e), _) | (_, Err(e)) => Err(e),
        (Ok(None), _) => Err(Problem {
            expected: "a quantity (amount = quantity × unit price)",
            found: cell_of(quantity.0).describe(),
        }),
        (_, Ok(None)) => Err(Problem {
            expected: "a unit price (amount = quantity × unit price)",
            found: cell_of(price.0).describe(),
        }),
    }
}

/// A month column's value as the first day of the month (aggregated exports).
fn month_start(cell: &Cell, epoch_1904: bool) -> Result<Value<'static>, Problem> {
    const EPOCH_DAYS_FROM_CE: i32 = 719_163;
    let problem = || Problem {
        expected: "a month (2026-03, 2026年3月, or a date)",
        found: cell.describe(),
    };
    let period = coerce::to_period(cell, epoch_1904)
        .map_err(|_| problem())?
        .ok_or_else(problem)?;
    let (first, months) = crate::model::period_bounds(&period).ok_or_else(problem)?;
    if months != 1 {
        return Err(problem());
    }
    let date =
        chrono::NaiveDate::from_ymd_opt(first.div_euclid(12), first.rem_euclid(12) as u32 + 1, 1)
            .ok_or_else(problem)?;
    Ok(Value::Date(Some(
        date.num_days_from_ce() - EPOCH_DAYS_FROM_CE,
    )))
}

/// A row of totals, which is skipped: its key (the table's key, or for orders without
/// order ids, their date) is blank or a total word, and a cell mentions a total.
fn is_totals_row(layout: &Layout, cells: &[Cell]) -> bool {
    let table = layout.table;
    let cell_of = |i: usize| cells.get(i).unwrap_or(&Cell::Empty);
    // The key that marks a totals row: the table's key, or for orders without order
    // ids, their date.
    let key = match &layout.columns[0] {
        Some(Source::Cell { index, .. }) => cell_of(*index),
        _ => match layout.columns.get(1) {
            Some(Some(Source::Cell { index, .. } | Source::MonthStart { index, .. })) => {
                cell_of(*index)
            }
            _ => &Cell::Empty,
        },
    };
    // Tills put a count in the receipt column of their totals row: for orders, a row
    // without a date that mentions a total is one too.
    // Looked at only when the key does not already mark the row (most rows have one).
    let undated = || {
        table == TableKind::Orders
            && match layout.columns.get(1) {
                Some(Some(Source::Cell { index, .. } | Source::MonthStart { index, .. })) => {
                    cell_of(*index).is_blank()
                }
                _ => false,
            }
    };
    (key.is_blank() || coerce::is_total_word(key) || undated())
        && cells.iter().any(coerce::mentions_total)
}

enum State {
    /// Still looking for the header among the first rows.
    Searching {
        rows: Vec<(u32, Vec<Cell<'static>>)>,
    },
    /// Header found; data rows go to the table.
    Reading(Layout),
    /// A wide sheet: each row's period cells go to the table as rows of their own.
    Wide(WideLayout),
    /// Not a table; the rest is skipped.
    Skipped,
}

/// Reads one file's sheets into the ingest's tables (the [`SheetVisitor`] of a file).
///
/// [`SheetVisitor`]: super::source::SheetVisitor
pub struct FileVisitor<'a, 'c> {
    pub ingest: &'a mut Ingest<'c>,
    pub path: PathBuf,
    pub relative: PathBuf,
    pub is_csv: bool,
    sheet: String,
    epoch_1904: bool,
    /// The table the sheet's name or configuration gives, if any.
    named: Option<TableKind>,
    header_row: Option<u32>,
    /// `year` of the sheet's `[[sheets]]` entry.
    rule_year: Option<i32>,
    rule_columns: std::collections::BTreeMap<String, &'static str>,
    state: State,
    empty: bool,
    /// This file's index in the data-quality file list.
    file_index: u32,
    /// The sheet's place in its file, for line numbers as order ids.
    sheet_index: u32,
    /// Per spec column: what its `a/b/yyyy` dates say, and the rows read either way.
    slash: Vec<(SlashEvidence, Vec<usize>)>,
    /// The order id of the last orders line read.
    prev_order: String,
    /// The rows the sheet declares, for room in a table's columns made once.
    declared_rows: usize,
}

impl<'a, 'c> FileVisitor<'a, 'c> {
    pub fn new(
        ingest: &'a mut Ingest<'c>,
        path: &Path,
        relative: &Path,
        is_csv: bool,
        file_index: u32,
    ) -> Self {
        FileVisitor {
            ingest,
            path: path.to_path_buf(),
            relative: relative.to_path_buf(),
            is_csv,
            sheet: String::new(),
            epoch_1904: false,
            named: None,
            header_row: None,
            rule_year: None,
            rule_columns: Default::default(),
            state: State::Skipped,
            empty: true,
            file_index,
            sheet_index: 0,
            slash: Vec::new(),
            prev_order: String::new(),
            declared_rows: 0,
        }
    }

    fn ignore(&mut self, reason: String) {
        tracing::info!(file = %self.path.display(), sheet = %self.sheet, "sheet ignored: {reason}");
        self.ingest.quality.ignored_sheets.push(IgnoredSheet {
            relative: Some(self.relative.display().to_string()),
            file: self.path.display().to_string(),
            sheet: self.sheet.clone(),
            reason,
        });
    }

    fn data_row(&mut self, row: u32, cells: &[Cell]) {
        let State::Reading(layout) = &self.state else {
            return;
        };
        if row <= layout.header_row || cells.iter().all(Cell::is_blank) {
            return;
        }
        let table = layout.table;
        let specs = table.columns();
        let cell_of = |i: usize| cells.get(i).unwrap_or(&Cell::Empty);
        let quality = self.ingest.quality.table(table);
        quality.rows_read += 1;
        if is_totals_row(layout, cells) {
            quality.totals_rows += 1;
            tracing::debug!(file = %self.path.display(), sheet = %self.sheet, row = row + 1, "totals row skipped");
            return;
        }
        let how = Reading {
            epoch_1904: self.epoch_1904,
            stages: &self.ingest.config.stages,
            order: DateOrder::Infer,
        };
        // Values go straight to the table's columns (a row's values gathered first and
        // copied over stalled on every one); a row with a problem is taken back out.
        let new_table = !self.ingest.rows.contains_key(&table);
        let rows = self
            .ingest
            .rows
            .entry(table)
            .or_insert_with(|| TableRows::with_capacity(table, self.declared_rows));
        let mut problems = Vec::new();
        let mut ambiguous: u64 = 0;
        for (k, spec) in specs.iter().enumerate() {
            let result = match &layout.columns[k] {
                None => {
                    rows.columns[k].push_null();
                    Ok(())
                }
                Some(Source::Cell { index, scale, .. }) => {
                    let evidence = &mut self.slash[k].0;
                    let before = evidence.ambiguous;
                    let cell = cell_of(*index);
                    let done =
                        coerce_into(spec, cell, &how, evidence, *scale, &mut rows.columns[k]);
                    if evidence.ambiguous != before {
                        ambiguous |= 1 << k;
                    }
                    match done {
                        // A further line of the order just read, with its order-level
                        // amount left blank (Shopify, 淘宝: totals on the first line).
                        Err(_)
                            if table == TableKind::Orders
                                && spec.name == "amount"
                                && cell.is_blank()
                                && rows.columns[0].count() > rows.rows
                                && rows.columns[0].last_text() == Some(&self.prev_order) =>
                        {
                            rows.columns[k].push(Value::Number(Some(0.0)));
                            Ok(())
                        }
                        other => other,
                    }
                }
                Some(Source::MonthStart { index, .. }) => {
                    month_start(cell_of(*index), self.epoch_1904).map(|v| rows.columns[k].push(v))
                }
                Some(Source::Product { quantity, price }) => {
                    product(cells, quantity, price).map(|v| rows.columns[k].push(v))
                }
                Some(Source::LineNumber) => {
                    let id = format!("{}:{}:{}", self.file_index, self.sheet_index, row + 1);
                    rows.columns[k].push(Value::Text(Some(Cow::Owned(id))));
                    Ok(())
                }
            };
            if let Err(p) = result {
                let (col, header) = layout.columns[k]
                    .as_ref()
                    .map(Source::place)
                    .unwrap_or((0, String::new()));
                problems.push(Rejection {
                    file: self.path.display().to_string(),
                    sheet: self.sheet.clone(),
                    row: row + 1,
                    column: format!("{} ({header})", column_letter(col)),
                    field: spec.name,
                    expected: p.expected,
                    found: p.found,
                });
            }
        }
        if !problems.is_empty() {
            // Every column the row's values went to gives them back.
            for column in &mut rows.columns {
                if column.count() > rows.rows {
                    column.pop();
                }
            }
            if new_table {
                self.ingest.rows.remove(&table);
            }
            quality.rows_rejected += 1;
            self.ingest.rejections.extend(problems);
            return;
        }
        quality.rows_used += 1;
        if table == TableKind::Orders {
            if let Some(id) = rows.columns[0].last_text() {
                self.prev_order.clear();
                self.prev_order.push_str(id);
            }
        }
        if ambiguous != 0 {
            for (k, slash) in self.slash.iter_mut().enumerate() {
                if ambiguous & (1 << k) != 0 {
                    slash.1.push(rows.rows);
                }
            }
        }
        rows.rows += 1;
        rows.file.push(self.file_index);
        if table == TableKind::Orders {
            let keys = &mut self.ingest.order_keys;
            keys.lines += 1;
            keys.without_customer += usize::from(layout.no_customer_key);
            keys.lines_as_orders += usize::from(layout.lines_as_orders);
            keys.aggregated += usize::from(layout.aggregated);
        }
    }

    /// Settles the order of each date column's `a/b/yyyy` values once the sheet is read:
    /// by its values (a part over 12), else by `date_order` in salesplan.toml, else the
    /// sheet is refused as ambiguous.
    fn settle_date_order(&mut self) -> Result<()> {
        let State::Reading(layout) = &self.state else {
            return Ok(());
        };
        let table = layout.table;
        let slash = std::mem::take(&mut self.slash);
        for (k, (evidence, positions)) in slash.into_iter().enumerate() {
            if evidence.day_first + evidence.month_first + evidence.ambiguous == 0 {
                continue;
            }
            let header = layout.columns[k]
                .as_ref()
                .map(Source::place)
                .unwrap_or_default();
            let day_first = match (evidence.day_first > 0, evidence.month_first > 0) {
                (true, false) => true,
                (false, true) => false,
                _ if positions.is_empty() => false,
                _ => match self.ingest.config.date_order {
                    Some(DateOrder::DayFirst) => true,
                    Some(DateOrder::MonthFirst) => false,
                    _ => {
                        return Err(Error::AmbiguousDates {
                            file: self.path.clone(),
                            sheet: self.sheet.clone(),
                            column: format!("{} ({})", column_letter(header.0), header.1),
                            count: evidence.ambiguous,
                        })
                    }
                },
            };
            let note = format!(
                "{} ← {}: d/m/yyyy or m/d/yyyy read {} ({} value(s) with a day over 12{})",
                table.columns()[k].name,
                header.1,
                if day_first {
                    "day first"
                } else {
                    "month first"
                },
                evidence.day_first.max(evidence.month_first),
                if evidence.day_first + evidence.month_first == 0 {
                    ", so date_order in salesplan.toml decides"
                } else {
                    ""
                }
            );
            if let Some(m) = self.ingest.quality.sheets.last_mut() {
                m.columns.push(note);
            }
            if !day_first || positions.is_empty() {
                continue;
            }
            let Some(rows) = self.ingest.rows.get_mut(&table) else {
                continue;
            };
            swap_day_and_month(&mut rows.columns[k], &positions);
        }
        Ok(())
    }
}

/// Reads the values at `positions` (read month first) day first instead.
fn swap_day_and_month(values: &mut ColumnValues, positions: &[usize]) {
    const EPOCH_DAYS_FROM_CE: i32 = 719_163;
    let swap = |d: chrono::NaiveDate| {
        chrono::NaiveDate::from_ymd_opt(d.year(), d.day(), d.month()).unwrap_or(d)
    };
    match values {
        ColumnValues::Date(v) => {
            for &p in positions {
                if let Some(days) = v.get(p) {
                    if let Some(d) =
                        chrono::NaiveDate::from_num_days_from_ce_opt(days + EPOCH_DAYS_FROM_CE)
                    {
                        v.set(p, swap(d).num_days_from_ce() - EPOCH_DAYS_FROM_CE);
                    }
                }
            }
        }
        ColumnValues::DateTime(v) => {
            for &p in positions {
                if let Some(ms) = v.get(p) {
                    if let Some(t) = chrono::DateTime::from_timestamp_millis(ms) {
                        let t = t.naive_utc();
                        v.set(
                            p,
                            swap(t.date())
                                .and_time(t.time())
                                .and_utc()
                                .timestamp_millis(),
                        );
                    }
                }
            }
        }
        _ => {}
    }
}

impl super::source::SheetVisitor for FileVisitor<'_, '_> {
    fn declared_rows(&mut self, rows: u32) {
        // Excel's grid bounds it; a lying declaration only reserves address space, which
        // is not resident until rows are written into it.
        self.declared_rows = rows.min(super::source::MAX_ROWS) as usize;
    }

    fn begin_sheet(&mut self, sheet: &str, epoch_1904: bool) -> bool {
        self.sheet = sheet.to_string();
        self.declared_rows = 0;
        self.sheet_index += 1;
        self.prev_order.clear();
        self.epoch_1904 = epoch_1904;
        self.empty = true;
        self.header_row = None;
        self.rule_year = None;
        self.rule_columns.clear();
        self.named = None;
        match self
            .ingest
            .config
            .sheet_rule(&self.relative, sheet)
            .cloned()
        {
            Some(rule) => match rule.target {
                SheetTarget::Ignore => {
                    self.ignore("ignored by salesplan.toml".into());
                    return false;
                }
                SheetTarget::Table(t) => {
                    self.named = Some(t);
                    self.header_row = rule.header_row;
                    self.rule_year = rule.year;
                    self.rule_columns = rule.columns;
                }
            },
            None => {
                self.named = TableKind::ALL
                    .into_iter()
                    .find(|&t| sheet_name_matches(t, sheet));
            }
        }
        self.state = State::Searching { rows: Vec::new() };
        true
    }

    fn row(&mut self, row: u32, cells: &[Cell]) -> Result<bool> {
        self.empty = false;
        let window = self
            .header_row
            .map_or(HEADER_WINDOW, |h| h.max(HEADER_WINDOW - 1) + 1);
        match &mut self.state {
            State::Searching { rows } => {
                if row < window {
                    rows.push((row, cells.iter().cloned().map(Cell::into_owned).collect()));
                    return Ok(true);
                }
                let rows = std::mem::take(rows);
                self.decide(rows)?;
                match self.state {
                    State::Skipped => return Ok(false),
                    State::Wide(_) => self.wide_row(row, cells),
                    _ => self.data_row(row, cells),
                }
                Ok(true)
            }
            State::Reading(_) => {
                self.data_row(row, cells);
                Ok(true)
            }
            State::Wide(_) => {
                self.wide_row(row, cells);
                Ok(true)
            }
            State::Skipped => Ok(false),
        }
    }

    fn end_sheet(&mut self) -> Result<()> {
        if let State::Searching { rows } = &mut self.state {
            let rows = std::mem::take(rows);
            if rows.is_empty() && self.named.is_some() && self.header_row.is_none() {
                self.ignore("empty sheet".into());
            } else {
                self.decide(rows)?;
            }
        }
        self.settle_date_order()?;
        self.state = State::Skipped;
        Ok(())
    }

    fn unreadable_sheet(&mut self, sheet: &str, why: String) {
        self.sheet = sheet.to_string();
        self.ignore(format!("not a worksheet ({why})"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(16_383), "XFD");
    }
}
