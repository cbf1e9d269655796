//! The worksheet scanner: `<row>`/`<c>`/`<v>` runs read with memchr, in chunks cut
//! anywhere, into cells.

use std::borrow::Cow;

use calamine::{ExcelDateTime, ExcelDateTimeType};

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
    /// The last date-formatted number and what it read as.
    last_date: Option<(u64, ExcelDateTimeType, Cell<'static>)>,
    /// Per column, the last quick-read tag's attributes after `r`: see [`TagTail`].
    tails: Vec<TagTail>,
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
            last_date: None,
            tails: Vec::new(),
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
    pub(super) fn feed<S: CellSink<'w>>(
        &mut self,
        buf: &[u8],
        last: bool,
        sink: &mut S,
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

    fn token<S: CellSink<'w>>(&mut self, t: Token<'_>, sink: &mut S) -> Result<(), ReadError> {
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
    fn plain<S: CellSink<'w>>(
        &mut self,
        buf: &[u8],
        pos: usize,
        sink: &mut S,
    ) -> Result<Option<usize>, ReadError> {
        let rest = &buf[pos..];
        if rest.starts_with(b"</row>") {
            self.row += 1;
            self.col = 0;
            return Ok(Some(pos + 6));
        }
        if rest.starts_with(b"<row r=\"") {
            return Ok(self.row_start(rest).map(|end| pos + end));
        }
        if !rest.starts_with(b"<c ") {
            return Ok(None);
        }
        let tag = match self.remembered(rest) {
            Some(tag) => tag,
            None => match CellTag::quick(rest) {
                Some(tag) => {
                    self.remember(rest, &tag);
                    tag
                }
                None => match CellTag::walk(rest) {
                    Some(tag) => tag,
                    None => return Ok(None),
                },
            },
        };
        let mut end = tag.end;
        let mut value = None;
        if !tag.empty {
            let body = &rest[end..];
            let Some(lt) = value_end(body) else {
                return Ok(None);
            };
            if !body[lt..].starts_with(b"</v></c>") {
                return Ok(None);
            }
            value = Some(&body[3..lt]);
            end += lt + 8;
        }
        // What start_cell does with the attributes, for these three.
        self.in_cell = true;
        self.formula = None;
        self.inline_value = None;
        self.pos = match tag.r {
            Reference::None => (self.row, self.col),
            Reference::Read(at) => at,
            Reference::Bad(r) => {
                return Err(ReadError::Sheet(SheetError::Unreadable(format!(
                    "a cell reference {:?} that is not one",
                    String::from_utf8_lossy(r)
                ))))
            }
        };
        if tag.r != Reference::None {
            self.col = self.pos.1;
        }
        self.style = tag.s;
        self.ty = tag.t.map_or(CellType::Number, CellType::of);
        if self.ty == CellType::Unknown {
            self.ty_raw = String::from_utf8_lossy(tag.t.unwrap_or_default()).into_owned();
        }
        self.has_value = value.is_some();
        self.end_cell_with(value.unwrap_or_default(), sink)?;
        Ok(Some(pos + end))
    }

    /// The tag at the start of `rest` when it is `<c r="…"` followed by the very bytes its
    /// column's last quick-read tag had after the reference: read as that one was, without
    /// walking its attributes again.
    #[inline(always)]
    fn remembered<'a>(&self, rest: &'a [u8]) -> Option<CellTag<'a>> {
        if word(rest, 0)? & 0xFFFF_FFFF_FFFF != CellTag::OPEN {
            return None;
        }
        let w = word(rest, 6)?;
        let q = first_of(w, b'"');
        let at = reference_in(w, q)?;
        let tail = self.tails.get(at.1 as usize)?;
        let i = 6 + q + 1;
        let (a, b) = (word(rest, i)?, word(rest, i + 8)?);
        if tail.len == 0
            || (a ^ tail.bytes[0]) & tail.mask[0] | (b ^ tail.bytes[1]) & tail.mask[1] != 0
        {
            return None;
        }
        Some(CellTag {
            r: Reference::Read(at),
            s: tail.s,
            t: tail
                .t
                .map(|(from, len)| &rest[i + from as usize..i + from as usize + len as usize]),
            end: i + tail.len as usize,
            empty: tail.empty,
        })
    }

    /// Keeps what follows the reference of `tag`, a tag [`CellTag::quick`] read at the
    /// start of `rest`, for [`Self::remembered`] (when it is at most 16 bytes).
    fn remember(&mut self, rest: &[u8], tag: &CellTag) {
        let Reference::Read((_, col)) = tag.r else {
            return;
        };
        let Some(w) = word(rest, 6) else { return };
        let i = 6 + first_of(w, b'"') + 1;
        let len = tag.end.saturating_sub(i);
        let (Some(a), Some(b)) = (word(rest, i), word(rest, i + 8)) else {
            return;
        };
        if len == 0 || len > 16 || col as usize >= MAX_TAILS {
            return;
        }
        let col = col as usize;
        if self.tails.len() <= col {
            self.tails.resize(col + 1, TagTail::default());
        }
        let mask = |n: usize| if n >= 8 { u64::MAX } else { below(n) };
        self.tails[col] = TagTail {
            bytes: [a, b],
            mask: [mask(len), mask(len.saturating_sub(8))],
            len: len as u8,
            s: tag.s,
            t: tag.t.map(|t| {
                (
                    (t.as_ptr() as usize - rest.as_ptr() as usize - i) as u8,
                    t.len() as u8,
                )
            }),
            empty: tag.empty,
        };
    }

    /// `<row r="12" …>` with its number first and double-quoted attributes: as the
    /// tokenizer would read it, without it; returns where the tag ends. `None` (nothing
    /// read) for any other shape, a cut, or a number that is not one (the tokenizer says so).
    fn row_start(&mut self, rest: &[u8]) -> Option<usize> {
        let mut i = 8;
        while rest.get(i)?.is_ascii_digit() {
            i += 1;
        }
        if rest[i] != b'"' {
            return None;
        }
        let row = number(&rest[8..i])?.checked_sub(1)?;
        // The tag ends at the first '>' outside quotes.
        let mut quoted = false;
        loop {
            i += 1;
            match *rest.get(i)? {
                b'"' => quoted = !quoted,
                b'\'' | b'<' => return None,
                b'>' if !quoted => break,
                _ => {}
            }
        }
        self.row = row;
        if rest[i - 1] == b'/' {
            self.row += 1;
            self.col = 0;
        }
        Some(i + 1)
    }

    /// `</c>`: the cell's value as calamine reads it, to the sink.
    fn end_cell<S: CellSink<'w>>(&mut self, sink: &mut S) -> Result<(), ReadError> {
        let v = std::mem::take(&mut self.value);
        let done = self.end_cell_with(v.as_bytes(), sink);
        self.value = v;
        done
    }

    /// The cell ends with value text `v` (raw bytes: numbers and shared-string indexes,
    /// nearly every cell, need no UTF-8 check).
    fn end_cell_with<S: CellSink<'w>>(&mut self, v: &[u8], sink: &mut S) -> Result<(), ReadError> {
        self.in_cell = false;
        self.text_for = TextFor::Nothing;
        let (row, col) = self.pos;
        self.col = col + 1;
        let cell = match self.common_value(v) {
            Some(cell) => cell,
            None => {
                let mut cell = self
                    .value(v)
                    .map_err(|e| ReadError::Sheet(SheetError::Unreadable(e)))?;
                if matches!(cell, Cell::Empty) {
                    if let Some(f) = self.formula.take() {
                        cell = Cell::NoCachedValue(f);
                    }
                }
                cell
            }
        };
        if !sink.cell(row, col, cell).map_err(ReadError::Sink)? {
            self.part = Part::Done;
        }
        Ok(())
    }

    /// The two cells nearly every sheet is made of, a shared string and a number that is
    /// not a date, read as [`Self::value`] reads them but without its call: its result,
    /// handed back through memory, was a stall on every cell. `None` for anything else.
    #[inline(always)]
    fn common_value(&self, v: &[u8]) -> Option<Cell<'w>> {
        if !self.has_value || self.inline_value.is_some() {
            return None;
        }
        match self.ty {
            CellType::Shared => {
                let s = self.wb.strings.get(number(v)? as usize)?;
                Some(Cell::Text(Cow::Borrowed(s)))
            }
            CellType::Number | CellType::N => {
                let format = self.style.and_then(|id| self.wb.formats.get(id));
                if matches!(format, Some(NumberKind::DateTime | NumberKind::TimeDelta)) {
                    return None;
                }
                decimal(v).map(Cell::Number)
            }
            _ => None,
        }
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
                    Some(s) => Cell::Text(Cow::Borrowed(s)),
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
                match decimal(v).map_or_else(|| fast_float2::parse::<f64, _>(v), Ok) {
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
                        // A date column repeats its value down the lines of an order.
                        if let Some((serial, kind, cell)) = &self.last_date {
                            if *serial == n.to_bits() && *kind == ty {
                                return Ok(cell.clone());
                            }
                        }
                        let cell = crate::ingest::coerce::excel_datetime(
                            &ExcelDateTime::new(n, ty, self.wb.epoch_1904),
                            self.wb.epoch_1904,
                        );
                        self.last_date = Some((n.to_bits(), ty, cell.clone()));
                        cell
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

/// A `<c …>` tag's `r`.
#[derive(Debug, PartialEq)]
enum Reference<'a> {
    None,
    /// 0-based (row, column).
    Read((u32, u32)),
    /// Not a reference, for the error message.
    Bad(&'a [u8]),
}

/// Columns up to this many keep their last tag's tail.
const MAX_TAILS: usize = 1024;

/// The bytes of a cell tag after its reference (` s="3" t="s">`, at most 16) and what
/// [`CellTag::quick`] read in them. A column's cells nearly always share style and type,
/// so the next row's tag in the column is compared with these, two words, instead of read
/// attribute by attribute; the same bytes read the same whatever the reference before them.
#[derive(Clone, Copy, Default)]
struct TagTail {
    bytes: [u64; 2],
    mask: [u64; 2],
    /// 0: nothing kept.
    len: u8,
    s: Option<usize>,
    /// Where `t`'s value is in the tail, and its length.
    t: Option<(u8, u8)>,
    empty: bool,
}

/// A cell's start tag when it has the plain shape: attributes `name="value"`, double-quoted,
/// single spaces or more between them, no entity in a value. `r` and `s` are read as the
/// tag is walked, not looked at again.
#[cfg_attr(test, derive(Debug, PartialEq))]
struct CellTag<'a> {
    r: Reference<'a>,
    /// As calamine: a style that is not a number is style 0.
    s: Option<usize>,
    t: Option<&'a [u8]>,
    /// Where the tag ends, after its `>`.
    end: usize,
    /// `/>`.
    empty: bool,
}

impl<'a> CellTag<'a> {
    /// Reads the tag at the start of `rest` (which starts with `<c `); `None` for any other
    /// shape, or a cut, left to the tokenizer.
    #[cfg(test)]
    fn read(rest: &'a [u8]) -> Option<Self> {
        Self::quick(rest).or_else(|| Self::walk(rest))
    }

    /// The commonest tag, `<c r="B4"` then ` s="3"` and ` t="s"` (one-letter names, each
    /// at most once, single spaces), read eight bytes at a time; `None` for anything else.
    const OPEN: u64 = u64::from_le_bytes(*b"<c r=\"\0\0");

    fn quick(rest: &'a [u8]) -> Option<Self> {
        if word(rest, 0)? & 0xFFFF_FFFF_FFFF != Self::OPEN {
            return None;
        }
        let w = word(rest, 6)?;
        let q = first_of(w, b'"');
        let mut tag = CellTag {
            r: Reference::Read(reference_in(w, q)?),
            s: None,
            t: None,
            end: 0,
            empty: false,
        };
        let mut i = 6 + q + 1;
        loop {
            if let Some((end, empty)) = closes_at(rest, i) {
                return Some(CellTag { end, empty, ..tag });
            }
            if rest.get(i) != Some(&b' ') || rest.get(i + 2..i + 4) != Some(b"=\"") {
                return None;
            }
            let w = word(rest, i + 4)?;
            let q = first_of(w, b'"');
            if q == 8 || (matches(w, b'&') | matches(w, b'<')) & below(q) != 0 {
                return None;
            }
            let value = &rest[i + 4..i + 4 + q];
            match rest[i + 1] {
                b's' if tag.s.is_none() => tag.s = Some(number(value).unwrap_or(0) as usize),
                b't' if tag.t.is_none() => tag.t = Some(value),
                _ => return None,
            }
            i += 4 + q + 1;
        }
    }

    /// Any tag of the plain shape, byte by byte.
    fn walk(rest: &'a [u8]) -> Option<Self> {
        let mut tag = CellTag {
            r: Reference::None,
            s: None,
            t: None,
            end: 0,
            empty: false,
        };
        let mut i = 3;
        loop {
            while rest.get(i) == Some(&b' ') {
                i += 1;
            }
            if let Some((end, empty)) = closes_at(rest, i) {
                return Some(CellTag { end, empty, ..tag });
            }
            let name_start = i;
            while rest.get(i)?.is_ascii_alphanumeric() {
                i += 1;
            }
            if rest.get(i) != Some(&b'=') || rest.get(i + 1) != Some(&b'"') {
                return None;
            }
            let name = &rest[name_start..i];
            let start = i + 2;
            let mut j = start;
            loop {
                match *rest.get(j)? {
                    b'"' => break,
                    b'&' | b'<' => return None,
                    _ => j += 1,
                }
            }
            let value = &rest[start..j];
            match name {
                b"r" => {
                    tag.r = match cell_ref(value) {
                        Some(at) => Reference::Read(at),
                        None => Reference::Bad(value),
                    }
                }
                b"s" => tag.s = Some(number(value).unwrap_or(0) as usize),
                b"t" => tag.t = Some(value),
                _ => {}
            }
            i = j + 1;
        }
    }
}

/// Where a tag that closes at `rest[i]` (`>` or `/>`) ends, and whether it is empty.
fn closes_at(rest: &[u8], i: usize) -> Option<(usize, bool)> {
    match rest.get(i)? {
        b'>' => Some((i + 1, false)),
        b'/' if rest.get(i + 1) == Some(&b'>') => Some((i + 2, true)),
        _ => None,
    }
}

/// The end of a `<v>` element's text in `body` (which must start with `<v>`), relative to
/// `body`: the first `<`, when no `&` or `\r` comes before it. Words for values of up to 16
/// bytes (nearly all), a byte loop for longer ones.
fn value_end(body: &[u8]) -> Option<usize> {
    if !body.starts_with(b"<v>") {
        return None;
    }
    let odd = |w: u64| matches(w, b'&') | matches(w, b'\r');
    if let (Some(a), Some(b)) = (word(body, 3), word(body, 11)) {
        let lt = first_of(a, b'<');
        if lt < 8 {
            return (odd(a) & below(lt) == 0).then_some(3 + lt);
        }
        let lt = first_of(b, b'<');
        if lt < 8 {
            return (odd(a) == 0 && odd(b) & below(lt) == 0).then_some(11 + lt);
        }
    }
    let mut lt = 3;
    loop {
        match body.get(lt)? {
            b'<' => return Some(lt),
            b'&' | b'\r' => return None,
            _ => lt += 1,
        }
    }
}

/// A cell reference held in the first `len` bytes of `w` (`A1` to `XFD1048576` with
/// capital letters and at most seven bytes in all; anything else is left to [`cell_ref`]).
fn reference_in(w: u64, len: usize) -> Option<(u32, u32)> {
    if len == 0 || len > 7 {
        return None;
    }
    let byte = |k: usize| (w >> (8 * k)) as u8;
    let mut col = 0u32;
    let mut k = 0;
    while k < 3 && byte(k).is_ascii_uppercase() {
        col = col * 26 + u32::from(byte(k) - b'A') + 1;
        k += 1;
    }
    if k == 0 || k == len {
        return None;
    }
    let mut row = 0u32;
    while k < len {
        let d = byte(k).wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        row = row * 10 + u32::from(d);
        k += 1;
    }
    Some((row.checked_sub(1)?, col - 1))
}

/// `-?digits[.digits]` with at most 15 digits, exactly as a correctly rounding parser reads
/// it: the digits make an integer below 2^53 and the scale a power of ten up to 10^15, both
/// exact in an f64, and one IEEE division rounds correctly. `None` for any other form
/// (exponents, more digits, `+`, `.5`, `5.`), which fast_float reads.
fn decimal(v: &[u8]) -> Option<f64> {
    const SCALE: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (negative, digits) = match v.split_first()? {
        (b'-', rest) => (true, rest),
        _ => (false, v),
    };
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    let mut mantissa = 0u64;
    let mut count = 0;
    let mut point = None;
    for (i, &b) in digits.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                count += 1;
            }
            b'.' if point.is_none() && i > 0 && i + 1 < digits.len() => point = Some(i),
            _ => return None,
        }
    }
    if count > 15 {
        return None;
    }
    let fraction = point.map_or(0, |p| digits.len() - p - 1);
    let n = mantissa as f64 / SCALE[fraction];
    Some(if negative { -n } else { n })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_read_as_a_correctly_rounding_parser_reads_them() {
        let mut seen = 0;
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in 0..200_000u64 {
            // A spread of digit counts and scales, signs and leading zeros.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let digits = 1 + (x % 15) as usize;
            let mantissa = (x >> 8) % 10u64.pow(digits as u32);
            let mut text = format!("{mantissa:0digits$}");
            let scale = (x >> 4) as usize % (digits + 1);
            if scale > 0 && scale < digits {
                text.insert(digits - scale, '.');
            }
            if i % 3 == 0 {
                text.insert(0, '-');
            }
            let want: f64 = fast_float2::parse(&text).unwrap();
            let got = decimal(text.as_bytes()).unwrap_or_else(|| panic!("{text} not read"));
            assert_eq!(got.to_bits(), want.to_bits(), "{text}");
            seen += 1;
        }
        assert_eq!(seen, 200_000);
        for other in [
            "",
            "-",
            "1e5",
            "+1",
            ".5",
            "5.",
            "1.2.3",
            "1,5",
            "0x10",
            "1234567890123456",
            "0.1234567890123456",
            "inf",
            "NaN",
            "- 1",
        ] {
            assert_eq!(decimal(other.as_bytes()), None, "{other}");
        }
        assert_eq!(decimal(b"-0").map(f64::to_bits), Some((-0.0f64).to_bits()));
        assert_eq!(decimal(b"42903.2"), Some(42903.2));
        assert_eq!(decimal(b"0.1"), Some(0.1));
    }

    #[test]
    fn quick_tags_read_as_the_byte_walk_reads_them() {
        let padding = " ".repeat(16);
        for tag in [
            r#"<c r="A1">"#,
            r#"<c r="B12" s="3" t="s">"#,
            r#"<c r="AA10" t="n" s="0">"#,
            r#"<c r="C7"/>"#,
            r#"<c r="D9" s="12"/>"#,
            r#"<c r="XFD1048576">"#,
            r#"<c r="a1">"#,
            r#"<c r="A0">"#,
            r#"<c r="1A">"#,
            r#"<c r="A1"  s="2">"#,
            r#"<c r="A1" s="x">"#,
            r#"<c r="A1" s="1" s="2">"#,
            r#"<c r="A1" t="inlineStr">"#,
            r#"<c r="A1" cm="1" t="n">"#,
            r#"<c r="A1" t="a&amp;">"#,
            r#"<c s="1" r="B2">"#,
            r#"<c r="B2" s="1234567890">"#,
        ] {
            let text = format!("{tag}{padding}");
            let walked = CellTag::walk(text.as_bytes());
            if let Some(quick) = CellTag::quick(text.as_bytes()) {
                assert_eq!(Some(&quick), walked.as_ref(), "{tag}");
            }
            assert_eq!(CellTag::read(text.as_bytes()), walked, "{tag}");
        }
        let read = |t: &str| CellTag::read(format!("{t}{padding}").as_bytes().to_vec().leak());
        let tag = read(r#"<c r="B12" s="3" t="s">"#).unwrap();
        assert_eq!(
            (tag.r, tag.s, tag.t),
            (Reference::Read((11, 1)), Some(3), Some(&b"s"[..]))
        );
        assert_eq!(read(r#"<c r="A1" s="x">"#).unwrap().s, Some(0));
        assert_eq!(read(r#"<c r="A1" s="1" s="2">"#).unwrap().s, Some(2));
        assert_eq!(read(r#"<c r="A0">"#).unwrap().r, Reference::Bad(b"A0"));
    }

    #[test]
    fn values_end_at_their_tag_unless_escaped() {
        let end = |b: &str| value_end(b.as_bytes());
        assert_eq!(end("<v>12</v></c>        "), Some(5));
        assert_eq!(end("<v>12</v></c>"), Some(5));
        assert_eq!(end("<v>1234567.8901234</v></c>"), Some(18));
        assert_eq!(end("<v>123456789012345678901</v></c>"), Some(24));
        assert_eq!(end("<v></v></c>         "), Some(3));
        assert_eq!(end("<v>a&amp;b</v></c>          "), None);
        assert_eq!(end("<v>1234567890&amp;</v></c>  "), None);
        assert_eq!(end("<v>a\rb</v></c>             "), None);
        assert_eq!(end("<v>12"), None);
        assert_eq!(end("<f>1</f>"), None);
    }
}
