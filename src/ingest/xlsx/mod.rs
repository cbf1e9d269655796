//! The fast path for `.xlsx`/`.xlsm` worksheets.
//!
//! calamine reads every cell through a general XML reader and costs about 5 µs a cell; an
//! export's worksheet XML is a plain run of `<row>`/`<c>`/`<v>` elements that a byte
//! scanner (memchr) reads several times faster. The sheet's zip entry is inflated on a
//! second thread while this one scans, in chunks cut wherever a token ends, so memory stays
//! at a few chunks whatever the sheet's size.
//!
//! The workbook parts (relationships, sheet list, shared strings: [`parts`]; number
//! formats: [`styles`]) are read with the same small tokenizer, following calamine's rules so that both give
//! the same cells: the test suite reads every workbook it writes, the demo and the real
//! exports both ways and compares. A workbook whose parts this reader does not understand
//! goes to calamine whole ([`open`] returns `None`).

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use super::coerce::Cell;
use scan::Scanner;
use styles::NumberKind;

mod parts;
mod scan;
mod styles;
mod xml;

/// Inflated worksheet XML goes from the inflating thread to the scanner in pieces this big
/// (in unit tests, small and odd, so that cuts fall everywhere).
const CHUNK: usize = if cfg!(test) { 97 } else { 2 << 20 };

/// One sheet of the workbook, in workbook order.
#[derive(Debug, Clone)]
pub struct SheetPart {
    pub name: String,
    /// The zip entry of its XML.
    part: String,
    /// False for chart and dialog sheets.
    worksheet: bool,
}

/// An opened `.xlsx`: its sheets, shared strings and number formats.
pub struct Workbook {
    path: PathBuf,
    pub sheets: Vec<SheetPart>,
    pub epoch_1904: bool,
    strings: parts::SharedStrings,
    formats: Vec<NumberKind>,
    /// Zip entry names by their lower-case form (Excel matches part names ignoring case).
    entries: HashMap<String, String>,
}

/// Opens a workbook for the fast path; `None` when one of its parts is not as this reader
/// expects (calamine then reads the file and says what is wrong, if anything).
pub fn open(path: &Path) -> Option<Workbook> {
    match try_open(path) {
        Ok(wb) => Some(wb),
        Err(why) => {
            tracing::debug!(file = %path.display(), "xlsx fast path not used: {why}");
            None
        }
    }
}

fn try_open(path: &Path) -> Result<Workbook, String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    let mut zip = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| e.to_string())?;
    let entries: HashMap<String, String> = zip
        .file_names()
        .filter_map(|n| n.ok())
        .map(|n| (n.to_ascii_lowercase(), n.into_owned()))
        .collect();
    let (xl, workbook_name) = parts::workbook_part(&mut zip, &entries)?;
    let rels_name = format!("{xl}_rels/{workbook_name}.rels");
    let rels = parts::relationships(
        &parts::read_entry(&mut zip, &entries, &rels_name)?.ok_or(format!("no {rels_name}"))?,
    )?;
    let workbook = parts::read_entry(&mut zip, &entries, &format!("{xl}{workbook_name}"))?
        .ok_or("no workbook part")?;
    let (sheets, epoch_1904) = parts::sheet_list(&workbook, &rels, &xl)?;
    let sst = format!("{xl}sharedStrings.xml");
    let strings = match entries.get(&sst.to_ascii_lowercase()) {
        Some(actual) => {
            let mut part = zip.by_name(actual).map_err(|e| format!("{sst}: {e}"))?;
            let size = part.size();
            parts::shared_strings(&mut part, size, &sst)?
        }
        None => parts::SharedStrings::default(),
    };
    let formats = match parts::read_entry(&mut zip, &entries, &format!("{xl}styles.xml"))? {
        Some(styles) => styles::number_formats(&styles)?,
        None => Vec::new(),
    };
    Ok(Workbook {
        path: path.to_path_buf(),
        sheets,
        epoch_1904,
        strings,
        formats,
        entries,
    })
}

/// Why a sheet could not be read.
#[derive(Debug)]
pub enum SheetError {
    /// A chart or dialog sheet: no cells.
    NotAWorksheet(String),
    /// Broken XML or values.
    Unreadable(String),
}

/// What the scanner hands on: a cell at 0-based (row, column), or the declared used range
/// (last row, last column) before any cell.
pub trait CellSink<'w> {
    fn dimension(&mut self, last: (u32, u32)) -> crate::error::Result<()>;
    /// Return false to stop reading the sheet.
    fn cell(&mut self, row: u32, col: u32, cell: Cell<'w>) -> crate::error::Result<bool>;
}

/// A failure while reading a sheet: the sheet's own, or the sink's.
pub enum ReadError {
    Sheet(SheetError),
    Sink(crate::error::Error),
}

impl Workbook {
    /// Reads sheet `index` into `sink`, inflating on a second thread.
    pub fn read_sheet<'w, S: CellSink<'w>>(
        &'w self,
        index: usize,
        sink: &mut S,
    ) -> Result<(), ReadError> {
        let sheet = &self.sheets[index];
        if !sheet.worksheet {
            return Err(ReadError::Sheet(SheetError::NotAWorksheet(
                "a chart or dialog sheet".into(),
            )));
        }
        let entry = self
            .entries
            .get(&sheet.part.to_ascii_lowercase())
            .cloned()
            .ok_or_else(|| {
                ReadError::Sheet(SheetError::Unreadable(format!("no part {}", sheet.part)))
            })?;
        let mut scan = Scanner::new(self);
        std::thread::scope(|s| {
            let (tx, rx) = mpsc::sync_channel::<Result<Vec<u8>, String>>(4);
            // Scanned chunks go back to be filled again: no fresh pages to fault in and
            // zero for every chunk, and memory stays at a few chunks.
            let (used_tx, used) = mpsc::channel::<Vec<u8>>();
            let path = &self.path;
            s.spawn(move || {
                let inflate = || -> Result<(), String> {
                    let file = File::open(path).map_err(|e| e.to_string())?;
                    let mut zip =
                        zip::ZipArchive::new(BufReader::new(file)).map_err(|e| e.to_string())?;
                    let mut f = zip.by_name(&entry).map_err(|e| e.to_string())?;
                    let mut tail = Vec::new();
                    loop {
                        let mut chunk = used.try_recv().unwrap_or_default();
                        let need = tail.len() + CHUNK;
                        // Writes zeros only past the length the chunk had.
                        chunk.resize(need, 0);
                        chunk[..tail.len()].copy_from_slice(&tail);
                        let mut len = tail.len();
                        while len < need {
                            match f.read(&mut chunk[len..]) {
                                Ok(0) => break,
                                Ok(n) => len += n,
                                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                                Err(e) => return Err(e.to_string()),
                            }
                        }
                        let inflated = len > tail.len();
                        tail.clear();
                        chunk.truncate(len);
                        // Cut after the last `</row>`, so that the scanner takes each chunk
                        // whole and has nothing to carry into the next (it still can, for
                        // a cut anywhere else).
                        if inflated {
                            if let Some(at) = memchr::memmem::rfind(&chunk, b"</row>") {
                                tail.extend_from_slice(&chunk[at + 6..]);
                                chunk.truncate(at + 6);
                            }
                        }
                        if chunk.is_empty() || tx.send(Ok(chunk)).is_err() {
                            return Ok(());
                        }
                    }
                };
                if let Err(e) = inflate() {
                    let _ = tx.send(Err(e));
                }
            });
            let mut pending: Vec<u8> = Vec::new();
            let mut start = 0;
            for chunk in rx.iter() {
                let chunk = chunk.map_err(|e| ReadError::Sheet(SheetError::Unreadable(e)))?;
                let scanned = if start == pending.len() {
                    std::mem::replace(&mut pending, chunk)
                } else {
                    pending.drain(..start);
                    pending.extend_from_slice(&chunk);
                    chunk
                };
                // The inflating thread may have finished: then nobody needs it back.
                let _ = used_tx.send(scanned);
                start = scan.feed(&pending, false, sink)?;
                if scan.done() {
                    // Dropping the receiver stops the inflating thread.
                    return Ok(());
                }
            }
            scan.feed(&pending[start.min(pending.len())..], true, sink)?;
            scan.finish()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::styles::custom_format_kind;
    use super::xml::*;
    use super::*;

    /// Every cell of a workbook as one reader reads it.
    #[derive(Default)]
    struct Recorded(Vec<String>);

    impl crate::ingest::source::SheetVisitor for Recorded {
        fn begin_sheet(&mut self, sheet: &str, _: bool) -> bool {
            self.0.push(format!("sheet {sheet}"));
            true
        }
        fn row(&mut self, row: u32, cells: &[Cell]) -> crate::error::Result<bool> {
            self.0.push(format!("{row}: {cells:?}"));
            Ok(true)
        }
        fn end_sheet(&mut self) -> crate::error::Result<()> {
            Ok(())
        }
        fn unreadable_sheet(&mut self, sheet: &str, why: String) {
            self.0.push(format!("unreadable {sheet}: {why}"));
        }
    }

    /// A workbook written by rust_xlsxwriter (a date, a decimal and a text cell, so its
    /// styles have those formats as 1, 2 and 0) whose first sheet's rows are then
    /// replaced by `rows`.
    fn workbook_with_rows(dir: &Path, rows: &str) -> PathBuf {
        use std::io::Write;
        let path = dir.join("rows.xlsx");
        let mut wb = rust_xlsxwriter::Workbook::new();
        let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        let decimal = rust_xlsxwriter::Format::new().set_num_format("0.00");
        let ws = wb.add_worksheet();
        ws.write_with_format(0, 0, 45000, &date).unwrap();
        ws.write_with_format(0, 1, 1.5, &decimal).unwrap();
        ws.write(0, 2, "x").unwrap();
        wb.save(&path).unwrap();
        let sheet = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
        );
        let bytes = std::fs::read(&path).unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for i in 0..archive.len() {
            let mut f = archive.by_index(i).unwrap();
            let name = f.name().unwrap().to_string();
            let mut content = Vec::new();
            f.read_to_end(&mut content).unwrap();
            if name == "xl/worksheets/sheet1.xml" {
                content = sheet.clone().into_bytes();
            }
            out.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(&content).unwrap();
        }
        std::fs::write(&path, out.finish().unwrap().into_inner()).unwrap();
        path
    }

    /// Every cell of `path` as the fast path reads it, checked against calamine.
    fn read_both_ways(path: &Path) -> Vec<String> {
        use crate::ingest::source::{read_file_with, XlsxEngine};
        let limits = crate::config::Config::default().limits;
        let read = |engine| {
            let mut r = Recorded::default();
            read_file_with(path, &limits, &mut r, engine).unwrap();
            r.0
        };
        let fast = read(XlsxEngine::Fast);
        assert_eq!(fast, read(XlsxEngine::Calamine));
        fast
    }

    /// With 97-byte pieces, cuts fall inside tags, values, entities, CDATA and `</row>`
    /// written inside text; every one must read as calamine reads the whole sheet.
    #[test]
    fn sheets_cut_anywhere_read_as_calamine_reads_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut rows = String::new();
        for r in 1..=120 {
            rows.push_str(&format!(
                r#"<row r="{r}"><c r="A{r}" t="inlineStr"><is><t><![CDATA[a</row>b{r}]]></t></is></c><c r="B{r}"><v>{r}.25</v></c><c r="C{r}" t="str"><v>x&amp;y&lt;/row&gt;{r}</v></c><c r="D{r}" t="b"><v>1</v></c></row>"#
            ));
        }
        let path = workbook_with_rows(dir.path(), &rows);
        assert!(rows.len() > 100 * CHUNK);
        let fast = read_both_ways(&path);
        assert_eq!(fast.len(), 121);
        assert!(fast[120].contains("a</row>b120"), "{}", fast[120]);
    }

    /// A column's tags are compared with the last one's tail: a tail that changes in style,
    /// type, length or order of attributes, or grows past 16 bytes, is read afresh.
    #[test]
    fn a_column_whose_tags_change_reads_as_calamine_reads_it() {
        let dir = tempfile::tempdir().unwrap();
        let b_tails = [
            r#" s="1">"#,
            r#" s="2">"#,
            r#" s="1" t="n">"#,
            r#" t="n" s="1">"#,
            r#" s="2" t="str">"#,
            r#" s="1"/>"#,
            r#" s="0" t="str" cm="1">"#,
            r#">"#,
        ];
        let mut rows = String::new();
        for r in 1..=90 {
            // Column B's tail changes every third row; C's stays for 28 rows.
            let b = b_tails[(r / 3) % b_tails.len()];
            let c = if r % 29 == 0 {
                r#" s="2">"#
            } else {
                r#" s="1">"#
            };
            let value = |tail: &str| {
                if tail.ends_with("/>") {
                    String::new()
                } else {
                    format!("<v>{}</v></c>", 45000 + r)
                }
            };
            rows.push_str(&format!(
                r#"<row r="{r}"><c r="B{r}"{b}{}<c r="C{r}"{c}{}<c r="D{r}" s="2"><v>{r}.5</v></c></row>"#,
                value(b),
                value(c),
            ));
        }
        let path = workbook_with_rows(dir.path(), &rows);
        let cells = read_both_ways(&path);
        assert_eq!(cells.len(), 91);
        // Row 29's C is a decimal, the rows around it dates.
        assert!(cells[29].contains("Number(45029.0)"), "{}", cells[29]);
        assert!(cells[28].contains("DateTime(2023-04-12"), "{}", cells[28]);
    }

    #[test]
    fn tokens() {
        let xml = br#"<?xml version="1.0"?><x:row r="2" a='>'><c r="B2"/><!-- c --><v>1&amp;2</v></x:row>"#;
        let mut seen = Vec::new();
        each_token(xml, |t| {
            seen.push(format!("{t:?}").replace("\\", ""));
            Ok(())
        })
        .unwrap();
        assert_eq!(seen.len(), 8, "{seen:?}");
        assert!(matches!(next_token(b"<c r=\"A", 0, false), Ok(None)));
        let mut s = String::new();
        decode_into(b"a&lt;b&#x41;&#66;\r\nc", &mut s).unwrap();
        assert_eq!(s, "a<bAB\nc");
    }

    #[test]
    fn references_and_escapes() {
        assert_eq!(cell_ref(b"A1"), Some((0, 0)));
        assert_eq!(cell_ref(b"XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(cell_ref(b"A0"), None);
        assert_eq!(unescape_ooxml("a_x000D_b"), "a\rb");
        assert_eq!(unescape_ooxml("_xD83D__xDCF7_"), "📷");
        assert_eq!(custom_format_kind("yyyy-mm-dd"), NumberKind::DateTime);
        assert_eq!(custom_format_kind("[h]:mm"), NumberKind::TimeDelta);
        assert_eq!(custom_format_kind("#,##0.00"), NumberKind::Other);
    }
}
