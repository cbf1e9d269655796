//! Wide sheets (periods as columns, see [`super::super::wide`]) read as long rows.

use super::*;

/// How a wide sheet's rows become table rows.
pub(super) struct WideLayout {
    table: TableKind,
    shape: WideShape,
    /// Label column → the table column it fills.
    dims: Vec<(usize, usize)>,
    /// The year of year-less period headers, when the sheet has one year.
    year: Option<i32>,
    /// Values × this (a unit in the title or header).
    scale: f64,
}

/// Wide sheets (periods as columns): see [`super::wide`].
impl FileVisitor<'_, '_> {
    /// Takes a wide sheet: its table (targets, or monthly sums of orders when its names
    /// speak of actual sales), the dimension each row label fills, and its year.
    pub(super) fn decide_wide(
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
        let Some(year) = self.wide_year(&shape.year, table, &file_name, &mut understood) else {
            return Ok(());
        };
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
    pub(super) fn wide_row(&mut self, row: u32, cells: &[Cell]) {
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

    /// The year of a wide sheet's year-less period headers, and where it came from: `None`
    /// when nothing names one (the sheet is then skipped, saying how to set it).
    fn wide_year(
        &mut self,
        source: &YearSource,
        table: TableKind,
        file_name: &str,
        understood: &mut Vec<String>,
    ) -> Option<Option<i32>> {
        let mut year = None;
        match source {
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
                        return None;
                    }
                }
            }
        }
        Some(year)
    }
}
