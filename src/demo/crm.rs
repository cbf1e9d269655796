//! The CRM's export (leads, tickets, NPS and follow-ups in one workbook), receivables and
//! inventory.

use chrono::{Duration, NaiveTime};

use super::rng::Rng;
use super::workbook::{round2, t, SheetSpec, Writer, V};
use super::world::{day_in, World, PRODUCT_LINES, REGIONS};
use crate::error::Result;
use crate::types::Month;

/// The CRM export: leads, tickets, NPS and follow-ups in one workbook.
pub(super) fn crm(w: &World, rng: &mut Rng, out: &mut Writer) -> Result<()> {
    let (first, last, months, scale) = (w.first, w.last, w.months, w.scale);
    let (reps, customers) = (&w.reps, &w.customers);
    let stages = ["线索", "询盘", "报价", "谈判", "成交"];
    let mut lead_rows = Vec::new();
    let mut ticket_rows = Vec::new();
    let mut nps_rows = Vec::new();
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
                let created = day_in(m, rng);
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
            let created = day_in(m, rng).and_time(
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
            nps_rows.push(vec![t(&c.id), V::D(day_in(m, rng)), V::N(score as f64)]);
        }
    }
    let visit_rows = follow_ups(w, rng);
    out.book(
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

    Ok(())
}

/// Follow-ups: most active customers are called or visited each month.
fn follow_ups(w: &World, rng: &mut Rng) -> Vec<Vec<V>> {
    let (first, months) = (w.first, w.months);
    let (customers, lines) = (&w.customers, &w.lines);
    let mut visit_rows = Vec::new();
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
                visit_rows.push(vec![t(&c.id), V::D(day_in(m, rng)), t(rep), t(kind)]);
            }
        }
    }
    visit_rows
}

/// Receivables: one invoice per customer and month, due in 30 days; most paid on time,
/// some late, a few not at all.
pub(super) fn receivables(w: &World, rng: &mut Rng, out: &mut Writer) -> Result<()> {
    let (first, last, months) = (w.first, w.last, w.months);
    let (customers, lines) = (&w.customers, &w.lines);
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
    out.book(
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

    Ok(())
}

/// Inventory: month-end snapshots; 配件 runs thin.
pub(super) fn inventory(w: &World, rng: &mut Rng, out: &mut Writer) -> Result<()> {
    let (first, months) = (w.first, w.months);
    let lines = &w.lines;
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
    out.book(
        "库存.xlsx",
        vec![SheetSpec {
            name: "库存",
            title: None,
            headers: vec!["盘点日期", "产品线", "库存数量"],
            rows,
            totals: None,
        }],
    )?;

    Ok(())
}
