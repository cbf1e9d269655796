//! Reading spreadsheet files into rows of [`Cell`]s: xlsx/xlsm through calamine's
//! streaming cell reader, xls/ods/xlsb through calamine's ranges, csv through the csv
//! crate. Limits are checked before anything large is allocated (see [`super::guard`]).

use std::borrow::Cow;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use calamine::{Data, DataRef, Reader};

use super::coerce::{excel_datetime, Cell};
use super::guard::{self, Format};
use crate::error::{Error, Result};
use crate::types::Limits;

/// Excel's own grid.
pub const MAX_ROWS: u32 = 1_048_576;
/// Excel's own grid (column XFD).
pub const MAX_COLS: u32 = 16_384;

/// What a reader asks of the one who consumes its rows.
pub trait SheetVisitor {
    /// A sheet starts; return false to skip it without reading its cells.
    fn begin_sheet(&mut self, sheet: &str, epoch_1904: bool) -> bool;
    /// One non-empty row, 0-based index; cells are dense from column A. Return false to
    /// stop reading this sheet.
    fn row(&mut self, row: u32, cells: &[Cell]) -> Result<bool>;
    /// The sheet is done.
    fn end_sheet(&mut self) -> Result<()>;
    /// A sheet that could not be read as cells (a chart sheet, say).
    fn unreadable_sheet(&mut self, sheet: &str, why: String);
    /// The sheet declares its used range to end at row `rows` (1-based), before its rows
    /// come: room for them can be made at once. Only a hint; nothing relies on it.
    fn declared_rows(&mut self, _rows: u32) {}
}

/// Which reader takes `.xlsx` files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XlsxEngine {
    /// The fast path ([`super::xlsx`]), calamine where it declines a workbook.
    Fast,
    /// calamine's streaming cell reader only (the reference the fast path is checked on).
    Calamine,
}

/// Reads every sheet of a file, in workbook order, into `visitor`.
pub fn read_file(path: &Path, limits: &Limits, visitor: &mut dyn SheetVisitor) -> Result<()> {
    read_file_with(path, limits, visitor, XlsxEngine::Fast)
}

/// [`read_file`] with the `.xlsx` reader chosen.
pub fn read_file_with(
    path: &Path,
    limits: &Limits,
    visitor: &mut dyn SheetVisitor,
    engine: XlsxEngine,
) -> Result<()> {
    let format = guard::check_file(path, limits)?;
    let unreadable = |e: &dyn std::fmt::Display| Error::Unreadable {
        file: path.to_path_buf(),
        why: format!("cannot read the workbook ({e})"),
    };
    match format {
        Format::Csv => read_csv(path, limits, visitor),
        Format::Xlsx => {
            if engine == XlsxEngine::Fast {
                if let Some(wb) = super::xlsx::open(path) {
                    return read_xlsx_fast(path, &wb, limits, visitor);
                }
            }
            let mut wb: calamine::Xlsx<_> =
                calamine::open_workbook(path).map_err(|e| unreadable(&e))?;
            read_xlsx(path, &mut wb, limits, visitor)
        }
        Format::Xls => {
            super::precheck::check_xls(path, limits)?;
            let ooxml = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| ["xlsx", "xlsm"].iter().any(|x| x.eq_ignore_ascii_case(e)));
            let wb = calamine::open_workbook::<calamine::Xls<_>, _>(path).map_err(|e| {
                if ooxml {
                    // An .xlsx inside an OLE container is how Excel stores an encrypted one.
                    Error::Unreadable {
                        file: path.to_path_buf(),
                        why: "the workbook is password-protected (encrypted); save it without a \
                              password and run again"
                            .into(),
                    }
                } else {
                    unreadable(&e)
                }
            })?;
            read_ranges(
                path,
                &mut calamine::Sheets::Xls(wb),
                format,
                limits,
                visitor,
            )
        }
        Format::Ods => {
            super::precheck::check_ods(path, limits)?;
            let wb =
                calamine::open_workbook::<calamine::Ods<_>, _>(path).map_err(|e| unreadable(&e))?;
            read_ranges(
                path,
                &mut calamine::Sheets::Ods(wb),
                format,
                limits,
                visitor,
            )
        }
        Format::Xlsb => {
            let mut wb = calamine::open_workbook::<calamine::Xlsb<_>, _>(path)
                .map_err(|e| unreadable(&e))?;
            read_xlsb(path, &mut wb, limits, visitor)
        }
    }
}

/// Tracks a sheet's used range while streaming, and stops at the limits.
struct Extent<'a> {
    path: &'a Path,
    sheet: &'a str,
    max_cells: u64,
    rows: u64,
    cols: u64,
    cells: u64,
}

impl<'a> Extent<'a> {
    fn new(path: &'a Path, sheet: &'a str, limits: &Limits) -> Self {
        Extent {
            path,
            sheet,
            max_cells: limits.max_cells,
            rows: 0,
            cols: 0,
            cells: 0,
        }
    }

    fn limit(&self, why: String) -> Error {
        Error::Limit {
            file: self.path.to_path_buf(),
            sheet: format!(", sheet {:?}", self.sheet),
            why,
        }
    }

    /// Checks a declared or observed range of `rows` × `cols` before it is used.
    fn check_range(&self, rows: u64, cols: u64) -> Result<()> {
        if rows > MAX_ROWS as u64 || cols > MAX_COLS as u64 {
            return Err(self.limit(format!(
                "used range of {rows} rows × {cols} columns is past Excel's 1,048,576 × 16,384 grid"
            )));
        }
        if rows * cols > self.max_cells {
            return Err(self.limit(format!(
                "used range of {rows} rows × {cols} columns ({} cells) is over the limit of {} cells \
                 (limits.max_cells in salesplan.toml)",
                rows * cols,
                self.max_cells
            )));
        }
        Ok(())
    }

    fn see(&mut self, row: u32, col: u32) -> Result<()> {
        self.cells += 1;
        let (r, c) = (row as u64 + 1, col as u64 + 1);
        if r > self.rows || c > self.cols {
            self.rows = self.rows.max(r);
            self.cols = self.cols.max(c);
            self.check_range(self.rows, self.cols)?;
        }
        Ok(())
    }
}

/// Streamed cells → the visitor's rows: cells of a row gathered densely from column A, the
/// used range checked as it grows.
struct Rows<'a> {
    visitor: &'a mut dyn SheetVisitor,
    extent: Extent<'a>,
    current: Option<u32>,
    cells: Vec<Cell<'static>>,
}

impl<'a> Rows<'a> {
    fn new(visitor: &'a mut dyn SheetVisitor, extent: Extent<'a>) -> Self {
        Rows {
            visitor,
            extent,
            current: None,
            cells: Vec::new(),
        }
    }

    /// The used range the sheet declares, checked before its cells are read.
    fn declared(&mut self, last: (u32, u32)) -> Result<()> {
        if last != (0, 0) {
            self.extent
                .check_range(last.0 as u64 + 1, last.1 as u64 + 1)?;
            self.visitor.declared_rows(last.0 + 1);
        }
        Ok(())
    }

    /// One cell; false once the visitor wants no more rows of this sheet.
    fn cell(&mut self, row: u32, col: u32, cell: Cell<'static>) -> Result<bool> {
        self.extent.see(row, col)?;
        if self.current != Some(row) {
            if let Some(r) = self.current {
                if !self.cells.is_empty() && !self.visitor.row(r, &self.cells)? {
                    self.cells.clear();
                    self.current = None;
                    return Ok(false);
                }
            }
            self.cells.clear();
            self.current = Some(row);
        }
        if !matches!(cell, Cell::Empty) {
            let col = col as usize;
            if self.cells.len() <= col {
                self.cells.resize(col + 1, Cell::Empty);
            }
            self.cells[col] = cell;
        }
        Ok(true)
    }

    fn finish(self) -> Result<()> {
        if let Some(r) = self.current {
            if !self.cells.is_empty() {
                self.visitor.row(r, &self.cells)?;
            }
        }
        self.visitor.end_sheet()
    }
}

/// Rows gathered on the scanning thread, handed to the visitor in batches.
#[derive(Default)]
struct Batch<'w> {
    /// The sheet's declared last row, carried by the first batch after it is read.
    declared_rows: Option<u32>,
    cells: Vec<Cell<'w>>,
    /// Row number and its cells' range in `cells`.
    rows: Vec<(u32, std::ops::Range<usize>)>,
}

/// Rows per batch: enough to make the hand-over cheap, few enough to keep memory flat.
const BATCH_ROWS: usize = 2048;

/// The scanning thread's side of [`read_xlsx_fast`]: cells → rows → batches.
struct Batcher<'a, 'w> {
    extent: Extent<'a>,
    current: Option<u32>,
    start: usize,
    batch: Batch<'w>,
    tx: std::sync::mpsc::SyncSender<Batch<'w>>,
    /// The sheet's declared last row, until a batch carries it over.
    declared_rows: Option<u32>,
    /// Batches the visitor is done with, emptied, to be filled again without growing.
    spare: std::sync::mpsc::Receiver<Batch<'w>>,
}

impl Batcher<'_, '_> {
    /// Ends the current row; false when the visitor has gone.
    fn end_row(&mut self) -> bool {
        if let Some(r) = self.current.take() {
            let range = self.start..self.batch.cells.len();
            if !range.is_empty() {
                self.batch.rows.push((r, range));
            } else {
                self.batch.cells.truncate(self.start);
            }
        }
        if self.batch.rows.len() >= BATCH_ROWS {
            return self.send();
        }
        true
    }

    fn send(&mut self) -> bool {
        let next = self.spare.try_recv().unwrap_or_default();
        let mut batch = std::mem::replace(&mut self.batch, next);
        batch.declared_rows = self.declared_rows.take();
        batch.rows.is_empty() || self.tx.send(batch).is_ok()
    }
}

impl<'w> super::xlsx::CellSink<'w> for Batcher<'_, 'w> {
    fn dimension(&mut self, last: (u32, u32)) -> Result<()> {
        if last != (0, 0) {
            self.extent
                .check_range(last.0 as u64 + 1, last.1 as u64 + 1)?;
            self.declared_rows = Some(last.0 + 1);
        }
        Ok(())
    }

    fn cell(&mut self, row: u32, col: u32, cell: Cell<'w>) -> Result<bool> {
        self.extent.see(row, col)?;
        if self.current != Some(row) {
            if !self.end_row() {
                return Ok(false);
            }
            self.current = Some(row);
            self.start = self.batch.cells.len();
        }
        if !matches!(cell, Cell::Empty) {
            let at = self.start + col as usize;
            let cells = &mut self.batch.cells;
            if at >= cells.len() {
                // Cells mostly come in column order: the common case is one push.
                if at > cells.len() {
                    cells.resize(at, Cell::Empty);
                }
                cells.push(cell);
            } else {
                cells[at] = cell;
            }
        }
        Ok(true)
    }
}

/// How many rows ahead of the one coerced the text of shared strings is asked for.
const PREFETCH_ROWS: usize = 4;

/// Asks the CPU to bring the text of `cells`' shared strings into the cache: see
/// [`super::prefetch`]; here for the coercing thread, a few rows ahead.
fn prefetch_text(cells: &[Cell]) {
    for cell in cells {
        if let Cell::Text(Cow::Borrowed(s)) = cell {
            super::prefetch::prefetch(s.as_ptr());
        }
    }
}

/// The fast path: each sheet is inflated on one thread, scanned into rows on another, and
/// the rows coerced on this one.
fn read_xlsx_fast(
    path: &Path,
    wb: &super::xlsx::Workbook,
    limits: &Limits,
    visitor: &mut dyn SheetVisitor,
) -> Result<()> {
    use super::xlsx::{ReadError, SheetError};
    for (i, sheet) in wb.sheets.iter().enumerate() {
        if !visitor.begin_sheet(&sheet.name, wb.epoch_1904) {
            continue;
        }
        let scanned = std::thread::scope(|s| -> Result<std::result::Result<(), ReadError>> {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Batch<'_>>(4);
            let (spare_tx, spare) = std::sync::mpsc::channel::<Batch<'_>>();
            let scanner = s.spawn(move || {
                let mut batcher = Batcher {
                    extent: Extent::new(path, &sheet.name, limits),
                    current: None,
                    start: 0,
                    batch: Batch::default(),
                    tx,
                    declared_rows: None,
                    spare,
                };
                let read = wb.read_sheet(i, &mut batcher);
                if read.is_ok() && batcher.end_row() {
                    batcher.send();
                }
                read
            });
            let mut stopped = false;
            for mut batch in rx.iter() {
                if let Some(rows) = batch.declared_rows.take() {
                    visitor.declared_rows(rows);
                }
                for (k, (row, range)) in batch.rows.iter().enumerate() {
                    if let Some((_, ahead)) = batch.rows.get(k + PREFETCH_ROWS) {
                        prefetch_text(&batch.cells[ahead.clone()]);
                    }
                    if !visitor.row(*row, &batch.cells[range.clone()])? {
                        stopped = true;
                        break;
                    }
                }
                batch.rows.clear();
                batch.cells.clear();
                // The scanner may have finished: then nobody needs it back.
                let _ = spare_tx.send(batch);
                if stopped {
                    // Dropping the receiver stops the scanner at its next batch.
                    break;
                }
            }
            drop(rx);
            let read = scanner.join().unwrap_or_else(|_| {
                Err(ReadError::Sheet(SheetError::Unreadable(
                    "the sheet reader failed".into(),
                )))
            });
            Ok(if stopped { Ok(()) } else { read })
        })?;
        match scanned {
            Ok(()) => visitor.end_sheet()?,
            Err(ReadError::Sink(e)) => return Err(e),
            Err(ReadError::Sheet(SheetError::NotAWorksheet(what))) => {
                visitor.unreadable_sheet(&sheet.name, format!("{what} is not a worksheet"));
            }
            Err(ReadError::Sheet(SheetError::Unreadable(why))) => {
                return Err(Error::Unreadable {
                    file: path.to_path_buf(),
                    why: format!("sheet {:?}: cannot read cells ({why})", sheet.name),
                })
            }
        }
    }
    Ok(())
}

fn read_xlsx(
    path: &Path,
    wb: &mut calamine::Xlsx<BufReader<File>>,
    limits: &Limits,
    visitor: &mut dyn SheetVisitor,
) -> Result<()> {
    let epoch_1904 = wb.has_1904_epoch();
    for sheet in wb.sheet_names() {
        if !visitor.begin_sheet(&sheet, epoch_1904) {
            continue;
        }
        let mut reader = match wb.worksheet_cells_reader(&sheet) {
            Ok(r) => r,
            Err(e) => {
                visitor.unreadable_sheet(&sheet, e.to_string());
                continue;
            }
        };
        let mut rows = Rows::new(visitor, Extent::new(path, &sheet, limits));
        let dims = reader.dimensions();
        if dims.end >= dims.start {
            rows.declared(dims.end)?;
        }
        loop {
            let record =
                reader
                    .next_cell_with_formula_metadata()
                    .map_err(|e| Error::Unreadable {
                        file: path.to_path_buf(),
                        why: format!("sheet {sheet:?}: cannot read cells ({e})"),
                    })?;
            let Some(record) = record else { break };
            let (row, col) = record.pos;
            let mut cell = from_data_ref(record.value, epoch_1904);
            if matches!(cell, Cell::Empty) {
                if let Some(f) = record.formula {
                    cell = Cell::NoCachedValue(formula_text(f));
                }
            }
            if !rows.cell(row, col, cell.into_owned())? {
                break;
            }
        }
        rows.finish()?;
    }
    Ok(())
}

/// Reads an `.xlsb` workbook cell by cell: its declared used range is checked before any
/// cell is read.
fn read_xlsb(
    path: &Path,
    wb: &mut calamine::Xlsb<BufReader<File>>,
    limits: &Limits,
    visitor: &mut dyn SheetVisitor,
) -> Result<()> {
    for sheet in wb.sheet_names() {
        if !visitor.begin_sheet(&sheet, false) {
            continue;
        }
        let mut reader = match wb.worksheet_cells_reader(&sheet) {
            Ok(r) => r,
            Err(e) => {
                visitor.unreadable_sheet(&sheet, e.to_string());
                continue;
            }
        };
        let mut rows = Rows::new(visitor, Extent::new(path, &sheet, limits));
        let dims = reader.dimensions();
        if dims.end >= dims.start {
            rows.declared(dims.end)?;
        }
        loop {
            let cell = reader.next_cell().map_err(|e| Error::Unreadable {
                file: path.to_path_buf(),
                why: format!("sheet {sheet:?}: cannot read cells ({e})"),
            })?;
            let Some(cell) = cell else { break };
            let (row, col) = cell.get_position();
            let value = from_data_ref(cell.get_value().clone(), false);
            if !rows.cell(row, col, value.into_owned())? {
                break;
            }
        }
        rows.finish()?;
    }
    Ok(())
}

/// A formula's text; empty for a cell that shares another cell's formula.
fn formula_text(f: calamine::XlsxFormulaMetadata) -> String {
    match f {
        calamine::XlsxFormulaMetadata::Normal { formula }
        | calamine::XlsxFormulaMetadata::Shared { formula, .. } => formula,
        _ => String::new(),
    }
}

fn from_data_ref(value: DataRef<'_>, epoch_1904: bool) -> Cell<'_> {
    match value {
        DataRef::Int(i) => Cell::Number(i as f64),
        DataRef::Float(f) => Cell::Number(f),
        DataRef::String(s) => Cell::Text(s.into()),
        DataRef::SharedString(s) => Cell::Text(s.into()),
        DataRef::Bool(b) => Cell::Bool(b),
        DataRef::DateTime(d) => excel_datetime(&d, epoch_1904),
        DataRef::DateTimeIso(s) => Cell::Text(s.into()),
        DataRef::DurationIso(s) => Cell::Text(s.into()),
        DataRef::Error(e) => Cell::Error(e.to_string()),
        DataRef::Empty => Cell::Empty,
    }
}

fn from_data(value: &Data, epoch_1904: bool) -> Cell<'_> {
    match value {
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::String(s) => Cell::Text(s.as_str().into()),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(d) => excel_datetime(d, epoch_1904),
        Data::DateTimeIso(s) => Cell::Text(s.as_str().into()),
        Data::DurationIso(s) => Cell::Text(s.as_str().into()),
        Data::Error(e) => Cell::Error(e.to_string()),
        Data::Empty => Cell::Empty,
    }
}

fn read_ranges(
    path: &Path,
    wb: &mut calamine::Sheets<BufReader<File>>,
    format: Format,
    limits: &Limits,
    visitor: &mut dyn SheetVisitor,
) -> Result<()> {
    // Only date-formatted cells carry the 1904 flag, which calamine applies itself; ods
    // has no serial dates.
    let epoch_1904 = match wb {
        calamine::Sheets::Xls(x) => x.has_1904_epoch(),
        _ => false,
    };
    for sheet in wb.sheet_names() {
        if !visitor.begin_sheet(&sheet, epoch_1904) {
            continue;
        }
        let range = match wb.worksheet_range(&sheet) {
            Ok(r) => r,
            Err(e) => {
                visitor.unreadable_sheet(&sheet, e.to_string());
                continue;
            }
        };
        let extent = Extent::new(path, &sheet, limits);
        let (h, w) = range.get_size();
        extent.check_range(h as u64, w as u64)?;
        let (row0, col0) = range.start().unwrap_or((0, 0));
        if col0 >= MAX_COLS {
            return Err(extent.limit("a cell past column XFD".into()));
        }
        // Formulas without a cached value read as empty cells; ods keeps their text apart.
        let formulas = match format {
            Format::Ods => wb.worksheet_formula(&sheet).ok(),
            _ => None,
        };
        let mut cells: Vec<Cell<'_>> = Vec::new();
        for (i, values) in range.rows().enumerate() {
            let row = row0 + i as u32;
            cells.clear();
            cells.resize(col0 as usize, Cell::Empty);
            cells.extend(values.iter().map(|v| from_data(v, epoch_1904)));
            if let Some(f) = &formulas {
                for (c, cell) in cells.iter_mut().enumerate() {
                    if matches!(cell, Cell::Empty) {
                        if let Some(text) = f.get_value((row, c as u32)).filter(|t| !t.is_empty()) {
                            *cell = Cell::NoCachedValue(text.clone());
                        }
                    }
                }
            }
            while cells.last() == Some(&Cell::Empty) {
                cells.pop();
            }
            if !cells.is_empty() && !visitor.row(row, &cells)? {
                break;
            }
        }
        visitor.end_sheet()?;
    }
    Ok(())
}

/// A csv file is one sheet named after the file. UTF-8 (with or without BOM) or GB18030;
/// delimiter comma, semicolon or tab, whichever the first lines use most.
/// Reads a csv file as one sheet, counting its cells and columns while it streams: the
/// limits hold before any row reaches a table.
fn read_csv(path: &Path, limits: &Limits, visitor: &mut dyn SheetVisitor) -> Result<()> {
    let bytes = std::fs::read(path).map_err(|e| Error::Unreadable {
        file: path.to_path_buf(),
        why: format!("cannot read the file ({e})"),
    })?;
    let limit = |why: String| Error::Limit {
        file: path.to_path_buf(),
        sheet: String::new(),
        why,
    };
    let mut cells_seen: u64 = 0;
    let text = decode_csv(&bytes);
    let sheet = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !visitor.begin_sheet(&sheet, false) {
        return Ok(());
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(detect_delimiter(&text))
        .from_reader(text.as_bytes());
    let mut cells: Vec<Cell<'_>> = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| Error::Unreadable {
            file: path.to_path_buf(),
            why: format!("row {}: cannot parse csv ({e})", i + 1),
        })?;
        if i as u32 >= MAX_ROWS {
            return Err(limit("more than 1,048,576 rows".into()));
        }
        if record.len() > MAX_COLS as usize {
            return Err(limit(format!(
                "row {} has {} columns, more than Excel's 16,384",
                i + 1,
                record.len()
            )));
        }
        cells_seen += record.len() as u64;
        if cells_seen > limits.max_cells {
            return Err(limit(format!(
                "more than {} cells (limits.max_cells) by row {}",
                limits.max_cells,
                i + 1
            )));
        }
        cells.clear();
        cells.extend(record.iter().map(|s| {
            if s.is_empty() {
                Cell::Empty
            } else {
                Cell::Text(s.to_string().into())
            }
        }));
        while cells.last().is_some_and(Cell::is_blank) {
            cells.pop();
        }
        if !cells.is_empty() && !visitor.row(i as u32, &cells)? {
            break;
        }
    }
    visitor.end_sheet()
}

/// UTF-8 (a BOM is dropped) if the bytes are valid UTF-8, UTF-16 when they start with its
/// byte-order mark (Excel's "Unicode text"), else GB18030.
pub fn decode_csv(bytes: &[u8]) -> Cow<'_, str> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        if encoding != encoding_rs::UTF_8 {
            return encoding.decode_without_bom_handling(&bytes[bom..]).0;
        }
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // Valid UTF-8 is read in place: no second copy of a large file.
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => encoding_rs::GB18030.decode(bytes).0,
    }
}

/// The delimiter used most, outside quotes, in the first lines.
pub fn detect_delimiter(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut in_quotes = false;
    for (lines, c) in text.chars().scan(0usize, |lines, c| {
        if c == '\n' {
            *lines += 1;
        }
        Some((*lines, c))
    }) {
        if lines >= 20 {
            break;
        }
        match c {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => counts[0] += 1,
            ';' if !in_quotes => counts[1] += 1,
            '\t' if !in_quotes => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3)
        .max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))
        .unwrap_or(0);
    [b',', b';', b'\t'][best]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_encodings() {
        assert_eq!(decode_csv("\u{feff}订单号,金额".as_bytes()), "订单号,金额");
        let (gb, _, _) = encoding_rs::GB18030.encode("订单号,金额");
        assert_eq!(decode_csv(&gb), "订单号,金额");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("订单号\t金额".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode_csv(&utf16), "订单号\t金额");
    }

    #[test]
    fn csv_delimiters() {
        assert_eq!(detect_delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(detect_delimiter("a;b;c\n\"1,5\";2;3\n"), b';');
        assert_eq!(detect_delimiter("a\tb\tc\n1\t2\t3\n"), b'\t');
    }
}
