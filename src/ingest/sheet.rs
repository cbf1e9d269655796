//! One sheet's rows → one table's rows: which table the sheet is, where its header is,
//! which column is which, and every data row coerced or rejected with its place.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::Datelike;
use polars::prelude::{PlSmallStr, StringChunked, StringChunkedBuilder};

use super::coerce::{self, Cell, Problem};
use super::schema::{normalize_header, sheet_name_matches, ColumnSpec, ColumnType, TableKind};
use super::{IgnoredSheet, Ingest, Rejection};
use crate::config::SheetTarget;
use crate::error::{Error, Result};

/// Rows searched for a header (SPEC §2).
pub const HEADER_WINDOW: u32 = 20;

/// Header names each table accepts, with `salesplan.toml`'s additions first.
pub struct Aliases {
    by_table: HashMap<TableKind, HashMap<String, &'static str>>,
}

impl Aliases {
    /// The spec's names plus `[columns.<table>]` from the configuration.
    pub fn new(
        extra: &std::collections::BTreeMap<
            TableKind,
            std::collections::BTreeMap<String, &'static str>,
        >,
    ) -> Self {
        let mut by_table = HashMap::new();
        for t in TableKind::ALL {
            let mut map = HashMap::new();
            for c in t.columns() {
                for name in std::iter::once(&c.name).chain(c.aliases) {
                    map.entry(normalize_header(name)).or_insert(c.name);
                }
            }
            if let Some(extra) = extra.get(&t) {
                for (h, c) in extra {
                    map.insert(h.clone(), *c);
                }
            }
            by_table.insert(t, map);
        }
        Aliases { by_table }
    }

    fn lookup(&self, table: TableKind, normalized: &str) -> Option<&'static str> {
        self.by_table.get(&table)?.get(normalized).copied()
    }
}

/// Text values, appended straight into polars' string array (strings of up to 12 bytes
/// are stored inline in the array's 16-byte views): no per-value allocation while reading,
/// and no copy when the frame is built.
pub struct Strings {
    /// Values taken over from other files' reading, in order, then the builder's.
    done: Option<StringChunked>,
    building: StringChunkedBuilder,
}

impl Default for Strings {
    fn default() -> Self {
        Strings {
            done: None,
            building: StringChunkedBuilder::new(PlSmallStr::EMPTY, 0),
        }
    }
}

impl std::fmt::Debug for Strings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Strings")
    }
}

impl Strings {
    pub fn push(&mut self, v: Option<&str>) {
        self.building.append_option(v);
    }

    /// The column, named `name`.
    pub fn finish(self, name: &str) -> StringChunked {
        let last = self.building.finish();
        let mut all = match self.done {
            Some(mut done) => {
                // Appending chunks moves no strings.
                let _ = done.append_owned(last);
                done
            }
            None => last,
        };
        all.rename(name.into());
        all
    }

    /// `other`'s values after these.
    fn extend(&mut self, other: Strings) {
        let mine = std::mem::take(self).finish("");
        let theirs = other.finish("");
        let mut all = mine;
        let _ = all.append_owned(theirs);
        self.done = Some(all);
    }
}

/// Values of one column, accumulated across every sheet of a table.
#[derive(Debug)]
pub enum ColumnValues {
    Text(Strings),
    Number(Vec<Option<f64>>),
    /// Days since 1970-01-01.
    Date(Vec<Option<i32>>),
    /// Milliseconds since 1970-01-01T00:00.
    DateTime(Vec<Option<i64>>),
}

impl ColumnValues {
    /// `other`'s values after these (columns of the same type).
    fn extend(&mut self, other: ColumnValues) {
        match (self, other) {
            (ColumnValues::Text(a), ColumnValues::Text(b)) => a.extend(b),
            (ColumnValues::Number(a), ColumnValues::Number(b)) => a.extend(b),
            (ColumnValues::Date(a), ColumnValues::Date(b)) => a.extend(b),
            (ColumnValues::DateTime(a), ColumnValues::DateTime(b)) => a.extend(b),
            _ => unreachable!("a table's columns have one type"),
        }
    }

    fn for_type(ty: ColumnType) -> Self {
        match ty {
            ColumnType::Text | ColumnType::Period | ColumnType::Stage | ColumnType::LeadStatus => {
                ColumnValues::Text(Strings::default())
            }
            ColumnType::Number | ColumnType::Score => ColumnValues::Number(Vec::new()),
            ColumnType::Date => ColumnValues::Date(Vec::new()),
            ColumnType::DateTime => ColumnValues::DateTime(Vec::new()),
        }
    }
}

/// One coerced value.
#[derive(Debug)]
enum Value<'c> {
    Text(Option<Cow<'c, str>>),
    Number(Option<f64>),
    Date(Option<i32>),
    DateTime(Option<i64>),
}

impl ColumnValues {
    fn push(&mut self, v: Value<'_>) {
        match (self, v) {
            (ColumnValues::Text(c), Value::Text(v)) => c.push(v.as_deref()),
            (ColumnValues::Number(c), Value::Number(v)) => c.push(v),
            (ColumnValues::Date(c), Value::Date(v)) => c.push(v),
            (ColumnValues::DateTime(c), Value::DateTime(v)) => c.push(v),
            (c, _) => c.push_null(),
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

/// A table's accumulated rows, one [`ColumnValues`] per column of its spec.
#[derive(Debug)]
pub struct TableRows {
    pub columns: Vec<ColumnValues>,
    pub rows: usize,
    /// Per row: the index of its file in [`super::DataQuality::files`].
    pub file: Vec<u32>,
}

impl TableRows {
    /// `other`'s rows after these (the same table).
    pub fn extend(&mut self, other: TableRows) {
        for (a, b) in self.columns.iter_mut().zip(other.columns) {
            a.extend(b);
        }
        self.rows += other.rows;
        self.file.extend(other.file);
    }

    pub fn new(kind: TableKind) -> Self {
        TableRows {
            columns: kind
                .columns()
                .iter()
                .map(|c| ColumnValues::for_type(c.ty))
                .collect(),
            rows: 0,
            file: Vec::new(),
        }
    }
}

fn coerce<'c>(
    spec: &ColumnSpec,
    cell: &'c Cell<'_>,
    epoch_1904: bool,
    stages: &[String],
) -> Result<Value<'c>, Problem> {
    // 1970-01-01 in days from the common era.
    const EPOCH_DAYS_FROM_CE: i32 = 719_163;
    let owned = |v: Option<String>| Value::Text(v.map(Cow::Owned));
    let value = match spec.ty {
        ColumnType::Text => coerce::to_text_ref(cell).map(Value::Text)?,
        ColumnType::Period => coerce::to_period(cell, epoch_1904).map(owned)?,
        ColumnType::Stage => coerce::to_stage(cell, stages).map(owned)?,
        ColumnType::LeadStatus => coerce::to_lead_status(cell).map(owned)?,
        ColumnType::Number => coerce::to_number(cell).map(Value::Number)?,
        ColumnType::Score => coerce::to_score(cell).map(Value::Number)?,
        ColumnType::Date => Value::Date(
            coerce::to_date(cell, epoch_1904)?.map(|d| d.num_days_from_ce() - EPOCH_DAYS_FROM_CE),
        ),
        ColumnType::DateTime => Value::DateTime(
            coerce::to_datetime(cell, epoch_1904)?.map(|d| d.and_utc().timestamp_millis()),
        ),
    };
    let missing = matches!(
        value,
        Value::Text(None) | Value::Number(None) | Value::Date(None) | Value::DateTime(None)
    );
    if missing && spec.required {
        return Err(Problem {
            expected: "a value (the column is required)",
            found: cell.describe(),
        });
    }
    Ok(value)
}

/// Column letters as Excel shows them (0 → A, 26 → AA).
pub fn column_letter(mut col: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// Where a sheet's table columns are.
struct Layout {
    table: TableKind,
    header_row: u32,
    /// Per spec column: the sheet column and its header text.
    columns: Vec<Option<(usize, String)>>,
    /// Later columns that name a column already found: (kept, ignored, name).
    duplicates: Vec<(usize, usize, &'static str)>,
}

enum State {
    /// Still looking for the header among the first rows.
    Searching {
        rows: Vec<(u32, Vec<Cell<'static>>)>,
    },
    /// Header found; data rows go to the table.
    Reading(Layout),
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
    rule_columns: std::collections::BTreeMap<String, &'static str>,
    state: State,
    empty: bool,
    /// This file's index in the data-quality file list.
    file_index: u32,
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
            rule_columns: Default::default(),
            state: State::Skipped,
            empty: true,
            file_index,
        }
    }

    fn ignore(&mut self, reason: String) {
        tracing::info!(file = %self.path.display(), sheet = %self.sheet, "sheet ignored: {reason}");
        self.ingest.quality.ignored_sheets.push(IgnoredSheet {
            file: self.path.display().to_string(),
            sheet: self.sheet.clone(),
            reason,
        });
    }

    /// The canonical column a header cell names, for `table`.
    fn header_column(&self, table: TableKind, cell: &Cell) -> Option<&'static str> {
        let text = match cell {
            Cell::Text(s) => s.to_string(),
            Cell::Number(n) => coerce::to_text(&Cell::Number(*n)).ok()??,
            _ => return None,
        };
        let n = normalize_header(&text);
        if n.is_empty() {
            return None;
        }
        if self.named == Some(table) {
            if let Some(c) = self.rule_columns.get(&n) {
                return Some(c);
            }
        }
        self.ingest.aliases.lookup(table, &n)
    }

    fn layout_for(&self, table: TableKind, row: u32, cells: &[Cell]) -> Layout {
        let specs = table.columns();
        let mut columns: Vec<Option<(usize, String)>> = vec![None; specs.len()];
        let mut duplicates = Vec::new();
        for (i, cell) in cells.iter().enumerate() {
            let Some(name) = self.header_column(table, cell) else {
                continue;
            };
            let Some(k) = specs.iter().position(|c| c.name == name) else {
                continue;
            };
            let header = coerce::to_text(cell).ok().flatten().unwrap_or_default();
            match &columns[k] {
                None => columns[k] = Some((i, header)),
                Some((first, _)) => duplicates.push((*first, i, name)),
            }
        }
        Layout {
            table,
            header_row: row,
            columns,
            duplicates,
        }
    }

    /// Picks the header row and table from the buffered first rows.
    fn decide(&mut self, rows: Vec<(u32, Vec<Cell<'static>>)>) -> Result<()> {
        let candidates: Vec<TableKind> = match self.named {
            Some(t) => vec![t],
            None => TableKind::ALL.to_vec(),
        };
        let mut found: Option<Layout> = None;
        for (row, cells) in &rows {
            if let Some(h) = self.header_row {
                if *row == h {
                    found = Some(self.layout_for(candidates[0], *row, cells));
                    break;
                }
                continue;
            }
            let best = candidates
                .iter()
                .map(|&t| self.layout_for(t, *row, cells))
                .map(|l| (l.columns.iter().flatten().count(), l))
                .filter(|(n, _)| *n >= 2)
                // Most columns wins; ties go to the earlier table.
                .fold(None::<(usize, Layout)>, |acc, (n, l)| match acc {
                    Some((m, a)) if m >= n => Some((m, a)),
                    _ => Some((n, l)),
                });
            if let Some((_, l)) = best {
                found = Some(l);
                break;
            }
        }
        let Some(layout) = found else {
            if let (Some(t), true) = (self.named, self.header_row.is_some() || !rows.is_empty()) {
                let expected: Vec<&str> = t.columns().iter().map(|c| c.name).collect();
                return Err(Error::NoHeader {
                    file: self.path.clone(),
                    sheet: self.sheet.clone(),
                    table: t.name(),
                    rows: self.header_row.map_or(HEADER_WINDOW, |h| h + 1),
                    expected: expected.join(", "),
                });
            }
            let reason = if rows.is_empty() {
                "empty sheet".to_string()
            } else {
                format!("matched no table (no header row with two known column names in the first {HEADER_WINDOW} rows)")
            };
            self.ignore(reason);
            self.state = State::Skipped;
            return Ok(());
        };
        self.check_required(&layout, &rows)?;
        for (kept, other, name) in &layout.duplicates {
            tracing::warn!(
                file = %self.path.display(), sheet = %self.sheet,
                "columns {} and {} both name {name}; using {}",
                column_letter(*kept), column_letter(*other), column_letter(*kept)
            );
        }
        tracing::info!(
            file = %self.path.display(), sheet = %self.sheet, table = layout.table.name(),
            header_row = layout.header_row + 1, "sheet recognised"
        );
        self.ingest.note_sheet(layout.table, &self.path);
        self.state = State::Reading(layout);
        for (row, cells) in rows {
            self.data_row(row, &cells);
        }
        Ok(())
    }

    fn check_required(&self, layout: &Layout, rows: &[(u32, Vec<Cell<'static>>)]) -> Result<()> {
        let specs = layout.table.columns();
        for (spec, found) in specs.iter().zip(&layout.columns) {
            if spec.required && found.is_none() {
                let header: Vec<String> = rows
                    .iter()
                    .find(|(r, _)| *r == layout.header_row)
                    .map(|(_, cells)| {
                        cells
                            .iter()
                            .filter_map(|c| coerce::to_text(c).ok().flatten())
                            .collect()
                    })
                    .unwrap_or_default();
                let aliases: Vec<String> = std::iter::once(spec.name)
                    .chain(spec.aliases.iter().copied())
                    .map(|a| format!("{a:?}"))
                    .collect();
                return Err(Error::MissingColumn {
                    file: self.path.clone(),
                    sheet: self.sheet.clone(),
                    table: layout.table.name(),
                    column: spec.name,
                    row: layout.header_row + 1,
                    found: header.join(", "),
                    aliases: aliases.join(" or "),
                });
            }
        }
        Ok(())
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
        let cell_at = |k: usize| -> &Cell {
            layout.columns[k]
                .as_ref()
                .and_then(|(i, _)| cells.get(*i))
                .unwrap_or(&Cell::Empty)
        };
        let quality = self.ingest.quality.table(table);
        quality.rows_read += 1;
        let key = cell_at(0);
        if (key.is_blank() || coerce::is_total_word(key))
            && cells.iter().any(coerce::mentions_total)
        {
            quality.totals_rows += 1;
            tracing::debug!(file = %self.path.display(), sheet = %self.sheet, row = row + 1, "totals row skipped");
            return;
        }
        let mut values = Vec::with_capacity(specs.len());
        let mut problems = Vec::new();
        for (k, spec) in specs.iter().enumerate() {
            match coerce(
                spec,
                cell_at(k),
                self.epoch_1904,
                &self.ingest.config.stages,
            ) {
                Ok(v) => values.push(v),
                Err(p) => {
                    let (col, header) = layout.columns[k].clone().unwrap_or((0, String::new()));
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
        }
        if !problems.is_empty() {
            quality.rows_rejected += 1;
            self.ingest.rejections.extend(problems);
            return;
        }
        quality.rows_used += 1;
        let rows = self
            .ingest
            .rows
            .entry(table)
            .or_insert_with(|| TableRows::new(table));
        for (col, v) in rows.columns.iter_mut().zip(values) {
            col.push(v);
        }
        rows.rows += 1;
        rows.file.push(self.file_index);
    }
}

impl super::source::SheetVisitor for FileVisitor<'_, '_> {
    fn begin_sheet(&mut self, sheet: &str, epoch_1904: bool) -> bool {
        self.sheet = sheet.to_string();
        self.epoch_1904 = epoch_1904;
        self.empty = true;
        self.header_row = None;
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
                if matches!(self.state, State::Skipped) {
                    return Ok(false);
                }
                self.data_row(row, cells);
                Ok(true)
            }
            State::Reading(_) => {
                self.data_row(row, cells);
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
