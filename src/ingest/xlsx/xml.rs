//! A minimal XML tokenizer: tags, text, CDATA. Not validating; enough for SpreadsheetML.
//! Also the cell references and numbers its attributes carry.

use std::borrow::Cow;

use memchr::{memchr, memchr3, memmem};

#[derive(Debug)]
pub(super) enum Token<'a> {
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

pub(super) fn local(name: &[u8]) -> &[u8] {
    match memchr::memrchr(b':', name) {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

pub(super) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The token at `buf[pos..]` and where the next one starts; `None` when the buffer ends
/// inside it (`last`: no more data will come, so that is an error, except for text).
pub(super) fn next_token(
    buf: &[u8],
    pos: usize,
    last: bool,
) -> Result<Option<(Token<'_>, usize)>, String> {
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
pub(super) fn attributes(a: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
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

pub(super) fn attribute<'a>(attrs: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    attributes(attrs).find(|(k, _)| *k == key).map(|(_, v)| v)
}

/// Appends text with XML's five entities and character references decoded, and line ends
/// normalized as XML requires (`\r\n` and `\r` → `\n`).
pub(super) fn decode_into(raw: &[u8], out: &mut String) -> Result<(), String> {
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

pub(super) fn push_text(s: &str, out: &mut String) {
    if s.contains('\r') {
        out.push_str(&s.replace("\r\n", "\n").replace('\r', "\n"));
    } else {
        out.push_str(s);
    }
}

pub(super) fn decode(raw: &[u8]) -> Result<String, String> {
    let mut s = String::with_capacity(raw.len());
    decode_into(raw, &mut s)?;
    Ok(s)
}

/// Excel's own escapes in strings: `_xHHHH_` is the UTF-16 unit HHHH (ported from
/// calamine's `unescape_xml`, MIT).
pub(super) fn unescape_ooxml(s: &str) -> Cow<'_, str> {
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
pub(super) fn cell_ref(r: &[u8]) -> Option<(u32, u32)> {
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
    if i == 0 {
        return None;
    }
    Some((number(&r[i..])?.checked_sub(1)?, col - 1))
}

/// Eight bytes of `b` from `i` as a little-endian word (byte `i` lowest); `None` past the end.
#[inline(always)]
pub(super) fn word(b: &[u8], i: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(i..i + 8)?.try_into().ok()?))
}

const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bit of each byte of `w` equal to `b`. Exact up to and including the lowest
/// such byte (a borrow can only mark bytes above a true match), which is all that is used.
#[inline(always)]
pub(super) fn matches(w: u64, b: u8) -> u64 {
    let x = w ^ (ONES * u64::from(b));
    x.wrapping_sub(ONES) & !x & (ONES << 7)
}

/// Where the first byte equal to `b` is in `w`; 8 when none is.
#[inline(always)]
pub(super) fn first_of(w: u64, b: u8) -> usize {
    (matches(w, b).trailing_zeros() / 8) as usize
}

/// The bits of the lowest `n` bytes (n < 8).
#[inline(always)]
pub(super) fn below(n: usize) -> u64 {
    (1u64 << (8 * n)) - 1
}

pub(super) fn number(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || digits.len() > 9 {
        return None;
    }
    let mut n = 0u32;
    for &d in digits {
        let d = d.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n * 10 + u32::from(d);
    }
    Some(n)
}

/// Every token of a whole (small) part, to `f`.
pub(super) fn each_token(
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
