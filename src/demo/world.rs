//! The demo company: its regions, product lines and segments, its reps, customers and
//! order lines, drawn once; every table's workbook is generated from them.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};

use super::rng::Rng;
use super::workbook::round2;
use super::DemoOptions;
use crate::types::Month;

pub(super) const REGIONS: [&str; 5] = ["华东", "华南", "华北", "西南", "华中"];
pub(super) const REGION_WEIGHT: [f64; 5] = [0.30, 0.24, 0.20, 0.12, 0.14];
pub(super) const PRODUCT_LINES: [&str; 4] = ["智能终端", "配件", "软件服务", "工业设备"];
pub(super) const PRODUCT_WEIGHT: [f64; 4] = [0.38, 0.30, 0.17, 0.15];
pub(super) const UNIT_PRICE: [f64; 4] = [1_680.0, 96.0, 4_800.0, 12_800.0];
pub(super) const SEGMENTS: [&str; 3] = ["大客户", "中小企业", "渠道商"];
pub(super) const SEGMENT_WEIGHT: [f64; 3] = [0.15, 0.60, 0.25];
/// Order frequency (orders per month) by segment.
pub(super) const SEGMENT_RATE: [f64; 3] = [1.6, 0.55, 0.9];
/// Month-of-year demand: the Spring Festival dip, the year-end push.
pub(super) const SEASON: [f64; 12] = [
    0.85, 0.68, 0.95, 1.0, 1.02, 1.08, 0.94, 0.93, 1.04, 1.1, 1.16, 1.3,
];
pub(super) const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗",
];
pub(super) const GIVEN: [&str; 20] = [
    "伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平", "刚",
    "婷", "鹏", "华", "军",
];
pub(super) const COMPANY_WORDS: [&str; 12] = [
    "华信", "鼎盛", "创达", "恒远", "瑞丰", "德润", "天合", "卓越", "宏图", "新元", "博雅", "启航",
];
pub(super) const COMPANY_KINDS: [&str; 6] = [
    "科技有限公司",
    "贸易有限公司",
    "电子有限公司",
    "实业有限公司",
    "智能设备有限公司",
    "商贸有限公司",
];
pub(super) const EXPENSE_CATEGORIES: [&str; 5] =
    ["差旅费", "业务招待费", "市场推广费", "办公费", "销售佣金"];
pub(super) const EXPENSE_SPLIT: [f64; 5] = [0.28, 0.18, 0.24, 0.10, 0.20];

pub(super) struct Rep {
    pub id: String,
    pub name: String,
    pub region: usize,
    pub hired: NaiveDate,
    pub left: Option<NaiveDate>,
}

pub(super) struct Customer {
    pub id: String,
    pub name: String,
    pub region: usize,
    pub segment: usize,
    /// First month of business (may be before the data starts).
    pub since: NaiveDate,
    /// Month index after which the customer stops buying.
    pub churn: Option<i32>,
}

pub(super) struct OrderLine {
    pub id: String,
    pub date: NaiveDate,
    pub customer: usize,
    pub rep: String,
    pub region: usize,
    pub product: usize,
    pub qty: f64,
    pub amount: f64,
    pub cost: f64,
    pub status: &'static str,
}

/// Everything the tables are generated from.
pub(super) struct World {
    pub first: Month,
    pub last: Month,
    /// Months of data.
    pub months: i32,
    /// Order lines aimed for ÷ 6,000.
    pub scale: f64,
    pub reps: Vec<Rep>,
    pub customers: Vec<Customer>,
    pub lines: Vec<OrderLine>,
    /// Revenue by month index and region.
    revenue: HashMap<(i32, usize), f64>,
}

impl World {
    pub fn new(o: &DemoOptions, rng: &mut Rng) -> World {
        let months = o.months.max(3) as i32;
        let last = o.last_month;
        let first = last.plus(-(months - 1));
        let scale = o.rows.map_or(1.0, |r| r as f64 / 6_000.0);
        let reps = reps(rng, first, last, months);
        let customers = customers(rng, first, months, scale);
        let lines = orders(rng, first, months, scale, &reps, &customers);
        // Revenue by month and region, summed in line order (so the sums, and the demo files,
        // do not depend on how they are looked up).
        let mut revenue: std::collections::HashMap<(i32, usize), f64> = Default::default();
        for l in lines.iter().filter(|l| l.status != "已取消") {
            *revenue
                .entry((Month::of(l.date).index(), l.region))
                .or_insert(0.0) += l.amount;
        }

        World {
            first,
            last,
            months,
            scale,
            reps,
            customers,
            lines,
            revenue,
        }
    }

    /// Revenue of a region in a month.
    pub fn revenue_of(&self, m: Month, region: usize) -> f64 {
        self.revenue
            .get(&(m.index(), region))
            .copied()
            .unwrap_or(0.0)
    }
}

pub(super) fn day_in(m: Month, rng: &mut Rng) -> NaiveDate {
    let days = (m.end() - m.start()).num_days() + 1;
    m.start() + Duration::days(rng.below(days as usize) as i64)
}

/// Reps: six seats per region; some leave and are replaced during the data.
pub(super) fn reps(rng: &mut Rng, first: Month, last: Month, months: i32) -> Vec<Rep> {
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
                    rng,
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

    reps
}

/// Customers: most already buying before the data starts, the rest arriving monthly.
pub(super) fn customers(rng: &mut Rng, first: Month, months: i32, scale: f64) -> Vec<Customer> {
    let n_customers = (400.0 * scale.sqrt()).round().max(40.0) as usize;
    let mut customers: Vec<Customer> = Vec::new();
    for i in 0..n_customers {
        let region = rng.weighted(&REGION_WEIGHT);
        let segment = rng.weighted(&SEGMENT_WEIGHT);
        let existing = i < n_customers * 55 / 100;
        let since = if existing {
            first.plus(-(1 + rng.below(48) as i32)).start()
        } else {
            day_in(first.plus(rng.below(months as usize) as i32), rng)
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

    customers
}

/// Order lines, month by month and customer by customer.
pub(super) fn orders(
    rng: &mut Rng,
    first: Month,
    months: i32,
    scale: f64,
    reps: &[Rep],
    customers: &[Customer],
) -> Vec<OrderLine> {
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
                let mut date = day_in(m, rng);
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

    lines
}
