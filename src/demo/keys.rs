//! The "keys" shape (`salesplan demo --shape keys`): one large orders sheet whose cost
//! comes from its key cardinalities rather than from the demo company's story — many
//! customers and reps, more regions and product lines, extra columns (unit price, channel)
//! — and a roster for the reps. Benchmarks run it beside the company shape, because the
//! figures' cost grows with the number of customers and reps.

use chrono::Duration;

use super::rng::Rng;
use super::workbook::{round2, t, SheetSpec, Writer, V};
use super::DemoOptions;
use crate::error::Result;

/// The cardinalities of the keys shape; `None` takes the default in brackets.
#[derive(Debug, Clone, Copy, Default)]
pub struct Keys {
    /// Customers [50,000].
    pub customers: Option<usize>,
    /// Reps [200].
    pub reps: Option<usize>,
    /// Regions [7].
    pub regions: Option<usize>,
    /// Product lines [6].
    pub product_lines: Option<usize>,
}

const CHANNELS: [&str; 4] = ["直销", "经销", "电商", "电话"];

/// Writes `订单明细.xlsx` (the orders) and `人员花名册.xlsx` (the reps).
pub(super) fn write(o: &DemoOptions, keys: Keys, rng: &mut Rng, out: &mut Writer) -> Result<()> {
    let customers = keys.customers.unwrap_or(50_000).max(1);
    let reps = keys.reps.unwrap_or(200).max(1);
    let regions = keys.regions.unwrap_or(7).max(1);
    let lines = keys.product_lines.unwrap_or(6).max(1);
    let rows = o.rows.unwrap_or(1_000_000);
    let months = o.months.max(1) as i32;
    let first = o.last_month.plus(-(months - 1)).start();
    let days = (o.last_month.end() - first).num_days() as usize + 1;
    let region = |r: usize| format!("区域{:02}", r % regions + 1);
    let price: Vec<f64> = (0..lines).map(|_| rng.range(50.0, 5_000.0)).collect();

    let mut order_rows = Vec::with_capacity(rows);
    let mut order = 0usize;
    while order_rows.len() < rows {
        order += 1;
        let date = first + Duration::days(rng.below(days) as i64);
        let customer = rng.below(customers);
        let rep = customer % reps;
        let channel = CHANNELS[rng.below(CHANNELS.len())];
        for _ in 0..(1 + rng.below(3)).min(rows - order_rows.len()) {
            let line = rng.below(lines);
            let qty = (1 + rng.below(20)) as f64;
            let unit = round2(price[line] * rng.range(0.9, 1.1));
            order_rows.push(vec![
                t(format!("SO{order:08}")),
                V::D(date),
                t(format!("S{:04}", rep + 1)),
                t(region(rep)),
                t(format!("产品线{:02}", line + 1)),
                t(format!("C{:06}", customer + 1)),
                V::N(qty),
                V::N(unit),
                V::N(round2(qty * unit)),
                t(channel),
            ]);
        }
    }
    out.book(
        "订单明细.xlsx",
        vec![SheetSpec {
            name: "订单明细",
            title: None,
            headers: vec![
                "订单编号",
                "下单日期",
                "销售代表",
                "区域",
                "产品线",
                "客户编号",
                "数量",
                "单价",
                "金额",
                "渠道",
            ],
            rows: order_rows,
            totals: None,
        }],
    )?;
    let roster = (0..reps)
        .map(|r| {
            vec![
                t(format!("S{:04}", r + 1)),
                t(format!("代表{:04}", r + 1)),
                t(region(r)),
                V::D(first - Duration::days(30 + rng.below(900) as i64)),
            ]
        })
        .collect();
    out.book(
        "人员花名册.xlsx",
        vec![SheetSpec {
            name: "花名册",
            title: None,
            headers: vec!["工号", "姓名", "区域", "入职日期"],
            rows: roster,
            totals: None,
        }],
    )
}
