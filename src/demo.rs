//! The deterministic demo workbook generator (`salesplan demo`): a fictional company's
//! exports for every table of SPEC §2, with Chinese headers and the mess real exports
//! have (title rows, a totals row, text money and text dates, returns and cancelled
//! orders), and patterns that make every section of the report say something: one region
//! under target, one over its cost cap, a region converting under 15 %, a month of slow
//! ticket responses, a product line under 45 days of cover, overdue receivables.

use std::path::{Path, PathBuf};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, XlsxError};

use crate::error::{Error, Result};
use crate::types::Month;

/// What `salesplan demo` writes.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Folder for the workbooks.
    pub out: PathBuf,
    /// Months of history, ending with `last_month`.
    pub months: u32,
    /// Order lines to aim for (default about 6,000).
    pub rows: Option<usize>,
    /// Random seed.
    pub seed: u64,
    /// Last month of data.
    pub last_month: Month,
    /// How the order lines are split into workbooks.
    pub orders_files: OrdersFiles,
}

/// How `salesplan demo` splits the order lines into workbooks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OrdersFiles {
    /// One workbook per calendar year (what the committed demo inputs use).
    #[default]
    Yearly,
    /// One workbook per month, as a monthly export job leaves them.
    Monthly,
    /// Every line in one sheet of one workbook (the benchmark's single-sheet case).
    Single,
}

/// SplitMix64: a tiny generator whose sequence for a seed never changes between versions
/// (the `rand` crate does not promise that), so the demo files are stable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn f(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [lo, hi).
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.f()
    }

    /// Uniform integer in [0, n).
    fn below(&mut self, n: usize) -> usize {
        (self.f() * n as f64) as usize % n.max(1)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.f() < p
    }

    /// An index drawn by weight.
    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.f() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

const REGIONS: [&str; 5] = ["华东", "华南", "华北", "西南", "华中"];
const REGION_WEIGHT: [f64; 5] = [0.30, 0.24, 0.20, 0.12, 0.14];
const PRODUCT_LINES: [&str; 4] = ["智能终端", "配件", "软件服务", "工业设备"];
const PRODUCT_WEIGHT: [f64; 4] = [0.38, 0.30, 0.17, 0.15];
const UNIT_PRICE: [f64; 4] = [1_680.0, 96.0, 4_800.0, 12_800.0];
const SEGMENTS: [&str; 3] = ["大客户", "中小企业", "渠道商"];
const SEGMENT_WEIGHT: [f64; 3] = [0.15, 0.60, 0.25];
/// Order frequency (orders per month) by segment.
const SEGMENT_RATE: [f64; 3] = [1.6, 0.55, 0.9];
/// Month-of-year demand: the Spring Festival dip, the year-end push.
const SEASON: [f64; 12] = [
    0.85, 0.68, 0.95, 1.0, 1.02, 1.08, 0.94, 0.93, 1.04, 1.1, 1.16, 1.3,
];
const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗",
];
const GIVEN: [&str; 20] = [
    "伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平", "刚",
    "婷", "鹏", "华", "军",
];
const COMPANY_WORDS: [&str; 12] = [
    "华信", "鼎盛", "创达", "恒远", "瑞丰", "德润", "天合", "卓越", "宏图", "新元", "博雅", "启航",
];
const COMPANY_KINDS: [&str; 6] = [
    "科技有限公司",
    "贸易有限公司",
    "电子有限公司",
    "实业有限公司",
    "智能设备有限公司",
    "商贸有限公司",
];
const EXPENSE_CATEGORIES: [&str; 5] = ["差旅费", "业务招待费", "市场推广费", "办公费", "销售佣金"];
const EXPENSE_SPLIT: [f64; 5] = [0.28, 0.18, 0.24, 0.10, 0.20];

struct Rep {
    id: String,
    name: String,
    region: usize,
    hired: NaiveDate,
    left: Option<NaiveDate>,
}

struct Customer {
    id: String,
    name: String,
    region: usize,
    segment: usize,
    /// First month of business (may be before the data starts).
    since: NaiveDate,
    /// Month index after which the customer stops buying.
    churn: Option<i32>,
}

struct OrderLine {
    id: String,
    date: NaiveDate,
    customer: usize,
    rep: String,
    region: usize,
    product: usize,
    qty: f64,
    amount: f64,
    cost: f64,
    status: &'static str,
}

/// A cell to write.
enum V {
    T(String),
    N(f64),
    D(NaiveDate),
    Dt(NaiveDateTime),
    E,
}

fn t(s: impl Into<String>) -> V {
    V::T(s.into())
}

struct SheetSpec {
    name: &'static str,
    title: Option<String>,
    headers: Vec<&'static str>,
    rows: Vec<Vec<V>>,
    /// Totals row: label column and the columns to sum.
    totals: Option<(usize, Vec<usize>)>,
}

fn xerr(path: &Path) -> impl Fn(XlsxError) -> Error + '_ {
    move |e| Error::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    }
}

fn excel_date(d: NaiveDate) -> std::result::Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
}

fn write_workbook(path: &Path, created: NaiveDate, sheets: &[SheetSpec]) -> Result<()> {
    let err = xerr(path);
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new().set_creation_datetime(&excel_date(created).map_err(&err)?),
    );
    let head = Format::new()
        .set_bold()
        .set_background_color("#D9E1F2")
        .set_align(FormatAlign::Center);
    let title_fmt = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center);
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    let dt_fmt = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let money_fmt = Format::new().set_num_format("#,##0.00");
    let bold = Format::new().set_bold();
    for s in sheets {
        let ws = wb.add_worksheet().set_name(s.name).map_err(&err)?;
        let mut row: u32 = 0;
        if let Some(title) = &s.title {
            ws.merge_range(0, 0, 0, s.headers.len() as u16 - 1, title, &title_fmt)
                .map_err(&err)?;
            row = 2;
        }
        let header_row = row;
        for (c, h) in s.headers.iter().enumerate() {
            ws.write_string_with_format(row, c as u16, *h, &head)
                .map_err(&err)?;
            ws.set_column_width(c as u16, 13).map_err(&err)?;
        }
        for r in &s.rows {
            row += 1;
            for (c, v) in r.iter().enumerate() {
                write_cell(ws, row, c as u16, v, &date_fmt, &dt_fmt, &money_fmt).map_err(&err)?;
            }
        }
        if let Some((label_col, sum_cols)) = &s.totals {
            let last = row;
            row += 1;
            ws.write_string_with_format(row, *label_col as u16, "合计", &bold)
                .map_err(&err)?;
            for &c in sum_cols {
                let letter = crate::types::column_letter(c);
                let formula = format!("=SUM({letter}{}:{letter}{})", header_row + 2, last + 1);
                let total: f64 = s
                    .rows
                    .iter()
                    .map(|r| match r.get(c) {
                        Some(V::N(x)) => *x,
                        _ => 0.0,
                    })
                    .sum();
                ws.write_formula_with_format(row, c as u16, formula.as_str(), &money_fmt)
                    .map_err(&err)?
                    .set_formula_result(row, c as u16, format!("{total}"));
            }
        }
    }
    wb.save(path).map_err(&err)
}

use chrono::Timelike;

fn write_cell(
    ws: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    c: u16,
    v: &V,
    date_fmt: &Format,
    dt_fmt: &Format,
    money_fmt: &Format,
) -> std::result::Result<(), XlsxError> {
    match v {
        V::T(x) => ws.write_string(row, c, x).map(|_| ()),
        V::N(x) => ws
            .write_number_with_format(row, c, *x, money_fmt)
            .map(|_| ()),
        V::D(d) => ws
            .write_datetime_with_format(row, c, excel_date(*d)?, date_fmt)
            .map(|_| ()),
        V::Dt(d) => {
            let x = excel_date(d.date())?.and_hms(d.hour() as u16, d.minute() as u8, 0)?;
            ws.write_datetime_with_format(row, c, &x, dt_fmt)
                .map(|_| ())
        }
        V::E => Ok(()),
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn day_in(m: Month, rng: &mut Rng) -> NaiveDate {
    let days = (m.end() - m.start()).num_days() + 1;
    m.start() + Duration::days(rng.below(days as usize) as i64)
}

/// Writes the demo workbooks; returns their paths.
pub fn write(o: &DemoOptions) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(&o.out).map_err(|e| Error::Write {
        path: o.out.clone(),
        source: e,
    })?;
    let mut rng = Rng(o.seed);
    let months = o.months.max(3) as i32;
    let last = o.last_month;
    let first = last.plus(-(months - 1));
    let created = last.end();
    let scale = o.rows.map_or(1.0, |r| r as f64 / 6_000.0);

    // Reps: six seats per region; some leave and are replaced during the data.
    let mut reps: Vec<Rep> = Vec::new();
    for region in 0..REGIONS.len() {
        for seat in 0..6 {
            let id = format!("S{:03}", reps.len() + 1);
            let name = format!("{}{}", SURNAMES[rng.below(20)], GIVEN[rng.below(20)]);
            let hired = first.plus(-(12 + rng.below(36) as i32)).start()
                + Duration::days(rng.below(28) as i64);
            let leaves = seat == 5 && region % 2 == 0 || rng.chance(0.08);
            let left = leaves.then(|| {
                day_in(
                    first.plus(4 + rng.below((months - 8).max(1) as usize) as i32),
                    &mut rng,
                )
            });
            reps.push(Rep {
                id,
                name,
                region,
                hired,
                left,
            });
            if let Some(l) = left {
                let id = format!("S{:03}", reps.len() + 1);
                let name = format!("{}{}", SURNAMES[rng.below(20)], GIVEN[rng.below(20)]);
                let hired = l + Duration::days(10 + rng.below(40) as i64);
                if hired <= last.end() {
                    reps.push(Rep {
                        id,
                        name,
                        region,
                        hired,
                        left: None,
                    });
                }
            }
        }
    }

    // Customers: most already buying before the data starts, the rest arriving monthly.
    let n_customers = (400.0 * scale.sqrt()).round().max(40.0) as usize;
    let mut customers: Vec<Customer> = Vec::new();
    for i in 0..n_customers {
        let region = rng.weighted(&REGION_WEIGHT);
        let segment = rng.weighted(&SEGMENT_WEIGHT);
        let existing = i < n_customers * 55 / 100;
        let since = if existing {
            first.plus(-(1 + rng.below(48) as i32)).start()
        } else {
            day_in(first.plus(rng.below(months as usize) as i32), &mut rng)
        };
        let churn = rng
            .chance(0.22)
            .then(|| Month::of(since).index().max(first.index()) + 3 + rng.below(18) as i32);
        let name = format!(
            "{}{}{}",
            ["上海", "深圳", "北京", "成都", "武汉", "杭州", "广州", "南京"][rng.below(8)],
            COMPANY_WORDS[rng.below(12)],
            COMPANY_KINDS[rng.below(6)]
        );
        customers.push(Customer {
            id: format!("C{:05}", 10_001 + i),
            name,
            region,
            segment,
            since,
            churn,
        });
    }

    // Orders.
    let mut lines: Vec<OrderLine> = Vec::new();
    let mut order_no = 0usize;
    for k in 0..months {
        let m = first.plus(k);
        let growth = 1.0 + 0.09 * (k as f64 / 12.0);
        let season = SEASON[m.month as usize - 1];
        for (ci, c) in customers.iter().enumerate() {
            if Month::of(c.since) > m || c.churn.is_some_and(|x| m.index() > x) {
                continue;
            }
            // Customers grow with √scale, so orders per customer do too.
            let rate = SEGMENT_RATE[c.segment] * season * growth * scale.sqrt();
            let mut n_orders = 0;
            let mut x = rate;
            while x > 0.0 {
                if rng.chance(x.min(1.0)) {
                    n_orders += 1;
                }
                x -= 1.0;
            }
            // A new customer's first month always has its first order.
            if Month::of(c.since) == m && n_orders == 0 {
                n_orders = 1;
            }
            for _ in 0..n_orders {
                order_no += 1;
                let mut date = day_in(m, &mut rng);
                if Month::of(c.since) == m && date < c.since {
                    date = c.since;
                }
                let active: Vec<&Rep> = reps
                    .iter()
                    .filter(|r| {
                        r.region == c.region && r.hired <= date && r.left.is_none_or(|l| l >= date)
                    })
                    .collect();
                let rep = if active.is_empty() {
                    String::new()
                } else {
                    active[ci % active.len()].id.clone()
                };
                let cancelled = rng.chance(0.02);
                for _ in 0..1 + rng.below(3) {
                    let product = rng.weighted(&PRODUCT_WEIGHT);
                    let big = if c.segment == 0 { 2.5 } else { 1.0 };
                    let qty = (rng.range(1.0, 8.0) * big * if product == 1 { 6.0 } else { 1.0 })
                        .round()
                        .max(1.0);
                    let price = UNIT_PRICE[product] * rng.range(0.9, 1.1);
                    let amount = round2(qty * price);
                    let margin = [0.32, 0.45, 0.62, 0.25][product] + rng.range(-0.05, 0.05);
                    let returned = !cancelled && rng.chance(0.015);
                    let sign = if returned { -1.0 } else { 1.0 };
                    lines.push(OrderLine {
                        id: format!("SO{}{:02}{:05}", m.year, m.month, order_no),
                        date,
                        customer: ci,
                        rep: rep.clone(),
                        region: c.region,
                        product,
                        qty: sign * qty,
                        amount: sign * amount,
                        cost: sign * round2(amount * (1.0 - margin)),
                        status: if cancelled {
                            "已取消"
                        } else if returned {
                            "退货"
                        } else {
                            "已完成"
                        },
                    });
                }
            }
        }
    }

    // Revenue by month and region, summed in line order (so the sums, and the demo files,
    // do not depend on how they are looked up).
    let mut revenue: std::collections::HashMap<(i32, usize), f64> = Default::default();
    for l in lines.iter().filter(|l| l.status != "已取消") {
        *revenue
            .entry((Month::of(l.date).index(), l.region))
            .or_insert(0.0) += l.amount;
    }
    let revenue_of =
        |m: Month, region: usize| revenue.get(&(m.index(), region)).copied().unwrap_or(0.0);

    let mut written = Vec::new();
    let mut write = |name: &str, sheets: Vec<SheetSpec>| -> Result<()> {
        let path = o.out.join(name);
        write_workbook(&path, created, &sheets)?;
        written.push(path);
        Ok(())
    };

    // Orders, with a title row and a totals row: one workbook per year (or month, or one
    // for everything).
    let file_of = |d: NaiveDate| -> (String, String) {
        match o.orders_files {
            OrdersFiles::Yearly => (d.year().to_string(), format!("{}年", d.year())),
            OrdersFiles::Monthly => (
                Month::of(d).to_string(),
                format!("{}年{}月", d.year(), d.month()),
            ),
            OrdersFiles::Single => (String::new(), format!("{first}至{last}")),
        }
    };
    // Lines are made month by month, so each file's lines are one run.
    let keys: Vec<(String, String)> = lines.iter().map(|l| file_of(l.date)).collect();
    let mut start = 0;
    while start < lines.len() {
        let (key, period) = &keys[start];
        let end = start + keys[start..].iter().take_while(|k| &k.0 == key).count();
        let mut rows = Vec::new();
        for (i, l) in lines[start..end].iter().enumerate() {
            let c = &customers[l.customer];
            // Some exports write money and dates as text.
            let amount = if i % 97 == 5 {
                t(format!("¥{}", thousands(l.amount)))
            } else {
                V::N(l.amount)
            };
            let date = if i % 89 == 3 {
                t(format!(
                    "{}/{}/{}",
                    l.date.year(),
                    l.date.month(),
                    l.date.day()
                ))
            } else {
                V::D(l.date)
            };
            rows.push(vec![
                t(&l.id),
                date,
                t(&c.id),
                if l.rep.is_empty() { V::E } else { t(&l.rep) },
                t(REGIONS[l.region]),
                t(PRODUCT_LINES[l.product]),
                V::N(l.qty),
                amount,
                V::N(l.cost),
                t(l.status),
            ]);
        }
        write(
            &if key.is_empty() {
                "订单明细.xlsx".to_string()
            } else {
                format!("订单明细-{key}.xlsx")
            },
            vec![SheetSpec {
                name: "订单明细",
                title: Some(format!("星河科技 销售订单明细（{period}）")),
                headers: vec![
                    "订单编号",
                    "下单日期",
                    "客户编号",
                    "销售代表",
                    "区域",
                    "产品线",
                    "数量",
                    "金额",
                    "成本",
                    "订单状态",
                ],
                rows,
                totals: Some((0, vec![6, 8])),
            }],
        )?;
        start = end;
    }

    // Targets: by region and month; 华中 gives quarters for the current year. 西南 is set
    // well above what it sells, so it runs under target.
    let mut rows = Vec::new();
    for k in 0..months {
        let m = first.plus(k);
        for (r, region) in REGIONS.iter().enumerate() {
            if r == 4 && m.year == last.year {
                continue;
            }
            let stretch = [1.02, 0.97, 1.0, 1.22, 1.0][r];
            let expected = revenue_of(m, r).max(1.0) * stretch * rng.range(0.97, 1.03);
            rows.push(vec![
                t(m.to_string()),
                t(*region),
                V::E,
                V::N((expected / 10_000.0).round() * 10_000.0),
            ]);
        }
    }
    for q in 1..=4u32 {
        let months_of_q: Vec<Month> = (0..3)
            .map(|i| Month {
                year: last.year,
                month: (q - 1) * 3 + 1 + i,
            })
            .collect();
        let sum: f64 = months_of_q
            .iter()
            .map(|&m| {
                if m <= last {
                    revenue_of(m, 4)
                } else {
                    revenue_of(m.plus(-12), 4) * 1.1
                }
            })
            .sum();
        rows.push(vec![
            t(format!("{}-Q{q}", last.year)),
            t(REGIONS[4]),
            V::E,
            V::N((sum.max(1.0) / 10_000.0).round() * 10_000.0),
        ]);
    }
    // The rest of the year for the other regions, from last year's shape.
    for month in last.month + 1..=12 {
        let m = Month {
            year: last.year,
            month,
        };
        for r in 0..4 {
            let basis = revenue_of(m.plus(-12), r) * 1.1 * [1.02, 0.97, 1.0, 1.22][r];
            rows.push(vec![
                t(m.to_string()),
                t(REGIONS[r]),
                V::E,
                V::N((basis.max(1.0) / 10_000.0).round() * 10_000.0),
            ]);
        }
    }
    // Rep targets for the current year (region left blank), for the scorecard.
    for month in 1..=last.month {
        let m = Month {
            year: last.year,
            month,
        };
        for rep in reps
            .iter()
            .filter(|r| r.hired <= m.end() && r.left.is_none_or(|l| l >= m.start()))
        {
            let sold: f64 = lines
                .iter()
                .filter(|l| l.rep == rep.id && l.status != "已取消" && Month::of(l.date) == m)
                .map(|l| l.amount)
                .sum();
            let target = (sold.max(50_000.0) * rng.range(0.85, 1.25) / 1_000.0).round() * 1_000.0;
            rows.push(vec![t(m.to_string()), V::E, t(&rep.id), V::N(target)]);
        }
    }
    write(
        "销售目标.xlsx",
        vec![SheetSpec {
            name: "销售目标",
            title: None,
            headers: vec!["期间", "区域", "销售代表", "目标金额"],
            rows,
            totals: None,
        }],
    )?;

    // Roster.
    let rows = reps
        .iter()
        .map(|r| {
            vec![
                t(&r.id),
                t(&r.name),
                t(REGIONS[r.region]),
                t(format!(
                    "{}{}组",
                    REGIONS[r.region],
                    if r.id.as_bytes()[3] % 2 == 0 {
                        "一"
                    } else {
                        "二"
                    }
                )),
                V::D(r.hired),
                r.left.map_or(V::E, V::D),
            ]
        })
        .collect();
    write(
        "人员花名册.xlsx",
        vec![SheetSpec {
            name: "花名册",
            title: Some("销售团队花名册".into()),
            headers: vec!["工号", "姓名", "区域", "团队", "入职日期", "离职日期"],
            rows,
            totals: None,
        }],
    )?;

    // Customers.
    let rows = customers
        .iter()
        .map(|c| {
            vec![
                t(&c.id),
                t(&c.name),
                t(SEGMENTS[c.segment]),
                t(REGIONS[c.region]),
                V::D(c.since),
            ]
        })
        .collect();
    write(
        "客户档案.xlsx",
        vec![SheetSpec {
            name: "客户档案",
            title: None,
            headers: vec!["客户编号", "客户名称", "客户群", "区域", "开户日期"],
            rows,
            totals: None,
        }],
    )?;

    // Expenses: about 6.5 % of revenue; 华北 overspends.
    let mut rows = Vec::new();
    for k in 0..months {
        let m = first.plus(k);
        for (r, region) in REGIONS.iter().enumerate() {
            let budget = revenue_of(m, r) * if r == 2 { 0.105 } else { 0.062 };
            for (ci, cat) in EXPENSE_CATEGORIES.iter().enumerate() {
                let amount = round2(budget * EXPENSE_SPLIT[ci] * rng.range(0.85, 1.15));
                rows.push(vec![
                    V::D(day_in(m, &mut rng)),
                    t(*cat),
                    t(*region),
                    V::N(amount),
                ]);
            }
        }
    }
    write(
        "销售费用.xlsx",
        vec![SheetSpec {
            name: "销售费用",
            title: None,
            headers: vec!["发生日期", "费用类别", "区域", "金额"],
            rows,
            totals: Some((1, vec![3])),
        }],
    )?;

    // CRM export: leads, tickets, NPS and follow-ups in one workbook.
    let stages = ["线索", "询盘", "报价", "谈判", "成交"];
    let mut lead_rows = Vec::new();
    let mut ticket_rows = Vec::new();
    let mut nps_rows = Vec::new();
    let mut visit_rows = Vec::new();
    let mut lead_no = 0;
    let mut ticket_no = 0;
    for k in 0..months {
        let m = first.plus(k);
        for (r, region) in REGIONS.iter().enumerate() {
            let win = if r == 4 { 0.09 } else { 0.19 };
            for _ in 0..(18.0 * scale.sqrt()) as usize + rng.below(8) {
                lead_no += 1;
                let won = rng.chance(win);
                let furthest = if won {
                    4
                } else {
                    rng.weighted(&[0.35, 0.3, 0.2, 0.15])
                };
                let created = day_in(m, &mut rng);
                let open = !won && m.index() >= last.index() - 1 && rng.chance(0.5);
                let status = if won {
                    "赢单"
                } else if open {
                    "进行中"
                } else {
                    "输单"
                };
                let rep = reps
                    .iter()
                    .filter(|x| x.region == r)
                    .nth(rng.below(6))
                    .map(|x| x.id.clone())
                    .unwrap_or_default();
                lead_rows.push(vec![
                    t(format!("L{:06}", lead_no)),
                    V::D(created),
                    t(stages[furthest]),
                    t(status),
                    t(rep),
                    t(*region),
                    t(["展会", "官网", "转介绍", "电话营销"][rng.below(4)]),
                    V::N(round2(rng.range(2.0, 60.0) * 1_000.0)),
                ]);
            }
        }
        for _ in 0..(45.0 * scale.sqrt()) as usize + rng.below(15) {
            ticket_no += 1;
            let c = &customers[rng.below(customers.len())];
            let created = day_in(m, &mut rng).and_time(
                NaiveTime::from_hms_opt(8 + rng.below(10) as u32, rng.below(60) as u32, 0)
                    .unwrap_or_default(),
            );
            let slow = m == last.plus(-2);
            let hours = if slow {
                rng.range(1.5, 7.0)
            } else if rng.chance(0.07) {
                rng.range(2.0, 5.0)
            } else {
                rng.range(0.2, 1.8)
            };
            let answered = !(m == last && rng.chance(0.05));
            let response = created + Duration::minutes((hours * 60.0) as i64);
            ticket_rows.push(vec![
                t(format!("T{:06}", ticket_no)),
                V::Dt(created),
                if answered { V::Dt(response) } else { V::E },
                t(&c.id),
                t(REGIONS[c.region]),
            ]);
        }
        for _ in 0..(30.0 * scale.sqrt()) as usize + rng.below(10) {
            let c = &customers[rng.below(customers.len())];
            let score = [10, 10, 9, 9, 9, 8, 8, 7, 7, 6, 5, 3][rng.below(12)];
            nps_rows.push(vec![
                t(&c.id),
                V::D(day_in(m, &mut rng)),
                V::N(score as f64),
            ]);
        }
    }
    // Follow-ups: most active customers are called or visited each month.
    for k in 0..months {
        let m = first.plus(k);
        let mut active: Vec<usize> = lines
            .iter()
            .filter(|l| Month::of(l.date) == m && l.status != "已取消")
            .map(|l| l.customer)
            .collect();
        active.sort_unstable();
        active.dedup();
        for ci in active {
            if rng.chance(0.84) {
                let c = &customers[ci];
                let rep = lines
                    .iter()
                    .find(|l| l.customer == ci && !l.rep.is_empty())
                    .map(|l| l.rep.clone())
                    .unwrap_or_default();
                let kind = if c.segment == 0 || rng.chance(0.3) {
                    "拜访"
                } else {
                    "回访"
                };
                visit_rows.push(vec![t(&c.id), V::D(day_in(m, &mut rng)), t(rep), t(kind)]);
            }
        }
    }
    write(
        "CRM导出.xlsx",
        vec![
            SheetSpec {
                name: "线索",
                title: None,
                headers: vec![
                    "线索编号",
                    "创建日期",
                    "阶段",
                    "状态",
                    "销售代表",
                    "区域",
                    "来源",
                    "金额",
                ],
                rows: lead_rows,
                totals: None,
            },
            SheetSpec {
                name: "售后工单",
                title: None,
                headers: vec!["工单号", "创建时间", "首次响应时间", "客户编号", "区域"],
                rows: ticket_rows,
                totals: None,
            },
            SheetSpec {
                name: "NPS",
                title: None,
                headers: vec!["客户编号", "调查日期", "评分"],
                rows: nps_rows,
                totals: None,
            },
            SheetSpec {
                name: "回访",
                title: None,
                headers: vec!["客户编号", "回访日期", "销售代表", "类型"],
                rows: visit_rows,
                totals: None,
            },
        ],
    )?;

    // Receivables: one invoice per customer and month, due in 30 days; most paid on time,
    // some late, a few not at all.
    let mut rows = Vec::new();
    let mut inv = 0;
    for k in 0..months {
        let m = first.plus(k);
        let mut per_customer: std::collections::BTreeMap<usize, f64> = Default::default();
        for l in lines
            .iter()
            .filter(|l| Month::of(l.date) == m && l.status != "已取消")
        {
            *per_customer.entry(l.customer).or_default() += l.amount;
        }
        for (ci, amount) in per_customer {
            if amount <= 0.0 {
                continue;
            }
            inv += 1;
            let invoiced = m.end();
            let due = invoiced + Duration::days(30);
            let late = rng.chance(0.18);
            let never = rng.chance(0.04) || (customers[ci].segment == 2 && rng.chance(0.08));
            let paid_on = due
                + Duration::days(if late {
                    10 + rng.below(70) as i64
                } else {
                    -(rng.below(20) as i64)
                });
            let paid = !never && paid_on <= last.end();
            rows.push(vec![
                t(format!("INV{:06}", inv)),
                t(&customers[ci].id),
                V::D(invoiced),
                V::D(due),
                V::N(round2(amount)),
                if paid { V::N(round2(amount)) } else { V::E },
                if paid { V::D(paid_on) } else { V::E },
            ]);
        }
    }
    write(
        "应收账款.xlsx",
        vec![SheetSpec {
            name: "应收账款",
            title: None,
            headers: vec![
                "发票号",
                "客户编号",
                "开票日期",
                "到期日",
                "应收金额",
                "回款金额",
                "回款日期",
            ],
            rows,
            totals: None,
        }],
    )?;

    // Inventory: month-end snapshots; 配件 runs thin.
    let mut rows = Vec::new();
    for k in 0..months {
        let m = first.plus(k);
        for (p, line) in PRODUCT_LINES.iter().enumerate() {
            let sold: f64 = lines
                .iter()
                .filter(|l| l.product == p && l.status != "已取消" && Month::of(l.date) == m)
                .map(|l| l.qty)
                .sum();
            let cover_days = if p == 1 {
                rng.range(26.0, 36.0)
            } else {
                rng.range(55.0, 90.0)
            };
            rows.push(vec![
                V::D(m.end()),
                t(*line),
                V::N((sold / 30.0 * cover_days).round()),
            ]);
        }
    }
    write(
        "库存.xlsx",
        vec![SheetSpec {
            name: "库存",
            title: None,
            headers: vec!["盘点日期", "产品线", "库存数量"],
            rows,
            totals: None,
        }],
    )?;

    Ok(written)
}

/// `1234567.5` → `1,234,567.50`.
fn thousands(x: f64) -> String {
    let neg = x < 0.0;
    let s = format!("{:.2}", x.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    format!("{}{out}.{frac}", if neg { "-" } else { "" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_splitmix64() {
        // The reference implementation's first outputs for seed 0 (Vigna's splitmix64.c):
        // the demo's workbooks depend on exactly this sequence.
        let mut r = Rng(0);
        assert_eq!(r.next(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(r.next(), 0x06C4_5D18_8009_454F);
        let x = Rng(1).f();
        assert!((0.0..1.0).contains(&x));
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(1_234_567.5), "1,234,567.50");
        assert_eq!(thousands(-120.0), "-120.00");
        assert_eq!(thousands(999.0), "999.00");
    }
}
