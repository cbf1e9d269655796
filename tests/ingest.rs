//! The real binary on workbooks built here: messy exports give the same figures as clean
//! ones, and bad input gets a clear error naming the place, with nothing written.

use crate::common::*;

/// The clean export: English headers, one sheet named Orders.
fn clean(sb: &Sandbox) {
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
                    S("status"),
                ],
                vec![S("A1"), D(2026, 9, 5), S("C1"), N(1000.0), S("East"), E],
                vec![S("A2"), D(2026, 9, 20), S("C2"), N(500.0), S("West"), E],
                vec![S("A3"), D(2026, 10, 2), S("C1"), N(1200.0), S("East"), E],
                vec![
                    S("A3"),
                    D(2026, 10, 2),
                    S("C1"),
                    N(-200.0),
                    S("East"),
                    S("returned"),
                ],
                vec![S("A4"), D(2026, 10, 15), S("C3"), N(800.0), S("West"), E],
                vec![
                    S("A5"),
                    D(2026, 10, 16),
                    S("C2"),
                    N(300.0),
                    S("West"),
                    S("Cancelled"),
                ],
                vec![S("A6"), D(2026, 11, 3), S("C1"), N(999.0), S("East"), E],
            ],
        )],
    );
}

/// The same orders as two messy Chinese exports: a sheet found by its header under a
/// title and a note, columns in another order, unknown columns, text money and dates,
/// numbers as ids, a totals row.
fn messy(sb: &Sandbox) {
    xlsx(
        &sb.input("订单-9月.xlsx"),
        &[(
            "Sheet1",
            vec![
                vec![S("星河科技 9月订单")],
                vec![S("导出时间：2026-10-01  单位：元")],
                vec![],
                vec![
                    S("备注"),
                    S("客户 ID"),
                    S("订单编号"),
                    S("销售金额"),
                    S("下单日期"),
                    S("大区"),
                ],
                vec![
                    S("首单"),
                    S("C1"),
                    S("A1"),
                    S("1,000.00"),
                    S("2026-09-05"),
                    S("East"),
                ],
                vec![E, S("C2"), S("A2"), N(500.0), S("2026年9月20日"), S("West")],
            ],
        )],
    );
    xlsx(
        &sb.input("订单-10月.xlsx"),
        &[(
            "销售明细",
            vec![
                vec![
                    S("Order ID"),
                    S("Order Date"),
                    S("Customer ID"),
                    S("Sales"),
                    S("Region"),
                    S("订单状态"),
                    S("Channel"),
                ],
                vec![
                    S("A3"),
                    S("2026/10/2"),
                    S("C1"),
                    S("¥1,200.00"),
                    S("East"),
                    E,
                    S("web"),
                ],
                vec![
                    S("A3"),
                    N(46297.0),
                    S("C1"),
                    S("(200.00)"),
                    S("East"),
                    S("退货"),
                    S("web"),
                ],
                vec![],
                vec![
                    S("A4"),
                    S("20261015"),
                    S("C3"),
                    N(800.0),
                    S(" West "),
                    E,
                    S("shop"),
                ],
                vec![
                    S("A5"),
                    D(2026, 10, 16),
                    S("C2"),
                    N(300.0),
                    S("West"),
                    S("已取消"),
                    E,
                ],
                vec![S("A6"), D(2026, 11, 3), S("C1"), N(999.0), S("East"), E, E],
                vec![E, E, S("合计"), N(3099.0), E, E, E],
            ],
        )],
    );
}

#[test]
fn messy_exports_give_the_same_figures_as_clean_ones() {
    let a = Sandbox::new();
    clean(&a);
    assert_exit(&a.run(&["run", "--month", "2026-10"]), 0);
    let b = Sandbox::new();
    messy(&b);
    assert_exit(&b.run(&["run", "--month", "2026-10"]), 0);
    let (ma, mb) = (a.metrics("2026-10"), b.metrics("2026-10"));
    assert_eq!(ma["kpis"], mb["kpis"]);
    assert_eq!(ma["by"], mb["by"]);
    // 1200 − 200 + 800; A5 is cancelled, A6 is after the month.
    close(num(&ma, "kpis.revenue.month"), 1800.0);
    close(num(&ma, "kpis.orders.month"), 2.0);
    close(num(&ma, "kpis.active_customers.month"), 2.0);
    close(num(&ma, "kpis.mom_growth.month"), 1800.0 / 1500.0 - 1.0);
    close(num(&ma, "kpis.retention_rate.month"), 0.5);
    let dq = &mb["data_quality"]["tables"]["orders"];
    assert_eq!(dq["files"], 2);
    assert_eq!(dq["totals_rows"], 1);
    assert_eq!(dq["cancelled_rows"], 1);
    assert_eq!(dq["rows_rejected"], 0);
}

#[test]
fn the_report_month_defaults_to_the_latest_with_orders() {
    let sb = Sandbox::new();
    clean(&sb);
    let out = sb.run(&["run"]);
    assert_exit(&out, 0);
    assert_eq!(sb.metrics("2026-11")["month"], "2026-11");
    assert!(
        sb.outputs().contains(&"2026-11/metrics.xlsx".to_string()),
        "{:?}",
        sb.outputs()
    );
}

#[test]
fn a_missing_required_column_is_named() {
    let sb = Sandbox::new();
    xlsx(
        &sb.input("orders.xlsx"),
        &[(
            "订单",
            vec![
                vec![S("订单号"), S("日期"), S("客户编号")],
                vec![S("A1"), D(2026, 10, 1), S("C1")],
            ],
        )],
    );
    let out = sb.run(&["run"]);
    assert_exit(&out, 65);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("orders.xlsx"), "{err}");
    assert!(err.contains("sheet \"订单\""), "{err}");
    assert!(err.contains("missing required column amount"), "{err}");
    assert!(err.contains("\"金额\""), "{err}");
    assert!(sb.outputs().is_empty(), "{:?}", sb.outputs());
}

fn with_formula_amount(sb: &Sandbox) -> std::path::PathBuf {
    let path = sb.input("orders.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("Orders").unwrap();
    for (c, h) in ["order_id", "order_date", "customer_id", "amount"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..=4u32 {
        ws.write_string(r, 0, format!("A{r}")).unwrap();
        ws.write_string(r, 1, format!("2026-10-0{r}")).unwrap();
        ws.write_string(r, 2, "C1").unwrap();
        if r == 2 {
            ws.write_formula(r, 3, "=NA()").unwrap();
        } else {
            ws.write_number(r, 3, 100.0).unwrap();
        }
    }
    wb.save(&path).unwrap();
    path
}

#[test]
fn an_excel_error_cell_is_a_rejected_cell() {
    let sb = Sandbox::new();
    let path = with_formula_amount(&sb);
    patch_entry(
        &path,
        "xl/worksheets/sheet1.xml",
        r#"<c r="D3"><f>NA()</f><v>0</v></c>"#,
        r#"<c r="D3" t="e"><f>NA()</f><v>#N/A</v></c>"#,
    );
    let out = sb.run(&["run"]);
    assert_exit(&out, 65);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("sheet \"Orders\", row 3, column D (amount)"),
        "{err}"
    );
    assert!(err.contains("the Excel error #N/A"), "{err}");
    // The refused run writes the listing and nothing else.
    assert_eq!(sb.outputs(), ["rejected-2026-10.csv"]);
    let csv = std::fs::read_to_string(sb.out().join("rejected-2026-10.csv")).unwrap();
    assert!(
        csv.contains("orders.xlsx,Orders,3,D (amount),amount,a number,the Excel error #N/A"),
        "{csv}"
    );
}

#[test]
fn a_formula_without_a_cached_value_is_a_rejected_cell() {
    let sb = Sandbox::new();
    let path = with_formula_amount(&sb);
    patch_entry(
        &path,
        "xl/worksheets/sheet1.xml",
        r#"<f>NA()</f><v>0</v>"#,
        r#"<f>SUM(B1:B2)</f>"#,
    );
    let out = sb.run(&["run"]);
    assert_exit(&out, 65);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("row 3, column D (amount)"), "{err}");
    assert!(err.contains("a formula with no cached value"), "{err}");
}

#[test]
fn max_rejected_share_lets_bad_rows_go() {
    let sb = Sandbox::new();
    let path = with_formula_amount(&sb);
    patch_entry(
        &path,
        "xl/worksheets/sheet1.xml",
        r#"<c r="D3"><f>NA()</f><v>0</v></c>"#,
        r#"<c r="D3" t="e"><f>NA()</f><v>#N/A</v></c>"#,
    );
    // One row of four is 25 %.
    assert_exit(&sb.run(&["run", "--max-rejected-share", "0.2"]), 65);
    let out = sb.run(&["run", "--max-rejected-share", "0.25"]);
    assert_exit(&out, 0);
    let m = sb.metrics("2026-10");
    close(num(&m, "kpis.revenue.month"), 300.0);
    assert_eq!(m["data_quality"]["tables"]["orders"]["rows_rejected"], 1);
    assert!(sb.outputs().contains(&"2026-10/rejected.csv".to_string()));
}

#[test]
fn text_in_a_number_column_names_row_and_column() {
    let sb = Sandbox::new();
    xlsx(
        &sb.input("orders.xlsx"),
        &[(
            "Sales",
            vec![
                vec![
                    S("Order ID"),
                    S("Order Date"),
                    S("Customer ID"),
                    S("Amount"),
                ],
                vec![S("A1"), D(2026, 10, 1), S("C1"), N(10.0)],
                vec![S("A2"), S("2026-02-30"), S("C1"), S("N/A")],
            ],
        )],
    );
    let out = sb.run(&["run"]);
    assert_exit(&out, 65);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("row 3, column D (Amount): expected a number for amount, found \"N/A\""),
        "{err}"
    );
    assert!(
        err.contains("row 3, column B (Order Date): expected a date"),
        "{err}"
    );
    assert!(err.contains("found \"2026-02-30\""), "{err}");
}

#[test]
fn csv_in_gb18030_with_semicolons() {
    let sb = Sandbox::new();
    let text =
        "订单号;下单日期;客户编号;金额\nA1;2026-10-01;C1;\"1,234.50\"\nA2;2026.10.02;C2;12.5%\n";
    let (bytes, _, _) = encoding_rs::GB18030.encode(text);
    std::fs::write(sb.input("销售数据.csv"), &bytes).unwrap();
    let out = sb.run(&["run"]);
    assert_exit(&out, 0);
    close(num(&sb.metrics("2026-10"), "kpis.revenue.month"), 1234.625);
}

#[test]
fn csv_in_utf8_with_bom() {
    let sb = Sandbox::new();
    std::fs::write(
        sb.input("orders.csv"),
        "\u{feff}order_id,order_date,customer_id,amount\nA1,2026-10-01,C1,5\n",
    )
    .unwrap();
    assert_exit(&sb.run(&["run"]), 0);
    close(num(&sb.metrics("2026-10"), "kpis.revenue.month"), 5.0);
}

#[test]
fn no_input_is_exit_66() {
    let sb = Sandbox::new();
    let out = sb.run(&["run"]);
    assert_exit(&out, 66);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no input found"),
        "{}",
        describe(&out)
    );
    let out = sb.run(&["run", "--input", "nowhere"]);
    assert_exit(&out, 66);
}

#[test]
fn a_workbook_without_orders_is_exit_66_listing_the_sheets() {
    let sb = Sandbox::new();
    xlsx(&sb.input("misc.xlsx"), &[("Notes", vec![vec![S("hello")]])]);
    let out = sb.run(&["run"]);
    assert_exit(&out, 66);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no orders table") && err.contains("Notes: matched no table"),
        "{err}"
    );
}

#[test]
fn random_bytes_named_xlsx_are_named() {
    let sb = Sandbox::new();
    clean(&sb);
    std::fs::write(
        sb.input("broken.xlsx"),
        (0..4096u32)
            .map(|i| (i * 7919 % 251) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let out = sb.run(&["run"]);
    assert_exit(&out, 65);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("broken.xlsx") && err.contains("not a spreadsheet"),
        "{err}"
    );
    assert!(sb.outputs().is_empty());
}

#[test]
fn a_truncated_xlsx_is_named() {
    let sb = Sandbox::new();
    clean(&sb);
    let bytes = std::fs::read(sb.input("orders.xlsx")).unwrap();
    std::fs::write(sb.input("orders.xlsx"), &bytes[..bytes.len() / 2]).unwrap();
    let out = sb.run(&["run"]);
    assert_exit(&out, 65);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("orders.xlsx") && err.contains("damaged or truncated"),
        "{err}"
    );
}

#[test]
fn a_sheet_past_the_cell_limit_is_refused_before_loading() {
    let sb = Sandbox::new();
    clean(&sb);
    patch_entry(
        &sb.input("orders.xlsx"),
        "xl/worksheets/sheet1.xml",
        r#"<dimension ref="A1:F8"/>"#,
        r#"<dimension ref="A1:XFD1048576"/>"#,
    );
    let out = sb.run(&["run"]);
    assert_exit(&out, 65);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("orders.xlsx, sheet \"Orders\"") && err.contains("over the limit"),
        "{err}"
    );
}

#[test]
fn a_mapping_in_the_config_names_columns_and_sheets() {
    let sb = Sandbox::new();
    xlsx(
        &sb.input("export.xlsx"),
        &[(
            "Data",
            vec![
                vec![S("单据"), S("时间"), S("买家"), S("成交价")],
                vec![S("A1"), D(2026, 10, 1), S("C1"), N(7.0)],
            ],
        )],
    );
    std::fs::write(
        sb.path().join("salesplan.toml"),
        "[[sheets]]\nfile = \"export.xlsx\"\ntable = \"orders\"\nheader_row = 1\n\
         columns = { \"单据\" = \"order_id\", \"时间\" = \"order_date\", \"买家\" = \"customer_id\", \"成交价\" = \"amount\" }\n",
    )
    .unwrap();
    assert_exit(&sb.run(&["run"]), 0);
    close(num(&sb.metrics("2026-10"), "kpis.revenue.month"), 7.0);
}

#[test]
fn a_bad_config_is_exit_78() {
    let sb = Sandbox::new();
    clean(&sb);
    std::fs::write(
        sb.path().join("salesplan.toml"),
        "[columns.orders]\n\"x\" = \"amout\"\n",
    )
    .unwrap();
    let out = sb.run(&["run"]);
    assert_exit(&out, 78);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no column \"amout\""),
        "{}",
        describe(&out)
    );
}

#[test]
fn a_failed_run_keeps_the_last_good_report() {
    let sb = Sandbox::new();
    clean(&sb);
    assert_exit(&sb.run(&["run", "--month", "2026-10"]), 0);
    let before = std::fs::read(sb.out().join("2026-10/metrics.json")).unwrap();
    std::fs::write(sb.input("broken.xlsx"), b"not a workbook").unwrap();
    assert_exit(&sb.run(&["run", "--month", "2026-10"]), 65);
    assert_eq!(
        std::fs::read(sb.out().join("2026-10/metrics.json")).unwrap(),
        before
    );
    std::fs::remove_file(sb.input("broken.xlsx")).unwrap();
    // A rerun on the same inputs is byte-identical.
    assert_exit(&sb.run(&["run", "--month", "2026-10"]), 0);
    assert_eq!(
        std::fs::read(sb.out().join("2026-10/metrics.json")).unwrap(),
        before
    );
    assert_eq!(
        sb.outputs(),
        [
            "2026-10/deck.pdf",
            "2026-10/manifest.json",
            "2026-10/metrics.json",
            "2026-10/metrics.xlsx",
            "2026-10/report.pdf"
        ]
    );
}

/// Worksheet XML as other writers make it (a namespace prefix, rows and cells without
/// references, inline and rich strings with phonetics, CDATA, entities and Excel's `_xHHHH_`
/// escapes, booleans, errors, ISO dates, formulas with and without cached values, shared
/// formulas, comments): the fast reader and calamine read the same cells.
#[test]
fn unusual_worksheet_xml_reads_as_calamine_reads_it() {
    let sb = Sandbox::new();
    let path = sb.input("crafted.xlsx");
    xlsx(
        &path,
        &[(
            "Sheet1",
            vec![vec![S("订单编号"), S("金额")], vec![D(2026, 1, 1)]],
        )],
    );
    set_entry(
        &path,
        "xl/sharedStrings.xml",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2"><si><t>订单编号</t></si><si><r><rPr><b/></rPr><t>金</t></r><r><t>额 </t></r><rPh sb="0" eb="1"><t>きん</t></rPh></si></sst>"#,
    );
    set_entry(
        &path,
        "xl/worksheets/sheet1.xml",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:dimension ref="A1:F6"/><x:sheetData>
<!-- a comment -->
<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c><x:c t="inlineStr"><x:is><x:r><x:t>富</x:t></x:r><x:r><x:t xml:space="preserve"> 文本 </x:t></x:r><x:rPh><x:t>ふ</x:t></x:rPh></x:is></x:c></x:row>
<x:row><x:c><x:v>1E3</x:v></x:c><x:c t="str"><x:v>a&amp;b_x000D_c&#x41;</x:v></x:c><x:c t="b"><x:v>1</x:v></x:c><x:c t="e"><x:v>#N/A</x:v></x:c><x:c t="d"><x:v>2026-10-01T00:00:00</x:v></x:c></x:row>
<x:row r="4"/>
<x:row r="5"><x:c r="A5" s="1"><x:v>46000</x:v></x:c><x:c r="B5"><x:f>SUM(A1:A2)</x:f></x:c><x:c r="C5"><x:f t="shared" si="0" ref="C5:C6">A5*2</x:f><x:v></x:v></x:c><x:c r="D5"><x:v>not a number</x:v></x:c><x:c r="E5" t="inlineStr"><x:is><x:t><![CDATA[<c>]]></x:t></x:is></x:c></x:row>
<x:row r="6"><x:c r="C6"><x:f t="shared" si="0"/></x:c><x:c r="F6" s="1"/></x:row>
</x:sheetData></x:worksheet>"#,
    );
    let read = same_cells_both_readers(&path).join("\n");
    for want in [
        r#"0: [Text("订单编号"), Text("金额"), Text("富 文本 ")]"#,
        r##"1: [Number(1000.0), Text("a&b\rcA"), Bool(true), Error("#N/A"), Text("2026-10-01T00:00:00")]"##,
        r#"NoCachedValue("SUM(A1:A2)"), NoCachedValue("A5*2"), Text("not a number"), Text("<c>")"#,
        r#"5: [Empty, Empty, NoCachedValue("")]"#,
        "DateTime(2025-12-09T00:00:00)",
    ] {
        assert!(read.contains(want), "{want} not in:\n{read}");
    }
}
