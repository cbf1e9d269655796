//! The documents: rendered by Typst in-process, read back as a person would read them
//! (the text of each page), and checked for what a reader relies on.

use std::path::Path;

use salesplan::render::format::Formatter;
use salesplan::types::MoneyUnit;

use crate::common::*;

/// The text of every page of a PDF, white space removed (Typst spaces CJK from Latin).
fn pdf_pages(path: &Path) -> Vec<String> {
    let doc = lopdf::Document::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    doc.get_pages()
        .keys()
        .map(|p| {
            doc.extract_text(&[*p])
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect()
        })
        .collect()
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The first page's size in points.
fn page_size(path: &Path) -> (f64, f64) {
    let doc = lopdf::Document::load(path).unwrap();
    let (_, id) = doc.get_pages().into_iter().next().unwrap();
    let page = doc.get_dictionary(id).unwrap();
    let mb = page.get(b"MediaBox").unwrap().as_array().unwrap();
    let n = |o: &lopdf::Object| {
        o.as_float()
            .map(|f| f as f64)
            .or_else(|_| o.as_i64().map(|i| i as f64))
            .unwrap()
    };
    (n(&mb[2]) - n(&mb[0]), n(&mb[3]) - n(&mb[1]))
}

fn demo_run(sb: &Sandbox, extra: &[&str]) {
    assert_exit(&sb.run(&["demo", "--out", "inputs", "--months", "14"]), 0);
    let mut args = vec!["run"];
    args.extend_from_slice(extra);
    assert_exit(&sb.run(&args), 0);
}

#[test]
fn the_report_has_the_six_parts_and_the_figures_as_printed() {
    let sb = Sandbox::new();
    demo_run(&sb, &[]);
    let report = sb.out().join("2026-10/report.pdf");
    let text = pdf_pages(&report).concat();
    for part in [
        "一、战略制定",
        "二、团队管理",
        "三、目标设定",
        "四、执行计划",
        "五、监控评估",
        "六、工具支持",
        "执行摘要",
        "指标定义",
    ] {
        assert!(text.contains(part), "{part} missing from the report");
    }
    let m = sb.metrics("2026-10");
    let f = Formatter::new("¥", MoneyUnit::Auto, "zh");
    for (figure, period) in [
        ("revenue", "month"),
        ("revenue", "ytd"),
        ("target", "year"),
        ("forecast_year", "year"),
    ] {
        let printed = f.money(num(&m, &format!("kpis.{figure}.{period}")));
        assert!(
            text.contains(&squash(&printed)),
            "{figure}.{period} printed as {printed}"
        );
    }
    for (figure, period) in [
        ("attainment", "month"),
        ("expense_ratio", "month"),
        ("new_customer_revenue_share", "month"),
    ] {
        let printed = f.pct(num(&m, &format!("kpis.{figure}.{period}")));
        assert!(
            text.contains(&printed),
            "{figure}.{period} printed as {printed}"
        );
    }
    assert!(text.contains(&f.growth(num(&m, "kpis.mom_growth.month"))));
    // Every region is in the mix table, and the page numbers are there.
    for r in m["by"]["region"].as_array().unwrap() {
        assert!(text.contains(r["key"].as_str().unwrap()));
    }
    assert!(text.contains("第2页/共"), "page numbers");
}

#[test]
fn the_deck_is_16_9_with_12_to_16_slides() {
    let sb = Sandbox::new();
    demo_run(&sb, &[]);
    let deck = sb.out().join("2026-10/deck.pdf");
    let (w, h) = page_size(&deck);
    assert!((w / h - 16.0 / 9.0).abs() < 0.01, "{w} × {h}");
    let pages = pdf_pages(&deck);
    assert!((12..=16).contains(&pages.len()), "{} slides", pages.len());
    // Action titles carry figures: the trend slide names this month's revenue.
    let m = sb.metrics("2026-10");
    let revenue = Formatter::new("¥", MoneyUnit::Auto, "zh").money(num(&m, "kpis.revenue.month"));
    assert!(
        pages[2].contains(&format!("本月销售额{}", squash(&revenue))),
        "{}",
        pages[2]
    );
    let (w, h) = page_size(&sb.out().join("2026-10/report.pdf"));
    assert!(
        (w - 595.3).abs() < 1.0 && (h - 841.9).abs() < 1.0,
        "A4: {w} × {h}"
    );
}

#[test]
fn reruns_give_byte_identical_pdfs() {
    let sb = Sandbox::new();
    demo_run(&sb, &["--out", "a"]);
    assert_exit(&sb.run(&["run", "--out", "b"]), 0);
    for f in ["report.pdf", "deck.pdf"] {
        let a = std::fs::read(sb.path().join("a/2026-10").join(f)).unwrap();
        let b = std::fs::read(sb.path().join("b/2026-10").join(f)).unwrap();
        assert!(a == b, "{f} differs between reruns");
    }
}

/// Orders whose names are Typst syntax; they must print as themselves.
#[test]
fn names_that_look_like_typst_print_as_themselves() {
    let sb = Sandbox::new();
    let evil = ["#panic(\"x\")]", "$x$", "= Heading", "#{1+1}", "\\u{41}"];
    let mut rows = vec![vec![
        S("order_id"),
        S("order_date"),
        S("customer_id"),
        S("amount"),
        S("region"),
        S("rep_id"),
    ]];
    for (i, name) in evil.iter().enumerate() {
        rows.push(vec![
            O(format!("A{i}")),
            D(2026, 10, 1 + i as u8),
            S("C1"),
            N(100.0 + i as f64),
            S(name),
            S(name),
        ]);
    }
    xlsx(&sb.input("orders.xlsx"), &[("Orders", rows)]);
    let out = sb.run(&["run"]);
    assert_exit(&out, 0);
    let text = pdf_pages(&sb.out().join("2026-10/report.pdf")).concat();
    for name in evil {
        assert!(text.contains(&squash(name)), "{name} not printed literally");
    }
    let deck = pdf_pages(&sb.out().join("2026-10/deck.pdf")).concat();
    assert!(deck.contains("#panic(\"x\")]"));
}

#[test]
fn english_documents_have_no_chinese_labels() {
    let sb = Sandbox::new();
    xlsx(
        &sb.input("orders.xlsx"),
        &[(
            "Orders",
            vec![
                vec![
                    S("order_id"),
                    S("order_date"),
                    S("customer_id"),
                    S("amount"),
                    S("region"),
                    S("product_line"),
                ],
                vec![
                    S("A1"),
                    D(2025, 10, 5),
                    S("C1"),
                    N(900.0),
                    S("East"),
                    S("Tools"),
                ],
                vec![
                    S("A2"),
                    D(2026, 9, 5),
                    S("C1"),
                    N(1000.0),
                    S("East"),
                    S("Tools"),
                ],
                vec![
                    S("A3"),
                    D(2026, 10, 2),
                    S("C2"),
                    N(1200.0),
                    S("West"),
                    S("Parts"),
                ],
            ],
        )],
    );
    assert_exit(&sb.run(&["run", "--lang", "en"]), 0);
    for doc in ["report.pdf", "deck.pdf"] {
        let text = pdf_pages(&sb.out().join("2026-10").join(doc)).concat();
        let cjk: String = text
            .chars()
            .filter(|c| {
                ('\u{3400}'..='\u{9fff}').contains(c)
                    || ('\u{3000}'..='\u{303f}').contains(c)
                    || ('\u{ff00}'..='\u{ffef}').contains(c)
            })
            .collect();
        assert!(cjk.is_empty(), "{doc} has Chinese text: {cjk}");
        assert!(
            text.contains("Strategy") && text.contains("Revenue"),
            "{doc}"
        );
    }
    // Missing tables are named, not silently skipped.
    let report = pdf_pages(&sb.out().join("2026-10/report.pdf")).concat();
    assert!(
        report.contains(&squash("Not computed: the inputs have no targets table.")),
        "{report}"
    );
}

#[test]
fn a_broken_template_names_file_line_and_column() {
    let sb = Sandbox::new();
    demo_run(&sb, &[]);
    assert_exit(&sb.run(&["init", "site"]), 0);
    let report = sb.path().join("site/templates/report.typ");
    let text = std::fs::read_to_string(&report).unwrap();
    std::fs::write(
        &report,
        text.replacen("= #T.summary", "= #T.summary\n#let broken = (1 +", 1),
    )
    .unwrap();
    std::fs::write(
        sb.path().join("salesplan.toml"),
        "templates = \"site/templates\"\n",
    )
    .unwrap();
    let out = sb.run(&["run"]);
    assert_exit(&out, 78);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("report.typ:") && err.contains("error:"),
        "{err}"
    );
    let line = err.lines().find(|l| l.contains("report.typ:")).unwrap();
    let place: Vec<&str> = line.split(':').collect();
    assert!(
        place[1].trim().parse::<u32>().is_ok() && place[2].trim().parse::<u32>().is_ok(),
        "{line}"
    );
    // The last good report is untouched.
    assert!(sb.out().join("2026-10/report.pdf").exists());
}

#[test]
fn init_writes_templates_that_run_and_can_be_edited() {
    let sb = Sandbox::new();
    demo_run(&sb, &[]);
    assert_exit(&sb.run(&["init", "."]), 0);
    assert!(sb.path().join("salesplan.toml").exists());
    for f in ["report.typ", "deck.typ", "theme.typ", "labels.json"] {
        assert!(sb.path().join("templates").join(f).exists(), "{f}");
    }
    let labels = sb.path().join("templates/labels.json");
    let text = std::fs::read_to_string(&labels).unwrap();
    std::fs::write(
        &labels,
        text.replace(
            "\"title\": \"销售领导工作规划\"",
            "\"title\": \"华东销售作战计划\"",
        ),
    )
    .unwrap();
    assert_exit(&sb.run(&["run"]), 0);
    let cover = pdf_pages(&sb.out().join("2026-10/report.pdf"))[0].clone();
    assert!(
        cover.contains("华东销售作战计划") && cover.contains("星河科技"),
        "{cover}"
    );
}

#[test]
fn split_by_region_renders_one_report_per_region() {
    let sb = Sandbox::new();
    demo_run(&sb, &["--split-by", "region"]);
    let m = sb.metrics("2026-10");
    for r in m["by"]["region"].as_array().unwrap() {
        let key = r["key"].as_str().unwrap();
        let dir = sb.out().join("2026-10").join(key);
        for f in ["report.pdf", "deck.pdf", "metrics.json"] {
            assert!(dir.join(f).exists(), "{key}/{f}");
        }
        let part: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("metrics.json")).unwrap()).unwrap();
        close(num(&part, "kpis.revenue.month"), num(r, "revenue.month"));
        let cover = pdf_pages(&dir.join("report.pdf"))[0].clone();
        assert!(cover.contains(&format!("区域={key}")), "{cover}");
    }
}

#[test]
fn a_glyph_no_font_has_is_a_warning_naming_the_text() {
    let sb = Sandbox::new();
    // U+20000 (CJK extension B) is in no embedded font.
    xlsx(
        &sb.input("orders.xlsx"),
        &[(
            "Orders",
            vec![
                vec![
                    S("order_id"),
                    S("order_date"),
                    S("customer_id"),
                    S("amount"),
                    S("region"),
                ],
                vec![S("A1"), D(2026, 10, 1), S("C1"), N(5.0), S("East\u{20000}")],
            ],
        )],
    );
    let out = sb.run(&["run"]);
    assert_exit(&out, 0);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no font has a glyph") && err.contains("East\u{20000}"),
        "{err}"
    );
}
