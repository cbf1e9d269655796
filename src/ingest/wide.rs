//! Wide sheets (SPEC §2): periods as columns — `1月 … 12月`, `2026-01 …`, `Jan … Dec`,
//! `Q1 … Q4`, or date cells — with the year in the header, a title row, a year column or,
//! failing those, the workbook's own dates. Each row's labels (region, product line, …)
//! stand left of the periods; totals columns (合计, 全年, Total) are skipped. Targets usually
//! come this way; a sheet whose names speak of actual sales (订单, 销售额, Sales) is read
//! as monthly sums of orders instead.

use chrono::Datelike;

use super::coerce::{self, Cell};

/// A period column's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodHead {
    /// A month, with its year when the header gives one.
    Month { year: Option<i32>, month: u32 },
    /// A quarter, with its year when the header gives one.
    Quarter { year: Option<i32>, quarter: u32 },
}

impl PeriodHead {
    /// The year the header gives.
    pub fn year(self) -> Option<i32> {
        match self {
            PeriodHead::Month { year, .. } | PeriodHead::Quarter { year, .. } => year,
        }
    }

    /// The period as targets write it (`2026-03`, `2026-Q1`) in `year`.
    pub fn period(self, year: i32) -> String {
        match self {
            PeriodHead::Month { year: y, month } => format!("{:04}-{month:02}", y.unwrap_or(year)),
            PeriodHead::Quarter { year: y, quarter } => {
                format!("{:04}-Q{quarter}", y.unwrap_or(year))
            }
        }
    }

    /// The month's first day, for monthly sums of orders (quarters have none).
    pub fn month_start(self, year: i32) -> Option<chrono::NaiveDate> {
        match self {
            PeriodHead::Month { year: y, month } => {
                chrono::NaiveDate::from_ymd_opt(y.unwrap_or(year), month, 1)
            }
            PeriodHead::Quarter { .. } => None,
        }
    }
}

/// Where the year of year-less period headers comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum YearSource {
    /// Every period header carries its year.
    Header,
    /// A title row above the header, e.g. `2026年销售目标`.
    Title { year: i32, text: String },
    /// A column of the rows (年度, Year).
    Column(usize),
    /// None in the sheet.
    Missing,
}

/// A wide sheet's shape.
#[derive(Debug, Clone)]
pub struct WideShape {
    /// 0-based.
    pub header_row: u32,
    /// Period columns.
    pub periods: Vec<(usize, PeriodHead)>,
    /// Label columns left of or between the periods (not totals, not the year column):
    /// index and header text (empty when the header cell is blank).
    pub labels: Vec<(usize, String)>,
    pub year: YearSource,
}

/// Finds a wide header among the first rows: the first row with three or more period
/// headers of one kind (months or quarters).
pub fn detect(rows: &[(u32, Vec<Cell<'static>>)]) -> Option<WideShape> {
    for (i, (row, cells)) in rows.iter().enumerate() {
        let heads: Vec<(usize, PeriodHead)> = cells
            .iter()
            .enumerate()
            .filter_map(|(c, cell)| period_head(cell).map(|h| (c, h)))
            .collect();
        let months = heads
            .iter()
            .filter(|h| matches!(h.1, PeriodHead::Month { .. }))
            .count();
        let quarters = heads.len() - months;
        if months < 3 && quarters < 3 {
            continue;
        }
        let want_months = months >= quarters;
        let periods: Vec<(usize, PeriodHead)> = heads
            .into_iter()
            .filter(|h| matches!(h.1, PeriodHead::Month { .. }) == want_months)
            .collect();
        // Period headers run forward, each a different period: a data row with an order,
        // a processing and a shipping date is not a header.
        let order = |h: PeriodHead| match h {
            PeriodHead::Month { year, month } => year.unwrap_or(0) * 12 + month as i32,
            PeriodHead::Quarter { year, quarter } => year.unwrap_or(0) * 4 + quarter as i32,
        };
        if periods.windows(2).any(|w| order(w[1].1) <= order(w[0].1)) {
            continue;
        }
        let mut year = if periods.iter().all(|p| p.1.year().is_some()) {
            YearSource::Header
        } else {
            YearSource::Missing
        };
        let mut labels = Vec::new();
        for (c, cell) in cells.iter().enumerate() {
            if periods.iter().any(|p| p.0 == c) {
                continue;
            }
            let text = coerce::to_text(cell).ok().flatten().unwrap_or_default();
            if is_total_header(&text) {
                continue;
            }
            if is_year_header(&text) && year == YearSource::Missing {
                year = YearSource::Column(c);
                continue;
            }
            // Columns right of the last period are totals or notes, not labels.
            if c > periods.last().map_or(0, |p| p.0) {
                continue;
            }
            labels.push((c, text));
        }
        if year == YearSource::Missing {
            if let Some((y, text)) = rows[..i]
                .iter()
                .rev()
                .find_map(|(_, cells)| title_year(cells))
            {
                year = YearSource::Title { year: y, text };
            }
        }
        return Some(WideShape {
            header_row: *row,
            periods,
            labels,
            year,
        });
    }
    None
}

/// A header cell as a period: date cells, `2026-03`, `2026年3月`, `3月`, `三月`, `Mar`,
/// `March 2026`, `Q1`, `2026-Q1`, `一季度`.
pub fn period_head(cell: &Cell) -> Option<PeriodHead> {
    match cell {
        Cell::DateTime(d) => Some(PeriodHead::Month {
            year: Some(d.year()),
            month: d.month(),
        }),
        Cell::Text(s) => text_period_head(s.trim()),
        _ => None,
    }
}

fn text_period_head(s: &str) -> Option<PeriodHead> {
    if s.is_empty() || s.chars().count() > 20 {
        return None;
    }
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    // With a year: `2026-03`, `2026年3月`, `2026-Q1`, `2026年第一季度`.
    if compact.len() >= 6 && compact.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
        if let Some(p) = coerce::parse_period(&compact) {
            let year: i32 = p[..4].parse().ok()?;
            return match p.get(4..) {
                Some(rest) if rest.starts_with("-Q") => Some(PeriodHead::Quarter {
                    year: Some(year),
                    quarter: rest[2..].parse().ok()?,
                }),
                Some(rest) if rest.starts_with('-') => Some(PeriodHead::Month {
                    year: Some(year),
                    month: rest[1..].parse().ok()?,
                }),
                _ => None,
            };
        }
    }
    let lower = compact.to_lowercase();
    // `3月`, `03月`, `三月`, `十二月`
    if let Some(m) = lower
        .strip_suffix('月')
        .or_else(|| lower.strip_suffix("月份"))
    {
        let month = chinese_or_digits(m)?;
        return (1..=12)
            .contains(&month)
            .then_some(PeriodHead::Month { year: None, month });
    }
    // `Q1`, `Q1 2026`, `一季度`, `第1季度`
    if let Some(rest) = lower.strip_prefix('q') {
        let (q, tail) = rest.split_at(rest.len().min(1));
        let quarter: u32 = q.parse().ok()?;
        let year = match tail.trim_start_matches(['-', '/', '.', ' ']) {
            "" => None,
            y if y.len() == 4 => Some(y.parse().ok()?),
            _ => return None,
        };
        return (1..=4)
            .contains(&quarter)
            .then_some(PeriodHead::Quarter { year, quarter });
    }
    if let Some(q) = lower.strip_suffix("季度") {
        let quarter = chinese_or_digits(q.trim_start_matches('第'))?;
        return (1..=4).contains(&quarter).then_some(PeriodHead::Quarter {
            year: None,
            quarter,
        });
    }
    // `Jan`, `January`, `Jan 2026`, `Jan-2026`
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let letters: String = lower
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let tail = lower[letters.len()..].trim_start_matches(['-', '/', '.', ' ', ',', '\'']);
    let year = match tail {
        "" => None,
        y if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) => Some(y.parse().ok()?),
        _ => return None,
    };
    if letters.len() >= 3 {
        if let Some(i) = MONTHS.iter().position(|m| {
            *m == letters
                || (letters.len() == 3 && m.starts_with(&letters))
                || (letters == "sept" && *m == "september")
        }) {
            return Some(PeriodHead::Month {
                year,
                month: i as u32 + 1,
            });
        }
    }
    None
}

fn chinese_or_digits(s: &str) -> Option<u32> {
    if !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    const DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let digit = |c: &str| DIGITS.iter().position(|d| *d == c).map(|v| v as u32);
    let chars: Vec<String> = s.chars().map(String::from).collect();
    match chars.as_slice() {
        [a] if a == "十" => Some(10),
        [a] => digit(a),
        [a, b] if a == "十" => Some(10 + digit(b)?),
        _ => None,
    }
}

/// Totals columns of a wide sheet: 合计, 总计, 全年, 总额, Total, YTD.
pub fn is_total_header(text: &str) -> bool {
    let t: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    [
        "合计",
        "总计",
        "小计",
        "全年",
        "总额",
        "年度合计",
        "全年合计",
        "累计",
        "total",
        "grandtotal",
        "ytd",
        "sum",
        "全年目标",
        "年度目标",
        "年目标",
    ]
    .contains(&t.as_str())
        || t.ends_with("合计")
        || t.ends_with("total")
}

fn is_year_header(text: &str) -> bool {
    let t: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    ["年度", "年份", "年", "year", "fiscalyear", "fy", "财年"].contains(&t.as_str())
}

/// A year named in a title row: `2026年销售目标`, `FY2026 Targets`, `Sales plan 2026`.
fn title_year(cells: &[Cell]) -> Option<(i32, String)> {
    for cell in cells {
        let Cell::Text(s) = cell else { continue };
        let b = s.as_bytes();
        for i in 0..b.len().saturating_sub(3) {
            let four = &b[i..i + 4];
            let before = i.checked_sub(1).map(|j| b[j]);
            let after = b.get(i + 4).copied();
            if four.iter().all(u8::is_ascii_digit)
                && !before.is_some_and(|c| c.is_ascii_digit())
                && !after.is_some_and(|c| c.is_ascii_digit())
            {
                let y: i32 = std::str::from_utf8(four).ok()?.parse().ok()?;
                if (1990..=2100).contains(&y) {
                    return Some((y, s.trim().to_string()));
                }
            }
        }
    }
    None
}

/// Whether names (sheet, file, title) speak of actual sales rather than targets: such a
/// wide sheet is read as monthly sums of orders.
pub fn names_actual_sales(names: &[&str]) -> bool {
    let text = names.join(" ").to_lowercase();
    const PLAN: [&str; 9] = [
        "目标", "任务", "指标", "计划", "预算", "target", "budget", "plan", "quota",
    ];
    const ACTUAL: [&str; 10] = [
        "订单",
        "销售额",
        "销量",
        "实际",
        "业绩",
        "金额",
        "sales",
        "revenue",
        "actual",
        "销售数据",
    ];
    !PLAN.iter().any(|w| text.contains(w)) && ACTUAL.iter().any(|w| text.contains(w))
}

/// The year a workbook was last saved, from its core properties (`docProps/core.xml`),
/// for a wide sheet whose periods have no year anywhere in the sheet: with the date it was
/// taken from.
pub fn workbook_year(path: &std::path::Path) -> Option<(i32, String)> {
    const MAX: u64 = 64 * 1024;
    let file = std::fs::File::open(path).ok()?;
    let mut zip = zip::ZipArchive::new(file).ok()?;
    let entry = zip.by_name("docProps/core.xml").ok()?;
    if entry.size() > MAX {
        return None;
    }
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::Read::take(entry, MAX), &mut text).ok()?;
    for tag in ["dcterms:modified", "dcterms:created"] {
        let start = text.find(&format!("<{tag}"))?;
        let body = &text[start..];
        let open_end = body.find('>')? + 1;
        let date = body[open_end..].get(..10)?;
        let year: i32 = date.get(..4)?.parse().ok()?;
        if (1990..=2100).contains(&year) {
            return Some((year, date.to_string()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell<'static> {
        Cell::Text(s.to_string().into())
    }

    #[test]
    fn period_headers() {
        let m = |year, month| Some(PeriodHead::Month { year, month });
        assert_eq!(period_head(&t("3月")), m(None, 3));
        assert_eq!(period_head(&t("十二月")), m(None, 12));
        assert_eq!(period_head(&t("2026-03")), m(Some(2026), 3));
        assert_eq!(period_head(&t("2026年3月")), m(Some(2026), 3));
        assert_eq!(period_head(&t("Mar")), m(None, 3));
        assert_eq!(period_head(&t("September 2026")), m(Some(2026), 9));
        assert_eq!(
            period_head(&t("Q4")),
            Some(PeriodHead::Quarter {
                year: None,
                quarter: 4
            })
        );
        assert_eq!(
            period_head(&t("2026-Q1")),
            Some(PeriodHead::Quarter {
                year: Some(2026),
                quarter: 1
            })
        );
        assert_eq!(
            period_head(&t("第三季度")),
            Some(PeriodHead::Quarter {
                year: None,
                quarter: 3
            })
        );
        for s in ["13月", "Marketing", "区域", "合计", "2026", "Mayor"] {
            assert_eq!(period_head(&t(s)), None, "{s}");
        }
        assert_eq!(period_head(&Cell::Number(3.0)), None);
    }

    #[test]
    fn a_wide_target_sheet_with_its_year_in_the_title() {
        let rows = vec![
            (0, vec![t("2026年销售目标（元）")]),
            (
                1,
                vec![t("区域"), t("1月"), t("2月"), t("3月"), t("全年合计")],
            ),
            (
                2,
                vec![
                    t("华东"),
                    Cell::Number(1.0),
                    Cell::Number(2.0),
                    Cell::Number(3.0),
                ],
            ),
        ];
        let w = detect(&rows).unwrap();
        assert_eq!(w.header_row, 1);
        assert_eq!(w.periods.len(), 3);
        assert_eq!(w.labels, vec![(0, "区域".to_string())]);
        assert_eq!(
            w.year,
            YearSource::Title {
                year: 2026,
                text: "2026年销售目标（元）".into()
            }
        );
        assert_eq!(w.periods[0].1.period(2026), "2026-01");
    }

    #[test]
    fn a_data_row_of_dates_is_not_a_header() {
        let d = |m: u32, day: u32| {
            Cell::DateTime(
                chrono::NaiveDate::from_ymd_opt(2019, m, day)
                    .unwrap()
                    .and_hms_opt(0, 0, 0)
                    .unwrap(),
            )
        };
        let rows = vec![
            (
                0,
                vec![
                    t("Order ID"),
                    t("Order Date"),
                    t("Processed Date"),
                    t("Ship Date"),
                ],
            ),
            (1, vec![t("A1"), d(1, 1), d(1, 5), d(1, 8)]),
        ];
        assert!(detect(&rows).is_none());
    }

    #[test]
    fn names_decide_targets_or_sales() {
        assert!(names_actual_sales(&[
            "合伙人订单金额总排名",
            "销售数据.xlsx"
        ]));
        assert!(!names_actual_sales(&["Sheet1", "Sales Targets.xlsx"]));
        assert!(!names_actual_sales(&["Sheet1", "Book1.xlsx"]));
    }
}
