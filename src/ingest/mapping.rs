//! `salesplan check --write-config FILE`: the mapping ingest used, written as
//! `[[sheets]]` entries of salesplan.toml, so that a user can pin or correct it. A run
//! with the file reads every sheet as the check did.

use std::fmt::Write as _;

use crate::types::DataQuality;

/// The `[[sheets]]` entries for what `quality` records, commented.
pub fn mapping_toml(quality: &DataQuality, input: &str, date_order: Option<&str>) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# How salesplan read {input}, written by `salesplan check --write-config`.\n\
         # Each [[sheets]] entry pins one sheet: its table, its header row, and the header of\n\
         # every column used (header = field). Edit an entry to correct it; table = \"ignore\"\n\
         # leaves a sheet out. Fields of orders besides the table's columns: unit_price\n\
         # (amount = quantity × unit price), order_month (a month column of monthly sums).\n\
         # Units in headers such as （万元） still scale values. Merge these lines into your\n\
         # salesplan.toml; a run with them reads the inputs exactly as this check did."
    );
    if let Some(order) = date_order {
        let _ = writeln!(s, "\ndate_order = {}", quote(order));
    }
    for m in &quality.sheets {
        let _ = writeln!(
            s,
            "\n# {} › {}: {} (recognised by its {})",
            m.relative, m.sheet, m.table, m.by
        );
        for c in &m.columns {
            let _ = writeln!(s, "#   {c}");
        }
        let _ = writeln!(s, "[[sheets]]");
        let _ = writeln!(s, "file = {}", quote(&glob_escape(&m.relative)));
        let _ = writeln!(s, "sheet = {}", quote(&m.sheet));
        let _ = writeln!(s, "table = {}", quote(m.table));
        if !m.wide {
            let _ = writeln!(s, "header_row = {}", m.header_row);
        }
        if let Some(y) = m.year {
            let _ = writeln!(s, "year = {y}");
        }
        if !m.pinned.is_empty() {
            let _ = writeln!(s, "[sheets.columns]");
            for (header, field) in &m.pinned {
                let _ = writeln!(s, "{} = {}", quote(header), quote(field));
            }
        }
    }
    for i in &quality.ignored_sheets {
        let relative = i.relative.as_deref().unwrap_or(&i.file);
        let _ = writeln!(s, "\n# {} › {}: {}", relative, i.sheet, i.reason);
        let _ = writeln!(s, "[[sheets]]");
        let _ = writeln!(s, "file = {}", quote(&glob_escape(relative)));
        let _ = writeln!(s, "sheet = {}", quote(&i.sheet));
        let _ = writeln!(s, "table = \"ignore\"");
    }
    s
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A file name as a `[[sheets]] file` pattern that matches only itself.
fn glob_escape(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '*' | '?' | '[' | ']' | '{' | '}' => {
                out.push('[');
                out.push(c);
                out.push(']');
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_and_escaped() {
        assert_eq!(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(glob_escape("销售[2026]*.xlsx"), "销售[[]2026[]][*].xlsx");
        let g = globset::Glob::new(&glob_escape("销售[2026]*.xlsx"))
            .unwrap()
            .compile_matcher();
        assert!(g.is_match("销售[2026]*.xlsx"));
        assert!(!g.is_match("销售2.xlsx"));
    }
}
