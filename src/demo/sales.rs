//! The sales system's workbooks: orders, targets, the roster, the customer master and
//! expenses.

use chrono::{Datelike, NaiveDate};

use super::rng::Rng;
use super::workbook::{round2, t, thousands, SheetSpec, Writer, V};
use super::world::{
    day_in, World, EXPENSE_CATEGORIES, EXPENSE_SPLIT, PRODUCT_LINES, REGIONS, SEGMENTS,
};
use super::OrdersFiles;
use crate::error::Result;
use crate::types::Month;

/// Orders, with a title row and a totals row: one workbook per year (or month, or one
/// for everything).
pub(super) fn orders(w: &World, files: OrdersFiles, out: &mut Writer) -> Result<()> {
    let (first, last) = (w.first, w.last);
    let (customers, lines) = (&w.customers, &w.lines);
    let file_of = |d: NaiveDate| -> (String, String) {
        match files {
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
        out.book(
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

    Ok(())
}

/// Targets: by region and month; 华中 gives quarters for the current year. 西南 is set
/// well above what it sells, so it runs under target.
pub(super) fn targets(w: &World, rng: &mut Rng, out: &mut Writer) -> Result<()> {
    let (first, last, months) = (w.first, w.last, w.months);
    let (reps, lines) = (&w.reps, &w.lines);
    let revenue_of = |m: Month, region: usize| w.revenue_of(m, region);
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
    out.book(
        "销售目标.xlsx",
        vec![SheetSpec {
            name: "销售目标",
            title: None,
            headers: vec!["期间", "区域", "销售代表", "目标金额"],
            rows,
            totals: None,
        }],
    )?;

    Ok(())
}

/// The roster.
pub(super) fn roster(w: &World, out: &mut Writer) -> Result<()> {
    let reps = &w.reps;
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
    out.book(
        "人员花名册.xlsx",
        vec![SheetSpec {
            name: "花名册",
            title: Some("销售团队花名册".into()),
            headers: vec!["工号", "姓名", "区域", "团队", "入职日期", "离职日期"],
            rows,
            totals: None,
        }],
    )?;

    Ok(())
}

/// The customer master.
pub(super) fn customers(w: &World, out: &mut Writer) -> Result<()> {
    let customers = &w.customers;
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
    out.book(
        "客户档案.xlsx",
        vec![SheetSpec {
            name: "客户档案",
            title: None,
            headers: vec!["客户编号", "客户名称", "客户群", "区域", "开户日期"],
            rows,
            totals: None,
        }],
    )?;

    Ok(())
}

/// Expenses: about 6.5 % of revenue; 华北 overspends.
pub(super) fn expenses(w: &World, rng: &mut Rng, out: &mut Writer) -> Result<()> {
    let (first, months) = (w.first, w.months);
    let revenue_of = |m: Month, region: usize| w.revenue_of(m, region);
    let mut rows = Vec::new();
    for k in 0..months {
        let m = first.plus(k);
        for (r, region) in REGIONS.iter().enumerate() {
            let budget = revenue_of(m, r) * if r == 2 { 0.105 } else { 0.062 };
            for (ci, cat) in EXPENSE_CATEGORIES.iter().enumerate() {
                let amount = round2(budget * EXPENSE_SPLIT[ci] * rng.range(0.85, 1.15));
                rows.push(vec![
                    V::D(day_in(m, rng)),
                    t(*cat),
                    t(*region),
                    V::N(amount),
                ]);
            }
        }
    }
    out.book(
        "销售费用.xlsx",
        vec![SheetSpec {
            name: "销售费用",
            title: None,
            headers: vec!["发生日期", "费用类别", "区域", "金额"],
            rows,
            totals: Some((1, vec![3])),
        }],
    )?;

    Ok(())
}
