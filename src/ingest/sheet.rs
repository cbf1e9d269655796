//! One sheet's rows → one table's rows: which table the sheet is, where its header is,
//! which column is which, and every data row coerced or rejected with its place.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::Datelike;
use polars::prelude::{PlSmallStr, StringChunked, StringChunkedBuilder};

use super::coerce::{self, Cell, DateOrder, Problem, SlashEvidence};
use super::schema::{
    header_text, sheet_name_matches, ColumnSpec, ColumnType, HeaderText, TableKind,
};
use super::vocabulary;
use super::wide::{self, WideShape, YearSource};
use super::{IgnoredSheet, Ingest, Rejection, SheetMapping};
use crate::config::SheetTarget;
use crate::error::{Error, Result};

/// Rows searched for a header (SPEC §2).
pub const HEADER_WINDOW: u32 = 20;

/// A header cell's meaning for one table.
#[derive(Debug, Clone, Copy)]
pub struct Hit {
    /// The column or helper field it names.
    pub field: &'static str,
    /// Preference among headers naming the same field.
    pub rank: u8,
}

/// Header words each table accepts: SPEC §2's aliases, the vocabulary of real exports
/// ([`super::vocabulary`]), and `salesplan.toml`'s `[columns.<table>]`, which win.
pub struct Aliases {
    exact: HashMap<TableKind, HashMap<String, Hit>>,
    loose: HashMap<TableKind, HashMap<String, Hit>>,
}

/// Rank of a mapping from `salesplan.toml`: above every built-in word.
const CONFIG_RANK: u8 = 20;

impl Aliases {
    /// The built-in words plus `[columns.<table>]` from the configuration.
    pub fn new(
        extra: &std::collections::BTreeMap<
            TableKind,
            std::collections::BTreeMap<String, &'static str>,
        >,
    ) -> Self {
        let mut exact = HashMap::new();
        let mut loose = HashMap::new();
        for t in TableKind::ALL {
            let mut words: Vec<(&str, Hit)> = Vec::new();
            for c in t.columns() {
                for name in std::iter::once(&c.name).chain(c.aliases) {
                    words.push((
                        name,
                        Hit {
                            field: c.name,
                            rank: vocabulary::RANK,
                        },
                    ));
                }
            }
            for w in vocabulary::words(t) {
                words.push((
                    w.header,
                    Hit {
                        field: w.field,
                        rank: w.rank,
                    },
                ));
            }
            let mut e: HashMap<String, Hit> = HashMap::new();
            let mut l: HashMap<String, Hit> = HashMap::new();
            for (word, hit) in words {
                let h = header_text(word);
                // The first meaning of a word stays (SPEC's aliases come first); a later
                // entry for the same field may only set its rank.
                match e.get_mut(&h.bare) {
                    Some(old) if old.field == hit.field => old.rank = hit.rank,
                    Some(_) => {}
                    None => {
                        e.insert(h.bare.clone(), hit);
                    }
                }
                l.entry(h.loose).or_insert(hit);
            }
            if let Some(extra) = extra.get(&t) {
                for (h, c) in extra {
                    e.insert(
                        h.clone(),
                        Hit {
                            field: c,
                            rank: CONFIG_RANK,
                        },
                    );
                }
            }
            exact.insert(t, e);
            loose.insert(t, l);
        }
        Aliases { exact, loose }
    }

    /// What a header names for `table`: its whole text, then without its unit, then its
    /// loose form.
    fn lookup(&self, table: TableKind, h: &HeaderText) -> Option<Hit> {
        let exact = self.exact.get(&table)?;
        exact
            .get(&h.exact)
            .or_else(|| exact.get(&h.bare))
            .or_else(|| self.loose.get(&table)?.get(&h.loose))
            .copied()
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

/// How a cell is read beyond its column's type.
struct Reading<'s> {
    epoch_1904: bool,
    stages: &'s [String],
    /// For date columns: how `a/b/yyyy` is read.
    order: DateOrder,
}

fn coerce<'c>(
    spec: &ColumnSpec,
    cell: &'c Cell<'_>,
    how: &Reading<'_>,
    evidence: &mut SlashEvidence,
) -> Result<Value<'c>, Problem> {
    // 1970-01-01 in days from the common era.
    const EPOCH_DAYS_FROM_CE: i32 = 719_163;
    let epoch_1904 = how.epoch_1904;
    let owned = |v: Option<String>| Value::Text(v.map(Cow::Owned));
    let value = match spec.ty {
        ColumnType::Text => coerce::to_text_ref(cell).map(Value::Text)?,
        ColumnType::Period => coerce::to_period(cell, epoch_1904).map(owned)?,
        ColumnType::Stage => coerce::to_stage(cell, how.stages).map(owned)?,
        ColumnType::LeadStatus => coerce::to_lead_status(cell).map(owned)?,
        ColumnType::Number => coerce::to_number(cell).map(Value::Number)?,
        ColumnType::Score => coerce::to_score(cell).map(Value::Number)?,
        ColumnType::Date => Value::Date(
            coerce::to_date_in(cell, epoch_1904, how.order, evidence)?
                .map(|d| d.num_days_from_ce() - EPOCH_DAYS_FROM_CE),
        ),
        ColumnType::DateTime => Value::DateTime(
            coerce::to_datetime_in(cell, epoch_1904, how.order, evidence)?
                .map(|d| d.and_utc().timestamp_millis()),
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

/// Where a table column's values come from in a sheet.
#[derive(Debug, Clone)]
enum Source {
    /// A sheet column (values × `scale`, from the header's unit).
    Cell {
        index: usize,
        header: String,
        scale: f64,
    },
    /// The first day of a month column's month (aggregated exports).
    MonthStart { index: usize, header: String },
    /// amount = quantity × unit price.
    Product {
        quantity: (usize, String, f64),
        price: (usize, String, f64),
    },
    /// Each line is its own order.
    LineNumber,
}

impl Source {
    /// The sheet column, for messages.
    fn place(&self) -> (usize, String) {
        match self {
            Source::Cell { index, header, .. } | Source::MonthStart { index, header } => {
                (*index, header.clone())
            }
            Source::Product { quantity, price } => {
                (price.0, format!("{} × {}", quantity.1, price.1))
            }
            Source::LineNumber => (0, "line number".into()),
        }
    }
}

/// Where a sheet's table columns are.
struct Layout {
    table: TableKind,
    header_row: u32,
    /// Per spec column: where its values come from.
    columns: Vec<Option<Source>>,
    /// Later columns that name a column already found: (kept, ignored, name).
    duplicates: Vec<(usize, usize, &'static str)>,
    /// Fields found, helpers included (the evidence for this table).
    score: usize,
    /// What was understood, for `check` and `data_quality`.
    understood: Vec<String>,
    /// The required column missing, if any.
    missing: Option<&'static str>,
    /// Orders without a customer key.
    no_customer_key: bool,
    /// Orders with one line per order (no order id).
    lines_as_orders: bool,
    /// Orders summed by month (a month column, no order id).
    aggregated: bool,
    /// `salesplan.toml` `[[sheets]] columns` that would pin this mapping: header → field.
    pinned: Vec<(String, &'static str)>,
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

/// How a wide sheet's rows become table rows.
struct WideLayout {
    table: TableKind,
    shape: WideShape,
    /// Label column → the table column it fills.
    dims: Vec<(usize, usize)>,
    /// The year of year-less period headers, when the sheet has one year.
    year: Option<i32>,
    /// Values × this (a unit in the title or header).
    scale: f64,
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

    /// What a header cell names for `table`, with its text as read.
    fn header_hit(&self, table: TableKind, cell: &Cell) -> Option<(Hit, HeaderText, String)> {
        let text = match cell {
            Cell::Text(s) => s.to_string(),
            Cell::Number(n) => coerce::to_text(&Cell::Number(*n)).ok()??,
            _ => return None,
        };
        let h = header_text(&text);
        if h.exact.is_empty() {
            return None;
        }
        if self.named == Some(table) {
            let pinned = self
                .rule_columns
                .get(&h.exact)
                .or_else(|| self.rule_columns.get(&h.bare));
            if let Some(c) = pinned {
                return Some((Hit { field: c, rank: 20 }, h, text.trim().to_string()));
            }
        }
        let hit = self.ingest.aliases.lookup(table, &h)?;
        Some((hit, h, text.trim().to_string()))
    }

    /// The table's columns in a header row: for each field the best header (highest rank,
    /// then leftmost), then the fallbacks of SPEC §2 for what is missing.
    fn layout_for(&self, table: TableKind, row: u32, cells: &[Cell]) -> Layout {
        let specs = table.columns();
        let mut hits: Vec<(usize, Hit, HeaderText, String)> = cells
            .iter()
            .enumerate()
            .filter_map(|(i, c)| self.header_hit(table, c).map(|(h, t, s)| (i, h, t, s)))
            .collect();
        if table == TableKind::Orders {
            // Shopify names the order `Name` (#1001); only with its other columns.
            let (name, markers) = vocabulary::SHOPIFY;
            let texts: Vec<HeaderText> = cells
                .iter()
                .filter_map(|c| coerce::to_text(c).ok().flatten())
                .map(|t| header_text(&t))
                .collect();
            if texts.iter().any(|t| markers.contains(&t.bare.as_str())) {
                for (i, c) in cells.iter().enumerate() {
                    if let Some(t) = coerce::to_text(c).ok().flatten() {
                        let h = header_text(&t);
                        if h.bare == name && !hits.iter().any(|x| x.0 == i) {
                            hits.push((
                                i,
                                Hit {
                                    field: "order_id",
                                    rank: 6,
                                },
                                h,
                                t,
                            ));
                        }
                    }
                }
            }
        }
        // The best header per field.
        let mut best: HashMap<&'static str, (usize, Hit, HeaderText, String)> = HashMap::new();
        let mut duplicates = Vec::new();
        let mut passed_over: Vec<(&'static str, String)> = Vec::new();
        hits.sort_by_key(|h| h.0);
        for (i, hit, text, raw) in hits {
            match best.get(hit.field) {
                Some(b) if b.1.rank >= hit.rank => {
                    duplicates.push((b.0, i, hit.field));
                    passed_over.push((hit.field, raw));
                }
                Some(b) => {
                    duplicates.push((i, b.0, hit.field));
                    passed_over.push((hit.field, b.3.clone()));
                    best.insert(hit.field, (i, hit, text, raw));
                }
                None => {
                    best.insert(hit.field, (i, hit, text, raw));
                }
            }
        }
        let score = best.len();
        let mut understood = Vec::new();
        let mut pinned = Vec::new();
        let cell_source = |b: &(usize, Hit, HeaderText, String), numeric: bool| Source::Cell {
            index: b.0,
            header: b.3.clone(),
            scale: if numeric { b.2.scale } else { 1.0 },
        };
        let mut columns: Vec<Option<Source>> = specs
            .iter()
            .map(|c| {
                let numeric = matches!(c.ty, ColumnType::Number);
                best.get(c.name).map(|b| cell_source(b, numeric))
            })
            .collect();
        for (spec, source) in specs.iter().zip(&columns) {
            if let Some(Source::Cell { header, scale, .. }) = source {
                let mut line = format!("{} ← {header}", spec.name);
                let others: Vec<&str> = passed_over
                    .iter()
                    .filter(|(f, _)| *f == spec.name)
                    .map(|(_, h)| h.as_str())
                    .collect();
                if !others.is_empty() {
                    line.push_str(&format!(" (chosen over {})", others.join(", ")));
                }
                if *scale != 1.0 {
                    line.push_str(&format!(" (values × {scale}, from the unit in the header)"));
                }
                understood.push(line);
                pinned.push((header.clone(), spec.name));
            }
        }
        let mut lines_as_orders = false;
        let mut no_customer_key = false;
        let mut aggregated = false;
        if table == TableKind::Orders {
            let k = |name: &str| {
                specs
                    .iter()
                    .position(|c| c.name == name)
                    .expect("orders column")
            };
            if columns[k("order_date")].is_none() {
                if let Some(b) = best.get("order_month") {
                    columns[k("order_date")] = Some(Source::MonthStart {
                        index: b.0,
                        header: b.3.clone(),
                    });
                    understood.push(format!(
                        "order_date ← {} (a month column: each row is a month's sum)",
                        b.3
                    ));
                    pinned.push((b.3.clone(), "order_month"));
                    aggregated = true;
                }
            }
            if columns[k("amount")].is_none() {
                if let (Some(q), Some(p)) = (best.get("quantity"), best.get("unit_price")) {
                    columns[k("amount")] = Some(Source::Product {
                        quantity: (q.0, q.3.clone(), q.2.scale),
                        price: (p.0, p.3.clone(), p.2.scale),
                    });
                    understood.push(format!("amount ← {} × {} (no amount column)", q.3, p.3));
                    pinned.push((p.3.clone(), "unit_price"));
                }
            }
            if columns[k("order_id")].is_none() {
                columns[k("order_id")] = Some(Source::LineNumber);
                lines_as_orders = true;
                if !aggregated {
                    understood.push("order_id: none (each line is one order)".into());
                }
            }
            if columns[k("customer_id")].is_none() {
                match best.get("customer_name") {
                    Some(b) => {
                        columns[k("customer_id")] = Some(cell_source(b, false));
                        understood.push(format!(
                            "customer_id ← {} (no customer-id column; this column is the customer key)",
                            b.3
                        ));
                        pinned.push((b.3.clone(), "customer_id"));
                    }
                    None => {
                        no_customer_key = true;
                        understood.push("customer_id: none (customer figures are null)".into());
                    }
                }
            }
            if aggregated {
                understood.push(
                    "order_id: none (a monthly summary: order and customer counts are null)".into(),
                );
            }
        }
        let missing = specs
            .iter()
            .zip(&columns)
            .find(|(spec, source)| {
                spec.required
                    && source.is_none()
                    && !(table == TableKind::Orders && spec.name == "customer_id")
            })
            .map(|(spec, _)| spec.name);
        Layout {
            table,
            header_row: row,
            columns,
            duplicates,
            score,
            understood,
            missing,
            no_customer_key,
            lines_as_orders,
            aggregated,
            pinned,
        }
    }

    /// Picks the header row and table from the buffered first rows: the first row where a
    /// table finds two of its names; there, the table that can be read (every required
    /// column found) with the most evidence, ties to the earlier table.
    fn decide(&mut self, rows: Vec<(u32, Vec<Cell<'static>>)>) -> Result<()> {
        let candidates: Vec<TableKind> = match self.named {
            Some(t) => vec![t],
            None => TableKind::ALL.to_vec(),
        };
        let mut found: Option<Layout> = None;
        let mut unreadable: Option<Layout> = None;
        // A sheet named as a table needs only its required columns; one recognised by its
        // header alone, two known names.
        let named = self.named.is_some();
        for (row, cells) in &rows {
            if let Some(h) = self.header_row {
                if *row == h {
                    found = Some(self.layout_for(candidates[0], *row, cells));
                    break;
                }
                continue;
            }
            let layouts: Vec<Layout> = candidates
                .iter()
                .map(|&t| self.layout_for(t, *row, cells))
                .filter(|l| l.score >= 2 || (named && l.missing.is_none() && l.score >= 1))
                .collect();
            if layouts.is_empty() {
                continue;
            }
            let mut readable: Option<Layout> = None;
            for l in layouts {
                if l.missing.is_none() {
                    if readable.as_ref().is_none_or(|r| l.score > r.score) {
                        readable = Some(l);
                    }
                } else if unreadable.as_ref().is_none_or(|r| l.score > r.score)
                    && (self.named.is_some() || names_a_required_column(&l))
                {
                    unreadable = Some(l);
                }
            }
            if let Some(l) = readable {
                found = Some(l);
                unreadable = None;
                break;
            }
            if unreadable.is_some() {
                break;
            }
        }
        // A wide sheet is tried before a header that names a table but cannot be read: a
        // targets sheet of regions by months names regions, not periods.
        if found.is_none()
            && self.header_row.is_none()
            && matches!(
                self.named,
                None | Some(TableKind::Targets | TableKind::Orders)
            )
        {
            if let Some(shape) = wide::detect(&rows) {
                return self.decide_wide(shape, rows);
            }
        }
        let found = found.or(unreadable);
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
        if let Err(e) = self.check_required(&layout, &rows) {
            if self.named.is_some() {
                return Err(e);
            }
            // Recognised by its header alone: skipped when another sheet supplies the
            // table, decided once every file is read.
            self.ingest.pending.push(super::PendingSheet {
                table: layout.table,
                error: e,
                ignored: IgnoredSheet {
                    relative: Some(self.relative.display().to_string()),
                    file: self.path.display().to_string(),
                    sheet: self.sheet.clone(),
                    reason: format!(
                        "looks like {} but lacks its required column {} (another sheet supplies {})",
                        layout.table.name(),
                        layout.missing.unwrap_or("?"),
                        layout.table.name()
                    ),
                },
            });
            self.state = State::Skipped;
            return Ok(());
        }
        for (kept, other, name) in &layout.duplicates {
            tracing::debug!(
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
        self.ingest.quality.sheets.push(SheetMapping {
            file: self.path.display().to_string(),
            relative: self.relative.display().to_string(),
            sheet: self.sheet.clone(),
            table: layout.table.name(),
            header_row: layout.header_row + 1,
            by: if self.named.is_some() {
                "name"
            } else {
                "header"
            },
            columns: layout.understood.clone(),
            pinned: layout
                .pinned
                .iter()
                .map(|(h, f)| (h.clone(), f.to_string()))
                .collect(),
            year: None,
            wide: false,
        });
        self.slash = vec![(SlashEvidence::default(), Vec::new()); layout.columns.len()];
        self.state = State::Reading(layout);
        for (row, cells) in rows {
            self.data_row(row, &cells);
        }
        Ok(())
    }

    fn check_required(&self, layout: &Layout, rows: &[(u32, Vec<Cell<'static>>)]) -> Result<()> {
        let Some(column) = layout.missing else {
            return Ok(());
        };
        let spec = layout.table.column(column).expect("a column of the table");
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
        let file = self.relative.file_name().map_or_else(
            || self.relative.display().to_string(),
            |f| f.to_string_lossy().into_owned(),
        );
        Err(Error::MissingColumn {
            file: self.path.clone(),
            sheet: self.sheet.clone(),
            table: layout.table.name(),
            column: spec.name,
            row: layout.header_row + 1,
            found: header.join(", "),
            aliases: aliases.join(" or "),
            ignore: format!(
                "sheets = [{{ file = {:?}, sheet = {:?}, table = \"ignore\" }}]",
                file, self.sheet
            ),
        })
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
        let undated = table == TableKind::Orders
            && match layout.columns.get(1) {
                Some(Some(Source::Cell { index, .. } | Source::MonthStart { index, .. })) => {
                    cell_of(*index).is_blank()
                }
                _ => false,
            };
        if (key.is_blank() || undated || coerce::is_total_word(key))
            && cells.iter().any(coerce::mentions_total)
        {
            quality.totals_rows += 1;
            tracing::debug!(file = %self.path.display(), sheet = %self.sheet, row = row + 1, "totals row skipped");
            return;
        }
        let how = Reading {
            epoch_1904: self.epoch_1904,
            stages: &self.ingest.config.stages,
            order: DateOrder::Infer,
        };
        let mut values = Vec::with_capacity(specs.len());
        let mut problems = Vec::new();
        let mut ambiguous: u64 = 0;
        for (k, spec) in specs.iter().enumerate() {
            let result = match &layout.columns[k] {
                None => Ok(Value::Text(None)),
                Some(Source::Cell { index, scale, .. }) => {
                    let evidence = &mut self.slash[k].0;
                    let before = evidence.ambiguous;
                    let v = coerce(spec, cell_of(*index), &how, evidence);
                    if evidence.ambiguous != before {
                        ambiguous |= 1 << k;
                    }
                    match v {
                        Ok(Value::Number(Some(n))) if *scale != 1.0 => {
                            Ok(Value::Number(Some(n * scale)))
                        }
                        // A further line of the order just read, with its order-level
                        // amount left blank (Shopify, 淘宝: totals on the first line).
                        Err(_)
                            if table == TableKind::Orders
                                && spec.name == "amount"
                                && cell_of(*index).is_blank()
                                && matches!(values.first(), Some(Value::Text(Some(id))) if **id == *self.prev_order) =>
                        {
                            Ok(Value::Number(Some(0.0)))
                        }
                        other => other,
                    }
                }
                Some(Source::MonthStart { index, .. }) => {
                    month_start(cell_of(*index), self.epoch_1904)
                }
                Some(Source::Product { quantity, price }) => {
                    let q = coerce::to_number(cell_of(quantity.0));
                    let p = coerce::to_number(cell_of(price.0));
                    match (q, p) {
                        (Ok(Some(q)), Ok(Some(p))) => {
                            Ok(Value::Number(Some(q * quantity.2 * p * price.2)))
                        }
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
                Some(Source::LineNumber) => Ok(Value::Text(Some(Cow::Owned(format!(
                    "{}:{}:{}",
                    self.file_index,
                    self.sheet_index,
                    row + 1
                ))))),
            };
            match result {
                Ok(v) => values.push(v),
                Err(p) => {
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
        }
        if !problems.is_empty() {
            quality.rows_rejected += 1;
            self.ingest.rejections.extend(problems);
            return;
        }
        quality.rows_used += 1;
        if table == TableKind::Orders {
            if let Some(Value::Text(Some(id))) = values.first() {
                self.prev_order.clear();
                self.prev_order.push_str(id);
            }
        }
        let rows = self
            .ingest
            .rows
            .entry(table)
            .or_insert_with(|| TableRows::new(table));
        if ambiguous != 0 {
            for (k, slash) in self.slash.iter_mut().enumerate() {
                if ambiguous & (1 << k) != 0 {
                    slash.1.push(rows.rows);
                }
            }
        }
        for (col, v) in rows.columns.iter_mut().zip(values) {
            col.push(v);
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

/// Wide sheets (periods as columns): see [`super::wide`].
impl FileVisitor<'_, '_> {
    /// Takes a wide sheet: its table (targets, or monthly sums of orders when its names
    /// speak of actual sales), the dimension each row label fills, and its year.
    fn decide_wide(
        &mut self,
        shape: WideShape,
        rows: Vec<(u32, Vec<Cell<'static>>)>,
    ) -> Result<()> {
        let titles: Vec<String> = rows
            .iter()
            .filter(|(r, _)| *r < shape.header_row)
            .flat_map(|(_, cells)| {
                cells
                    .iter()
                    .filter_map(|c| coerce::to_text(c).ok().flatten())
            })
            .collect();
        let file_name = self
            .relative
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let table = self.named.unwrap_or_else(|| {
            let mut names: Vec<&str> = vec![&self.sheet, &file_name];
            names.extend(titles.iter().map(String::as_str));
            if wide::names_actual_sales(&names) {
                TableKind::Orders
            } else {
                TableKind::Targets
            }
        });
        let dimensions = ["region", "product_line", "customer_segment", "rep_id"];
        let specs = table.columns();
        let mut dims = Vec::new();
        let mut understood = Vec::new();
        let mut pinned = Vec::new();
        for (i, header) in &shape.labels {
            let h = header_text(header);
            let hit = self
                .rule_columns
                .get(&h.exact)
                .copied()
                .or_else(|| self.ingest.aliases.lookup(table, &h).map(|hit| hit.field));
            if let Some(field) = hit.filter(|f| dimensions.contains(f)) {
                if let Some(k) = specs.iter().position(|c| c.name == field) {
                    if !dims.iter().any(|(_, kk)| *kk == k) {
                        dims.push((*i, k));
                        understood.push(format!("{field} ← {header} (row labels)"));
                        pinned.push((header.clone(), field.to_string()));
                    }
                }
            }
        }
        let labelled = shape.labels.iter().any(|(_, h)| !h.trim().is_empty());
        if dims.is_empty() && !shape.labels.is_empty() && labelled {
            let names: Vec<&str> = shape.labels.iter().map(|(_, h)| h.as_str()).collect();
            self.ignore(format!(
                "periods as columns, but no row-label column names a dimension (found {}; expected 区域, 产品线, 客户群 or 销售代表)",
                names.join(", ")
            ));
            self.state = State::Skipped;
            return Ok(());
        }
        if dims.is_empty() && !shape.labels.is_empty() {
            self.ignore(
                "periods as columns, but the row labels' column has no header to say which dimension it is (区域, 产品线, 客户群, 销售代表)".into(),
            );
            self.state = State::Skipped;
            return Ok(());
        }
        let mut year = None;
        match &shape.year {
            YearSource::Header => {
                understood.push("period ← the column headers (with their year)".into())
            }
            YearSource::Title { year: y, text } => {
                year = Some(*y);
                understood.push(format!(
                    "period ← the column headers, year {y} from the title {text:?}"
                ));
            }
            YearSource::Column(c) => understood.push(format!(
                "period ← the column headers, year from column {}",
                column_letter(*c)
            )),
            YearSource::Missing => {
                let from_workbook = (!self.is_csv)
                    .then(|| wide::workbook_year(&self.path))
                    .flatten();
                match (self.rule_year, from_workbook) {
                    (Some(y), _) => {
                        year = Some(y);
                        understood.push(format!(
                            "period ← the column headers, year {y} from salesplan.toml"
                        ));
                    }
                    (None, Some((y, date))) => {
                        year = Some(y);
                        understood.push(format!(
                            "period ← the column headers, year {y} from the workbook's properties (last saved {date}): the sheet names no year; pin it with year = {y} in this sheet's [[sheets]] entry"
                        ));
                    }
                    (None, None) => {
                        self.ignore(format!(
                            "periods as columns with no year in the sheet; set it with sheets = [{{ file = {file_name:?}, sheet = {:?}, table = \"{}\", year = YYYY }}]",
                            self.sheet,
                            table.name()
                        ));
                        self.state = State::Skipped;
                        return Ok(());
                    }
                }
            }
        }
        let scale = rows
            .iter()
            .filter(|(r, _)| *r <= shape.header_row)
            .flat_map(|(_, cells)| {
                cells
                    .iter()
                    .filter_map(|c| coerce::to_text(c).ok().flatten())
            })
            .map(|t| header_text(&t).scale)
            .find(|s| *s != 1.0)
            .unwrap_or(1.0);
        if scale != 1.0 {
            understood.push(format!(
                "values × {scale}, from the unit in the title or header"
            ));
        }
        let value_field = if table == TableKind::Orders {
            "amount"
        } else {
            "target"
        };
        understood.push(format!(
            "{value_field} ← the {} period columns ({} to {}); totals columns skipped",
            shape.periods.len(),
            column_letter(shape.periods[0].0),
            column_letter(shape.periods[shape.periods.len() - 1].0)
        ));
        if table == TableKind::Orders {
            understood.push(
                "order_id: none (a monthly summary: order and customer counts are null)".into(),
            );
        }
        tracing::info!(
            file = %self.path.display(), sheet = %self.sheet, table = table.name(),
            header_row = shape.header_row + 1, "wide sheet recognised"
        );
        self.ingest.note_sheet(table, &self.path);
        self.ingest.quality.sheets.push(SheetMapping {
            file: self.path.display().to_string(),
            relative: self.relative.display().to_string(),
            sheet: self.sheet.clone(),
            table: table.name(),
            header_row: shape.header_row + 1,
            by: if self.named.is_some() {
                "name"
            } else {
                "header"
            },
            columns: understood,
            pinned,
            year,
            wide: true,
        });
        let header_row = shape.header_row;
        self.state = State::Wide(WideLayout {
            table,
            shape,
            dims,
            year,
            scale,
        });
        for (row, cells) in rows {
            if row > header_row {
                self.wide_row(row, &cells);
            }
        }
        Ok(())
    }

    /// One row of a wide sheet: a table row per period cell with a value.
    fn wide_row(&mut self, row: u32, cells: &[Cell]) {
        const EPOCH_DAYS_FROM_CE: i32 = 719_163;
        let State::Wide(layout) = &self.state else {
            return;
        };
        if row <= layout.shape.header_row || cells.iter().all(Cell::is_blank) {
            return;
        }
        let table = layout.table;
        let cell_of = |i: usize| cells.get(i).unwrap_or(&Cell::Empty);
        let quality = self.ingest.quality.table(table);
        quality.rows_read += 1;
        // A row with no label, or a label that is a total, is a totals row.
        let labels_blank = layout
            .shape
            .labels
            .iter()
            .all(|(i, _)| cell_of(*i).is_blank());
        let total = layout
            .shape
            .labels
            .iter()
            .any(|(i, _)| coerce::mentions_total(cell_of(*i)));
        if (labels_blank && !layout.shape.labels.is_empty()) || total {
            quality.totals_rows += 1;
            return;
        }
        let year = match (&layout.shape.year, layout.year) {
            (YearSource::Column(c), _) => coerce::to_number(cell_of(*c))
                .ok()
                .flatten()
                .map(|y| y as i32),
            (_, y) => y,
        };
        let specs = table.columns();
        let mut lines: Vec<Vec<Value<'static>>> = Vec::new();
        let mut problems = Vec::new();
        for &(col, head) in &layout.shape.periods {
            let value = match coerce::to_number(cell_of(col)) {
                Ok(Some(v)) => v * layout.scale,
                Ok(None) => continue,
                Err(p) => {
                    problems.push((col, p));
                    continue;
                }
            };
            let Some(year) = head.year().or(year).filter(|y| (1900..=9999).contains(y)) else {
                problems.push((
                    col,
                    Problem {
                        expected: "a year in the year column",
                        found: "none".into(),
                    },
                ));
                break;
            };
            let mut values: Vec<Value<'static>> = Vec::with_capacity(specs.len());
            for (k, spec) in specs.iter().enumerate() {
                let dim = layout.dims.iter().find(|(_, kk)| *kk == k);
                let v = match (table, spec.name) {
                    (_, _) if dim.is_some() => {
                        let (i, _) = dim.expect("checked");
                        Value::Text(coerce::to_text(cell_of(*i)).ok().flatten().map(Cow::Owned))
                    }
                    (TableKind::Targets, "period") => {
                        Value::Text(Some(Cow::Owned(head.period(year))))
                    }
                    (TableKind::Targets, "target") => Value::Number(Some(value)),
                    (TableKind::Orders, "order_id") => Value::Text(Some(Cow::Owned(format!(
                        "{}:{}:{}:{}",
                        self.file_index,
                        self.sheet_index,
                        row + 1,
                        col
                    )))),
                    (TableKind::Orders, "order_date") => {
                        // Quarters cannot be dated: orders take month columns only.
                        let Some(d) = head.month_start(year) else {
                            break;
                        };
                        Value::Date(Some(d.num_days_from_ce() - EPOCH_DAYS_FROM_CE))
                    }
                    (TableKind::Orders, "amount") => Value::Number(Some(value)),
                    _ => Value::Text(None),
                };
                values.push(v);
            }
            // Monthly sums of zero add nothing, and would move the latest month with orders.
            if values.len() == specs.len() && !(table == TableKind::Orders && value == 0.0) {
                lines.push(values);
            }
        }
        let quality = self.ingest.quality.table(table);
        if !problems.is_empty() {
            quality.rows_rejected += 1;
            let rejections = problems.into_iter().map(|(col, p)| Rejection {
                file: self.path.display().to_string(),
                sheet: self.sheet.clone(),
                row: row + 1,
                column: column_letter(col),
                field: if table == TableKind::Orders {
                    "amount"
                } else {
                    "target"
                },
                expected: p.expected,
                found: p.found,
            });
            self.ingest.rejections.extend(rejections);
            return;
        }
        quality.rows_used += 1;
        let rows = self
            .ingest
            .rows
            .entry(table)
            .or_insert_with(|| TableRows::new(table));
        let n = lines.len();
        for values in lines {
            for (c, v) in rows.columns.iter_mut().zip(values) {
                c.push(v);
            }
            rows.rows += 1;
            rows.file.push(self.file_index);
        }
        if table == TableKind::Orders {
            let keys = &mut self.ingest.order_keys;
            keys.lines += n;
            keys.without_customer += n;
            keys.lines_as_orders += n;
            keys.aggregated += n;
        }
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
                if let Some(Some(days)) = v.get(p).copied() {
                    if let Some(d) =
                        chrono::NaiveDate::from_num_days_from_ce_opt(days + EPOCH_DAYS_FROM_CE)
                    {
                        v[p] = Some(swap(d).num_days_from_ce() - EPOCH_DAYS_FROM_CE);
                    }
                }
            }
        }
        ColumnValues::DateTime(v) => {
            for &p in positions {
                if let Some(Some(ms)) = v.get(p).copied() {
                    if let Some(t) = chrono::DateTime::from_timestamp_millis(ms) {
                        let t = t.naive_utc();
                        v[p] = Some(
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

/// Whether a layout that cannot be read still names one of its table's required
/// columns: only then is a sheet taken for that table and refused, rather than ignored.
fn names_a_required_column(l: &Layout) -> bool {
    l.table
        .columns()
        .iter()
        .zip(&l.columns)
        .any(|(spec, source)| spec.required && matches!(source, Some(Source::Cell { .. })))
}

impl super::source::SheetVisitor for FileVisitor<'_, '_> {
    fn begin_sheet(&mut self, sheet: &str, epoch_1904: bool) -> bool {
        self.sheet = sheet.to_string();
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
