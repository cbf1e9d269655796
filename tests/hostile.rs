//! Crafted files, every one made here (never downloaded): each must end with a clear
//! message naming the file (and sheet/row/column where there is one), exit 65 or a
//! documented fallback, in bounded time, with no output written.

use std::io::Write;

use crate::common::*;

#[track_caller]
fn refused(sb: &Sandbox, wants: &[&str]) -> String {
    let out = sb.run(&["run"]);
    assert_exit(&out, 65);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    for w in wants {
        assert!(err.contains(w), "{w:?} not in:\n{err}");
    }
    assert!(
        sb.outputs().iter().all(|f| f.starts_with("rejected")),
        "{:?}",
        sb.outputs()
    );
    err
}

/// Replaces a zip entry's whole content (or adds it).
fn replace_entry(path: &std::path::Path, entry: &str, content: &[u8]) {
    use std::io::Read;
    let bytes = std::fs::read(path).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.start_file(name.clone(), options).unwrap();
        out.write_all(if name == entry { content } else { &data })
            .unwrap();
    }
    std::fs::write(path, out.finish().unwrap().into_inner()).unwrap();
}

#[test]
fn a_shared_strings_bomb_is_refused_before_loading() {
    let sb = Sandbox::new();
    let path = sb.input("bomb.xlsx");
    small_orders(&path);
    let mut xml = b"<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>".to_vec();
    xml.extend(std::iter::repeat_n(b'a', 24 << 20));
    xml.extend_from_slice(b"</t></si></sst>");
    replace_entry(&path, "xl/sharedStrings.xml", &xml);
    refused(&sb, &["bomb.xlsx", "xl/sharedStrings.xml", "expands"]);
}

#[test]
fn cells_at_a1_and_xfd1048576_are_refused() {
    let sb = Sandbox::new();
    let path = sb.input("far.xlsx");
    small_orders(&path);
    patch_entry(
        &path,
        "xl/worksheets/sheet1.xml",
        "</sheetData>",
        r#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>"#,
    );
    refused(&sb, &["far.xlsx", "sheet \"Orders\"", "over the limit"]);
}

#[test]
fn rows_and_columns_past_excels_grid_are_refused() {
    let sb = Sandbox::new();
    let path = sb.input("past.xlsx");
    small_orders(&path);
    patch_entry(
        &path,
        "xl/worksheets/sheet1.xml",
        "</sheetData>",
        r#"<row r="2000000"><c r="A2000000"><v>1</v></c></row></sheetData>"#,
    );
    refused(&sb, &["past.xlsx", "past Excel's"]);
    let sb = Sandbox::new();
    let path = sb.input("wide.xlsx");
    small_orders(&path);
    patch_entry(
        &path,
        "xl/worksheets/sheet1.xml",
        "</sheetData>",
        r#"<row r="5"><c r="XFE5"><v>1</v></c></row></sheetData>"#,
    );
    let out = sb.run(&["run"]);
    assert_exit(&out, 65);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("wide.xlsx"),
        "{}",
        describe(&out)
    );
}

#[test]
fn an_encrypted_workbook_is_named() {
    let sb = Sandbox::new();
    small_orders(&sb.input("orders.xlsx"));
    // An OLE compound file named .xlsx: how Excel stores a password-protected workbook.
    let mut f = vec![0u8; 512 * 3];
    f[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    f[0x1A..0x1C].copy_from_slice(&3u16.to_le_bytes());
    f[0x1C..0x1E].copy_from_slice(&0xFFFEu16.to_le_bytes());
    f[0x1E..0x20].copy_from_slice(&9u16.to_le_bytes());
    f[0x20..0x22].copy_from_slice(&6u16.to_le_bytes());
    f[0x2C..0x30].copy_from_slice(&1u32.to_le_bytes());
    f[0x30..0x34].copy_from_slice(&1u32.to_le_bytes());
    f[0x38..0x3C].copy_from_slice(&4096u32.to_le_bytes());
    f[0x3C..0x40].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes());
    f[0x44..0x48].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes());
    for i in 1..109 {
        f[0x4C + 4 * i..0x50 + 4 * i].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
    }
    f[512..516].copy_from_slice(&0xFFFF_FFFDu32.to_le_bytes());
    f[516..520].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes());
    std::fs::write(sb.input("secret.xlsx"), &f).unwrap();
    refused(&sb, &["secret.xlsx", "password-protected"]);
}

#[test]
fn nan_and_infinity_are_rejected_cells() {
    let sb = Sandbox::new();
    let path = sb.input("nan.xlsx");
    small_orders(&path);
    patch_entry(
        &path,
        "xl/worksheets/sheet1.xml",
        "<v>100</v>",
        "<v>NaN</v>",
    );
    refused(&sb, &["nan.xlsx", "row 2, column D (amount)"]);
}

#[test]
fn dates_in_year_9999_are_handled() {
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
                ],
                vec![S("A1"), D(9999, 12, 31), S("C1"), N(100.0)],
            ],
        )],
    );
    let out = sb.run(&["run"]);
    assert_exit(&out, 0);
    assert_eq!(sb.metrics("9999-12")["kpis"]["revenue"]["month"], 100.0);
}

#[test]
fn a_1904_workbook_reads_its_dates_right() {
    let sb = Sandbox::new();
    let path = sb.input("mac.xlsx");
    small_orders(&path);
    patch_entry(
        &path,
        "xl/workbook.xml",
        "<workbookPr",
        "<workbookPr date1904=\"1\"",
    );
    // The cells hold 1900-system serials for 2026-10-01/02; read in 1904 they are 1462
    // days later, in October 2030.
    assert_exit(&sb.run(&["run"]), 0);
    assert_eq!(sb.metrics("2030-10")["kpis"]["revenue"]["month"], 150.0);
}

#[test]
fn empty_and_header_only_sheets() {
    let sb = Sandbox::new();
    xlsx(&sb.input("empty.xlsx"), &[("Orders", vec![])]);
    let out = sb.run(&["run"]);
    assert_exit(&out, 66);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("empty sheet"),
        "{}",
        describe(&out)
    );
    let sb = Sandbox::new();
    xlsx(
        &sb.input("header.xlsx"),
        &[(
            "Orders",
            vec![vec![
                S("order_id"),
                S("order_date"),
                S("customer_id"),
                S("amount"),
            ]],
        )],
    );
    let out = sb.run(&["run"]);
    assert_exit(&out, 66);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no (not cancelled) rows"),
        "{}",
        describe(&out)
    );
}

#[test]
fn the_same_export_twice_is_refused() {
    let sb = Sandbox::new();
    small_orders(&sb.input("orders.xlsx"));
    std::fs::copy(sb.input("orders.xlsx"), sb.input("orders (1).xlsx")).unwrap();
    refused(&sb, &["orders.xlsx", "identical to", "orders (1).xlsx"]);
    let out = sb.run(&["check"]);
    assert_exit(&out, 65);
}

#[test]
fn a_hundred_thousand_customers_keep_the_documents_bounded() {
    let sb = Sandbox::new();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("Orders").unwrap();
    for (c, h) in ["order_id", "order_date", "customer_id", "amount", "rep_id"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for i in 1..=100_000u32 {
        ws.write_string(i, 0, format!("O{i}")).unwrap();
        ws.write_string(i, 1, "2026-10-05").unwrap();
        ws.write_string(i, 2, format!("客户{i:06}")).unwrap();
        ws.write_number(i, 3, (i % 97) as f64 + 1.0).unwrap();
        ws.write_string(i, 4, format!("R{}", i % 500)).unwrap();
    }
    wb.save(sb.input("orders.xlsx")).unwrap();
    let started = std::time::Instant::now();
    assert_exit(&sb.run(&["run"]), 0);
    let m = sb.metrics("2026-10");
    assert_eq!(m["kpis"]["active_customers"]["month"], 100_000.0);
    assert_eq!(m["by"]["rep_id"].as_array().unwrap().len(), 500);
    // Tables in the documents stay top-N: the deck keeps its slide count.
    let deck = lopdf::Document::load(sb.out().join("2026-10/deck.pdf")).unwrap();
    assert!(deck.get_pages().len() <= 16);
    let report = lopdf::Document::load(sb.out().join("2026-10/report.pdf")).unwrap();
    assert!(
        report.get_pages().len() <= 14,
        "{} pages",
        report.get_pages().len()
    );
    eprintln!("100,000 customers: {:.1?}", started.elapsed());
}

/// A small seeded generator for the mutations below (the sequence never changes).
struct Mutations(u64);

impl Mutations {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bit-flipped, truncated and spliced workbooks and csv files, read in-process: none may
/// panic or abort; each is read or refused with an error naming the file. (The cargo-fuzz
/// target in fuzz/ does the same, guided by coverage.)
#[test]
fn mutated_files_never_panic() {
    let sb = Sandbox::new();
    small_orders(&sb.input("orders.xlsx"));
    let xlsx_bytes = std::fs::read(sb.input("orders.xlsx")).unwrap();
    let csv_bytes =
        "订单号,下单日期,客户编号,金额\nA1,2026-10-01,C1,\"1,234.50\"\nA2,2026/10/2,C2,(5)\n"
            .as_bytes()
            .to_vec();
    let config = salesplan::Config::default();
    let mut rng = Mutations(2026);
    for round in 0..160 {
        let (name, base) = if round % 4 == 3 {
            ("m.csv", &csv_bytes)
        } else {
            ("m.xlsx", &xlsx_bytes)
        };
        let mut bytes = base.clone();
        match rng.below(3) {
            0 => {
                for _ in 0..1 + rng.below(8) {
                    let i = rng.below(bytes.len());
                    bytes[i] ^= 1 << rng.below(8);
                }
            }
            1 => bytes.truncate(rng.below(bytes.len())),
            _ => {
                let at = rng.below(bytes.len());
                let from = rng.below(bytes.len());
                let len = rng.below(64).min(bytes.len() - from);
                let chunk = bytes[from..from + len].to_vec();
                bytes.splice(at..at, chunk);
            }
        }
        let dir = sb.path().join(format!("round{round}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), &bytes).unwrap();
        match salesplan::ingest::read_inputs(&dir, &config) {
            Ok(_) => {}
            Err(e) => {
                let msg = e.to_string();
                let named = msg.contains(name)
                    || matches!(
                        e,
                        salesplan::Error::NoOrders { .. } | salesplan::Error::NoInput { .. }
                    );
                assert!(named, "round {round}: {msg}");
            }
        }
    }
}

#[test]
fn a_csv_row_past_excels_columns_is_refused_while_streaming() {
    let sb = Sandbox::new();
    let mut text = String::from("订单号,下单日期,客户编号,金额\nA1,2026-10-01,C1,5\n");
    text.push_str(&",".repeat(20_000));
    text.push('\n');
    std::fs::write(sb.input("orders.csv"), text).unwrap();
    let err = refused(
        &sb,
        &[
            "orders.csv",
            "row 3 has 20001 columns, more than Excel's 16,384",
        ],
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_csv_past_the_cell_limit_is_refused_while_streaming() {
    let sb = Sandbox::new();
    let mut text = String::from("订单号,下单日期,客户编号,金额\n");
    for i in 0..400 {
        text.push_str(&format!("A{i},2026-10-01,C1,5\n"));
    }
    std::fs::write(sb.input("orders.csv"), text).unwrap();
    std::fs::write(
        sb.path().join("salesplan.toml"),
        "[limits]\nmax_cells = 1000\n",
    )
    .unwrap();
    refused(
        &sb,
        &[
            "orders.csv",
            "more than 1000 cells (limits.max_cells) by row 251",
        ],
    );
}

/// A BIFF8 record.
fn record(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut r = typ.to_le_bytes().to_vec();
    r.extend((data.len() as u16).to_le_bytes());
    r.extend_from_slice(data);
    r
}

/// An `.xls` whose one sheet has the given records between its BOF and EOF, in an OLE
/// container as Excel writes it.
fn xls_with(path: &std::path::Path, sheet_records: &[Vec<u8>]) {
    let bof = |kind: u16| {
        let mut d = vec![0u8; 16];
        d[0..2].copy_from_slice(&0x0600u16.to_le_bytes());
        d[2..4].copy_from_slice(&kind.to_le_bytes());
        record(0x0809, &d)
    };
    let mut globals = bof(0x0005);
    // BOUNDSHEET: the sheet's offset is patched in below.
    let name = b"Orders";
    let mut sheet = vec![0u8; 4];
    sheet.extend([0u8, 0u8, name.len() as u8, 0u8]);
    sheet.extend_from_slice(name);
    let boundsheet_at = globals.len() + 4;
    globals.extend(record(0x0085, &sheet));
    globals.extend(record(0x000A, &[]));
    let offset = globals.len() as u32;
    globals[boundsheet_at..boundsheet_at + 4].copy_from_slice(&offset.to_le_bytes());
    let mut stream = globals;
    stream.extend(bof(0x0010));
    for r in sheet_records {
        stream.extend_from_slice(r);
    }
    stream.extend(record(0x000A, &[]));
    // Padded past the 4,096-byte mini-stream cutoff, as real workbooks are.
    stream.resize(stream.len().max(8192), 0);
    let mut cfb = cfb::create(path).unwrap();
    cfb.create_stream("/Workbook")
        .unwrap()
        .write_all(&stream)
        .unwrap();
    cfb.flush().unwrap();
}

/// A NUMBER cell record.
fn number_cell(row: u16, col: u16, v: f64) -> Vec<u8> {
    let mut d = row.to_le_bytes().to_vec();
    d.extend(col.to_le_bytes());
    d.extend(0u16.to_le_bytes());
    d.extend(v.to_le_bytes());
    record(0x0203, &d)
}

#[test]
fn an_xls_declaring_billions_of_cells_is_refused_before_loading() {
    let sb = Sandbox::new();
    let mut dims = 0u32.to_le_bytes().to_vec();
    dims.extend(u32::MAX.to_le_bytes());
    dims.extend(0u16.to_le_bytes());
    dims.extend(0xFFu16.to_le_bytes());
    dims.extend([0, 0]);
    xls_with(
        &sb.input("huge.xls"),
        &[record(0x0200, &dims), number_cell(0, 0, 1.0)],
    );
    refused(
        &sb,
        &[
            "huge.xls",
            "sheet \"Orders\"",
            "declared used range",
            "over the limit",
        ],
    );
}

#[test]
fn xls_cells_far_apart_are_refused_before_loading() {
    let sb = Sandbox::new();
    xls_with(
        &sb.input("far.xls"),
        &[number_cell(0, 0, 1.0), number_cell(65_535, 60_000, 2.0)],
    );
    refused(
        &sb,
        &[
            "far.xls",
            "sheet \"Orders\"",
            "65536 rows × 60001 columns",
            "over the limit",
        ],
    );
}

#[test]
fn an_ods_row_repeated_a_million_times_is_refused_before_loading() {
    let sb = Sandbox::new();
    let content = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Orders"><table:table-row><table:table-cell office:value-type="string"><text:p>order_id</text:p></table:table-cell></table:table-row><table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="100" office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#;
    let path = sb.input("repeat.ods");
    let mut out = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    out.start_file("mimetype", stored).unwrap();
    out.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    out.start_file("content.xml", stored).unwrap();
    out.write_all(content.as_bytes()).unwrap();
    out.finish().unwrap();
    refused(
        &sb,
        &[
            "repeat.ods",
            "Orders",
            "1000001 rows × 100 columns",
            "over the limit",
        ],
    );
}
