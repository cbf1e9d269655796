//! Helpers for the integration tests: a temporary working folder, workbooks built with
//! rust_xlsxwriter, byte-level patches to them, and the real `salesplan` binary.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::Value;

/// A cell to write.
#[derive(Debug, Clone)]
pub enum C {
    /// Text.
    S(&'static str),
    /// Owned text.
    O(String),
    /// A number.
    N(f64),
    /// A date cell.
    D(u16, u8, u8),
    /// Nothing.
    E,
}

pub use C::*;

/// A temporary folder with `inputs/` and `outputs/`, removed at the end.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("inputs")).unwrap();
        Sandbox { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn input(&self, name: &str) -> PathBuf {
        self.path().join("inputs").join(name)
    }

    pub fn out(&self) -> PathBuf {
        self.path().join("outputs")
    }

    /// Runs `salesplan` with `args` in the sandbox. Every workbook a test hands to the
    /// binary is first read by both `.xlsx` readers, which must agree.
    pub fn run(&self, args: &[&str]) -> Output {
        for entry in std::fs::read_dir(self.path().join("inputs"))
            .into_iter()
            .flatten()
        {
            same_cells_both_readers(&entry.unwrap().path());
        }
        Command::new(env!("CARGO_BIN_EXE_salesplan"))
            .args(args)
            .current_dir(self.path())
            .env_remove("SALESPLAN_LOG")
            .output()
            .expect("salesplan runs")
    }

    /// `metrics.json` of a month.
    pub fn metrics(&self, month: &str) -> Value {
        let path = self.out().join(month).join("metrics.json");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_str(&text).unwrap()
    }

    /// Files under `outputs/`, relative.
    pub fn outputs(&self) -> Vec<String> {
        let mut found = Vec::new();
        let mut stack = vec![self.out()];
        while let Some(d) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in entries.flatten() {
                // The run lock is not an output.
                if e.file_name().to_string_lossy().starts_with('.') {
                    continue;
                }
                if e.path().is_dir() {
                    stack.push(e.path());
                } else {
                    found.push(
                        e.path()
                            .strip_prefix(self.out())
                            .unwrap()
                            .display()
                            .to_string(),
                    );
                }
            }
        }
        found.sort();
        found
    }
}

/// Exit code, stdout and stderr of a run, for assertion messages.
pub fn describe(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Asserts the exit code.
#[track_caller]
pub fn assert_exit(o: &Output, code: i32) {
    assert_eq!(o.status.code(), Some(code), "{}", describe(o));
}

/// Writes a workbook with the given sheets of rows.
pub fn xlsx(path: &Path, sheets: &[(&str, Vec<Vec<C>>)]) {
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (name, rows) in sheets {
        let ws = wb.add_worksheet().set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    S(s) => {
                        ws.write_string(r, c, *s).unwrap();
                    }
                    O(s) => {
                        ws.write_string(r, c, s).unwrap();
                    }
                    N(n) => {
                        ws.write_number(r, c, *n).unwrap();
                    }
                    D(y, m, d) => {
                        ws.write_datetime_with_format(
                            r,
                            c,
                            ExcelDateTime::from_ymd(*y, *m, *d).unwrap(),
                            &date,
                        )
                        .unwrap();
                    }
                    E => {}
                }
            }
        }
    }
    wb.save(path).unwrap();
}

/// Rewrites one entry of a zip-based workbook, replacing `from` by `to` in its text.
pub fn patch_entry(path: &Path, entry: &str, from: &str, to: &str) {
    let bytes = std::fs::read(path).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let mut patched = false;
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut content = Vec::new();
        f.read_to_end(&mut content).unwrap();
        if name == entry {
            let text = String::from_utf8(content).unwrap();
            assert!(text.contains(from), "{entry} has no {from:?}:\n{text}");
            content = text.replacen(from, to, 1).into_bytes();
            patched = true;
        }
        out.start_file(name, options).unwrap();
        out.write_all(&content).unwrap();
    }
    assert!(patched, "no entry {entry}");
    std::fs::write(path, out.finish().unwrap().into_inner()).unwrap();
}

/// A number from `metrics.json` by path (`kpis.revenue.month`).
#[track_caller]
pub fn num(v: &Value, path: &str) -> f64 {
    let mut at = v;
    for part in path.split('.') {
        at = &at[part];
    }
    at.as_f64().unwrap_or_else(|| panic!("{path} is {at}"))
}

/// Asserts two floats agree to 1e-6.
#[track_caller]
pub fn close(got: f64, want: f64) {
    assert!((got - want).abs() < 1e-6, "got {got}, want {want}");
}

/// A small clean orders workbook: A1 (2026-10-01, C1, 100) and A2 (2026-10-02, C2, 50).
pub fn small_orders(path: &Path) {
    xlsx(
        path,
        &[(
            "Orders",
            vec![
                vec![
                    S("order_id"),
                    S("order_date"),
                    S("customer_id"),
                    S("amount"),
                ],
                vec![S("A1"), D(2026, 10, 1), S("C1"), N(100.0)],
                vec![S("A2"), D(2026, 10, 2), S("C2"), N(50.0)],
            ],
        )],
    );
}

/// What a reader hands its visitor, recorded.
#[derive(Debug, PartialEq, Default)]
struct Recorded(Vec<String>);

impl salesplan::ingest::source::SheetVisitor for Recorded {
    fn begin_sheet(&mut self, sheet: &str, epoch_1904: bool) -> bool {
        self.0.push(format!("sheet {sheet:?} 1904={epoch_1904}"));
        true
    }
    fn row(
        &mut self,
        row: u32,
        cells: &[salesplan::ingest::coerce::Cell<'_>],
    ) -> salesplan::error::Result<bool> {
        self.0.push(format!("{row}: {cells:?}"));
        Ok(true)
    }
    fn end_sheet(&mut self) -> salesplan::error::Result<()> {
        self.0.push("end".into());
        Ok(())
    }
    fn unreadable_sheet(&mut self, sheet: &str, _why: String) {
        self.0.push(format!("unreadable {sheet:?}"));
    }
}

/// The fast `.xlsx` reader and calamine's give the same sheets, rows and cells for `path`
/// (or both refuse it), and returns what they read. Other formats are not concerned.
pub fn same_cells_both_readers(path: &Path) -> Vec<String> {
    use salesplan::ingest::source::{read_file_with, XlsxEngine};
    let is_xlsx = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xlsm"));
    if !is_xlsx {
        return Vec::new();
    }
    let limits = salesplan::config::Config::default().limits;
    let read = |engine| {
        let mut r = Recorded::default();
        let result = read_file_with(path, &limits, &mut r, engine);
        (result.map_err(|e| e.to_string()), r)
    };
    // The fast reader must take the workbook itself: were it to decline, Fast would fall back
    // to calamine and this would compare calamine with itself.
    let took = salesplan::ingest::xlsx::open(path).is_some();
    let (fast, fast_cells) = read(XlsxEngine::Fast);
    assert!(
        took || fast.is_err(),
        "{}: the fast reader declined a workbook that calamine reads",
        path.display()
    );
    let (reference, reference_cells) = read(XlsxEngine::Calamine);
    assert_eq!(
        fast.is_ok(),
        reference.is_ok(),
        "{}: fast reader {fast:?}, calamine {reference:?}",
        path.display()
    );
    if fast.is_ok() {
        for (i, (a, b)) in fast_cells.0.iter().zip(&reference_cells.0).enumerate() {
            assert_eq!(a, b, "{}: event {i} differs", path.display());
        }
        assert_eq!(
            fast_cells.0.len(),
            reference_cells.0.len(),
            "{}: event counts differ",
            path.display()
        );
    }
    fast_cells.0
}

/// Replaces one entry of a zip-based workbook.
pub fn set_entry(path: &Path, entry: &str, content: &str) {
    let bytes = std::fs::read(path).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let text = {
        let mut f = archive.by_name(entry).unwrap();
        let mut t = String::new();
        f.read_to_string(&mut t).unwrap();
        t
    };
    patch_entry(path, entry, &text, content);
}

/// What a PDF page puts where, read from its content stream: the lowest painted point
/// above the footer band (as a share of the page height, from the top), and whether any
/// path is painted inside the footer band (an overflow: the footer itself is text).
#[derive(Debug, Clone, Copy)]
pub struct PageInk {
    /// 0 at the top of the page, 1 at the bottom.
    pub lowest: f64,
    /// A bar, rule or box drawn in the bottom `footer` points of the page.
    pub paths_in_footer: bool,
}

/// [`PageInk`] of every page; `footer` is the bottom margin in points, where only the
/// footer's text belongs. Follows q/Q/cm, paths (m l c re, painted by f/S/B or dropped by
/// n) and text positions (Tm), which is all typst writes.
pub fn page_ink(path: &Path, footer: f64) -> Vec<PageInk> {
    use lopdf::content::Content;
    let doc = lopdf::Document::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let num = |o: &lopdf::Object| {
        o.as_float()
            .map(|f| f as f64)
            .or_else(|_| o.as_i64().map(|i| i as f64))
            .unwrap_or(0.0)
    };
    let mut out = Vec::new();
    for (_, id) in doc.get_pages() {
        let page = doc.get_dictionary(id).unwrap();
        let height = page
            .get(b"MediaBox")
            .ok()
            .and_then(|m| m.as_array().ok())
            .map(|m| num(&m[3]) - num(&m[1]))
            .unwrap_or(595.0);
        let content = Content::decode(&doc.get_page_content(id)).unwrap();
        // The current transformation matrix [a b c d e f].
        let mut ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];
        let mut stack = Vec::new();
        let mut path: Vec<(f64, f64)> = Vec::new();
        let (mut lowest, mut paths_in_footer) = (height, false);
        let apply =
            |m: &[f64; 6], x: f64, y: f64| (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]);
        for op in content.operations {
            let o: Vec<f64> = op.operands.iter().map(num).collect();
            match op.operator.as_str() {
                "q" => stack.push(ctm),
                "Q" => ctm = stack.pop().unwrap_or(ctm),
                "cm" if o.len() == 6 => {
                    let m = ctm;
                    ctm = [
                        o[0] * m[0] + o[1] * m[2],
                        o[0] * m[1] + o[1] * m[3],
                        o[2] * m[0] + o[3] * m[2],
                        o[2] * m[1] + o[3] * m[3],
                        o[4] * m[0] + o[5] * m[2] + m[4],
                        o[4] * m[1] + o[5] * m[3] + m[5],
                    ];
                }
                "m" | "l" if o.len() == 2 => path.push(apply(&ctm, o[0], o[1])),
                "c" if o.len() == 6 => path.push(apply(&ctm, o[4], o[5])),
                "re" if o.len() == 4 => {
                    path.push(apply(&ctm, o[0], o[1]));
                    path.push(apply(&ctm, o[0] + o[2], o[1] + o[3]));
                }
                "f" | "f*" | "S" | "s" | "B" | "B*" | "b" | "b*" => {
                    for (_, y) in path.drain(..) {
                        if y < footer - 0.5 {
                            paths_in_footer = true;
                        } else {
                            lowest = lowest.min(y);
                        }
                    }
                }
                "n" => path.clear(),
                "Tm" if o.len() == 6 => {
                    // A baseline just above the footer band: its descenders may dip in.
                    let (_, y) = apply(&ctm, o[4], o[5]);
                    if y >= footer - 4.0 {
                        lowest = lowest.min(y);
                    }
                }
                _ => {}
            }
        }
        out.push(PageInk {
            lowest: 1.0 - lowest / height,
            paths_in_footer,
        });
    }
    out
}
