//! Real public exports from `../shared/datasets/real/` (not redistributable, so not in the
//! repository): they must pass `check` and `run` with at most the short mappings in
//! `examples/`. Each test skips, saying so, when the folder is absent.

use std::path::PathBuf;

use crate::common::*;

fn dataset(name: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/datasets/real")
        .join(name);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is absent", dir.display());
        None
    }
}

fn example(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .display()
        .to_string()
}

/// Runs `check` and then `run` for each month, returning each month's metrics.
fn runs(
    dir: &std::path::Path,
    config: Option<String>,
    months: &[&str],
) -> (Sandbox, Vec<serde_json::Value>) {
    let sb = Sandbox::new();
    let input = dir.display().to_string();
    let mut base = vec!["--input".to_string(), input];
    if let Some(c) = config {
        base.extend(["--config".to_string(), c]);
    }
    let args = |cmd: &str, extra: &[&str]| -> Vec<String> {
        let mut a = vec![cmd.to_string()];
        a.extend(base.iter().cloned());
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let check = sb.run(
        &args("check", &[])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_exit(&check, 0);
    let mut out = Vec::new();
    for m in months {
        let r = sb.run(
            &args("run", &["--month", m])
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        );
        assert_exit(&r, 0);
        out.push(sb.metrics(m));
    }
    (sb, out)
}

#[test]
fn superstore_cn_reads_with_no_mapping() {
    let Some(dir) = dataset("superstore-cn") else {
        return;
    };
    let (_, m) = runs(&dir, None, &["2017-12"]);
    // SOURCE.md: 2017 销售额 5.49M; 4 years of orders, so trailing figures exist.
    let ytd = num(&m[0], "kpis.revenue.ytd");
    assert!((ytd - 5_490_000.0).abs() < 10_000.0, "{ytd}");
    assert!(m[0]["kpis"]["retention_rate"]["trailing_12m"].is_number());
    assert!(m[0]["kpis"]["yoy_growth"]["ytd"].is_number());
    let regions = m[0]["by"]["region"].as_array().unwrap();
    assert_eq!(regions.len(), 6, "东北 中南 华东 华北 西北 西南");
}

#[test]
fn superstore_cn_years_add_up_with_its_mapping() {
    let Some(dir) = dataset("superstore-cn") else {
        return;
    };
    let (_, m) = runs(
        &dir,
        Some(example("superstore-cn.toml")),
        &["2014-12", "2015-12", "2016-12", "2017-12"],
    );
    // SOURCE.md: 销售额 sums to 16,117,548.24 over the four years.
    let total: f64 = m.iter().map(|x| num(x, "kpis.revenue.ytd")).sum();
    assert!((total - 16_117_548.24).abs() < 0.05, "{total}");
    let lines: Vec<&str> = m[3]["by"]["product_line"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["key"].as_str().unwrap())
        .collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(sorted, ["办公用品", "家具", "技术"]);
    let by_line: f64 = m[3]["by"]["product_line"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["revenue"]["ytd"].as_f64().unwrap())
        .sum();
    close(by_line, num(&m[3], "kpis.revenue.ytd"));
}

#[test]
fn bike_sales_cn_reads_with_no_mapping() {
    let Some(dir) = dataset("bike-sales-cn") else {
        return;
    };
    let (_, m) = runs(&dir, None, &["2016-12"]);
    // SOURCE.md: 2016 金额 19.47M.
    let ytd = num(&m[0], "kpis.revenue.ytd");
    assert!((ytd - 19_470_000.0).abs() < 10_000.0, "{ytd}");
}

#[test]
fn bike_sales_cn_with_its_mapping_has_reps_and_regions() {
    let Some(dir) = dataset("bike-sales-cn") else {
        return;
    };
    let (_, m) = runs(
        &dir,
        Some(example("bike-sales-cn.toml")),
        &["2015-12", "2016-12"],
    );
    // SOURCE.md: 金额 totals 70,299,898.66 over 2015–2016.
    let total = num(&m[0], "kpis.revenue.ytd") + num(&m[1], "kpis.revenue.ytd");
    assert!((total - 70_299_898.66).abs() < 0.05, "{total}");
    let reps = m[1]["by"]["rep_id"].as_array().unwrap();
    assert_eq!(reps.len(), 14, "rep ids 201–214");
    assert!(
        m[1]["by"]["region"].as_array().unwrap().len() > 20,
        "31 provinces"
    );
}

/// The fast `.xlsx` reader reads every real export exactly as calamine does.
#[test]
fn real_exports_read_the_same_with_both_xlsx_readers() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets/real");
    if !root.is_dir() {
        eprintln!("skipped: {} is absent", root.display());
        return;
    }
    let mut stack = vec![root];
    let mut seen = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                same_cells_both_readers(&path);
                seen += 1;
            }
        }
    }
    assert!(seen > 0);
}
