//! Which table a sheet is and which column is which: the header words each table
//! accepts, the evidence of a header row, and the fallbacks of SPEC §2 for what it lacks.

use super::*;

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
    pub(super) fn lookup(&self, table: TableKind, h: &HeaderText) -> Option<Hit> {
        let exact = self.exact.get(&table)?;
        exact
            .get(&h.exact)
            .or_else(|| exact.get(&h.bare))
            .or_else(|| self.loose.get(&table)?.get(&h.loose))
            .copied()
    }
}

/// Where a table column's values come from in a sheet.
#[derive(Debug, Clone)]
pub(super) enum Source {
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
    pub(super) fn place(&self) -> (usize, String) {
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
pub(super) struct Layout {
    pub(super) table: TableKind,
    pub(super) header_row: u32,
    /// Per spec column: where its values come from.
    pub(super) columns: Vec<Option<Source>>,
    /// Later columns that name a column already found: (kept, ignored, name).
    pub(super) duplicates: Vec<(usize, usize, &'static str)>,
    /// Fields found, helpers included (the evidence for this table).
    pub(super) score: usize,
    /// What was understood, for `check` and `data_quality`.
    pub(super) understood: Vec<String>,
    /// The required column missing, if any.
    pub(super) missing: Option<&'static str>,
    /// Orders without a customer key.
    pub(super) no_customer_key: bool,
    /// Orders with one line per order (no order id).
    pub(super) lines_as_orders: bool,
    /// Orders summed by month (a month column, no order id).
    pub(super) aggregated: bool,
    /// `salesplan.toml` `[[sheets]] columns` that would pin this mapping: header → field.
    pub(super) pinned: Vec<(String, &'static str)>,
}

impl FileVisitor<'_, '_> {
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
        let (lines_as_orders, no_customer_key, aggregated) = if table == TableKind::Orders {
            orders_fallbacks(&best, &mut columns, &mut understood, &mut pinned)
        } else {
            (false, false, false)
        };
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
    pub(super) fn decide(&mut self, rows: Vec<(u32, Vec<Cell<'static>>)>) -> Result<()> {
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
            self.ingest.pending.push(crate::ingest::PendingSheet {
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

/// The best header per field: its column, meaning, text as read and header text.
type Best = HashMap<&'static str, (usize, Hit, HeaderText, String)>;

/// What an orders header lacks, stood in for (SPEC §2): a month column for the date, quantity
/// × unit price for the amount, line numbers for order ids, a column naming the customer for
/// the customer id. Returns (lines as orders, no customer key, monthly sums).
fn orders_fallbacks(
    best: &Best,
    columns: &mut [Option<Source>],
    understood: &mut Vec<String>,
    pinned: &mut Vec<(String, &'static str)>,
) -> (bool, bool, bool) {
    let specs = TableKind::Orders.columns();
    let mut lines_as_orders = false;
    let mut no_customer_key = false;
    let mut aggregated = false;
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
                columns[k("customer_id")] = Some(Source::Cell {
                    index: b.0,
                    header: b.3.clone(),
                    scale: 1.0,
                });
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
        understood
            .push("order_id: none (a monthly summary: order and customer counts are null)".into());
    }
    (lines_as_orders, no_customer_key, aggregated)
}
