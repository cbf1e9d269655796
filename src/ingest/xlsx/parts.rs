//! The workbook's parts: zip entries, relationships, the sheet list and the shared
//! strings (`<si>`, read like inline strings `<is>`: the `<t>` runs of rich text).

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Read;

use memchr::memchr;

use super::xml::{
    attribute, attributes, decode, decode_into, each_token, local, next_token, number, push_text,
    unescape_ooxml, Token,
};
use super::SheetPart;

pub(super) fn read_entry<R: Read + std::io::Seek>(
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

/// Relationships of a part: id → (target, type).
pub(super) fn relationships(xml: &[u8]) -> Result<HashMap<String, (String, String)>, String> {
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

/// The package's workbook part: its folder (`xl/`) and name (`workbook.xml`), from the
/// officeDocument relationship.
pub(super) fn workbook_part<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    entries: &HashMap<String, String>,
) -> Result<(String, String), String> {
    // Where the workbook part is: the package's officeDocument relationship.
    let (mut xl, mut workbook_name) = ("xl/".to_string(), "workbook.xml".to_string());
    if let Some(rels) = read_entry(zip, entries, "_rels/.rels")? {
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
    Ok((xl, workbook_name))
}

/// The workbook's sheets, in order, and whether it counts dates from 1904.
pub(super) fn sheet_list(
    workbook: &[u8],
    rels: &HashMap<String, (String, String)>,
    xl: &str,
) -> Result<(Vec<SheetPart>, bool), String> {
    let mut sheets = Vec::new();
    let mut epoch_1904 = false;
    each_token(workbook, |t| {
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
    Ok((sheets, epoch_1904))
}

/// The shared strings, end to end in one buffer. Cells look them up at random, a few
/// times a row: through a `Vec<String>` each lookup read a 24-byte header and then a heap
/// block of its own; here it reads two offsets, and the text lies packed.
#[derive(Default)]
pub(super) struct SharedStrings {
    text: String,
    /// Where each string ends in `text` (it starts where the one before ends); 4 bytes
    /// each, so that more of them stay in the cache.
    ends: Vec<u32>,
}

impl SharedStrings {
    fn push(&mut self, s: &str) -> Result<(), String> {
        self.text.push_str(s);
        let end = u32::try_from(self.text.len())
            .map_err(|_| "shared strings of over 4 GiB".to_string())?;
        self.ends.push(end);
        Ok(())
    }

    fn reserve(&mut self, n: usize) {
        self.ends.reserve(n);
    }

    /// String `i`.
    ///
    /// Its text is not read here: a checked slice reads the byte at `start` to see that it
    /// begins a character, and for a key column looked up at random that first touch of the
    /// text was half the lookup's cost on the scanning thread; the coercing thread touches
    /// it anyway when it trims the value.
    pub(super) fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        // SAFETY: `text` only grows by whole `&str`s (`push`), and `ends` records where
        // each one ends: every entry is a character boundary within `text`, and they never
        // decrease, so `start..end` is a valid range of whole characters.
        Some(unsafe { self.text.get_unchecked(start..end) })
    }
}

/// Shared-string parts at least this big are read in pieces while they are inflated.
const PIECES_FROM: u64 = 1 << 20;

/// The inflated part goes to the reading thread in pieces of about this size.
const PIECE: usize = 1 << 20;

/// Every shared string of `part`, the zip entry `name` of `size` bytes inflated, in order.
///
/// A big part (a million order ids: 14 MB, ~35 ms to inflate and ~50 ms to read) is read
/// while it is inflated: this thread inflates it and cuts each piece after its last
/// `</si>`, a second thread reads the pieces one after the other into the strings; the
/// rest of the workbook waits for them. Each piece must read to its end with no item left
/// open and no token cut, which makes every cut a boundary between items of the whole part
/// too; anything else, an error in a piece included, and the part is read whole, as it
/// always was (and fails as it did).
pub(super) fn shared_strings(
    part: &mut impl Read,
    size: u64,
    name: &str,
) -> Result<SharedStrings, String> {
    // The size is what the zip says: room for more than a GiB is not taken on its word.
    let size = size.min(1 << 30);
    if size < PIECES_FROM {
        let mut sst = Vec::with_capacity(size as usize);
        part.read_to_end(&mut sst)
            .map_err(|e| format!("{name}: {e}"))?;
        return read_items(&sst, sst.len() / 2).map(|(strings, _)| strings);
    }
    in_pieces(part, PIECE, size as usize / 2, name).map(|(strings, _)| strings)
}

/// [`shared_strings`] in pieces of `piece_len`, `room` bytes of text reserved; the flag
/// says whether the pieces were read one after the other (rather than the part whole).
fn in_pieces(
    part: &mut impl Read,
    piece_len: usize,
    room: usize,
    name: &str,
) -> Result<(SharedStrings, bool), String> {
    let (inflated, read) = std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
        let reader = s.spawn(move || {
            let mut strings = SharedStrings::default();
            strings.text.reserve(room);
            // Kept to be read whole, should a piece not read as a whole number of items.
            let mut pieces = Vec::new();
            let mut in_pieces = true;
            for piece in rx {
                in_pieces = in_pieces && read_items_into(&piece, &mut strings) == Ok(true);
                pieces.push(piece);
            }
            (strings, in_pieces, pieces)
        });
        let inflated = pieces(part, piece_len, |piece| {
            // A reader that has gone has panicked: its join says so below.
            let _ = tx.send(piece);
        });
        drop(tx);
        (inflated, reader.join())
    });
    inflated.map_err(|e| format!("{name}: {e}"))?;
    let (strings, in_pieces, pieces) =
        read.map_err(|_| format!("{name}: the thread reading it failed"))?;
    if in_pieces {
        return Ok((strings, true));
    }
    let sst = pieces.concat();
    read_items(&sst, sst.len() / 2).map(|(strings, _)| (strings, false))
}

/// Inflates `part` and hands `to` each piece of it: `piece_len` bytes more than the last
/// one left over, cut after its last `</si>` (kept whole when it has none).
fn pieces(
    part: &mut impl Read,
    piece_len: usize,
    mut to: impl FnMut(Vec<u8>),
) -> std::io::Result<()> {
    let mut tail = Vec::new();
    loop {
        let mut piece = std::mem::take(&mut tail);
        let need = piece.len() + piece_len;
        piece.resize(need, 0);
        let mut len = need - piece_len;
        while len < need {
            match part.read(&mut piece[len..]) {
                Ok(0) => break,
                Ok(n) => len += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        piece.truncate(len);
        let end = len < need;
        if !end {
            if let Some(at) = memchr::memmem::rfind(&piece, b"</si>") {
                tail.extend_from_slice(&piece[at + 5..]);
                piece.truncate(at + 5);
            } else {
                tail = piece;
                continue;
            }
        }
        if !piece.is_empty() {
            to(piece);
        }
        if end {
            return Ok(());
        }
    }
}

/// The items of `sst`, read to its end, with `room` bytes of text reserved (the text is
/// most of a part's bytes); the flag says whether no item was left open.
fn read_items(sst: &[u8], room: usize) -> Result<(SharedStrings, bool), String> {
    let mut strings = SharedStrings::default();
    strings.text.reserve(room);
    let closed = read_items_into(sst, &mut strings)?;
    Ok((strings, closed))
}

/// The items of `sst`, read to its end, after `strings`; true when no item was left open.
fn read_items_into(sst: &[u8], strings: &mut SharedStrings) -> Result<bool, String> {
    // Each plain item's text, decoded into one reused buffer.
    let mut plain = String::new();
    let mut item: Option<RichText> = None;
    let mut pos = 0;
    while pos < sst.len() {
        if item.is_none() {
            if let Some(next) = plain_item(sst, pos, &mut plain)? {
                strings.push(&plain)?;
                pos = next;
                continue;
            }
        }
        let Some((t, next)) = next_token(sst, pos, true)? else {
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
                    strings.push("")?;
                } else {
                    item = Some(RichText::default());
                }
            }
            (Some(rich), Token::End { name: b"si" }) => {
                strings.push(&rich.take())?;
                item = None;
            }
            (Some(rich), t) => rich.token(t)?,
            _ => {}
        }
    }
    Ok(item.is_none())
}

/// The shape nearly every shared string has, `<si><t>text</t></si>`, in one step; `None`
/// leaves rich text, phonetics and prefixes to the tokenizer. The text is left in `text`.
pub(super) fn plain_item(
    buf: &[u8],
    pos: usize,
    text: &mut String,
) -> Result<Option<usize>, String> {
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
    text.clear();
    let raw = &body[..lt];
    // Nearly every item has no entity, no carriage return and no `_xHHHH_` escape: its
    // bytes are its text, and the passes that look for each are skipped (a third of
    // reading half a million shared strings).
    let escaped = memchr::memchr3(b'&', b'\r', b'_', raw).is_some();
    if escaped {
        decode_into(raw, text)?;
    } else {
        text.push_str(std::str::from_utf8(raw).map_err(|_| "text that is not UTF-8".to_string())?);
    }
    if !preserve {
        let trimmed = text.trim_matches([' ', '\t', '\r', '\n']);
        if trimmed.len() != text.len() {
            *text = trimmed.to_string();
        }
    }
    if escaped {
        if let Cow::Owned(unescaped) = unescape_ooxml(text) {
            *text = unescaped;
        }
    }
    Ok(Some(pos + (rest.len() - body.len()) + lt + 9))
}

/// Collects one `<si>`/`<is>`: the `<t>` runs outside phonetic `<rPh>`, each trimmed of
/// ASCII white space unless `xml:space="preserve"`, then Excel's `_xHHHH_` escapes undone.
#[derive(Default)]
pub(super) struct RichText {
    value: String,
    in_t: bool,
    in_phonetic: bool,
    preserve: bool,
    run: String,
}

impl RichText {
    /// Takes a token inside the item; false when it is not one of the item's.
    pub(super) fn token(&mut self, t: &Token<'_>) -> Result<(), String> {
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

    pub(super) fn take(&mut self) -> String {
        *self = RichText {
            value: std::mem::take(&mut self.value),
            ..Default::default()
        };
        std::mem::take(&mut self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(strings: &SharedStrings) -> Vec<&str> {
        (0..strings.ends.len())
            .map(|i| strings.get(i).unwrap())
            .collect()
    }

    /// A part of `n` items, every kind of item in turn:
    /// plain, preserved spaces, an entity, rich text with a phonetic run, empty.
    fn part(n: usize, middle: &str) -> Vec<u8> {
        let mut xml = format!(r#"<?xml version="1.0"?><sst uniqueCount="{n}">"#);
        for i in 0..n {
            if i == n / 2 {
                xml.push_str(middle);
            }
            xml.push_str(&match i % 5 {
                0 => format!("<si><t>SO-{i:08}</t></si>"),
                1 => format!(r#"<si><t xml:space="preserve"> 客户 {i} </t></si>"#),
                2 => format!("<si><t>A&amp;B {i}</t></si>\n"),
                3 => format!("<si><r><t>{i}</t></r><rPh><t>ふ</t></rPh><r><t>号</t></r></si>"),
                _ => "<si/>".to_string(),
            });
        }
        xml.push_str("</sst>");
        xml.into_bytes()
    }

    /// Read in pieces or whole, the strings are the same, in the same order; where a cut
    /// falls inside a comment, an item or CDATA, the part is read whole.
    #[test]
    fn a_part_read_in_pieces_reads_as_read_whole() {
        let middles = [
            ("", true),
            ("<!-- <si><t>not an item</t></si> -->", false),
            ("<si><t>a</t><!-- </si> --><t>b</t></si>", false),
            ("<si><t><![CDATA[</si> in CDATA]]></t></si>", false),
        ];
        for (middle, always) in middles {
            let xml = part(3_000, middle);
            let (whole, closed) = read_items(&xml, 0).unwrap();
            assert!(closed);
            assert_eq!(
                whole.ends.len(),
                3_000 + usize::from(middle.starts_with("<si>"))
            );
            let (mut pieced, mut whole_again) = (false, false);
            for len in [1 << 20, 4096, 1000, 97, 1] {
                let (read, in_pieces) = in_pieces(&mut &xml[..], len, 0, "sst").unwrap();
                assert_eq!(
                    all(&read),
                    all(&whole),
                    "middle {middle:?}, pieces of {len}"
                );
                pieced |= in_pieces;
                whole_again |= !in_pieces;
            }
            assert!(pieced);
            assert_eq!(whole_again, !always, "middle {middle:?}");
        }
        let xml = part(60_000, "");
        assert!(xml.len() as u64 >= PIECES_FROM);
        let whole = shared_strings(&mut &xml[..], xml.len() as u64, "sst").unwrap();
        assert_eq!(all(&whole), all(&read_items(&xml, 0).unwrap().0));
        assert_eq!(whole.get(1), Some(" 客户 1 "));
        assert_eq!(whole.get(2), Some("A&B 2"));
        assert_eq!(whole.get(3), Some("3号"));
        assert_eq!(whole.get(4), Some(""));
    }

    /// A broken part is as broken read in pieces: the same error as read whole.
    #[test]
    fn a_big_part_broken_in_its_second_half_fails_as_read_whole() {
        let mut xml = part(60_000, "");
        let at = xml.len() * 3 / 4;
        let at = at + memchr::memmem::find(&xml[at..], b"<si>").unwrap();
        xml.splice(at..at, b"<si><t>\xff</t></si>".iter().copied());
        let whole = read_items(&xml, 0).err();
        assert!(whole.is_some());
        let read = shared_strings(&mut &xml[..], xml.len() as u64, "sst");
        assert_eq!(read.err(), whole);
    }
}
