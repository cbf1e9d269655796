//! Sizes of `.xls` and `.ods` sheets, read before calamine loads them. calamine reads
//! every sheet of these formats whole when it opens the file and makes one rectangle of
//! cells from the first used cell to the last: two cells far apart, a declared used range
//! of billions, or a cell repeated across a whole row a million times would allocate
//! gigabytes before any limit of ours could look. So the file is read once here, cheaply
//! (record headers and cell positions for `.xls`, the table structure of `content.xml`
//! for `.ods`), and a sheet whose rectangle or cell count is over `limits.max_cells` is
//! refused, naming it.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use quick_xml::events::{BytesStart, Event};

use crate::error::{Error, Result};
use crate::types::Limits;

/// Excel's grid.
const MAX_ROWS: u64 = 1_048_576;
const MAX_COLS: u64 = 16_384;

/// A sheet's extent as the checks count it.
#[derive(Default)]
struct Extent {
    /// First and last used row and column, if any cell is used.
    rows: Option<(u64, u64)>,
    cols: Option<(u64, u64)>,
    /// Cells the reader would hold before making the rectangle.
    cells: u64,
}

impl Extent {
    fn cell(&mut self, row: u64, first_col: u64, last_col: u64) {
        let (r0, r1) = self.rows.unwrap_or((row, row));
        self.rows = Some((r0.min(row), r1.max(row)));
        let (c0, c1) = self.cols.unwrap_or((first_col, last_col));
        self.cols = Some((c0.min(first_col), c1.max(last_col)));
    }

    /// The rectangle's size, in cells.
    fn area(&self) -> u64 {
        match (self.rows, self.cols) {
            (Some((r0, r1)), Some((c0, c1))) => (r1 - r0 + 1).saturating_mul(c1 - c0 + 1),
            _ => 0,
        }
    }

    /// Refuses the sheet when what the reader would allocate is over the limit.
    fn check(&self, path: &Path, sheet: &str, limits: &Limits) -> Result<()> {
        let limit = |why: String| Error::Limit {
            file: path.to_path_buf(),
            sheet: format!(", sheet {sheet:?}"),
            why,
        };
        let (rows, cols) = match (self.rows, self.cols) {
            (Some((r0, r1)), Some((c0, c1))) => (r1 - r0 + 1, c1 - c0 + 1),
            _ => (0, 0),
        };
        if self.area() > limits.max_cells || self.cells > limits.max_cells {
            return Err(limit(format!(
                "used range of {rows} rows × {cols} columns ({} cells) is over the limit of {} \
                 cells (limits.max_cells in salesplan.toml)",
                self.area().max(self.cells),
                limits.max_cells
            )));
        }
        Ok(())
    }
}

fn unreadable(path: &Path, why: String) -> Error {
    Error::Unreadable {
        file: path.to_path_buf(),
        why,
    }
}

/// Checks every sheet of an `.xls` file: its declared used range (the DIMENSIONS record)
/// and the cells its records place.
pub fn check_xls(path: &Path, limits: &Limits) -> Result<()> {
    let file = File::open(path).map_err(|e| unreadable(path, format!("cannot open ({e})")))?;
    let Ok(mut cfb) = cfb::CompoundFile::open(file) else {
        // calamine says why, in its words.
        return Ok(());
    };
    let stream = ["/Workbook", "/Book"]
        .into_iter()
        .find(|s| cfb.is_stream(s));
    let Some(stream) = stream else {
        return Ok(());
    };
    let mut bytes = Vec::new();
    let read = cfb.open_stream(stream).and_then(|mut s| {
        s.by_ref()
            .take(limits.max_entry_bytes)
            .read_to_end(&mut bytes)
    });
    if read.is_err() {
        return Ok(());
    }
    // Sheet names by the offset of their substream (BOUNDSHEET records).
    let mut names: std::collections::HashMap<usize, String> = Default::default();
    let mut sheet = String::new();
    let mut depth = 0usize;
    let mut extent = Extent::default();
    let mut pos = 0;
    while pos + 4 <= bytes.len() {
        let at = pos;
        let typ = u16::from_le_bytes([bytes[pos], bytes[pos + 1]]);
        let len = u16::from_le_bytes([bytes[pos + 2], bytes[pos + 3]]) as usize;
        let data = &bytes[pos + 4..(pos + 4 + len).min(bytes.len())];
        pos += 4 + len;
        let u16_at = |i: usize| {
            data.get(i..i + 2)
                .map(|b| u16::from_le_bytes([b[0], b[1]]) as u64)
        };
        let u32_at = |i: usize| {
            data.get(i..i + 4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as u64)
        };
        match typ {
            // BOF: the workbook globals, then one substream per sheet (charts nest).
            0x0809 => {
                if depth == 0 {
                    sheet = names.get(&at).cloned().unwrap_or_default();
                }
                depth += 1;
            }
            // EOF
            0x000A => {
                if depth == 1 && !sheet.is_empty() {
                    extent.check(path, &sheet, limits)?;
                    extent = Extent::default();
                }
                depth = depth.saturating_sub(1);
            }
            // BOUNDSHEET: a sheet's name and where its substream starts.
            0x0085 if depth == 1 && len >= 8 => {
                if let Some(offset) = u32_at(0) {
                    names.insert(offset as usize, sheet_name(&data[6..]));
                }
            }
            // DIMENSIONS: what calamine reserves room for.
            0x0200 if depth == 1 => {
                let (rows, cols) = match len {
                    10 => (u16_at(0).zip(u16_at(2)), u16_at(4).zip(u16_at(6))),
                    _ => (u32_at(0).zip(u32_at(4)), u16_at(8).zip(u16_at(10))),
                };
                if let (Some((r0, r1)), Some((c0, c1))) = (rows, cols) {
                    let declared = r1.saturating_sub(r0).saturating_mul(c1.saturating_sub(c0));
                    if declared > limits.max_cells || r1 > MAX_ROWS || c1 > MAX_COLS {
                        return Err(Error::Limit {
                            file: path.to_path_buf(),
                            sheet: format!(", sheet {sheet:?}"),
                            why: format!(
                                "declared used range of {} rows × {} columns is over the limit \
                                 of {} cells (limits.max_cells in salesplan.toml)",
                                r1.saturating_sub(r0),
                                c1.saturating_sub(c0),
                                limits.max_cells
                            ),
                        });
                    }
                }
            }
            // Cells: Number, Label, RString, BoolErr, RK, LabelSst, Formula.
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 if depth == 1 => {
                if let (Some(row), Some(col)) = (u16_at(0), u16_at(2)) {
                    extent.cell(row, col, col);
                    extent.cells += 1;
                }
            }
            // MulRk: a run of cells in one row.
            0x00BD if depth == 1 && len >= 6 => {
                if let (Some(row), Some(first), Some(last)) =
                    (u16_at(0), u16_at(2), u16_at(len - 2))
                {
                    extent.cell(row, first, last.max(first));
                    extent.cells += last.saturating_sub(first) + 1;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// A BIFF8 short string: length, flags (bit 0: UTF-16), characters.
fn sheet_name(b: &[u8]) -> String {
    let (Some(&n), Some(&flags)) = (b.first(), b.get(1)) else {
        return String::new();
    };
    let chars = &b[2.min(b.len())..];
    if flags & 1 == 1 {
        let units: Vec<u16> = chars
            .chunks_exact(2)
            .take(n as usize)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        chars.iter().take(n as usize).map(|&c| c as char).collect()
    }
}

/// Checks every table of an `.ods` file's `content.xml`: rows and cells counted with their
/// repeats, as calamine expands them.
pub fn check_ods(path: &Path, limits: &Limits) -> Result<()> {
    let file = File::open(path).map_err(|e| unreadable(path, format!("cannot open ({e})")))?;
    let Ok(mut zip) = zip::ZipArchive::new(BufReader::new(file)) else {
        return Ok(());
    };
    let Ok(content) = zip.by_name("content.xml") else {
        return Ok(());
    };
    let mut reader =
        quick_xml::Reader::from_reader(BufReader::new(content.take(limits.max_entry_bytes)));
    let mut buf = Vec::new();
    let mut table = String::new();
    let mut extent = Extent::default();
    // The row being read: its first expanded index, its repeats, the next column.
    let mut row = 0u64;
    let mut row_repeats = 1u64;
    let mut col = 0u64;
    let mut row_used: Option<(u64, u64)> = None;
    // Inside a cell: its first column, repeats, and whether it holds anything.
    let mut cell: Option<(u64, u64, bool)> = None;
    loop {
        let event = match reader.read_event_into(&mut buf) {
            Ok(e) => e,
            // calamine says why, in its words.
            Err(_) => return Ok(()),
        };
        let (start, empty) = match &event {
            Event::Eof => break,
            Event::Start(e) => (Some(e), false),
            Event::Empty(e) => (Some(e), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            match e.name().into_inner() {
                "table:table" => {
                    table = attr(e, "table:name").unwrap_or_default();
                    extent = Extent::default();
                    row = 0;
                }
                "table:table-row" if empty => {
                    row = (row + repeats(e, "table:number-rows-repeated", MAX_ROWS)).min(MAX_ROWS);
                }
                "table:table-row" => {
                    row_repeats = repeats(e, "table:number-rows-repeated", MAX_ROWS);
                    col = 0;
                    row_used = None;
                }
                "table:table-cell" | "table:covered-table-cell" => {
                    let n = repeats(e, "table:number-columns-repeated", MAX_COLS);
                    let valued = e.attributes().flatten().any(|a| {
                        matches!(
                            a.key.into_inner(),
                            "office:value-type" | "office:value" | "table:formula"
                        )
                    });
                    if empty {
                        close_cell(&mut row_used, col, n, valued);
                        col = (col + n).min(MAX_COLS);
                    } else {
                        cell = Some((col, n, valued));
                    }
                }
                _ => {}
            }
        }
        match &event {
            Event::End(e) if e.name().into_inner() == "table:table" => {
                extent.check(path, &table, limits)?;
            }
            Event::End(e) if e.name().into_inner() == "table:table-row" => {
                if let Some((first, last)) = row_used {
                    let last_row = (row + row_repeats - 1).min(MAX_ROWS - 1);
                    extent.cell(row, first, last);
                    extent.cell(last_row, first, last);
                    // calamine keeps each row read up to its last used cell.
                    extent.cells = extent.cells.saturating_add(last + 1);
                }
                row = (row + row_repeats).min(MAX_ROWS);
            }
            Event::Text(t) if cell.is_some() && !t.trim_ascii().is_empty() => {
                if let Some(c) = cell.as_mut() {
                    c.2 = true;
                }
            }
            Event::End(e)
                if matches!(
                    e.name().into_inner(),
                    "table:table-cell" | "table:covered-table-cell"
                ) =>
            {
                if let Some((first, n, valued)) = cell.take() {
                    close_cell(&mut row_used, first, n, valued);
                    col = (first + n).min(MAX_COLS);
                }
            }
            _ => {}
        }
        buf.clear();
    }
    Ok(())
}

/// A cell of `n` columns from `first` ends: a used one widens the row's used columns.
fn close_cell(row_used: &mut Option<(u64, u64)>, first: u64, n: u64, valued: bool) {
    if valued {
        let last = (first + n - 1).min(MAX_COLS - 1);
        let (a, b) = row_used.unwrap_or((first, last));
        *row_used = Some((a.min(first), b.max(last)));
    }
}

/// A repeat count attribute, at least 1 and at most `max`.
fn repeats(e: &BytesStart, key: &str, max: u64) -> u64 {
    attr(e, key)
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(1)
        .clamp(1, max)
}

fn attr(e: &BytesStart, key: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.into_inner() == key)
        .map(|a| a.value.into_owned())
}
