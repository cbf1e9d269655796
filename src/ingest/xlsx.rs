//! The fast path for `.xlsx`/`.xlsm` worksheets.
//!
//! calamine reads every cell through a general XML reader and costs about 5 µs a cell; an
//! export's worksheet XML is a plain run of `<row>`/`<c>`/`<v>` elements that a byte
//! scanner (memchr) reads several times faster. The sheet's zip entry is inflated on a
//! second thread while this one scans, in chunks cut wherever a token ends, so memory stays
//! at a few chunks whatever the sheet's size.
//!
//! The workbook parts (relationships, sheet list, shared strings, number formats) are read
//! here too, with the same small tokenizer, following calamine's rules so that both give
//! the same cells: the test suite reads every workbook it writes, the demo and the real
//! exports both ways and compares. A workbook whose parts this reader does not understand
//! goes to calamine whole ([`open`] returns `None`).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use calamine::{ExcelDateTime, ExcelDateTimeType};
use memchr::{memchr, memchr3, memmem};

use super::coerce::Cell;

/// Inflated worksheet XML goes from the inflating thread to the scanner in pieces this big
/// (in unit tests, small and odd, so that cuts fall everywhere).
const CHUNK: usize = if cfg!(test) { 97 } else { 2 << 20 };

// ---------------------------------------------------------------------------------------
// A minimal XML tokenizer: tags, text, CDATA. Not validating; enough for SpreadsheetML.

#[derive(Debug)]
enum Token<'a> {
    /// `<name attrs>` or `<name attrs/>`; `name` is the local name (any prefix dropped).
    Start {
        name: &'a [u8],
        attrs: &'a [u8],
        empty: bool,
    },
    End {
        name: &'a [u8],
    },
    /// Character data, entities still escaped.
    Text(&'a [u8]),
    /// CDATA content, literal.
    CData(&'a [u8]),
    /// A comment, processing instruction or doctype.
    Skip,
}

fn local(name: &[u8]) -> &[u8] {
    match memchr::memrchr(b':', name) {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The token at `buf[pos..]` and where the next one starts; `None` when the buffer ends
/// inside it (`last`: no more data will come, so that is an error, except for text).
fn next_token(buf: &[u8], pos: usize, last: bool) -> Result<Option<(Token<'_>, usize)>, String> {
    let rest = &buf[pos..];
    let incomplete = |what: &str| {
        if last {
            Err(format!("the XML ends inside {what}"))
        } else {
            Ok(None)
        }
    };
    if rest.first() != Some(&b'<') {
        return Ok(match memchr(b'<', rest) {
            Some(i) => Some((Token::Text(&rest[..i]), pos + i)),
            None if last => Some((Token::Text(rest), buf.len())),
            None => None,
        });
    }
    let until = |from: usize, end: &[u8]| memmem::find(&rest[from..], end).map(|i| from + i);
    if rest.starts_with(b"<?") {
        return match until(2, b"?>") {
            Some(i) => Ok(Some((Token::Skip, pos + i + 2))),
            None => incomplete("a processing instruction"),
        };
    }
    if rest.starts_with(b"<!") {
        if rest.len() < 9 && !last {
            return Ok(None);
        }
        if rest.starts_with(b"<!--") {
            return match until(4, b"-->") {
                Some(i) => Ok(Some((Token::Skip, pos + i + 3))),
                None => incomplete("a comment"),
            };
        }
        if rest.starts_with(b"<![CDATA[") {
            return match until(9, b"]]>") {
                Some(i) => Ok(Some((Token::CData(&rest[9..i]), pos + i + 3))),
                None => incomplete("a CDATA section"),
            };
        }
        // A doctype; its internal subset, if any, ends with "]>".
        let end = match memchr(b'[', rest) {
            Some(b) if memchr(b'>', rest).is_none_or(|g| b < g) => until(b, b"]>").map(|i| i + 1),
            _ => memchr(b'>', rest),
        };
        return match end {
            Some(i) => Ok(Some((Token::Skip, pos + i + 1))),
            None => incomplete("a doctype"),
        };
    }
    if rest.starts_with(b"</") {
        return match memchr(b'>', rest) {
            Some(i) => {
                let name = rest[2..i].trim_ascii();
                Ok(Some((Token::End { name: local(name) }, pos + i + 1)))
            }
            None => incomplete("an end tag"),
        };
    }
    let name_end = rest[1..]
        .iter()
        .position(|&b| is_space(b) || b == b'/' || b == b'>')
        .map(|i| i + 1);
    let Some(name_end) = name_end else {
        return incomplete("a tag");
    };
    // The tag ends at the first '>' outside quotes.
    let mut i = name_end;
    loop {
        match memchr3(b'>', b'"', b'\'', &rest[i..]) {
            None => return incomplete("a tag"),
            Some(j) if rest[i + j] == b'>' => {
                i += j;
                break;
            }
            Some(j) => {
                let quote = rest[i + j];
                match memchr(quote, &rest[i + j + 1..]) {
                    Some(k) => i += j + 1 + k + 1,
                    None => return incomplete("an attribute value"),
                }
            }
        }
    }
    let empty = rest[i - 1] == b'/' && i > name_end;
    let attrs_end = if empty { i - 1 } else { i };
    Ok(Some((
        Token::Start {
            name: local(&rest[1..name_end]),
            attrs: &rest[name_end..attrs_end.max(name_end)],
            empty,
        },
        pos + i + 1,
    )))
}

/// The attributes of a tag as (name, raw value) pairs. (Byte loops: the spans are a few
/// bytes, too short for memchr to pay.)
fn attributes(a: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < a.len() && is_space(a[i]) {
            i += 1;
        }
        let name_start = i;
        while i < a.len() && a[i] != b'=' {
            i += 1;
        }
        let name = a.get(name_start..i)?.trim_ascii();
        i += 1;
        while i < a.len() && a[i] != b'"' && a[i] != b'\'' {
            i += 1;
        }
        let quote = *a.get(i)?;
        i += 1;
        let value_start = i;
        while i < a.len() && a[i] != quote {
            i += 1;
        }
        let value = a.get(value_start..i)?;
        i += 1;
        Some((name, value))
    })
}

fn attribute<'a>(attrs: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    attributes(attrs).find(|(k, _)| *k == key).map(|(_, v)| v)
}

/// Appends text with XML's five entities and character references decoded, and line ends
/// normalized as XML requires (`\r\n` and `\r` → `\n`).
fn decode_into(raw: &[u8], out: &mut String) -> Result<(), String> {
    let text = std::str::from_utf8(raw).map_err(|_| "text that is not UTF-8".to_string())?;
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        push_text(&rest[..amp], out);
        let semi = rest[amp..]
            .find(';')
            .ok_or_else(|| "an unterminated entity".to_string())?;
        let entity = &rest[amp + 1..amp + semi];
        match entity {
            "lt" => out.push('<'),
            "gt" => out.push('>'),
            "amp" => out.push('&'),
            "quot" => out.push('"'),
            "apos" => out.push('\''),
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = entity.strip_prefix('#') {
                    dec.parse().ok()
                } else {
                    None
                };
                match code.and_then(char::from_u32) {
                    Some(c) => out.push(c),
                    None => return Err(format!("an unknown entity &{entity};")),
                }
            }
        }
        rest = &rest[amp + semi + 1..];
    }
    push_text(rest, out);
    Ok(())
}

fn push_text(s: &str, out: &mut String) {
    if s.contains('\r') {
        out.push_str(&s.replace("\r\n", "\n").replace('\r', "\n"));
    } else {
        out.push_str(s);
    }
}

fn decode(raw: &[u8]) -> Result<String, String> {
    let mut s = String::with_capacity(raw.len());
    decode_into(raw, &mut s)?;
    Ok(s)
}

/// Excel's own escapes in strings: `_xHHHH_` is the UTF-16 unit HHHH (ported from
/// calamine's `unescape_xml`, MIT).
fn unescape_ooxml(s: &str) -> Cow<'_, str> {
    fn unit_at(s: &str, i: usize) -> Option<u16> {
        let b = s.as_bytes().get(i..i + 7)?;
        if b[0] != b'_' || b[1] != b'x' || b[6] != b'_' {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&b[2..6]).ok()?, 16).ok()
    }
    fn find(s: &str, mut from: usize) -> Option<(usize, u16)> {
        while let Some(off) = s[from..].find('_') {
            let i = from + off;
            if let Some(u) = unit_at(s, i) {
                return Some((i, u));
            }
            from = i + 1;
        }
        None
    }
    let Some((mut i, mut unit)) = find(s, 0) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    loop {
        out.push_str(&s[copied..i]);
        i += 7;
        match unit {
            0xD800..=0xDBFF => match unit_at(s, i) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    let c =
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    out.push(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
                    i += 7;
                }
                _ => out.push(char::REPLACEMENT_CHARACTER),
            },
            0xDC00..=0xDFFF => out.push(char::REPLACEMENT_CHARACTER),
            _ => out.push(char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER)),
        }
        copied = i;
        match find(s, i) {
            Some(next) => (i, unit) = next,
            None => break,
        }
    }
    out.push_str(&s[copied..]);
    Cow::Owned(out)
}

/// A1-style reference → 0-based (row, column). (One pass over the bytes: every cell has
/// one.)
fn cell_ref(r: &[u8]) -> Option<(u32, u32)> {
    let mut col = 0u32;
    let mut i = 0;
    while let Some(&b) = r.get(i) {
        let letter = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a',
            _ => break,
        };
        if i == 3 {
            return None;
        }
        col = col * 26 + u32::from(letter) + 1;
        i += 1;
    }
    let digits = &r[i..];
    if i == 0 || digits.is_empty() || digits.len() > 9 {
        return None;
    }
    let mut row = 0u32;
    for &d in digits {
        let d = d.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        row = row * 10 + u32::from(d);
    }
    Some((row.checked_sub(1)?, col - 1))
}

fn number(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || digits.len() > 9 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        digits
            .iter()
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0')),
    )
}

// ---------------------------------------------------------------------------------------
// Rich strings: shared strings (`<si>`) and inline strings (`<is>`) read alike.

/// Collects one `<si>`/`<is>`: the `<t>` runs outside phonetic `<rPh>`, each trimmed of
/// ASCII white space unless `xml:space="preserve"`, then Excel's `_xHHHH_` escapes undone.
#[derive(Default)]
struct RichText {
    value: String,
    in_t: bool,
    in_phonetic: bool,
    preserve: bool,
    run: String,
}

impl RichText {
    /// Takes a token inside the item; false when it is not one of the item's.
    fn token(&mut self, t: &Token<'_>) -> Result<(), String> {
        match t {
            Token::Start { name, attrs, empty } => match *name {
                b"rPh" if !empty => self.in_phonetic = true,
                b"t" if !self.in_phonetic && !empty => {
                    self.in_t = true;
                    self.preserve = attribute(attrs, b"xml:space") == Some(b"preserve");
                    self.run.clear();
                }
                _ => {}
            },
            Token::End { name } => match *name {
                b"rPh" => self.in_phonetic = false,
                b"t" if self.in_t => {
                    self.in_t = false;
                    let run = if self.preserve {
                        self.run.as_str()
                    } else {
                        self.run.trim_matches([' ', '\t', '\r', '\n'])
                    };
                    self.value.push_str(&unescape_ooxml(run));
                }
                _ => {}
            },
            Token::Text(raw) if self.in_t => decode_into(raw, &mut self.run)?,
            Token::CData(raw) if self.in_t => push_text(
                std::str::from_utf8(raw).map_err(|_| "text that is not UTF-8".to_string())?,
                &mut self.run,
            ),
            _ => {}
        }
        Ok(())
    }

    fn take(&mut self) -> String {
        *self = RichText {
            value: std::mem::take(&mut self.value),
            ..Default::default()
        };
        std::mem::take(&mut self.value)
    }
}

// ---------------------------------------------------------------------------------------
// Number formats (ported from calamine's formats.rs, MIT): which styles make a number a
// date or a duration.

#[derive(Debug, Clone, Copy, PartialEq)]
enum NumberKind {
    Other,
    DateTime,
    TimeDelta,
}

fn custom_format_kind(format: &str) -> NumberKind {
    let mut escaped = false;
    let mut is_quote = false;
    let mut brackets = 0u8;
    let mut prev = ' ';
    let mut hms = false;
    let mut ap = false;
    for s in format.chars() {
        match (s, escaped, is_quote, ap, brackets) {
            (_, true, ..) => escaped = false,
            ('_' | '\\' | '*', ..) => escaped = true,
            ('"', _, true, _, _) => is_quote = false,
            (_, _, true, _, _) => (),
            ('"', _, _, _, _) => is_quote = true,
            (';', ..) => return NumberKind::Other,
            ('[', ..) => brackets += 1,
            (']', .., 1) if hms => return NumberKind::TimeDelta,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => ap = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return NumberKind::DateTime,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => {
                return NumberKind::DateTime
            }
            _ => {
                if !(hms && s.eq_ignore_ascii_case(&prev)) {
                    hms = prev == '[' && matches!(s, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        prev = s;
    }
    NumberKind::Other
}

fn builtin_format_kind(id: &[u8]) -> NumberKind {
    match number(id) {
        Some(14..=22 | 27..=36 | 45 | 47 | 50..=58) => NumberKind::DateTime,
        Some(46) => NumberKind::TimeDelta,
        _ => NumberKind::Other,
    }
}

// ---------------------------------------------------------------------------------------
// The workbook.

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
    strings: Vec<String>,
    formats: Vec<NumberKind>,
    /// Zip entry names by their lower-case form (Excel matches part names ignoring case).
    entries: HashMap<String, String>,
}

fn read_entry<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    entries: &HashMap<String, String>,
    name: &str,
) -> Result<Option<Vec<u8>>, String> {
    let Some(actual) = entries.get(&name.to_ascii_lowercase()) else {
        return Ok(None);
    };
    let mut f = zip.by_name(actual).map_err(|e| format!("{name}: {e}"))?;
    let mut bytes = Vec::with_capacity(f.size().min(1 << 30) as usize);
    f.read_to_end(&mut bytes)
        .map_err(|e| format!("{name}: {e}"))?;
    Ok(Some(bytes))
}

/// Every token of a whole (small) part, to `f`.
fn each_token(
    xml: &[u8],
    mut f: impl FnMut(Token<'_>) -> Result<(), String>,
) -> Result<(), String> {
    let mut pos = 0;
    while pos < xml.len() {
        let Some((token, next)) = next_token(xml, pos, true)? else {
            break;
        };
        f(token)?;
        pos = next;
    }
    Ok(())
}

/// The shape nearly every shared string has, `<si><t>text</t></si>`, in one step; `None`
/// leaves rich text, phonetics and prefixes to the tokenizer.
fn plain_item(buf: &[u8], pos: usize) -> Result<Option<(String, usize)>, String> {
    let rest = &buf[pos..];
    let (body, preserve) = if let Some(b) = rest.strip_prefix(b"<si><t>") {
        (b, false)
    } else if let Some(b) = rest.strip_prefix(b"<si><t xml:space=\"preserve\">") {
        (b, true)
    } else {
        return Ok(None);
    };
    let Some(lt) = memchr(b'<', body) else {
        return Ok(None);
    };
    if !body[lt..].starts_with(b"</t></si>") {
        return Ok(None);
    }
    let mut run = String::with_capacity(lt);
    decode_into(&body[..lt], &mut run)?;
    let text = if preserve {
        run.as_str()
    } else {
        run.trim_matches([' ', '\t', '\r', '\n'])
    };
    let next = pos + (rest.len() - body.len()) + lt + 9;
    if let Cow::Owned(unescaped) = unescape_ooxml(text) {
        return Ok(Some((unescaped, next)));
    }
    let text = if text.len() == run.len() {
        run
    } else {
        text.to_string()
    };
    Ok(Some((text, next)))
}

/// Relationships of a part: id → (target, type).
fn relationships(xml: &[u8]) -> Result<HashMap<String, (String, String)>, String> {
    let mut out = HashMap::new();
    each_token(xml, |t| {
        if let Token::Start {
            name: b"Relationship",
            attrs,
            ..
        } = t
        {
            let get = |k: &[u8]| attribute(attrs, k).map(decode).transpose();
            if let Some(id) = get(b"Id")? {
                out.insert(
                    id,
                    (
                        get(b"Target")?.unwrap_or_default(),
                        get(b"Type")?.unwrap_or_default(),
                    ),
                );
            }
        }
        Ok(())
    })?;
    Ok(out)
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

    // Where the workbook part is: the package's officeDocument relationship.
    let (mut xl, mut workbook_name) = ("xl/".to_string(), "workbook.xml".to_string());
    if let Some(rels) = read_entry(&mut zip, &entries, "_rels/.rels")? {
        let target = relationships(&rels)?
            .into_values()
            .find(|(_, ty)| ty.ends_with("/relationships/officeDocument"))
            .map(|(t, _)| t)
            .ok_or("no officeDocument relationship")?;
        let (dir, name) = match target.rfind('/') {
            Some(i) => target.split_at(i + 1),
            None => ("", target.as_str()),
        };
        xl = dir.strip_prefix('/').unwrap_or(dir).to_string();
        if !name.is_empty() {
            workbook_name = name.to_string();
        }
    }
    let rels_name = format!("{xl}_rels/{workbook_name}.rels");
    let rels = relationships(
        &read_entry(&mut zip, &entries, &rels_name)?.ok_or(format!("no {rels_name}"))?,
    )?;
    let workbook = read_entry(&mut zip, &entries, &format!("{xl}{workbook_name}"))?
        .ok_or("no workbook part")?;
    let mut sheets = Vec::new();
    let mut epoch_1904 = false;
    each_token(&workbook, |t| {
        match t {
            Token::Start {
                name: b"sheet",
                attrs,
                ..
            } => {
                let mut name = String::new();
                let mut id = String::new();
                for (k, v) in attributes(attrs) {
                    if k == b"name" {
                        name = decode(v)?;
                    } else if local(k) == b"id" {
                        id = decode(v)?;
                    }
                }
                let (target, ty) = rels.get(&id).ok_or("a sheet without its relationship")?;
                let part = match target.strip_prefix('/') {
                    Some(abs) => abs.to_string(),
                    None => format!("{xl}{target}"),
                };
                let worksheet = match ty.rsplit('/').next() {
                    Some("worksheet") => true,
                    Some("chartsheet" | "dialogsheet") => false,
                    _ => return Err(format!("a sheet of type {ty:?}")),
                };
                sheets.push(SheetPart {
                    name,
                    part,
                    worksheet,
                });
            }
            Token::Start {
                name: b"workbookPr",
                attrs,
                ..
            } => {
                if let Some(v) = attribute(attrs, b"date1904") {
                    epoch_1904 = v == b"1" || v == b"true";
                }
            }
            _ => {}
        }
        Ok(())
    })?;

    let mut strings = Vec::new();
    if let Some(sst) = read_entry(&mut zip, &entries, &format!("{xl}sharedStrings.xml"))? {
        let mut item: Option<RichText> = None;
        let mut pos = 0;
        while pos < sst.len() {
            if item.is_none() {
                if let Some((plain, next)) = plain_item(&sst, pos)? {
                    strings.push(plain);
                    pos = next;
                    continue;
                }
            }
            let Some((t, next)) = next_token(&sst, pos, true)? else {
                break;
            };
            pos = next;
            match (&mut item, &t) {
                (
                    None,
                    Token::Start {
                        name: b"sst",
                        attrs,
                        ..
                    },
                ) => {
                    if let Some(n) = attribute(attrs, b"uniqueCount").and_then(number) {
                        strings.reserve(n.min(1 << 24) as usize);
                    }
                }
                (
                    None,
                    Token::Start {
                        name: b"si", empty, ..
                    },
                ) => {
                    if *empty {
                        strings.push(String::new());
                    } else {
                        item = Some(RichText::default());
                    }
                }
                (Some(rich), Token::End { name: b"si" }) => {
                    strings.push(rich.take());
                    item = None;
                }
                (Some(rich), t) => rich.token(t)?,
                _ => {}
            }
        }
    }

    let mut formats = Vec::new();
    if let Some(styles) = read_entry(&mut zip, &entries, &format!("{xl}styles.xml"))? {
        let mut custom: HashMap<Vec<u8>, String> = HashMap::new();
        let mut section: &[u8] = b"";
        each_token(&styles, |t| {
            match t {
                Token::Start { name, empty, .. }
                    if !empty && (name == b"numFmts" || name == b"cellXfs") =>
                {
                    section = if name == b"numFmts" {
                        b"numFmts"
                    } else {
                        b"cellXfs"
                    };
                }
                Token::End { name } if name == section => section = b"",
                Token::Start {
                    name: b"numFmt",
                    attrs,
                    ..
                } if section == b"numFmts" => {
                    if let (Some(id), Some(code)) = (
                        attribute(attrs, b"numFmtId"),
                        attribute(attrs, b"formatCode"),
                    ) {
                        custom.insert(id.to_vec(), decode(code)?);
                    }
                }
                Token::Start {
                    name: b"xf", attrs, ..
                } if section == b"cellXfs" => {
                    formats.push(match attribute(attrs, b"numFmtId") {
                        None => NumberKind::Other,
                        Some(id) => match custom.get(id) {
                            Some(code) => custom_format_kind(code),
                            None => builtin_format_kind(id),
                        },
                    });
                }
                _ => {}
            }
            Ok(())
        })?;
    }
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
    pub fn read_sheet<'w>(
        &'w self,
        index: usize,
        sink: &mut dyn CellSink<'w>,
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
            let path = &self.path;
            s.spawn(move || {
                let inflate = || -> Result<(), String> {
                    let file = File::open(path).map_err(|e| e.to_string())?;
                    let mut zip =
                        zip::ZipArchive::new(BufReader::new(file)).map_err(|e| e.to_string())?;
                    let mut f = zip.by_name(&entry).map_err(|e| e.to_string())?;
                    let mut tail = Vec::new();
                    loop {
                        let mut chunk = Vec::with_capacity(CHUNK + tail.len());
                        chunk.append(&mut tail);
                        let n = (&mut f)
                            .take(CHUNK as u64)
                            .read_to_end(&mut chunk)
                            .map_err(|e| e.to_string())?;
                        // Cut after the last `</row>`, so that the scanner takes each chunk
                        // whole and has nothing to carry into the next (it still can, for
                        // a cut anywhere else).
                        if n > 0 {
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
                if start == pending.len() {
                    pending = chunk;
                } else {
                    pending.drain(..start);
                    pending.extend_from_slice(&chunk);
                }
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

struct Scanner<'w> {
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
    fn new(wb: &'w Workbook) -> Self {
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

    fn done(&self) -> bool {
        self.part == Part::Done
    }

    fn finish(&self) -> Result<(), ReadError> {
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
    fn feed(
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
                        super::coerce::excel_datetime(
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

#[cfg(test)]
mod tests {
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

    /// With 97-byte pieces, cuts fall inside tags, values, entities, CDATA and `</row>`
    /// written inside text; every one must read as calamine reads the whole sheet.
    #[test]
    fn sheets_cut_anywhere_read_as_calamine_reads_them() {
        use crate::ingest::source::{read_file_with, XlsxEngine};
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.xlsx");
        let mut wb = rust_xlsxwriter::Workbook::new();
        wb.add_worksheet().write(0, 0, "x").unwrap();
        wb.save(&path).unwrap();
        let mut rows = String::new();
        for r in 1..=120 {
            rows.push_str(&format!(
                r#"<row r="{r}"><c r="A{r}" t="inlineStr"><is><t><![CDATA[a</row>b{r}]]></t></is></c><c r="B{r}"><v>{r}.25</v></c><c r="C{r}" t="str"><v>x&amp;y&lt;/row&gt;{r}</v></c><c r="D{r}" t="b"><v>1</v></c></row>"#
            ));
        }
        let sheet = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
        );
        // The workbook again, with this sheet.
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
        assert!(sheet.len() > 100 * CHUNK);

        let limits = crate::config::Config::default().limits;
        let read = |engine| {
            let mut r = Recorded::default();
            read_file_with(&path, &limits, &mut r, engine).unwrap();
            r.0
        };
        let fast = read(XlsxEngine::Fast);
        assert_eq!(fast, read(XlsxEngine::Calamine));
        assert_eq!(fast.len(), 121);
        assert!(fast[120].contains("a</row>b120"), "{}", fast[120]);
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
