//! The documents as laid out (SPEC §4): every deck slide uses its 16:9 canvas — content
//! reaches 70 % of the slide height above the footer, nothing spills into the footer or
//! onto a page of its own — on the demo, on an orders-only export, and for report months
//! before, after and at the start of the data. Read from the PDFs themselves.

use std::path::Path;

use crate::common::*;

/// The deck's bottom margin (1.1 cm), where only the footer's text belongs.
const DECK_FOOTER: f64 = 1.1 / 2.54 * 72.0;

/// Every slide but the title: filled to 70 %, no paths in the footer band, and one
/// bookmark (its action title) per page, so no slide spilled onto a page of its own.
#[track_caller]
fn assert_slides_fill(deck: &Path) {
    let ink = page_ink(deck, DECK_FOOTER);
    assert!(ink.len() >= 4, "{} pages", ink.len());
    for (i, page) in ink.iter().enumerate().skip(1) {
        assert!(
            page.lowest >= 0.70,
            "{}: slide {} ends at {:.0} % of its height",
            deck.display(),
            i + 1,
            page.lowest * 100.0
        );
        assert!(
            !page.paths_in_footer,
            "slide {} overflows into its footer",
            i + 1
        );
    }
    let toc = lopdf::Document::load(deck).unwrap().get_toc().unwrap();
    let mut pages: Vec<usize> = toc.toc.iter().map(|t| t.page).collect();
    pages.dedup();
    assert_eq!(
        pages.len(),
        ink.len() - 1,
        "a slide without its title: {pages:?}"
    );
}

/// No slide or report line says a section was not computed.
#[track_caller]
fn assert_no_placeholder_slides(deck: &Path) {
    let text = pdf_text(deck);
    for s in ["本节未计算", "Notcomputed"] {
        assert!(
            !text.contains(s),
            "{} has a placeholder: {s}",
            deck.display()
        );
    }
}

fn pdf_text(path: &Path) -> String {
    let doc = lopdf::Document::load(path).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages)
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

#[test]
fn the_demo_deck_fills_every_slide() {
    let sb = Sandbox::new();
    assert_exit(&sb.run(&["demo", "--out", "inputs"]), 0);
    assert_exit(&sb.run(&["run"]), 0);
    let deck = sb.out().join("2026-10/deck.pdf");
    assert_slides_fill(&deck);
    assert_no_placeholder_slides(&deck);
}

#[test]
fn an_orders_only_deck_has_no_placeholders_and_fills_its_slides() {
    let sb = Sandbox::new();
    assert_exit(&sb.run(&["demo", "--out", "all"]), 0);
    // The orders files alone: no targets, roster, expenses, CRM or finance tables.
    for e in std::fs::read_dir(sb.path().join("all")).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("订单明细") {
            std::fs::copy(e.path(), sb.input(&name)).unwrap();
        }
    }
    assert_exit(&sb.run(&["run"]), 0);
    let deck = sb.out().join("2026-10/deck.pdf");
    assert_slides_fill(&deck);
    assert_no_placeholder_slides(&deck);
    let text = pdf_text(&deck);
    // What is missing is said once, on the data slide, with what it would add.
    assert_eq!(text.matches("未提供的数据表及其作用").count(), 1, "{text}");
    assert!(
        text.contains("目标达成、年度完成、预测与执行计划"),
        "{text}"
    );
    // No attainment message without targets.
    assert!(!text.contains("目标完成"), "{text}");
    // The report: no page is only a placeholder.
    let report = sb.out().join("2026-10/report.pdf");
    let doc = lopdf::Document::load(&report).unwrap();
    for p in doc.get_pages().keys().skip(1) {
        let t: String = doc
            .extract_text(&[*p])
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        assert!(
            t.chars().count() > 120,
            "report page {p} is nearly empty: {t}"
        );
    }
}

#[test]
fn every_month_renders_before_after_and_at_the_start_of_the_data() {
    let sb = Sandbox::new();
    assert_exit(&sb.run(&["demo", "--out", "inputs", "--months", "14"]), 0);
    // The demo's data runs from 2025-09 to 2026-10.
    for month in ["2027-01", "2026-12", "2025-08", "2025-09", "2020-06"] {
        let r = sb.run(&["run", "--month", month]);
        assert_exit(&r, 0);
        let dir = sb.out().join(month);
        for doc in ["report.pdf", "deck.pdf"] {
            assert!(dir.join(doc).is_file(), "{month}: no {doc}");
        }
        let m = sb.metrics(month);
        assert_eq!(m["month"], month);
        assert_slides_fill(&dir.join("deck.pdf"));
    }
    // A month after the data: no revenue, and the documents print a dash for the nulls.
    let m = sb.metrics("2027-01");
    assert_eq!(m["kpis"]["revenue"]["month"], 0.0);
    assert!(m["kpis"]["mom_growth"]["month"].is_null());
}
