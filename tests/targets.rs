//! `salesplan targets` (SPEC §6): next year's targets from the 12 months ending with the
//! latest month with orders, split by month on each key's seasonality, in whole units that
//! add up to the year; the workbook reads back as the targets table with no configuration.

use calamine::{open_workbook_auto, Data, Reader};

use crate::common::*;

/// Orders from 2024-05 to 2026-10: 华东 sells 100 × the calendar month (January 100 …
/// December 1,200), 华南 50 every month, 华北 once, in 2024 (before the basis).
fn orders(sb: &Sandbox) {
    let mut rows = vec![vec![
        S("订单号"),
        S("下单日期"),
        S("客户编号"),
        S("金额"),
        S("区域"),
    ]];
    let mut n = 0;
    for (y, m) in (0..12).map(|i| {
        let k = 10 + i; // 2025-11 … 2026-10
        (2025 + (k / 12) as u16, (k % 12 + 1) as u8)
    }) {
        n += 1;
        rows.push(vec![
            O(format!("E{n}")),
            D(y, m, 5),
            S("C1"),
            N(100.0 * m as f64),
            S("华东"),
        ]);
        rows.push(vec![
            O(format!("S{n}")),
            D(y, m, 6),
            S("C2"),
            N(50.0),
            S("华南"),
        ]);
    }
    // Before the basis: counted in neither region's basis.
    rows.push(vec![S("N1"), D(2024, 5, 1), S("C3"), N(999.0), S("华北")]);
    rows.push(vec![
        S("E0"),
        D(2025, 10, 31),
        S("C1"),
        N(5000.0),
        S("华东"),
    ]);
    xlsx(&sb.input("订单.xlsx"), &[("订单", rows)]);
}

/// The targets sheet as (label, twelve months, year) rows, and the notes column.
fn read(path: &std::path::Path, sheet: &str) -> Vec<(String, Vec<f64>, f64, String)> {
    let mut wb = open_workbook_auto(path).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    let num = |c: &Data| match c {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        Data::String(s) => s.parse().unwrap_or(f64::NAN),
        other => panic!("not a number: {other:?}"),
    };
    let text = |c: &Data| c.to_string();
    let mut out = Vec::new();
    for row in range.rows().skip(4) {
        let label = text(&row[0]);
        if label == "合计" || label.is_empty() {
            continue;
        }
        let months: Vec<f64> = row[1..13].iter().map(num).collect();
        out.push((label, months, num(&row[17]), text(&row[18])));
    }
    out
}

#[test]
fn targets_follow_each_keys_seasonality_and_add_up() {
    let sb = Sandbox::new();
    orders(&sb);
    let r = sb.run(&[
        "targets", "--year", "2027", "--growth", "0.1", "--by", "region",
    ]);
    assert_exit(&r, 0);
    let path = sb.path().join("outputs/targets-2027.xlsx");
    let rows = read(&path, "目标");
    let labels: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(labels, ["华东", "华南", "华北"], "largest basis first");
    // 华东: basis 100 × (1 + … + 12) = 7,800 → 8,580, split as 1 : 2 : … : 12 = 110 × month.
    let (_, months, year, _) = &rows[0];
    assert_eq!(*year, 8580.0);
    let want: Vec<f64> = (1..=12).map(|m| 110.0 * m as f64).collect();
    assert_eq!(months, &want);
    // 华南: 600 → 660, 55 a month.
    assert_eq!(rows[1].2, 660.0);
    assert!(rows[1].1.iter().all(|v| *v == 55.0));
    // 华北 has no order in the basis: no target, split evenly, and the sheet says so.
    assert_eq!(rows[2].2, 0.0);
    assert!(rows[2].3.contains("按月平均"), "{:?}", rows[2]);
    for (label, months, year, _) in &rows {
        assert_eq!(months.iter().sum::<f64>(), *year, "{label}");
    }
}

#[test]
fn a_negative_growth_and_rounding_to_whole_units() {
    let sb = Sandbox::new();
    orders(&sb);
    let r = sb.run(&[
        "targets", "--year", "2027", "--growth", "-0.1", "--by", "region", "--out", "t.xlsx",
    ]);
    assert_exit(&r, 0);
    let rows = read(&sb.path().join("t.xlsx"), "目标");
    // 7,800 × 0.9 = 7,020 = 90 × (1 + … + 12); 600 × 0.9 = 540 = 45 a month.
    assert_eq!(rows[0].2, 7020.0);
    assert_eq!(rows[0].1[11], 1080.0);
    assert_eq!(rows[1].2, 540.0);
    // Whole units everywhere, adding up.
    for (_, months, year, _) in &rows {
        assert!(months.iter().all(|v| v.fract() == 0.0));
        assert_eq!(months.iter().sum::<f64>(), *year);
    }
}

#[test]
fn the_proposal_reads_back_as_the_targets_table() {
    let sb = Sandbox::new();
    orders(&sb);
    let r = sb.run(&[
        "targets",
        "--year",
        "2027",
        "--growth",
        "0.1",
        "--by",
        "region",
        "--weeks",
        "2027-03",
        "--out",
        "inputs/targets-2027.xlsx",
    ]);
    assert_exit(&r, 0);
    assert_exit(&sb.run(&["run", "--month", "2027-03"]), 0);
    let m = sb.metrics("2027-03");
    // March: 110 × 3 + 55; the year 8,580 + 660.
    close(num(&m, "kpis.target.month"), 385.0);
    close(num(&m, "kpis.target.year"), 9240.0);
    let east = m["by"]["region"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["key"] == "华东")
        .unwrap();
    close(num(east, "target.month"), 330.0);
    // The week sheet: March 2027's 330 for 华东 over its ISO weeks by working days.
    let mut wb = open_workbook_auto(sb.input("targets-2027.xlsx")).unwrap();
    let weeks = wb.worksheet_range("周目标").unwrap();
    let header: Vec<String> = weeks
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert!(header[1].starts_with("周次 2027-W09"), "{header:?}");
    let row: Vec<f64> = weeks.rows().nth(1).unwrap()[1..]
        .iter()
        .filter_map(|c| match c {
            Data::Float(f) => Some(*f),
            Data::Int(i) => Some(*i as f64),
            _ => None,
        })
        .collect();
    let (parts, total) = row.split_at(row.len() - 1);
    assert_eq!(total[0], 330.0);
    assert_eq!(parts.iter().sum::<f64>(), 330.0);
    // The basis and week sheets are not read as tables.
    let check = sb.run(&["check"]);
    let out = String::from_utf8_lossy(&check.stdout);
    assert!(
        out.contains("targets-2027.xlsx › 依据: matched no table"),
        "{out}"
    );
}

#[test]
fn on_the_demo_the_proposal_is_last_years_months_times_the_growth() {
    let sb = Sandbox::new();
    assert_exit(&sb.run(&["demo", "--out", "inputs"]), 0);
    assert_exit(&sb.run(&["run", "--month", "2026-10"]), 0);
    let before = sb.metrics("2026-10");
    let revenue = |month: &str| {
        before["trend"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["month"] == month)
            .unwrap()["revenue"]
            .as_f64()
            .unwrap()
    };
    let r = sb.run(&[
        "targets",
        "--year",
        "2027",
        "--growth",
        "0.1",
        "--out",
        "proposal.xlsx",
    ]);
    assert_exit(&r, 0);
    // The proposal in place of the demo's targets.
    std::fs::remove_file(sb.input("销售目标.xlsx")).unwrap();
    std::fs::rename(sb.path().join("proposal.xlsx"), sb.input("目标-2027.xlsx")).unwrap();
    let basis: f64 = (0..12)
        .map(|i| {
            let k = 2025 * 12 + 10 + i;
            revenue(&format!("{}-{:02}", k / 12, k % 12 + 1))
        })
        .sum();
    for (month, last_year) in [("2027-01", "2026-01"), ("2027-07", "2026-07")] {
        assert_exit(&sb.run(&["run", "--month", month]), 0);
        let m = sb.metrics(month);
        // Within rounding: each of the 20 region × product-line keys rounds to whole units.
        let want = revenue(last_year) * 1.1;
        assert!(
            (num(&m, "kpis.target.month") - want).abs() <= 20.0,
            "{month}: {} vs {want}",
            num(&m, "kpis.target.month")
        );
        assert!((num(&m, "kpis.target.year") - basis * 1.1).abs() <= 20.0);
    }
}
