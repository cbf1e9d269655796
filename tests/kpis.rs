//! The work plan's own KPIs through the real binary: the CRM tables' checks, the demo's
//! documents showing every seed KPI, and --fail-on for schedulers.

use crate::common::*;

#[test]
fn an_nps_score_out_of_range_is_rejected() {
    let sb = Sandbox::new();
    small_orders(&sb.input("orders.xlsx"));
    xlsx(
        &sb.input("survey.xlsx"),
        &[(
            "满意度调查",
            vec![
                vec![S("客户编号"), S("调查日期"), S("评分")],
                vec![S("C1"), D(2026, 10, 2), N(11.0)],
            ],
        )],
    );
    let out = sb.run(&["run"]);
    assert_exit(&out, 65);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("survey.xlsx, sheet \"满意度调查\", row 2, column C (评分): expected an integer score from 0 to 10"), "{err}");
}

#[test]
fn an_unknown_lead_stage_is_rejected() {
    let sb = Sandbox::new();
    small_orders(&sb.input("orders.xlsx"));
    xlsx(
        &sb.input("crm.xlsx"),
        &[(
            "线索",
            vec![
                vec![S("线索编号"), S("创建日期"), S("阶段"), S("状态")],
                vec![S("L1"), D(2026, 10, 2), S("报价"), S("输单")],
                vec![S("L2"), D(2026, 10, 3), S("签约"), S("赢单")],
            ],
        )],
    );
    let out = sb.run(&["run"]);
    assert_exit(&out, 65);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("row 3, column C (阶段): expected one of the configured lead stages"),
        "{err}"
    );
    // With the stage configured, it reads.
    std::fs::write(
        sb.path().join("salesplan.toml"),
        "stages = [\"线索\", \"询盘\", \"报价\", \"签约\"]\n",
    )
    .unwrap();
    assert_exit(&sb.run(&["run"]), 0);
    let m = sb.metrics("2026-10");
    close(num(&m, "kpis.inquiry_conversion.month"), 0.5);
    assert_eq!(m["funnel"][3]["stage"], "签约");
}

#[test]
fn tickets_read_text_datetimes() {
    let sb = Sandbox::new();
    small_orders(&sb.input("orders.xlsx"));
    std::fs::write(
        sb.input("工单.csv"),
        "工单号,创建时间,首次响应时间\nT1,2026-10-03 14:05,2026-10-03 15:05\nT2,2026/10/4 09:00:00,2026-10-04 12:30\nT3,2026-10-05 10:00,\n",
    )
    .unwrap();
    assert_exit(&sb.run(&["run"]), 0);
    let m = sb.metrics("2026-10");
    // T1 within 2 h, T2 not, T3 unanswered and expired by 1 November.
    close(num(&m, "kpis.response_sla.month"), 1.0 / 3.0);
    close(num(&m, "kpis.response_hours_median.month"), 2.25);
}

#[test]
fn the_demo_documents_show_every_seed_kpi() {
    let sb = Sandbox::new();
    assert_exit(&sb.run(&["demo", "--out", "inputs", "--months", "14"]), 0);
    assert_exit(&sb.run(&["run"]), 0);
    let m = sb.metrics("2026-10");
    for k in [
        "inquiry_conversion",
        "nps",
        "response_sla",
        "follow_up_coverage",
        "visits_per_rep",
        "collection_rate",
        "expense_ratio",
        "new_customer_revenue_share",
    ] {
        assert!(m["kpis"][k]["month"].is_number(), "{k}: {}", m["kpis"][k]);
    }
    assert!(
        m["kpis"]["inventory_days"]["month"].as_f64().unwrap() < 45.0,
        "配件 runs under 45 days"
    );
    assert!(m["plan"]["next_month"]["weeks"].as_array().unwrap().len() >= 4);
    assert!(m["scorecard"].as_array().unwrap().len() >= 25);
    assert_eq!(m["funnel"].as_array().unwrap().len(), 5);
    let central = m["by"]["region"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "华中")
        .unwrap();
    assert!(
        num(central, "inquiry_conversion.ytd") < 0.15,
        "华中 converts under 15 %"
    );
    assert!(m["ar_aging"]
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b["bucket"] == "over_90" && b["amount"].as_f64().unwrap() > 0.0));
    let doc = lopdf::Document::load(sb.out().join("2026-10/report.pdf")).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text: String = doc
        .extract_text(&pages)
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for label in [
        "询盘转化率",
        "响应及时率",
        "回访覆盖率",
        "库存可售天数",
        "销售费用率",
        "新客户销售额占比",
        "NPS",
        "回款率",
        "销售漏斗",
        "平衡计分卡",
        "按周分解",
        "应收账款账龄",
        "不低于15.0%",
        "不低于100.0%",
    ] {
        assert!(text.contains(label), "{label} missing from the report");
    }
}

#[test]
fn fail_on_amber_and_red() {
    let sb = Sandbox::new();
    xlsx(
        &sb.input("data.xlsx"),
        &[
            (
                "Orders",
                vec![
                    vec![
                        S("order_id"),
                        S("order_date"),
                        S("customer_id"),
                        S("amount"),
                    ],
                    vec![S("A1"), D(2026, 10, 1), S("C1"), N(95.0)],
                ],
            ),
            (
                "Targets",
                vec![vec![S("period"), S("target")], vec![S("2026-10"), N(100.0)]],
            ),
        ],
    );
    // Attainment 95 %: amber. New-customer share is 100 %: green.
    assert_exit(&sb.run(&["run"]), 0);
    assert_exit(&sb.run(&["run", "--fail-on", "red"]), 0);
    let out = sb.run(&["run", "--fail-on", "amber"]);
    assert_exit(&out, 1);
    assert!(
        sb.out().join("2026-10/report.pdf").exists(),
        "everything is written first"
    );
}
