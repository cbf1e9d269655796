//! Header text as matched against the vocabulary: units, loose forms, sheet names. The
//! tables themselves (columns, aliases, types) are [`crate::types::TableKind`]'s.

use crate::types::{normalize_header, TableKind};

/// A header as matched: its normalised text, the same without a unit, its loose form (no
/// trailing `#`, `No.`, `号`), and the scale its unit gives to values.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderText {
    /// [`normalize_header`] of the whole header.
    pub exact: String,
    /// Without the unit: `销售额（万元）` → `销售额`.
    pub bare: String,
    /// `bare` without a trailing `#`, `no.`, `no`, `号`: `Order #` → `order`.
    pub loose: String,
    /// Values × this: 10,000 for 万元, 1,000 for 千元 / (K) / in thousands.
    pub scale: f64,
    /// The unit as written, when one scales values.
    pub unit: Option<String>,
}

/// Reads a header's words and unit (SPEC §2: units in headers scale values).
pub fn header_text(raw: &str) -> HeaderText {
    let exact = normalize_header(raw);
    let mut bare_raw = raw.trim().to_string();
    let mut scale = 1.0;
    let mut unit = None;
    // A bracketed part: `(万元)`, `（千元）`, `[K]`, `【元】`, `(in thousands)`, `($)`.
    for (open, close) in [('(', ')'), ('（', '）'), ('[', ']'), ('【', '】')] {
        if let (Some(i), true) = (bare_raw.rfind(open), bare_raw.ends_with(close)) {
            let inner =
                bare_raw[i + open.len_utf8()..bare_raw.len() - close.len_utf8()].to_string();
            let head = bare_raw[..i].trim().to_string();
            if head.is_empty() {
                continue;
            }
            if let Some(s) = unit_scale(&inner) {
                if s != 1.0 {
                    scale = s;
                    unit = Some(inner.trim().to_string());
                }
                bare_raw = head;
            } else if is_unit_word(&inner) {
                bare_raw = head;
            }
            break;
        }
    }
    // An unbracketed unit at the end: `Revenue in thousands`, `销售额万元`, `UnitPrice$`.
    let lower = bare_raw.to_lowercase();
    for (suffix, s) in [
        (" in thousands", 1e3),
        (" in millions", 1e6),
        (" (000s)", 1e3),
        ("万元", 1e4),
        ("千元", 1e3),
        ("$", 1.0),
        ("¥", 1.0),
        ("￥", 1.0),
    ] {
        if lower.ends_with(suffix) && lower.len() > suffix.len() && scale == 1.0 {
            let cut = bare_raw.len() - suffix.len();
            if bare_raw.is_char_boundary(cut) {
                if s != 1.0 {
                    scale = s;
                    unit = Some(suffix.trim().to_string());
                }
                bare_raw.truncate(cut);
                break;
            }
        }
    }
    let bare = normalize_header(&bare_raw);
    let mut loose = bare.clone();
    for suffix in ["#", "no.", "no", "号"] {
        if let Some(rest) = loose.strip_suffix(suffix) {
            if !rest.is_empty() {
                loose = rest.trim_end_matches(['.', '-', ':']).to_string();
                break;
            }
        }
    }
    HeaderText {
        exact,
        bare,
        loose,
        scale,
        unit,
    }
}

/// The scale a bracketed unit gives (`万元` → 10,000), `None` when it is not a unit.
fn unit_scale(inner: &str) -> Option<f64> {
    let t: String = normalize_header(inner).replace(['\'', '’'], "");
    let t = t
        .trim_start_matches(['¥', '￥', '$', '€', '£'])
        .trim_end_matches(['¥', '￥', '$', '€', '£']);
    let t = t
        .trim_start_matches("rmb")
        .trim_start_matches("cny")
        .trim_start_matches("usd");
    Some(match t {
        "" | "元" | "人民币" | "人民币元" | "%" => 1.0,
        "万" | "万元" | "万元人民币" | "人民币万元" => 1e4,
        "千" | "千元" | "k" | "000" | "000s" | "inthousands" | "thousands" | "thousand" => 1e3,
        "百万" | "百万元" | "m" | "mn" | "mio" | "inmillions" | "millions" => 1e6,
        "亿" | "亿元" => 1e8,
        _ => return None,
    })
}

/// Bracketed words that are units without a scale: `(件)`, `(个)`, `(pcs)`.
fn is_unit_word(inner: &str) -> bool {
    matches!(
        normalize_header(inner).as_str(),
        "件" | "个"
            | "台"
            | "套"
            | "盒"
            | "瓶"
            | "pcs"
            | "units"
            | "qty"
            | "usd"
            | "rmb"
            | "cny"
            | "eur"
            | "小时"
            | "天"
            | "h"
            | "hrs"
    )
}

/// Whether a sheet (or csv file stem) name names this table.
pub fn sheet_name_matches(kind: TableKind, sheet: &str) -> bool {
    let n = normalize_header(sheet);
    kind.sheet_names().iter().any(|s| normalize_header(s) == n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_lose_their_units_and_number_signs() {
        let h = header_text("销售额（万元）");
        assert_eq!((h.bare.as_str(), h.scale), ("销售额", 1e4));
        let h = header_text("Revenue (in thousands)");
        assert_eq!((h.bare.as_str(), h.scale), ("revenue", 1e3));
        let h = header_text("Net Sales (K)");
        assert_eq!((h.bare.as_str(), h.scale), ("netsales", 1e3));
        let h = header_text("Revenue in thousands");
        assert_eq!((h.bare.as_str(), h.scale), ("revenue", 1e3));
        let h = header_text("商品总价(元)");
        assert_eq!((h.bare.as_str(), h.scale), ("商品总价", 1.0));
        let h = header_text("UnitPrice$");
        assert_eq!(h.bare, "unitprice");
        assert_eq!(header_text("Order #").loose, "order");
        assert_eq!(header_text("Invoice No.").loose, "invoice");
        assert_eq!(
            header_text("客户（名称）").bare,
            normalize_header("客户（名称）")
        );
    }

    #[test]
    fn sheet_names_identify_tables() {
        assert!(sheet_name_matches(TableKind::Orders, "订单明细"));
        assert!(sheet_name_matches(TableKind::Orders, "sales"));
        assert!(!sheet_name_matches(TableKind::Orders, "Sheet1"));
    }
}
