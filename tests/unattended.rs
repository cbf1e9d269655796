//! Running unattended: one run at a time, a manifest of what made the outputs, clear exit
//! codes when the output cannot be written.

use std::io::Write;

use crate::common::*;

#[test]
fn a_second_run_exits_75_naming_the_holder() {
    let sb = Sandbox::new();
    small_orders(&sb.input("orders.xlsx"));
    std::fs::create_dir_all(sb.out()).unwrap();
    let mut held = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(sb.out().join(".salesplan.lock"))
        .unwrap();
    held.try_lock().unwrap();
    held.write_all(b"pid 4242\n").unwrap();
    let out = sb.run(&["run"]);
    assert_exit(&out, 75);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("another salesplan run holds") && err.contains("pid 4242"),
        "{err}"
    );
    assert!(sb.outputs().is_empty());
    drop(held);
    assert_exit(&sb.run(&["run"]), 0);
}

#[test]
fn the_manifest_records_inputs_templates_and_outputs() {
    let sb = Sandbox::new();
    small_orders(&sb.input("orders.xlsx"));
    assert_exit(&sb.run(&["run"]), 0);
    let dir = sb.out().join("2026-10");
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["month"], "2026-10");
    assert_eq!(m["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(m["command_line"][1], "run");
    let input = &m["inputs"][0];
    assert_eq!(input["path"], "orders.xlsx");
    let bytes = std::fs::read(sb.input("orders.xlsx")).unwrap();
    assert_eq!(input["size"], bytes.len());
    assert_eq!(input["sha256"].as_str().unwrap(), sha256_hex(&bytes));
    assert_eq!(m["templates"]["sha256"].as_str().unwrap().len(), 64);
    for o in m["outputs"].as_array().unwrap() {
        let bytes = std::fs::read(dir.join(o["path"].as_str().unwrap())).unwrap();
        assert_eq!(
            o["sha256"].as_str().unwrap(),
            sha256_hex(&bytes),
            "{}",
            o["path"]
        );
    }
    let names: Vec<&str> = m["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["metrics.json", "metrics.xlsx", "report.pdf", "deck.pdf"]
    );
}

#[test]
fn an_output_that_cannot_be_written_is_exit_73() {
    let sb = Sandbox::new();
    small_orders(&sb.input("orders.xlsx"));
    std::fs::write(sb.path().join("file"), b"x").unwrap();
    let out = sb.run(&["run", "--out", "file/outputs"]);
    assert_exit(&out, 73);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot write file/outputs"),
        "{}",
        describe(&out)
    );
}

#[test]
fn check_reports_suspicious_data_and_the_report_shows_it() {
    let sb = Sandbox::new();
    let header = vec![
        S("order_id"),
        S("order_date"),
        S("customer_id"),
        S("amount"),
    ];
    let mut september = vec![header.clone()];
    for i in 0..10 {
        september.push(vec![
            O(format!("S{i}")),
            D(2026, 9, 1 + i as u8),
            S("C1"),
            N(10.0),
        ]);
    }
    xlsx(&sb.input("september.xlsx"), &[("Orders", september)]);
    // October overlaps September's last line and has far fewer lines.
    xlsx(
        &sb.input("october.xlsx"),
        &[
            (
                "Orders",
                vec![
                    header,
                    vec![S("S9"), D(2026, 9, 10), S("C1"), N(10.0)],
                    vec![S("O1"), D(2026, 10, 1), S("C2"), N(5.0)],
                ],
            ),
            (
                "Customers",
                vec![vec![S("customer_id"), S("name")], vec![S("C1"), S("Acme")]],
            ),
        ],
    );
    let out = sb.run(&["check"]);
    assert_exit(&out, 0);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("1 order lines appear identically in two files (first in october.xlsx and september.xlsx)"), "{text}");
    assert!(
        text.contains("1 customers in the orders are missing from the customer master"),
        "{text}"
    );
    assert!(text.contains("more than ±50%"), "{text}");
    assert_exit(&sb.run(&["run"]), 0);
    let m = sb.metrics("2026-10");
    let kinds: Vec<&str> = m["data_quality"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["volume_change", "duplicate_lines", "unknown_customers"]
    );
    let doc = lopdf::Document::load(sb.out().join("2026-10/report.pdf")).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let report: String = doc
        .extract_text(&pages)
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(
        report.contains("订单中有1个客户不在客户档案中"),
        "the report shows the findings"
    );
}

/// SHA-256 in hex, computed here (not with salesplan's own helper, which the manifest test
/// checks).
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
