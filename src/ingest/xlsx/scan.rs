//! The worksheet scanner: `<row>`/`<c>`/`<v>` runs read with memchr, in chunks cut
//! anywhere, into cells.

use std::borrow::Cow;

use calamine::{ExcelDateTime, ExcelDateTimeType};
use memchr::memchr;

use super::parts::RichText;
use super::styles::NumberKind;
use super::xml::*;
use super::{CellSink, ReadError, SheetError, Workbook};
use crate::ingest::coerce::Cell;

/// A cell's `t` attribute.
#[derive(Debug, Clone, Copy, PartialEq)]
enum CellType {
    /// No `t`: a number, or text if it does not parse as one.
    Number,
    /// `t="n"`: a number.
    N,
    Shared,
    Bool,
    Date,
    Error,
    Str,
    Inline,
    Unknown,
}

impl CellType {
    fn of(t: &[u8]) -> CellType {
        match t {
            b"n" => CellType::N,
            b"s" => CellType::Shared,
            b"b" => CellType::Bool,
            b"d" => CellType::Date,
            b"e" => CellType::Error,
            b"str" => CellType::Str,
            b"inlineStr" | b"is" => CellType::Inline,
            _ => CellType::Unknown,
        }
    }
}

/// Where the scanner is in the worksheet.
#[derive(PartialEq)]
enum Part {
    /// Before `<sheetData>`; the root element's name once seen.
    Head(Option<String>),
    Data,
    Done,
}

/// What the text of the current element is for.
#[derive(PartialEq, Clone, Copy)]
enum TextFor {
    Nothing,
    Value,
    Formula,
}

pub(super) struct Scanner<'w> {
    wb: &'w Workbook,
    part: Part,
    row: u32,
    col: u32,
    /// Inside `<c>`: its position, style and type (owned copies of the attributes).
    in_cell: bool,
    pos: (u32, u32),
    /// The `s` attribute: an index into the number formats.
    style: Option<usize>,
    ty: CellType,
    /// An unknown `t`, for the error message.
    ty_raw: String,
    text_for: TextFor,
    value: String,
    has_value: bool,
    formula: Option<String>,
    inline: Option<RichText>,
    inline_value: Option<String>,
}

impl<'w> Scanner<'w> {
    pub(super) fn new(wb: &'w Workbook) -> Self {
        Scanner {
            wb,
            part: Part::Head(None),
            row: 0,
            col: 0,
            in_cell: false,
            pos: (0, 0),
            style: None,
            ty: CellType::Number,
            ty_raw: String::new(),
            text_for: TextFor::Nothing,
            value: String::new(),
            has_value: false,
            formula: None,
            inline: None,
            inline_value: None,
        }
    }

    pub(super) fn done(&self) -> bool {
        self.part == Part::Done
    }

    pub(super) fn finish(&self) -> Result<(), ReadError> {
        match &self.part {
            Part::Done => Ok(()),
            Part::Head(root) => Err(ReadError::Sheet(match root {
                Some(r) if r != "worksheet" => SheetError::NotAWorksheet(r.clone()),
                _ => SheetError::Unreadable("no <sheetData> in the sheet".into()),
            })),
            Part::Data => Err(ReadError::Sheet(SheetError::Unreadable(
                "the sheet ends inside <sheetData>".into(),
            ))),
        }
    }

    /// Scans `buf`; returns where an unfinished token starts (all of it when `last`).
    pub(super) fn feed(
        &mut self,
        buf: &[u8],
        last: bool,
        sink: &mut dyn CellSink<'w>,
    ) -> Result<usize, ReadError> {
        let bad = |e: String| ReadError::Sheet(SheetError::Unreadable(e));
        let mut pos = 0;
        while pos < buf.len() && !self.done() {
            if self.part == Part::Data && !self.in_cell {
                if let Some(next) = self.plain(buf, pos, sink)? {
                    pos = next;
                    continue;
                }
            }
            let Some((token, next)) = next_token(buf, pos, last).map_err(bad)? else {
                return Ok(pos);
            };
            // Text may be cut by the chunk's end; wait for its '<'.
            if matches!(token, Token::Text(_)) && next == buf.len() && !last {
                return Ok(pos);
            }
            self.token(token, sink)?;
            pos = next;
        }
        Ok(pos)
    }

    fn token(&mut self, t: Token<'_>, sink: &mut dyn CellSink<'w>) -> Result<(), ReadError> {
        let bad = |e: String| ReadError::Sheet(SheetError::Unreadable(e));
        if let Part::Head(root) = &mut self.part {
            if let Token::Start { name, attrs, empty } = t {
                if root.is_none() {
                    *root = Some(String::from_utf8_lossy(name).into_owned());
                }
                match name {
                    b"dimension" => {
                        let r = attribute(attrs, b"ref").unwrap_or_default();
                        let end = r.rsplit(|&b| b == b':').next().unwrap_or_default();
                        if let Some(last) = cell_ref(end) {
                            sink.dimension(last).map_err(ReadError::Sink)?;
                        }
                    }
                    b"sheetData" => self.part = if empty { Part::Done } else { Part::Data },
                    _ => {}
                }
            }
            return Ok(());
        }
        if let Some(rich) = &mut self.inline {
            if let Token::End { name: b"is" } = t {
                self.inline_value = Some(rich.take());
                self.inline = None;
            } else {
                rich.token(&t).map_err(bad)?;
            }
            return Ok(());
        }
        match t {
            Token::Start { name, attrs, empty } => match name {
                b"row" => {
                    if let Some(r) = attribute(attrs, b"r") {
                        let r = number(r).and_then(|r| r.checked_sub(1));
                        self.row = r.ok_or_else(|| bad("a row number that is not one".into()))?;
                    }
                    if empty {
                        self.row += 1;
                        self.col = 0;
                    }
                }
                b"c" => {
                    self.start_cell(attrs)?;
                    if empty {
                        self.end_cell(sink)?;
                    }
                }
                b"v" if self.in_cell => {
                    self.value.clear();
                    self.has_value = true;
                    self.text_for = if empty {
                        TextFor::Nothing
                    } else {
                        TextFor::Value
                    };
                }
                b"f" if self.in_cell => {
                    self.formula = Some(String::new());
                    self.text_for = if empty {
                        TextFor::Nothing
                    } else {
                        TextFor::Formula
                    };
                }
                b"is" if self.in_cell => {
                    if empty {
                        self.inline_value = Some(String::new());
                    } else {
                        self.inline = Some(RichText::default());
                    }
                }
                _ => {}
            },
            Token::End { name } => match name {
                b"row" => {
                    self.row += 1;
                    self.col = 0;
                }
                b"c" if self.in_cell => self.end_cell(sink)?,
                b"v" | b"f" => self.text_for = TextFor::Nothing,
                b"sheetData" => self.part = Part::Done,
                _ => {}
            },
            Token::Text(raw) => match self.text_for {
                TextFor::Value => decode_into(raw, &mut self.value).map_err(bad)?,
                TextFor::Formula => {
                    if let Some(f) = &mut self.formula {
                        decode_into(raw, f).map_err(bad)?;
                    }
                }
                TextFor::Nothing => {}
            },
            Token::CData(raw) => {
                let s = String::from_utf8_lossy(raw);
                match self.text_for {
                    TextFor::Value => self.value.push_str(&s),
                    TextFor::Formula => {
                        if let Some(f) = &mut self.formula {
                            f.push_str(&s);
                        }
                    }
                    TextFor::Nothing => {}
                }
            }
            Token::Skip => {}
        }
        Ok(())
    }

    /// `<c …>`: its position, style and type.
    fn start_cell(&mut self, attrs: &[u8]) -> Result<(), ReadError> {
        self.in_cell = true;
        self.style = None;
        self.ty = CellType::Number;
        self.has_value = false;
        self.formula = None;
        self.inline_value = None;
        self.pos = (self.row, self.col);
        for (k, v) in attributes(attrs) {
            match k {
                b"r" => {
                    self.pos = cell_ref(v).ok_or_else(|| {
                        ReadError::Sheet(SheetError::Unreadable(format!(
                            "a cell reference {:?} that is not one",
                            String::from_utf8_lossy(v)
                        )))
                    })?;
                    self.col = self.pos.1;
                }
                // As calamine: a style that is not a number is style 0.
                b"s" => self.style = Some(number(v).unwrap_or(0) as usize),
                b"t" => {
                    self.ty = CellType::of(v);
                    if self.ty == CellType::Unknown {
                        self.ty_raw = String::from_utf8_lossy(v).into_owned();
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The shape nearly every cell has, `<c r="B4" s="3" t="s"><v>12</v></c>` or
    /// `<c r="B4"/>`, and `</row>`, in one step; `None` leaves anything else (a formula, an
    /// inline string, entities, a prefix, a cut at the chunk's end) to the tokenizer.
    fn plain(
        &mut self,
        buf: &[u8],
        pos: usize,
        sink: &mut dyn CellSink<'w>,
    ) -> Result<Option<usize>, ReadError> {
        let rest = &buf[pos..];
        if rest.starts_with(b"</row>") {
            self.row += 1;
            self.col = 0;
            return Ok(Some(pos + 6));
        }
        if !rest.starts_with(b"<c ") {
            return Ok(None);
        }
        // Attributes `name="value"`, double-quoted; anything else goes to the tokenizer.
        let (mut r, mut s, mut t) = (None, None, None);
        let mut i = 3;
        let empty = loop {
            while rest.get(i) == Some(&b' ') {
                i += 1;
            }
            match rest.get(i) {
                Some(b'>') => break false,
                Some(b'/') if rest.get(i + 1) == Some(&b'>') => {
                    i += 1;
                    break true;
                }
                None => return Ok(None),
                _ => {}
            }
            let name_start = i;
            while i < rest.len() && rest[i].is_ascii_alphanumeric() {
                i += 1;
            }
            if rest.get(i) != Some(&b'=') || rest.get(i + 1) != Some(&b'"') {
                return Ok(None);
            }
            let name = &rest[name_start..i];
            let value_start = i + 2;
            let mut j = value_start;
            while j < rest.len() && rest[j] != b'"' {
                if rest[j] == b'&' || rest[j] == b'<' {
                    return Ok(None);
                }
                j += 1;
            }
            if j == rest.len() {
                return Ok(None);
            }
            let value = &rest[value_start..j];
            match name {
                b"r" => r = Some(value),
                b"s" => s = Some(value),
                b"t" => t = Some(value),
                _ => {}
            }
            i = j + 1;
        };
        let mut end = i + 1;
        let mut value = None;
        if !empty {
            let Some(body) = rest[end..].strip_prefix(b"<v>") else {
                return Ok(None);
            };
            let Some(lt) = memchr(b'<', body) else {
                return Ok(None);
            };
            let v = &body[..lt];
            if !body[lt..].starts_with(b"</v></c>") || memchr::memchr2(b'&', b'\r', v).is_some() {
                return Ok(None);
            }
            value = Some(v);
            end += 3 + lt + 8;
        }
        // What start_cell does with the attributes, for these three.
        self.in_cell = true;
        self.formula = None;
        self.inline_value = None;
        self.pos = (self.row, self.col);
        if let Some(r) = r {
            self.pos = cell_ref(r).ok_or_else(|| {
                ReadError::Sheet(SheetError::Unreadable(format!(
                    "a cell reference {:?} that is not one",
                    String::from_utf8_lossy(r)
                )))
            })?;
            self.col = self.pos.1;
        }
        self.style = s.map(|s| number(s).unwrap_or(0) as usize);
        self.ty = t.map_or(CellType::Number, CellType::of);
        if self.ty == CellType::Unknown {
            self.ty_raw = String::from_utf8_lossy(t.unwrap_or_default()).into_owned();
        }
        self.has_value = value.is_some();
        self.end_cell_with(value.unwrap_or_default(), sink)?;
        Ok(Some(pos + end))
    }

    /// `</c>`: the cell's value as calamine reads it, to the sink.
    fn end_cell(&mut self, sink: &mut dyn CellSink<'w>) -> Result<(), ReadError> {
        let v = std::mem::take(&mut self.value);
        let done = self.end_cell_with(v.as_bytes(), sink);
        self.value = v;
        done
    }

    /// The cell ends with value text `v` (raw bytes: numbers and shared-string indexes,
    /// nearly every cell, need no UTF-8 check).
    fn end_cell_with(&mut self, v: &[u8], sink: &mut dyn CellSink<'w>) -> Result<(), ReadError> {
        self.in_cell = false;
        self.text_for = TextFor::Nothing;
        let (row, col) = self.pos;
        self.col = col + 1;
        let mut cell = self
            .value(v)
            .map_err(|e| ReadError::Sheet(SheetError::Unreadable(e)))?;
        if cell == Cell::Empty {
            if let Some(f) = self.formula.take() {
                cell = Cell::NoCachedValue(f);
            }
        }
        if !sink.cell(row, col, cell).map_err(ReadError::Sink)? {
            self.part = Part::Done;
        }
        Ok(())
    }

    fn value(&mut self, v: &[u8]) -> Result<Cell<'w>, String> {
        let text = |v| std::str::from_utf8(v).map_err(|_| "text that is not UTF-8".to_string());
        if self.ty == CellType::Inline || self.inline_value.is_some() {
            return Ok(match self.inline_value.take() {
                Some(s) => Cell::Text(Cow::Owned(s)),
                None => Cell::Empty,
            });
        }
        if !self.has_value {
            return Ok(Cell::Empty);
        }
        Ok(match self.ty {
            CellType::Shared => {
                if v.is_empty() {
                    return Ok(Cell::Empty);
                }
                let i = match number(v) {
                    Some(n) => n as usize,
                    None => {
                        text(v)?;
                        0
                    }
                };
                match self.wb.strings.get(i) {
                    Some(s) => Cell::Text(Cow::Borrowed(s.as_str())),
                    None => return Err(format!("shared string {i} is not in the workbook")),
                }
            }
            CellType::Bool => match text(v)?.trim() {
                "" => Cell::Empty,
                "0" => Cell::Bool(false),
                "1" => Cell::Bool(true),
                t if t.eq_ignore_ascii_case("false") => Cell::Bool(false),
                t if t.eq_ignore_ascii_case("true") => Cell::Bool(true),
                t => return Err(format!("a boolean cell holding {t:?}")),
            },
            CellType::Date => Cell::Text(Cow::Owned(text(v)?.to_string())),
            CellType::Error => match text(v)? {
                e @ ("#DIV/0!" | "#N/A" | "#NAME?" | "#NULL!" | "#NUM!" | "#REF!" | "#VALUE!") => {
                    Cell::Error(e.to_string())
                }
                e => return Err(format!("an error cell holding {e:?}")),
            },
            CellType::Str => Cell::Text(Cow::Owned(unescape_ooxml(text(v)?).into_owned())),
            CellType::Number | CellType::N => {
                if v.is_empty() {
                    return Ok(Cell::Empty);
                }
                match fast_float2::parse::<f64, _>(v) {
                    Ok(n) => {
                        let kind = match self.style {
                            Some(id) => self.wb.formats.get(id).copied(),
                            None => Some(NumberKind::Other),
                        };
                        let ty = match kind {
                            Some(NumberKind::DateTime) => ExcelDateTimeType::DateTime,
                            Some(NumberKind::TimeDelta) => ExcelDateTimeType::TimeDelta,
                            _ => return Ok(Cell::Number(n)),
                        };
                        crate::ingest::coerce::excel_datetime(
                            &ExcelDateTime::new(n, ty, self.wb.epoch_1904),
                            self.wb.epoch_1904,
                        )
                    }
                    Err(_) if self.ty == CellType::Number => {
                        Cell::Text(Cow::Owned(text(v)?.to_string()))
                    }
                    Err(_) => return Err(format!("a number cell holding {:?}", text(v)?)),
                }
            }
            CellType::Inline => Cell::Empty,
            CellType::Unknown => return Err(format!("a cell of type {:?}", self.ty_raw)),
        })
    }
}
