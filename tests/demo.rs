//! The demo workbooks: deterministic, identical to what is committed in `inputs/`, and
//! rich enough that every core figure has a value.

use std::path::PathBuf;

use crate::common::*;

fn files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn demo_is_deterministic_and_matches_the_committed_inputs() {
    let sb = Sandbox::new();
    assert_exit(&sb.run(&["demo", "--out", "a"]), 0);
    assert_exit(&sb.run(&["demo", "--out", "b"]), 0);
    let a = files(&sb.path().join("a"));
    assert_eq!(a, files(&sb.path().join("b")));
    let committed = files(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("inputs"));
    let names = |v: &[(String, Vec<u8>)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&a),
        names(&committed),
        "inputs/ is stale: run `cargo run --release -- demo`"
    );
    for ((name, x), (_, y)) in a.iter().zip(&committed) {
        assert!(
            x == y,
            "inputs/{name} differs from `salesplan demo`: regenerate inputs/"
        );
    }
    let total: usize = a.iter().map(|(_, b)| b.len()).sum();
    assert!(total < 3_000_000, "demo inputs are {total} bytes");
}

#[test]
fn every_core_figure_has_a_value_on_the_demo() {
    let sb = Sandbox::new();
    assert_exit(&sb.run(&["demo", "--out", "inputs"]), 0);
    assert_exit(&sb.run(&["run"]), 0);
    let m = sb.metrics("2026-10");
    for f in [
        "revenue",
        "orders",
        "aov",
        "revenue_per_customer",
        "target",
        "attainment",
        "avg_headcount",
        "per_capita_revenue",
        "active_customers",
        "new_customers",
        "new_customer_revenue_share",
        "repurchase_rate",
        "yoy_growth",
        "expenses",
        "expense_ratio",
        "gross_margin",
    ] {
        for p in ["month", "qtd", "ytd"] {
            assert!(
                m["kpis"][f][p].is_number(),
                "kpis.{f}.{p} is {}",
                m["kpis"][f][p]
            );
        }
    }
    for (f, p) in [
        ("retention_rate", "month"),
        ("retention_rate", "trailing_12m"),
        ("mom_growth", "month"),
        ("forecast_year", "year"),
        ("forecast_attainment", "year"),
        ("target", "year"),
    ] {
        assert!(
            m["kpis"][f][p].is_number(),
            "kpis.{f}.{p} is {}",
            m["kpis"][f][p]
        );
    }
    let regions = m["by"]["region"].as_array().unwrap();
    assert_eq!(regions.len(), 5);
    let region = |k: &str| regions.iter().find(|r| r["key"] == k).unwrap();
    assert!(
        num(region("西南"), "attainment.ytd") < 0.9,
        "西南 runs under target"
    );
    assert!(
        num(region("华北"), "expense_ratio.ytd") > 0.08,
        "华北 overspends"
    );
    assert_eq!(m["by"]["product_line"].as_array().unwrap().len(), 4);
    assert_eq!(m["by"]["customer_segment"].as_array().unwrap().len(), 3);
    assert!(m["by"]["rep_id"].as_array().unwrap().len() >= 25);
    let red = m["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["kpi"] == "expense_ratio" && a["key"] == "华北" && a["status"] == "red");
    assert!(red, "华北's expense ratio is a red alert");
    // --fail-on red turns that into exit 1, after writing everything.
    let out = sb.run(&["run", "--fail-on", "red"]);
    assert_exit(&out, 1);
    assert!(sb.out().join("2026-10/metrics.json").exists());
}

/// The committed demo workbooks read the same with the fast `.xlsx` reader and calamine.
#[test]
fn demo_inputs_read_the_same_with_both_xlsx_readers() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("inputs");
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        same_cells_both_readers(&entry.path());
    }
}

/// `--orders-files` splits the same order lines by month or keeps them in one sheet, and
/// `--rows` scales them; `check` counts the same lines either way.
#[test]
fn demo_orders_split_by_month_or_kept_in_one_sheet() {
    let sb = Sandbox::new();
    let orders_read = |dir: &str| -> String {
        let out = sb.run(&["check", "--input", dir]);
        assert_exit(&out, 0);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        stdout
            .lines()
            .find(|l| l.starts_with("orders"))
            .map(|l| l.split_whitespace().nth(3).unwrap_or_default().to_string())
            .unwrap_or_default()
    };
    for (dir, split) in [("monthly", "monthly"), ("single", "single")] {
        let args = [
            "demo",
            "--out",
            dir,
            "--months",
            "3",
            "--rows",
            "3000",
            "--orders-files",
            split,
        ];
        assert_exit(&sb.run(&args), 0);
    }
    let names = |dir: &str| -> Vec<String> {
        let mut n: Vec<String> = std::fs::read_dir(sb.path().join(dir))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("订单明细"))
            .collect();
        n.sort();
        n
    };
    assert_eq!(
        names("monthly"),
        [
            "订单明细-2026-08.xlsx",
            "订单明细-2026-09.xlsx",
            "订单明细-2026-10.xlsx"
        ]
    );
    assert_eq!(names("single"), ["订单明细.xlsx"]);
    let (monthly, single) = (orders_read("monthly"), orders_read("single"));
    assert_eq!(monthly, single);
    // Three months at 3,000 lines for 26: a few hundred lines, not the default thousands.
    let lines: usize = single.parse().unwrap();
    assert!((200..1_500).contains(&lines), "{lines} order lines");
}
