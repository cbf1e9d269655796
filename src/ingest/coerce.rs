//! Cell coercion (SPEC §2): what a spreadsheet cell means for a column of a given type.
//! Every function returns `Ok(None)` for an empty cell, `Ok(Some(v))` for a value, and a
//! [`Problem`] (what was expected, what was found) for anything else.

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};

use crate::types::text::{plain_lead, trim_space as trim};
use crate::types::DateOrder;

/// A cell as read from any source (xlsx, xls, ods, csv), before coercion.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// No value.
    Empty,
    /// A numeric cell (integer or float, not date-formatted).
    Number(f64),
    /// A text cell (csv cells are always text); borrowed from the workbook's shared
    /// strings where it can be, so that a repeated string costs nothing per cell.
    Text(Cow<'a, str>),
    /// A boolean cell.
    Bool(bool),
    /// A date-formatted numeric cell, already converted with the workbook's date system.
    DateTime(NaiveDateTime),
    /// A date-formatted cell whose serial is outside Excel's range.
    BadDate(f64),
    /// An Excel error value such as `#N/A`.
    Error(String),
    /// A formula cell whose file holds no cached value.
    NoCachedValue(String),
}

impl Cell<'_> {
    /// The same cell, owning its text.
    pub fn into_owned(self) -> Cell<'static> {
        match self {
            Cell::Empty => Cell::Empty,
            Cell::Number(n) => Cell::Number(n),
            Cell::Text(s) => Cell::Text(Cow::Owned(s.into_owned())),
            Cell::Bool(b) => Cell::Bool(b),
            Cell::DateTime(d) => Cell::DateTime(d),
            Cell::BadDate(x) => Cell::BadDate(x),
            Cell::Error(e) => Cell::Error(e),
            Cell::NoCachedValue(f) => Cell::NoCachedValue(f),
        }
    }

    /// True for empty cells and text that is only white space.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            // Asked of every row's cells until one has a value: a first byte that no
            // white space starts with answers at once.
            Cell::Text(s) => {
                !s.as_bytes().first().is_some_and(|&b| plain_lead(b)) && s.trim().is_empty()
            }
            _ => false,
        }
    }

    /// How the cell is shown in a message.
    pub fn describe(&self) -> String {
        match self {
            Cell::Empty => "an empty cell".into(),
            Cell::Number(n) => format!("the number {n}"),
            Cell::Text(s) => format!("{s:?}"),
            Cell::Bool(b) => format!("the boolean {}", if *b { "TRUE" } else { "FALSE" }),
            Cell::DateTime(d) => format!("the date {}", format_datetime(d)),
            Cell::BadDate(v) => format!("a date serial out of range ({v})"),
            Cell::Error(e) => format!("the Excel error {e}"),
            Cell::NoCachedValue(f) if f.is_empty() => "a formula with no cached value".into(),
            Cell::NoCachedValue(f) => format!("a formula with no cached value (={f})"),
        }
    }
}

/// Why a cell could not be coerced.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// What the column needs, e.g. "a number".
    pub expected: &'static str,
    /// What the cell held.
    pub found: String,
}

fn problem<T>(expected: &'static str, cell: &Cell) -> Result<T, Problem> {
    Err(Problem {
        expected,
        found: cell.describe(),
    })
}

/// The value a text column takes. Integral numbers print without a fraction (`10023.0`
/// is the id `10023`); dates print as ISO dates.
pub fn to_text(cell: &Cell) -> Result<Option<String>, Problem> {
    Ok(to_text_ref(cell)?.map(Cow::into_owned))
}

/// [`to_text`], borrowing a text cell's trimmed text rather than copying it.
pub fn to_text_ref<'c>(cell: &'c Cell<'_>) -> Result<Option<Cow<'c, str>>, Problem> {
    const EXPECTED: &str = "a text value";
    let owned = |s: String| Ok(Some(Cow::Owned(s)));
    match cell {
        Cell::Empty => Ok(None),
        Cell::Text(s) => {
            let t = unwrap_formula_text(trim(s));
            Ok((!t.is_empty()).then_some(Cow::Borrowed(t)))
        }
        Cell::Number(n) if n.is_finite() => owned(format_number_as_text(*n)),
        Cell::Number(_) => problem(EXPECTED, cell),
        Cell::Bool(b) => Ok(Some(Cow::Borrowed(if *b { "TRUE" } else { "FALSE" }))),
        Cell::DateTime(d) => owned(format_datetime(d)),
        Cell::BadDate(_) | Cell::Error(_) | Cell::NoCachedValue(_) => problem(EXPECTED, cell),
    }
}

fn format_number_as_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn format_datetime(d: &NaiveDateTime) -> String {
    if d.time() == NaiveTime::MIN {
        d.date().format("%Y-%m-%d").to_string()
    } else {
        d.format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

/// `="2986…"` as 淘宝/天猫 and other shop back-ends write long ids into csv, so that Excel
/// keeps their digits: the text inside.
fn unwrap_formula_text(s: &str) -> &str {
    s.strip_prefix("=\"")
        .and_then(|r| r.strip_suffix('"'))
        .map(trim)
        .unwrap_or(s)
}

/// The value a number column takes: numeric cells, and text such as `1,234.50`,
/// `¥1,234.50`, `(120.00)` (negative) or `12.5%` (0.125).
pub fn to_number(cell: &Cell) -> Result<Option<f64>, Problem> {
    const EXPECTED: &str = "a number";
    match cell {
        Cell::Empty => Ok(None),
        Cell::Number(n) if n.is_finite() => Ok(Some(*n)),
        Cell::Text(s) if trim(s).is_empty() => Ok(None),
        Cell::Text(s) => parse_number_text(s).map(Some).ok_or_else(|| Problem {
            expected: EXPECTED,
            found: cell.describe(),
        }),
        _ => problem(EXPECTED, cell),
    }
}

/// Parses number text; `None` when it is not a number.
pub fn parse_number_text(s: &str) -> Option<f64> {
    let mut t = unwrap_formula_text(trim(s));
    let mut negative = false;
    let mut scale = 1.0;
    let mut seen_sign = false;
    // Peel signs, currency symbols, units and accounting parentheses in any order
    // (`-¥12`, `¥-12`, `¥(1,234.50)`, `1,234.50-` as SAP writes it), each at most once.
    loop {
        let before = t;
        if let Some(inner) = strip_wrapping(t, '(', ')').or_else(|| strip_wrapping(t, '（', '）'))
        {
            if seen_sign {
                return None;
            }
            seen_sign = true;
            negative = true;
            t = trim(inner);
        }
        if let Some(rest) = t.strip_suffix(['%', '％']) {
            if scale != 1.0 {
                return None;
            }
            scale = 0.01;
            t = trim(rest);
        }
        if let Some(rest) = t.strip_suffix('万') {
            scale *= 1e4;
            t = trim(rest);
        } else if let Some(rest) = t.strip_suffix('亿') {
            scale *= 1e8;
            t = trim(rest);
        }
        if let Some(rest) = t.strip_suffix('元') {
            t = trim(rest);
        }
        let sign = t
            .strip_prefix(['-', '−'])
            .map(|r| (true, r))
            .or_else(|| t.strip_suffix(['-', '−']).map(|r| (true, r)))
            .or_else(|| t.strip_prefix('+').map(|r| (false, r)));
        if let Some((minus, rest)) = sign {
            if seen_sign {
                return None;
            }
            seen_sign = true;
            negative = minus;
            t = trim(rest);
        }
        if let Some(rest) = t.strip_prefix(['¥', '￥', '$', '€', '£']) {
            t = trim(rest);
        } else if let Some(rest) = t.strip_prefix("RMB").or_else(|| t.strip_prefix("CNY")) {
            t = trim(rest);
        }
        if t == before {
            break;
        }
    }
    let digits = strip_thousands(t)?;
    if !is_plain_decimal(&digits) {
        return None;
    }
    let value: f64 = digits.parse().ok()?;
    let value = value * scale;
    let value = if negative { -value } else { value };
    value.is_finite().then_some(value)
}

fn strip_wrapping(s: &str, open: char, close: char) -> Option<&str> {
    s.strip_prefix(open)?.strip_suffix(close)
}

/// Removes thousands separators, which must stand every three digits (`1,234,567.5`):
/// `12,5` is not read as 125.
fn strip_thousands(s: &str) -> Option<String> {
    if !s.contains(',') {
        return Some(s.to_string());
    }
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let groups: Vec<&str> = int.split(',').collect();
    let first_ok = (1..=3).contains(&groups[0].len());
    let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
    if !(first_ok && rest_ok) {
        return None;
    }
    let mut out = groups.concat();
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    Some(out)
}

/// Digits with an optional fraction and exponent; no `inf`, `nan` or hex.
fn is_plain_decimal(s: &str) -> bool {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mut parts = mantissa.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(int)
        && frac.is_none_or(digits)
        && (!int.is_empty() || frac.is_some_and(|f| !f.is_empty()));
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

/// Excel's last day, 9999-12-31, as a serial (1900 system).
const MAX_SERIAL: f64 = 2_958_466.0;

/// Converts an Excel serial to a date-time in the 1900 or 1904 system.
pub fn serial_to_datetime(serial: f64, epoch_1904: bool) -> Option<NaiveDateTime> {
    if !serial.is_finite() || !(1.0..MAX_SERIAL).contains(&serial) {
        return None;
    }
    let (base, days) = if epoch_1904 {
        (NaiveDate::from_ymd_opt(1904, 1, 1)?, serial)
    } else if serial < 60.0 {
        // Before Excel's phantom 1900-02-29 serials count from 1899-12-31.
        (NaiveDate::from_ymd_opt(1899, 12, 31)?, serial)
    } else {
        (NaiveDate::from_ymd_opt(1899, 12, 30)?, serial)
    };
    let ms = (days * 86_400_000.0).round() as i64;
    base.and_time(NaiveTime::MIN)
        .checked_add_signed(chrono::Duration::milliseconds(ms))
}

/// What a column's `a/b/yyyy` dates say about their order.
#[derive(Debug, Clone, Copy, Default)]
pub struct SlashEvidence {
    /// Values whose first part is over 12 (so day first).
    pub day_first: usize,
    /// Values whose second part is over 12 (so month first).
    pub month_first: usize,
    /// Values that read either way (both parts 12 or less, and different).
    pub ambiguous: usize,
}

/// The value a date column takes: Excel dates, serial numbers (with the workbook's date
/// system), `yyyymmdd` numbers, and the text forms of SPEC §2. A time part is dropped.
pub fn to_date(cell: &Cell, epoch_1904: bool) -> Result<Option<NaiveDate>, Problem> {
    to_date_in(
        cell,
        epoch_1904,
        DateOrder::Strict,
        &mut SlashEvidence::default(),
    )
}

/// [`to_date`] with `a/b/yyyy` dates read in `order`.
pub fn to_date_in(
    cell: &Cell,
    epoch_1904: bool,
    order: DateOrder,
    evidence: &mut SlashEvidence,
) -> Result<Option<NaiveDate>, Problem> {
    to_datetime_as(
        cell,
        epoch_1904,
        "a date (2026-10-03, 2026/10/3, 2026年10月3日, 20261003)",
        order,
        evidence,
    )
    .map(|d| d.map(|d| d.date()))
}

/// The value a datetime column takes: as a date, with a time part.
pub fn to_datetime(cell: &Cell, epoch_1904: bool) -> Result<Option<NaiveDateTime>, Problem> {
    to_datetime_in(
        cell,
        epoch_1904,
        DateOrder::Strict,
        &mut SlashEvidence::default(),
    )
}

/// [`to_datetime`] with `a/b/yyyy` dates read in `order`.
pub fn to_datetime_in(
    cell: &Cell,
    epoch_1904: bool,
    order: DateOrder,
    evidence: &mut SlashEvidence,
) -> Result<Option<NaiveDateTime>, Problem> {
    to_datetime_as(
        cell,
        epoch_1904,
        "a date and time (2026-10-03 14:05)",
        order,
        evidence,
    )
}

fn to_datetime_as(
    cell: &Cell,
    epoch_1904: bool,
    expected: &'static str,
    order: DateOrder,
    evidence: &mut SlashEvidence,
) -> Result<Option<NaiveDateTime>, Problem> {
    let value = match cell {
        Cell::Empty => return Ok(None),
        Cell::Text(s) if trim(s).is_empty() => return Ok(None),
        Cell::DateTime(d) => Some(*d),
        Cell::Number(n) => number_to_datetime(*n, epoch_1904),
        Cell::Text(s) => parse_datetime_text_in(trim(s), epoch_1904, order, evidence),
        Cell::Bool(_) | Cell::BadDate(_) | Cell::Error(_) | Cell::NoCachedValue(_) => None,
    };
    value.map(Some).ok_or_else(|| Problem {
        expected,
        found: cell.describe(),
    })
}

/// A number in a date column: `20261003` is a `yyyymmdd` date, anything else in Excel's
/// range is a serial.
fn number_to_datetime(n: f64, epoch_1904: bool) -> Option<NaiveDateTime> {
    if n.fract() == 0.0 && (10_000_101.0..=99_991_231.0).contains(&n) {
        let v = n as i64;
        let date = NaiveDate::from_ymd_opt(
            (v / 10_000) as i32,
            (v / 100 % 100) as u32,
            (v % 100) as u32,
        )?;
        return Some(date.and_time(NaiveTime::MIN));
    }
    serial_to_datetime(n, epoch_1904)
}

/// Parses date text: `2026-10-03`, `2026/10/3`, `2026.10.03`, `2026年10月3日`, `20261003`,
/// `03.08.2026` (day first), each optionally followed by a time (`14:05`, `14:05:30`,
/// `T14:05:30.250`), a zone (`+0800`) or a weekday (`星期一`, ignored: exports get it
/// wrong); also an Excel serial written as text and English month-name dates
/// (`October 3, 2026`, `Wednesday, 10 April 2019`). `08/13/2026` is refused: its order is
/// unknown here (see [`parse_datetime_text_in`]).
pub fn parse_datetime_text(s: &str, epoch_1904: bool) -> Option<NaiveDateTime> {
    parse_datetime_text_in(
        s,
        epoch_1904,
        DateOrder::Strict,
        &mut SlashEvidence::default(),
    )
}

/// [`parse_datetime_text`] with `a/b/yyyy` dates read in `order`.
pub fn parse_datetime_text_in(
    s: &str,
    epoch_1904: bool,
    order: DateOrder,
    evidence: &mut SlashEvidence,
) -> Option<NaiveDateTime> {
    let (date_part, time_part) = split_date_time(s);
    let date = parse_date_part(date_part, order, evidence).or_else(|| {
        // A bare serial, as some tools write unformatted dates to csv.
        // Only five-digit serials (1927 to 2173): `2026` alone is not a date.
        let serial: f64 = date_part.parse().ok()?;
        if time_part.is_none() && (10_000.0..100_000.0).contains(&serial) {
            return serial_to_datetime(serial, epoch_1904).map(|d| d.date());
        }
        None
    });
    let date = match date {
        Some(d) => d,
        None => return parse_english_date(s).map(|d| d.and_time(NaiveTime::MIN)),
    };
    let time = match time_part.map(strip_zone_and_weekday) {
        None | Some("") => NaiveTime::MIN,
        Some(t) => parse_time(t)?,
    };
    Some(date.and_time(time))
}

/// A time part without a trailing zone (`+0800`, `+08:00`, `Z`, `UTC`, `GMT+8`) or
/// weekday (`星期一`, `周一`, `Mon`, `Monday`), either of which may also stand alone.
fn strip_zone_and_weekday(t: &str) -> &str {
    let mut t = trim(t);
    loop {
        let before = t;
        if let Some(i) = t.rfind(char::is_whitespace) {
            let last = &t[i + 1..];
            if is_weekday(last) || is_zone(last) {
                t = trim(&t[..i]);
            }
        } else if is_weekday(t) || is_zone(t) {
            t = "";
        }
        if let Some(i) = t.rfind(['+', '-']) {
            // `14:22:10+0800`
            if i > 0 && t.as_bytes()[i - 1].is_ascii_digit() && is_zone(&t[i..]) {
                t = &t[..i];
            }
        }
        if t == before {
            return t;
        }
    }
}

fn is_weekday(s: &str) -> bool {
    let s = s.trim_matches(|c: char| c == '(' || c == ')' || c == '（' || c == '）' || c == ',');
    if let Some(d) = s
        .strip_prefix("星期")
        .or_else(|| s.strip_prefix("周"))
        .or_else(|| s.strip_prefix("礼拜"))
    {
        return ["一", "二", "三", "四", "五", "六", "日", "天"].contains(&d);
    }
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let l = s.to_ascii_lowercase();
    DAYS.iter()
        .any(|d| l == *d || (l.len() == 3 && d.starts_with(&l)))
}

fn is_zone(s: &str) -> bool {
    let s = s
        .strip_prefix("UTC")
        .or_else(|| s.strip_prefix("GMT"))
        .unwrap_or(s);
    if s.is_empty() || s == "Z" || s == "CST" {
        return true;
    }
    let Some(rest) = s.strip_prefix(['+', '-']) else {
        return false;
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    !digits.is_empty() && digits.len() <= 4 && digits.bytes().all(|b| b.is_ascii_digit())
}

fn split_date_time(s: &str) -> (&str, Option<&str>) {
    if let Some(i) = s.find(|c: char| c.is_whitespace()) {
        let time = trim(&s[i..]);
        return (&s[..i], (!time.is_empty()).then_some(time));
    }
    if let Some(i) = s.find('T') {
        return (&s[..i], Some(&s[i + 1..]));
    }
    (s, None)
}

fn parse_date_part(s: &str, order: DateOrder, evidence: &mut SlashEvidence) -> Option<NaiveDate> {
    let ok = |p: &str, max: usize| {
        !p.is_empty() && p.len() <= max && p.bytes().all(|b| b.is_ascii_digit())
    };
    let ymd = |y: &str, m: &str, d: &str| -> Option<NaiveDate> {
        if y.len() != 4 || !ok(y, 4) || !ok(m, 2) || !ok(d, 2) {
            return None;
        }
        NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    };
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return ymd(&s[..4], &s[4..6], &s[6..]);
    }
    if let Some((y, rest)) = s.split_once('年') {
        let (m, rest) = rest.split_once('月')?;
        let d = rest
            .strip_suffix('日')
            .or_else(|| rest.strip_suffix('号'))
            .unwrap_or(rest);
        return ymd(trim(y), trim(m), trim(d));
    }
    for sep in ['-', '/', '.'] {
        let parts: Vec<&str> = s.split(sep).collect();
        if parts.len() != 3 {
            continue;
        }
        if parts[0].len() == 4 {
            return ymd(parts[0], parts[1], parts[2]);
        }
        if parts[2].len() != 4 || !ok(parts[0], 2) || !ok(parts[1], 2) {
            return None;
        }
        let (a, b) = (parts[0], parts[1]);
        if sep == '.' {
            // `03.08.2026`: German, Russian and SAP exports write the day first.
            return ymd(parts[2], b, a);
        }
        let (an, bn): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
        return match order {
            DateOrder::Strict => None,
            DateOrder::MonthFirst => ymd(parts[2], a, b),
            DateOrder::DayFirst => ymd(parts[2], b, a),
            DateOrder::Infer => {
                if an > 12 {
                    evidence.day_first += 1;
                    ymd(parts[2], b, a)
                } else if bn > 12 {
                    evidence.month_first += 1;
                    ymd(parts[2], a, b)
                } else {
                    if an != bn {
                        evidence.ambiguous += 1;
                    }
                    ymd(parts[2], a, b)
                }
            }
        };
    }
    None
}

fn parse_time(s: &str) -> Option<NaiveTime> {
    let s = s.trim_end_matches('Z');
    for fmt in ["%H:%M:%S%.f", "%H:%M:%S", "%H:%M"] {
        if let Ok(t) = NaiveTime::parse_from_str(s, fmt) {
            return Some(t);
        }
    }
    None
}

fn parse_english_date(s: &str) -> Option<NaiveDate> {
    const FORMATS: [&str; 10] = [
        "%B %d, %Y",
        "%b %d, %Y",
        "%A, %B %d, %Y",
        "%a, %b %d, %Y",
        "%d %B %Y",
        "%d %b %Y",
        // Contoso's long dates: `Wednesday, 10 April 2019`
        "%A, %d %B %Y",
        "%a, %d %b %Y",
        "%d-%b-%Y",
        "%d-%B-%Y",
    ];
    FORMATS
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
}

/// The value a target period column takes, normalised to `2026-10`, `2026-Q4` or `2026`.
pub fn to_period(cell: &Cell, epoch_1904: bool) -> Result<Option<String>, Problem> {
    const EXPECTED: &str = "a period (2026-10, 2026-Q4 or 2026)";
    let found = || Problem {
        expected: EXPECTED,
        found: cell.describe(),
    };
    match cell {
        Cell::Empty => Ok(None),
        Cell::Text(s) if trim(s).is_empty() => Ok(None),
        Cell::DateTime(d) => Ok(Some(format!("{:04}-{:02}", d.year(), d.month()))),
        Cell::Number(n) if n.fract() == 0.0 => {
            let v = *n as i64;
            let text = v.to_string();
            parse_period(&text)
                .or_else(|| {
                    let d = serial_to_datetime(*n, epoch_1904)?;
                    Some(format!("{:04}-{:02}", d.year(), d.month()))
                })
                .map(Some)
                .ok_or_else(found)
        }
        Cell::Text(s) => parse_period(trim(s)).map(Some).ok_or_else(found),
        _ => Err(found()),
    }
}

/// Parses period text: years (`2026`, `2026年`), quarters (`2026-Q4`, `2026Q4`, `Q4 2026`,
/// `2026年第4季度`, `2026年Q4`) and months (`2026-10`, `2026/10`, `2026年10月`, `202610`,
/// or any date, which stands for its month).
pub fn parse_period(s: &str) -> Option<String> {
    let s = trim(s);
    let compact: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    let year_ok = |y: &str| y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit());
    let year = compact.strip_suffix('年').unwrap_or(&compact);
    if year_ok(year) {
        return Some(year.to_string());
    }
    // Quarters.
    let quarter = |y: &str, q: &str| -> Option<String> {
        let q: u32 = q.parse().ok()?;
        (year_ok(y) && (1..=4).contains(&q)).then(|| format!("{y}-Q{q}"))
    };
    if let Some(i) = compact.find('Q') {
        let (left, right) = (&compact[..i], &compact[i + 1..]);
        let left = left.trim_end_matches(['-', '/', '年', '.', '_']);
        if left.is_empty() {
            // `Q4 2026`, `Q4-2026`
            let (q, rest) = right.split_at(right.len().min(1));
            return quarter(rest.trim_start_matches(['-', '/', '.', '_']), q);
        }
        return quarter(left, right);
    }
    if let Some((y, rest)) = compact.split_once('年') {
        if let Some(q) = rest.strip_prefix('第').unwrap_or(rest).strip_suffix("季度") {
            let q = match q {
                "一" => "1",
                "二" => "2",
                "三" => "3",
                "四" => "4",
                other => other,
            };
            return quarter(y, q);
        }
        if let Some(m) = rest.strip_suffix('月') {
            return month(y, m);
        }
    }
    // Months.
    if compact.len() == 6 && compact.bytes().all(|b| b.is_ascii_digit()) {
        return month(&compact[..4], &compact[4..]);
    }
    for sep in ['-', '/', '.'] {
        let parts: Vec<&str> = compact.split(sep).collect();
        if parts.len() == 2 {
            return month(parts[0], parts[1]);
        }
    }
    let d = parse_datetime_text(s, false)?;
    Some(format!("{:04}-{:02}", d.year(), d.month()))
}

fn month(y: &str, m: &str) -> Option<String> {
    let ok = y.len() == 4
        && y.bytes().all(|b| b.is_ascii_digit())
        && (1..=2).contains(&m.len())
        && m.bytes().all(|b| b.is_ascii_digit());
    let mv: u32 = m.parse().ok()?;
    (ok && (1..=12).contains(&mv)).then(|| format!("{y}-{mv:02}"))
}

/// The value an NPS score column takes: an integer from 0 to 10.
pub fn to_score(cell: &Cell) -> Result<Option<f64>, Problem> {
    const EXPECTED: &str = "an integer score from 0 to 10";
    match to_number(cell) {
        Ok(Some(v)) if v.fract() == 0.0 && (0.0..=10.0).contains(&v) => Ok(Some(v)),
        Ok(None) => Ok(None),
        _ => problem(EXPECTED, cell),
    }
}

/// The value a lead stage column takes: the configured stage it names (letter case and
/// white space aside).
pub fn to_stage(cell: &Cell, stages: &[String]) -> Result<Option<String>, Problem> {
    const EXPECTED: &str = "one of the configured lead stages (stages in salesplan.toml)";
    let Some(text) = to_text(cell).map_err(|_| Problem {
        expected: EXPECTED,
        found: cell.describe(),
    })?
    else {
        return Ok(None);
    };
    let key = |s: &str| {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_lowercase()
    };
    stages
        .iter()
        .find(|s| key(s) == key(&text))
        .map(|s| Some(s.clone()))
        .ok_or(Problem {
            expected: EXPECTED,
            found: cell.describe(),
        })
}

/// The value a lead status column takes: `open`, `won` or `lost`.
pub fn to_lead_status(cell: &Cell) -> Result<Option<String>, Problem> {
    const EXPECTED: &str = "a lead status (open/won/lost, 进行中/赢单/输单)";
    let Some(text) = to_text(cell).map_err(|_| Problem {
        expected: EXPECTED,
        found: cell.describe(),
    })?
    else {
        return Ok(None);
    };
    let t: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    let status = match t.as_str() {
        "open" | "进行中" | "跟进中" | "未结" | "inprogress" => "open",
        "won" | "赢单" | "成交" | "已成交" | "closedwon" | "win" => "won",
        "lost" | "输单" | "丢单" | "失败" | "已丢单" | "closedlost" | "lose" => "lost",
        _ => {
            return Err(Problem {
                expected: EXPECTED,
                found: cell.describe(),
            })
        }
    };
    Ok(Some(status.to_string()))
}

/// Words that mark a totals row.
const TOTAL_MARKERS: [&str; 5] = ["合计", "总计", "小计", "total", "subtotal"];

/// A totals row's key can also be this, whole (it mentions `total` already).
const GRAND_TOTAL: &str = "grand total";

/// The longest word a totals row's key can be, in bytes.
const LONGEST_TOTAL_WORD: usize = {
    let (mut longest, mut i) = (GRAND_TOTAL.len(), 0);
    while i < TOTAL_MARKERS.len() {
        if TOTAL_MARKERS[i].len() > longest {
            longest = TOTAL_MARKERS[i].len();
        }
        i += 1;
    }
    longest
};

/// Whether a cell's text mentions a total (`合计`, `总计`, `小计`, `Total`, `Subtotal`).
pub fn mentions_total(cell: &Cell) -> bool {
    match cell {
        Cell::Text(s) => {
            let lower = s.to_lowercase();
            TOTAL_MARKERS.iter().any(|m| lower.contains(m))
        }
        _ => false,
    }
}

/// Whether a key cell is itself only a totals word (`合计`, `Total:`): such a row is a totals
/// row even though its key is not blank.
pub fn is_total_word(cell: &Cell) -> bool {
    match cell {
        Cell::Text(s) => {
            // Compared without allocating: this runs on every data row's key. A key longer
            // than the longest word that does not end in a colon is none.
            let t = trim(s);
            if t.len() > LONGEST_TOTAL_WORD && !t.ends_with([':', '：']) {
                return false;
            }
            let t = t.trim_end_matches([':', '：']).trim();
            TOTAL_MARKERS
                .iter()
                .chain(&[GRAND_TOTAL])
                .any(|m| t.eq_ignore_ascii_case(m))
        }
        _ => false,
    }
}

/// A date-formatted cell. Durations (`[h]:mm`) stay numbers; serials outside Excel's
/// range are kept as bad dates rather than clamped, as calamine would.
pub(super) fn excel_datetime(d: &calamine::ExcelDateTime, epoch_1904: bool) -> Cell<'static> {
    if d.is_duration() {
        return Cell::Number(d.as_f64());
    }
    let serial = d.as_f64();
    // 9999-12-31 is serial 2,958,465 in the 1900 system, 1,462 less in the 1904 one.
    let max = if epoch_1904 { 2_957_004.0 } else { 2_958_466.0 };
    if !(0.0..max).contains(&serial) {
        return Cell::BadDate(serial);
    }
    match d.as_datetime() {
        Some(dt) => Cell::DateTime(dt),
        None => Cell::BadDate(serial),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Cell<'static> {
        Cell::Text(s.to_string().into())
    }
    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn white_space_is_trimmed_whatever_the_script() {
        for (raw, want) in [
            ("张三", "张三"),
            ("\u{3000}张三\u{3000}", "张三"),
            ("张三 ", "张三"),
            ("\u{feff}x", "x"),
            ("a\u{a0}", "a"),
            ("“引号”", "“引号”"),
            ("\u{2003}é\u{2003}", "é"),
            ("é", "é"),
            ("😀 ", "😀"),
            ("  ", ""),
            ("", ""),
        ] {
            assert_eq!(trim(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn ids_lose_their_fraction() {
        assert_eq!(
            to_text(&Cell::Number(10023.0)).unwrap(),
            Some("10023".into())
        );
        assert_eq!(to_text(&Cell::Number(12.5)).unwrap(), Some("12.5".into()));
        assert_eq!(to_text(&text("  SO-1 ")).unwrap(), Some("SO-1".into()));
        assert_eq!(to_text(&text("   ")).unwrap(), None);
        assert!(to_text(&Cell::Error("#N/A".into())).is_err());
    }

    #[test]
    fn money_text_becomes_numbers() {
        assert_eq!(parse_number_text("1,234.50"), Some(1234.5));
        assert_eq!(parse_number_text("¥1,234.50"), Some(1234.5));
        assert_eq!(parse_number_text("￥ 1,234"), Some(1234.0));
        assert_eq!(parse_number_text("(120.00)"), Some(-120.0));
        assert_eq!(parse_number_text("-¥12"), Some(-12.0));
        assert_eq!(parse_number_text("¥-12"), Some(-12.0));
        assert_eq!(parse_number_text("12.5%"), Some(0.125));
        assert_eq!(parse_number_text("1.5E+3"), Some(1500.0));
        assert_eq!(
            parse_number_text("1 200元".replace(' ', "").as_str()),
            Some(1200.0)
        );
    }

    #[test]
    fn non_numbers_are_refused() {
        for s in [
            "N/A", "12,5", "1,23,4", "abc", "NaN", "inf", "-", "1.2.3", "¥", "0x10",
        ] {
            assert_eq!(parse_number_text(s), None, "{s}");
        }
        assert!(to_number(&text("N/A")).is_err());
        assert!(to_number(&Cell::Number(f64::NAN)).is_err());
        assert!(to_number(&Cell::Number(f64::INFINITY)).is_err());
        assert!(to_number(&Cell::Error("#DIV/0!".into())).is_err());
        assert!(to_number(&Cell::NoCachedValue("SUM(A1:A2)".into())).is_err());
        assert_eq!(to_number(&Cell::Empty).unwrap(), None);
        assert_eq!(to_number(&text(" ")).unwrap(), None);
    }

    #[test]
    fn excel_serials_in_both_date_systems() {
        // 2026-10-03 is serial 46298 (1900 system) and 44836 (1904 system).
        assert_eq!(
            to_date(&Cell::Number(46298.0), false).unwrap(),
            Some(date(2026, 10, 3))
        );
        assert_eq!(
            to_date(&Cell::Number(44836.0), true).unwrap(),
            Some(date(2026, 10, 3))
        );
        assert_eq!(
            serial_to_datetime(1.0, false).unwrap().date(),
            date(1900, 1, 1)
        );
        assert_eq!(
            serial_to_datetime(61.0, false).unwrap().date(),
            date(1900, 3, 1)
        );
        assert_eq!(serial_to_datetime(0.0, true), None);
        assert_eq!(
            serial_to_datetime(2_958_465.0, false).unwrap().date(),
            date(9999, 12, 31)
        );
        assert_eq!(serial_to_datetime(2_958_466.0, false), None);
        let t = serial_to_datetime(46298.5, false).unwrap();
        assert_eq!(t.time(), NaiveTime::from_hms_opt(12, 0, 0).unwrap());
    }

    #[test]
    fn every_text_date_form() {
        for s in [
            "2026-10-03",
            "2026/10/3",
            "2026.10.03",
            "2026年10月3日",
            "20261003",
            "2026-10-03 00:00:00",
            "October 3, 2026",
        ] {
            assert_eq!(
                to_date(&text(s), false).unwrap(),
                Some(date(2026, 10, 3)),
                "{s}"
            );
        }
        assert_eq!(
            to_date(&Cell::Number(20261003.0), false).unwrap(),
            Some(date(2026, 10, 3))
        );
        for s in [
            "2018-02-29",
            "2026-13-01",
            "10/3/2026",
            "yesterday",
            "2026-10",
        ] {
            assert!(to_date(&text(s), false).is_err(), "{s}");
        }
    }

    #[test]
    fn datetimes_keep_their_time() {
        let dt = |s| to_datetime(&text(s), false).unwrap().unwrap();
        assert_eq!(
            dt("2026-10-03 14:05").time(),
            NaiveTime::from_hms_opt(14, 5, 0).unwrap()
        );
        assert_eq!(
            dt("2026/10/3 14:05:30").time(),
            NaiveTime::from_hms_opt(14, 5, 30).unwrap()
        );
        assert_eq!(
            dt("2026-10-03T14:05:30").time(),
            NaiveTime::from_hms_opt(14, 5, 30).unwrap()
        );
        assert!(to_datetime(&text("2026-10-03 25:00"), false).is_err());
    }

    #[test]
    fn periods_normalise() {
        for (s, want) in [
            ("2026-10", "2026-10"),
            ("2026/1", "2026-01"),
            ("2026年10月", "2026-10"),
            ("202610", "2026-10"),
            ("2026-10-01", "2026-10"),
            ("2026-Q4", "2026-Q4"),
            ("2026 q4", "2026-Q4"),
            ("Q4 2026", "2026-Q4"),
            ("2026年第4季度", "2026-Q4"),
            ("2026年第四季度", "2026-Q4"),
            ("2026", "2026"),
            ("2026年", "2026"),
        ] {
            assert_eq!(parse_period(s).as_deref(), Some(want), "{s}");
        }
        for s in ["2026-Q5", "2026-13", "Oct", "26-10"] {
            assert_eq!(parse_period(s), None, "{s}");
        }
        assert_eq!(
            to_period(&Cell::Number(2026.0), false).unwrap().as_deref(),
            Some("2026")
        );
        assert_eq!(
            to_period(&Cell::Number(202610.0), false)
                .unwrap()
                .as_deref(),
            Some("2026-10")
        );
    }

    #[test]
    fn scores_are_integers_in_range() {
        assert_eq!(to_score(&Cell::Number(9.0)).unwrap(), Some(9.0));
        assert!(to_score(&Cell::Number(11.0)).is_err());
        assert!(to_score(&Cell::Number(7.5)).is_err());
        assert!(to_score(&Cell::Number(-1.0)).is_err());
    }

    #[test]
    fn stages_and_statuses() {
        let stages: Vec<String> = ["线索", "询盘", "报价", "谈判", "成交"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            to_stage(&text(" 报价 "), &stages).unwrap().as_deref(),
            Some("报价")
        );
        assert!(to_stage(&text("签约"), &stages).is_err());
        let en: Vec<String> = ["Lead", "Quote", "Won"].map(String::from).to_vec();
        assert_eq!(
            to_stage(&text("quote"), &en).unwrap().as_deref(),
            Some("Quote")
        );
        assert_eq!(
            to_lead_status(&text("赢单")).unwrap().as_deref(),
            Some("won")
        );
        assert_eq!(
            to_lead_status(&text("Lost")).unwrap().as_deref(),
            Some("lost")
        );
        assert_eq!(
            to_lead_status(&text("进行中")).unwrap().as_deref(),
            Some("open")
        );
        assert_eq!(to_lead_status(&Cell::Empty).unwrap(), None);
        assert!(to_lead_status(&text("maybe")).is_err());
    }

    #[test]
    fn totals() {
        assert!(mentions_total(&text("本月合计")));
        assert!(mentions_total(&text("Grand TOTAL")));
        assert!(!mentions_total(&Cell::Number(1.0)));
        assert!(is_total_word(&text("合计：")));
        assert!(!is_total_word(&text("SO-合计-1")));
        // Longer than any totals word, yet one once its colons and spaces are off.
        assert!(is_total_word(&text(" Grand Total ：：：")));
        assert!(!is_total_word(&text("SO20251100001")));
    }
}
