//! Writing the demo's workbooks: cells, sheets with an optional title and totals row,
//! and the document properties real exports carry.

use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, XlsxError};

use crate::error::{Error, Result};

/// The workbooks written so far, into one folder.
pub(super) struct Writer {
    folder: PathBuf,
    created: NaiveDate,
    pub written: Vec<PathBuf>,
}

impl Writer {
    pub fn new(folder: &Path, created: NaiveDate) -> Writer {
        Writer {
            folder: folder.to_path_buf(),
            created,
            written: Vec::new(),
        }
    }

    /// Writes workbook `name` with `sheets`.
    pub fn book(&mut self, name: &str, sheets: Vec<SheetSpec>) -> Result<()> {
        let path = self.folder.join(name);
        write_workbook(&path, self.created, &sheets)?;
        self.written.push(path);
        Ok(())
    }
}

/// A cell to write.
pub(super) enum V {
    T(String),
    N(f64),
    D(NaiveDate),
    Dt(NaiveDateTime),
    E,
}

pub(super) fn t(s: impl Into<String>) -> V {
    V::T(s.into())
}

pub(super) struct SheetSpec {
    pub name: &'static str,
    pub title: Option<String>,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<V>>,
    /// Totals row: label column and the columns to sum.
    pub totals: Option<(usize, Vec<usize>)>,
}

pub(super) fn xerr(path: &Path) -> impl Fn(XlsxError) -> Error + '_ {
    move |e| Error::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    }
}

pub(super) fn excel_date(d: NaiveDate) -> std::result::Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
}

pub(super) fn write_workbook(path: &Path, created: NaiveDate, sheets: &[SheetSpec]) -> Result<()> {
    let err = xerr(path);
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new().set_creation_datetime(&excel_date(created).map_err(&err)?),
    );
    let head = Format::new()
        .set_bold()
        .set_background_color("#D9E1F2")
        .set_align(FormatAlign::Center);
    let title_fmt = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center);
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    let dt_fmt = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let money_fmt = Format::new().set_num_format("#,##0.00");
    let bold = Format::new().set_bold();
    for s in sheets {
        let ws = wb.add_worksheet().set_name(s.name).map_err(&err)?;
        let mut row: u32 = 0;
        if let Some(title) = &s.title {
            ws.merge_range(0, 0, 0, s.headers.len() as u16 - 1, title, &title_fmt)
                .map_err(&err)?;
            row = 2;
        }
        let header_row = row;
        for (c, h) in s.headers.iter().enumerate() {
            ws.write_string_with_format(row, c as u16, *h, &head)
                .map_err(&err)?;
            ws.set_column_width(c as u16, 13).map_err(&err)?;
        }
        for r in &s.rows {
            row += 1;
            for (c, v) in r.iter().enumerate() {
                write_cell(ws, row, c as u16, v, &date_fmt, &dt_fmt, &money_fmt).map_err(&err)?;
            }
        }
        if let Some((label_col, sum_cols)) = &s.totals {
            let last = row;
            row += 1;
            ws.write_string_with_format(row, *label_col as u16, "合计", &bold)
                .map_err(&err)?;
            for &c in sum_cols {
                let letter = crate::types::column_letter(c);
                let formula = format!("=SUM({letter}{}:{letter}{})", header_row + 2, last + 1);
                let total: f64 = s
                    .rows
                    .iter()
                    .map(|r| match r.get(c) {
                        Some(V::N(x)) => *x,
                        _ => 0.0,
                    })
                    .sum();
                ws.write_formula_with_format(row, c as u16, formula.as_str(), &money_fmt)
                    .map_err(&err)?
                    .set_formula_result(row, c as u16, format!("{total}"));
            }
        }
    }
    wb.save(path).map_err(&err)
}

use chrono::Timelike;

pub(super) fn write_cell(
    ws: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    c: u16,
    v: &V,
    date_fmt: &Format,
    dt_fmt: &Format,
    money_fmt: &Format,
) -> std::result::Result<(), XlsxError> {
    match v {
        V::T(x) => ws.write_string(row, c, x).map(|_| ()),
        V::N(x) => ws
            .write_number_with_format(row, c, *x, money_fmt)
            .map(|_| ()),
        V::D(d) => ws
            .write_datetime_with_format(row, c, excel_date(*d)?, date_fmt)
            .map(|_| ()),
        V::Dt(d) => {
            let x = excel_date(d.date())?.and_hms(d.hour() as u16, d.minute() as u8, 0)?;
            ws.write_datetime_with_format(row, c, &x, dt_fmt)
                .map(|_| ())
        }
        V::E => Ok(()),
    }
}

pub(super) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// `1234567.5` → `1,234,567.50`.
pub(super) fn thousands(x: f64) -> String {
    let neg = x < 0.0;
    let s = format!("{:.2}", x.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    format!("{}{out}.{frac}", if neg { "-" } else { "" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(1_234_567.5), "1,234,567.50");
        assert_eq!(thousands(-120.0), "-120.00");
        assert_eq!(thousands(999.0), "999.00");
    }
}
