//! Number formats (ported from calamine's formats.rs, MIT): which styles make a number a
//! date or a duration.

use std::collections::HashMap;

use super::xml::{attribute, decode, each_token, number, Token};

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum NumberKind {
    Other,
    DateTime,
    TimeDelta,
}

pub(super) fn custom_format_kind(format: &str) -> NumberKind {
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

pub(super) fn builtin_format_kind(id: &[u8]) -> NumberKind {
    match number(id) {
        Some(14..=22 | 27..=36 | 45 | 47 | 50..=58) => NumberKind::DateTime,
        Some(46) => NumberKind::TimeDelta,
        _ => NumberKind::Other,
    }
}

/// The number kind of each cell style (`cellXfs`), by index.
pub(super) fn number_formats(styles: &[u8]) -> Result<Vec<NumberKind>, String> {
    let mut formats = Vec::new();
    let mut custom: HashMap<Vec<u8>, String> = HashMap::new();
    let mut section: &[u8] = b"";
    each_token(styles, |t| {
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
    Ok(formats)
}
