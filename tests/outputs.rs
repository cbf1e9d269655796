//! What a run writes: metrics.xlsx holds the figures of metrics.json, labelled, and a
//! rerun on the same inputs writes the same bytes.

use calamine::{open_workbook, Data, Reader, Xlsx};

use crate::common::*;

#[test]
fn metrics_xlsx_has_the_figures_of_metrics_json() {
    let sb = Sandbox::new();
    assert_exit(&sb.run(&["demo", "--out", "inputs"]), 0);
    assert_exit(&sb.run(&["run"]), 0);
    let m = sb.metrics("2026-10");
    let path = sb.out().join("2026-10/metrics.xlsx");
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let names = wb.sheet_names();
    for want in [
        "核心指标",
        "区域",
        "产品线",
        "客户群",
        "销售代表",
        "费用类别",
        "预警",
        "说明",
        "数据质量",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} not in {names:?}");
    }
    let kpis = wb.worksheet_range("核心指标").unwrap();
    let row = kpis
        .rows()
        .find(|r| r.get(1) == Some(&Data::String("revenue".into())))
        .expect("a revenue row");
    assert_eq!(row[0], Data::String("销售额".into()));
    let ytd = match row[4] {
        Data::Float(v) => v,
        ref other => panic!("{other:?}"),
    };
    close(ytd, num(&m, "kpis.revenue.ytd"));
    let regions = wb.worksheet_range("区域").unwrap();
    assert_eq!(
        regions.height(),
        1 + m["by"]["region"].as_array().unwrap().len()
    );

    // English labels with --lang en.
    assert_exit(&sb.run(&["run", "--lang", "en", "--out", "en"]), 0);
    let mut wb: Xlsx<_> = open_workbook(sb.path().join("en/2026-10/metrics.xlsx")).unwrap();
    assert!(wb.sheet_names().contains(&"KPIs".to_string()));
    let kpis = wb.worksheet_range("KPIs").unwrap();
    assert!(kpis
        .rows()
        .any(|r| r.first() == Some(&Data::String("Revenue".into()))));
}

#[test]
fn reruns_are_byte_identical() {
    let sb = Sandbox::new();
    assert_exit(&sb.run(&["demo", "--out", "inputs", "--months", "14"]), 0);
    assert_exit(&sb.run(&["run", "--out", "a"]), 0);
    assert_exit(&sb.run(&["run", "--out", "b"]), 0);
    for f in ["metrics.json", "metrics.xlsx"] {
        let a = std::fs::read(sb.path().join("a/2026-10").join(f)).unwrap();
        let b = std::fs::read(sb.path().join("b/2026-10").join(f)).unwrap();
        assert!(a == b, "{f} differs between reruns");
    }
}

/// Every figure of the demo's `metrics.json`, as a reviewed snapshot: a change to any figure
/// (or to its shape) shows as a diff in `tests/snapshots/` to accept or refuse
/// (`cargo insta review`, or `INSTA_UPDATE=always cargo test` and read the diff).
#[test]
fn the_demo_figures_are_a_reviewed_snapshot() {
    let sb = Sandbox::new();
    assert_exit(&sb.run(&["demo", "--out", "inputs"]), 0);
    assert_exit(&sb.run(&["run"]), 0);
    let text = std::fs::read_to_string(sb.out().join("2026-10/metrics.json")).unwrap();
    insta::assert_snapshot!("demo_metrics", text);
}
