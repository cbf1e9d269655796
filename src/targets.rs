//! Target proposals (SPEC §6, 目标设定): next year's targets from history, per key of the
//! chosen dimensions, written as the workbook people edit targets in — and that `run`
//! reads back as the targets table with no configuration (a wide sheet whose period headers
//! carry their year).
//!
//! The basis is the 12 months ending with the latest month with orders. Each key's year
//! target is its basis × (1 + growth), in whole currency units, split over the months by
//! the key's share of the same calendar month in the basis (evenly when its basis is zero
//! or less); the months add up exactly to the year (largest remainder).

use std::path::Path;

use polars::prelude::*;
use rust_xlsxwriter::{Color, Format, FormatAlign, Formula, Workbook, Worksheet};

use crate::error::{Error, Result};
use crate::figures::plan;
use crate::model::Tables;
use crate::types::Month;

/// The dimensions a proposal may be split by.
pub const DIMENSIONS: [&str; 3] = ["region", "product_line", "rep_id"];

/// One key's proposal.
#[derive(Debug, Clone)]
pub struct KeyTarget {
    /// The key's value per dimension (`None` where the orders leave it blank).
    pub key: Vec<Option<String>>,
    /// Revenue of the basis by calendar month (January first).
    pub basis: [f64; 12],
    /// The year's target, whole units.
    pub year: i64,
    /// The year's target by month, adding up to `year`.
    pub months: [i64; 12],
    /// Split evenly: the basis was zero or less.
    pub even: bool,
}

impl KeyTarget {
    /// The basis over the 12 months.
    pub fn basis_total(&self) -> f64 {
        self.basis.iter().sum()
    }
}

/// A year's proposal.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub year: i32,
    pub growth: f64,
    pub dims: Vec<&'static str>,
    /// The basis: the 12 months ending with the latest month with orders.
    pub first: Month,
    pub last: Month,
    pub keys: Vec<KeyTarget>,
}

/// Proposes `year`'s targets from the orders, split by `dims` (default: those of region
/// and product line that the orders have).
pub fn propose(
    tables: &Tables,
    year: i32,
    growth: f64,
    dims: Option<&[String]>,
) -> Result<Proposal> {
    if !growth.is_finite() || growth <= -1.0 {
        return Err(Error::Config(format!(
            "--growth must be above -1 (-0.1 is 10 % less), not {growth}"
        )));
    }
    let orders = tables.active_orders().collect()?;
    let has = |d: &str| orders.column(d).is_ok_and(|c| c.null_count() < c.len());
    let dims: Vec<&'static str> = match dims {
        Some(list) => list
            .iter()
            .map(|d| {
                DIMENSIONS
                    .iter()
                    .find(|x| **x == d.as_str())
                    .copied()
                    .ok_or_else(|| {
                        Error::Config(format!(
                            "--by {d:?}: targets can be split by {}",
                            DIMENSIONS.join(", ")
                        ))
                    })
            })
            .collect::<Result<_>>()?,
        None => ["region", "product_line"]
            .into_iter()
            .filter(|d| has(d))
            .collect(),
    };
    let last = crate::figures::latest_month(tables)?.ok_or_else(|| Error::NoOrders {
        dir: std::path::PathBuf::from("inputs"),
        seen: "; no (not cancelled) order line to take a basis from".into(),
    })?;
    let first = last.plus(-11);
    let start = crate::types::epoch_days(first.start());
    let end = crate::types::epoch_days(last.end());
    // Revenue per key and calendar month of the basis.
    let key_cols: Vec<Expr> = dims.iter().map(|d| col(*d)).collect();
    let sums = orders
        .clone()
        .lazy()
        .with_column(col("order_date").cast(DataType::Int32).alias("day"))
        .filter(col("day").gt_eq(lit(start)).and(col("day").lt_eq(lit(end))))
        .with_column(
            col("order_date")
                .dt()
                .month()
                .cast(DataType::Int32)
                .alias("calendar_month"),
        )
        .group_by_stable(
            key_cols
                .iter()
                .cloned()
                .chain([col("calendar_month")])
                .collect::<Vec<_>>(),
        )
        .agg([col("amount").sum().alias("revenue")])
        .collect()?;
    // Every key the orders have, also those with no basis.
    let all_keys = if dims.is_empty() {
        DataFrame::empty()
    } else {
        orders
            .clone()
            .lazy()
            .select(key_cols.clone())
            .unique_stable(None, UniqueKeepStrategy::First)
            .collect()?
    };
    let text_of = |df: &DataFrame, d: &str, i: usize| -> Result<Option<String>> {
        Ok(df.column(d)?.str()?.get(i).map(str::to_string))
    };
    let mut keys: Vec<KeyTarget> = Vec::new();
    let n = if dims.is_empty() {
        1
    } else {
        all_keys.height()
    };
    for i in 0..n {
        let key = dims
            .iter()
            .map(|d| text_of(&all_keys, d, i))
            .collect::<Result<Vec<_>>>()?;
        keys.push(KeyTarget {
            key,
            basis: [0.0; 12],
            year: 0,
            months: [0; 12],
            even: false,
        });
    }
    let months = sums.column("calendar_month")?.i32()?.clone();
    let revenue = sums.column("revenue")?.f64()?.clone();
    for r in 0..sums.height() {
        let key = dims
            .iter()
            .map(|d| text_of(&sums, d, r))
            .collect::<Result<Vec<_>>>()?;
        let (Some(m), Some(v)) = (months.get(r), revenue.get(r)) else {
            continue;
        };
        if let Some(k) = keys.iter_mut().find(|k| k.key == key) {
            k.basis[(m - 1) as usize] += v;
        }
    }
    for k in &mut keys {
        let total = k.basis_total();
        k.year = if total > 0.0 {
            (total * (1.0 + growth)).round() as i64
        } else {
            0
        };
        let weights: Vec<f64> = k.basis.iter().map(|v| v.max(0.0)).collect();
        k.even = weights.iter().sum::<f64>() <= 0.0;
        let weights = if k.even { vec![1.0; 12] } else { weights };
        k.months = split(k.year, &weights);
    }
    // Largest basis first, as people read a target sheet.
    keys.sort_by(|a, b| b.basis_total().total_cmp(&a.basis_total()));
    Ok(Proposal {
        year,
        growth,
        dims,
        first,
        last,
        keys,
    })
}

/// `total` split over 12 parts in proportion to `weights`, in whole units that add up to
/// `total` exactly: each part rounded down, the rest one by one to the largest remainders.
pub fn split(total: i64, weights: &[f64]) -> [i64; 12] {
    let sum: f64 = weights.iter().sum();
    let mut out = [0i64; 12];
    if sum <= 0.0 {
        return out;
    }
    let raw: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    for (o, r) in out.iter_mut().zip(&raw) {
        *o = r.floor() as i64;
    }
    let mut left = total - out.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..12).collect();
    // Largest remainder first; ties to the earlier month.
    order.sort_by(|&a, &b| {
        let (fa, fb) = (raw[a] - raw[a].floor(), raw[b] - raw[b].floor());
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    for &i in order.iter().cycle() {
        if left <= 0 {
            break;
        }
        out[i] += 1;
        left -= 1;
    }
    out
}

/// Labels of the workbook, in the documents' languages.
struct Words {
    sheet: &'static str,
    basis_sheet: &'static str,
    weeks_sheet: &'static str,
    title: String,
    basis_line: String,
    how: &'static str,
    quarter_total: &'static str,
    year_total: &'static str,
    note: &'static str,
    even_note: &'static str,
    total_row: &'static str,
    blank: &'static str,
    basis_prefix: &'static str,
    week: &'static str,
    working_days: &'static str,
    dims: fn(&str) -> &'static str,
}

fn words(lang: &str, p: &Proposal, basis: f64, year: i64) -> Words {
    let growth = format!("{:+.1}%", p.growth * 100.0);
    if lang == "en" {
        Words {
            sheet: "Targets",
            basis_sheet: "Basis",
            weeks_sheet: "Weeks",
            title: format!("Sales targets {} (proposal)", p.year),
            basis_line: format!(
                "Basis: revenue of the 12 months {} to {}: {}; growth {growth}; year target {}",
                p.first,
                p.last,
                thousands(basis.round() as i64),
                thousands(year)
            ),
            how: "Each row's months follow its share of the same month in the basis; whole units that add up to the year. Edit the months; totals are formulas.",
            quarter_total: " total",
            year_total: "Year total",
            note: "Note",
            even_note: "no basis: split evenly",
            total_row: "Total",
            blank: "(blank)",
            basis_prefix: "Basis ",
            week: "Week",
            working_days: "working days",
            dims: |d| match d {
                "region" => "Region",
                "product_line" => "Product Line",
                _ => "Rep ID",
            },
        }
    } else {
        Words {
            sheet: "目标",
            basis_sheet: "依据",
            weeks_sheet: "周目标",
            title: format!("{}年销售目标（建议）", p.year),
            basis_line: format!(
                "依据：{} 至 {} 共 12 个月销售额 {}；增长 {growth}；全年目标 {}",
                p.first,
                p.last,
                thousands(basis.round() as i64),
                thousands(year)
            ),
            how: "各行按依据期同月占比分月；金额取整，各月之和等于全年。可直接修改月度数字，季度与全年合计为公式。",
            quarter_total: "合计",
            year_total: "全年合计",
            note: "说明",
            even_note: "无历史销售额，按月平均",
            total_row: "合计",
            blank: "（未填）",
            basis_prefix: "基数 ",
            week: "周次",
            working_days: "工作日",
            dims: |d| match d {
                "region" => "区域",
                "product_line" => "产品线",
                _ => "销售代表",
            },
        }
    }
}

fn thousands(v: i64) -> String {
    let s = v.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// Excel's column letters.
fn letter(col: u16) -> String {
    crate::types::column_letter(col as usize)
}

/// The workbook's formats.
struct Formats {
    title: Format,
    muted: Format,
    header: Format,
    money: Format,
    total: Format,
}

impl Formats {
    fn new() -> Self {
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            muted: Format::new().set_font_color(Color::RGB(0x5F6B7A)),
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xEEF3F9))
                .set_align(FormatAlign::Center),
            money: Format::new().set_num_format("#,##0"),
            total: Format::new().set_num_format("#,##0").set_bold(),
        }
    }
}

fn xl(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::Internal(format!("targets workbook: {e}"))
}

/// Writes the proposal: the targets sheet (one row per key, months as columns, quarter and
/// year totals as formulas with their values cached), the basis per key, and with `weeks`
/// that month's targets by ISO week in proportion to working days.
pub fn write_workbook(p: &Proposal, path: &Path, lang: &str, weeks: Option<Month>) -> Result<()> {
    let basis: f64 = p.keys.iter().map(KeyTarget::basis_total).sum();
    let year: i64 = p.keys.iter().map(|k| k.year).sum();
    let w = words(lang, p, basis, year);
    let f = Formats::new();
    let mut wb = Workbook::new();
    targets_sheet(&mut wb, p, &w, &f, year)?;
    basis_sheet(&mut wb, p, &w, &f)?;
    if let Some(month) = weeks {
        weeks_sheet(&mut wb, p, &w, &f, month)?;
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::Write {
            path: dir.to_path_buf(),
            source: e,
        })?;
    }
    // Written beside, then renamed: an interrupted run leaves no half workbook.
    let tmp = path.with_extension("xlsx.part");
    wb.save(&tmp).map_err(xl)?;
    std::fs::rename(&tmp, path).map_err(|e| Error::Write {
        path: path.to_path_buf(),
        source: e,
    })?;
    Ok(())
}

/// A key's label in column `i`.
fn label_of(w: &Words, k: &KeyTarget, i: usize) -> String {
    k.key[i].clone().unwrap_or_else(|| w.blank.to_string())
}

/// Sheet 1: the targets, months as columns, totals as formulas.
fn targets_sheet(wb: &mut Workbook, p: &Proposal, w: &Words, f: &Formats, year: i64) -> Result<()> {
    let (title, muted, header, money, total) = (&f.title, &f.muted, &f.header, &f.money, &f.total);
    let nd = p.dims.len() as u16;
    let ws: &mut Worksheet = wb.add_worksheet().set_name(w.sheet).map_err(xl)?;
    ws.write_string_with_format(0, 0, &w.title, title)
        .map_err(xl)?;
    ws.write_string_with_format(1, 0, &w.basis_line, muted)
        .map_err(xl)?;
    ws.write_string_with_format(2, 0, w.how, muted)
        .map_err(xl)?;
    let head = 3u32;
    for (i, d) in p.dims.iter().enumerate() {
        ws.write_string_with_format(head, i as u16, (w.dims)(d), header)
            .map_err(xl)?;
        ws.set_column_width(i as u16, 14).map_err(xl)?;
    }
    for m in 0..12u16 {
        let label = format!("{}-{:02}", p.year, m + 1);
        ws.write_string_with_format(head, nd + m, &label, header)
            .map_err(xl)?;
        ws.set_column_width(nd + m, 12).map_err(xl)?;
    }
    for q in 0..4u16 {
        let label = format!("Q{}{}", q + 1, w.quarter_total);
        ws.write_string_with_format(head, nd + 12 + q, &label, header)
            .map_err(xl)?;
        ws.set_column_width(nd + 12 + q, 13).map_err(xl)?;
    }
    ws.write_string_with_format(head, nd + 16, w.year_total, header)
        .map_err(xl)?;
    ws.set_column_width(nd + 16, 14).map_err(xl)?;
    ws.write_string_with_format(head, nd + 17, w.note, header)
        .map_err(xl)?;
    ws.set_column_width(nd + 17, 24).map_err(xl)?;
    let first_row = head + 1;
    for (r, k) in p.keys.iter().enumerate() {
        let row = first_row + r as u32;
        let excel_row = row + 1;
        for i in 0..p.dims.len() {
            ws.write_string(row, i as u16, label_of(w, k, i))
                .map_err(xl)?;
        }
        for m in 0..12u16 {
            ws.write_number_with_format(row, nd + m, k.months[m as usize] as f64, money)
                .map_err(xl)?;
        }
        for q in 0..4u16 {
            let (a, b) = (letter(nd + q * 3), letter(nd + q * 3 + 2));
            let value: i64 = k.months[(q * 3) as usize..(q * 3 + 3) as usize]
                .iter()
                .sum();
            let f = Formula::new(format!("=SUM({a}{excel_row}:{b}{excel_row})"))
                .set_result(value.to_string());
            ws.write_formula_with_format(row, nd + 12 + q, f, money)
                .map_err(xl)?;
        }
        let f = Formula::new(format!(
            "=SUM({}{excel_row}:{}{excel_row})",
            letter(nd),
            letter(nd + 11)
        ))
        .set_result(k.year.to_string());
        ws.write_formula_with_format(row, nd + 16, f, total)
            .map_err(xl)?;
        if k.even {
            ws.write_string_with_format(row, nd + 17, w.even_note, muted)
                .map_err(xl)?;
        }
    }
    // The totals row: the sum of each column.
    let last_row = first_row + p.keys.len() as u32;
    if !p.keys.is_empty() {
        ws.write_string_with_format(last_row, 0, w.total_row, total)
            .map_err(xl)?;
        for c in nd..nd + 17 {
            let value: i64 = match c - nd {
                m @ 0..=11 => p.keys.iter().map(|k| k.months[m as usize]).sum(),
                q @ 12..=15 => {
                    let q = (q - 12) as usize;
                    p.keys
                        .iter()
                        .map(|k| k.months[q * 3..q * 3 + 3].iter().sum::<i64>())
                        .sum()
                }
                _ => year,
            };
            let f = Formula::new(format!(
                "=SUM({col}{}:{col}{})",
                first_row + 1,
                last_row,
                col = letter(c)
            ))
            .set_result(value.to_string());
            ws.write_formula_with_format(last_row, c, f, total)
                .map_err(xl)?;
        }
    }
    ws.set_freeze_panes(head + 1, nd).map_err(xl)?;
    // Printed as people hand it round: A4 landscape, one page wide.
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);

    Ok(())
}

/// Sheet 2: the basis per key, to check the proposal against.
fn basis_sheet(wb: &mut Workbook, p: &Proposal, w: &Words, f: &Formats) -> Result<()> {
    let (muted, header, money, total) = (&f.muted, &f.header, &f.money, &f.total);
    let nd = p.dims.len() as u16;
    let ws = wb.add_worksheet().set_name(w.basis_sheet).map_err(xl)?;
    ws.write_string_with_format(0, 0, &w.basis_line, muted)
        .map_err(xl)?;
    for (i, d) in p.dims.iter().enumerate() {
        ws.write_string_with_format(1, i as u16, (w.dims)(d), header)
            .map_err(xl)?;
        ws.set_column_width(i as u16, 14).map_err(xl)?;
    }
    for j in 0..12i32 {
        let m = p.first.plus(j);
        ws.write_string_with_format(1, nd + j as u16, format!("{}{m}", w.basis_prefix), header)
            .map_err(xl)?;
        ws.set_column_width(nd + j as u16, 13).map_err(xl)?;
    }
    ws.write_string_with_format(1, nd + 12, w.total_row, header)
        .map_err(xl)?;
    for (r, k) in p.keys.iter().enumerate() {
        let row = 2 + r as u32;
        for i in 0..p.dims.len() {
            ws.write_string(row, i as u16, label_of(w, k, i))
                .map_err(xl)?;
        }
        for j in 0..12i32 {
            let m = p.first.plus(j);
            ws.write_number_with_format(row, nd + j as u16, k.basis[(m.month - 1) as usize], money)
                .map_err(xl)?;
        }
        ws.write_number_with_format(row, nd + 12, k.basis_total(), total)
            .map_err(xl)?;
    }
    ws.set_freeze_panes(2, nd).map_err(xl)?;

    Ok(())
}

/// Sheet 3: one month's targets by ISO week, in proportion to working days.
fn weeks_sheet(
    wb: &mut Workbook,
    p: &Proposal,
    w: &Words,
    f: &Formats,
    month: Month,
) -> Result<()> {
    let (header, money, total) = (&f.header, &f.money, &f.total);
    let nd = p.dims.len() as u16;
    let ws = wb.add_worksheet().set_name(w.weeks_sheet).map_err(xl)?;
    let split_weeks = plan::weeks(month, 1.0);
    for (i, d) in p.dims.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, (w.dims)(d), header)
            .map_err(xl)?;
        ws.set_column_width(i as u16, 14).map_err(xl)?;
    }
    for (j, wk) in split_weeks.iter().enumerate() {
        let label = format!(
            "{} {} ({} – {}, {} {})",
            w.week, wk.week, wk.start, wk.end, wk.working_days, w.working_days
        );
        ws.write_string_with_format(0, nd + j as u16, &label, header)
            .map_err(xl)?;
        ws.set_column_width(nd + j as u16, 24).map_err(xl)?;
    }
    let n = split_weeks.len() as u16;
    ws.write_string_with_format(0, nd + n, w.total_row, header)
        .map_err(xl)?;
    for (r, k) in p.keys.iter().enumerate() {
        let row = 1 + r as u32;
        for i in 0..p.dims.len() {
            ws.write_string(row, i as u16, label_of(w, k, i))
                .map_err(xl)?;
        }
        let target = k.months[(month.month - 1) as usize];
        let days: Vec<f64> = split_weeks
            .iter()
            .map(|wk| wk.working_days as f64)
            .collect();
        let mut padded = days.clone();
        padded.resize(12, 0.0);
        let parts = split(target, &padded);
        for (j, part) in parts.iter().take(split_weeks.len()).enumerate() {
            ws.write_number_with_format(row, nd + j as u16, *part as f64, money)
                .map_err(xl)?;
        }
        ws.write_number_with_format(row, nd + n, target as f64, total)
            .map_err(xl)?;
    }
    ws.set_freeze_panes(1, nd).map_err(xl)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_add_up_exactly_by_largest_remainder() {
        let even = split(100, &[1.0; 12]);
        assert_eq!(even.iter().sum::<i64>(), 100);
        // 100 / 12 = 8.33…: four months get 9, the first four (ties go to the earlier).
        assert_eq!(even, [9, 9, 9, 9, 8, 8, 8, 8, 8, 8, 8, 8]);
        let w = [1.0, 2.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        // 10 × 1/6, 2/6, 3/6 = 1.67, 3.33, 5: floors 1, 3, 5 and the one left to January.
        assert_eq!(split(10, &w)[..3], [2, 3, 5]);
        assert_eq!(split(0, &[1.0; 12]), [0; 12]);
    }

    #[test]
    fn thousands_group() {
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(-1_000), "-1,000");
        assert_eq!(thousands(999), "999");
    }
}
