//! Exports as the system families write them (SPEC §2 "Exports as real systems write
//! them"), each built here in its real shape — header words, title rows, id formats, date
//! text, status words — and read with no configuration. Every expected figure is worked
//! out by hand in the comment beside it.

use crate::common::*;

/// `run` with no configuration; the metrics of `month`.
fn zero_config(sb: &Sandbox, month: &str) -> serde_json::Value {
    let r = sb.run(&["run", "--month", month]);
    assert_exit(&r, 0);
    sb.metrics(month)
}

/// A figure that must be null, with a note saying why.
#[track_caller]
fn null(m: &serde_json::Value, figure: &str, period: &str) {
    assert!(
        m["kpis"][figure][period].is_null(),
        "{figure}.{period} = {}",
        m["kpis"][figure][period]
    );
    let notes = m["notes"].to_string();
    assert!(
        notes.contains(&format!("{figure}: ")),
        "no note for {figure}: {notes}"
    );
}

/// The `field ← header` lines `data_quality` records for the first sheet of `file`.
fn understood(m: &serde_json::Value, file: &str) -> String {
    m["data_quality"]["sheets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["file"].as_str().unwrap().ends_with(file))
        .unwrap_or_else(|| panic!("no sheet of {file}: {}", m["data_quality"]))["columns"]
        .to_string()
}

fn by<'a>(m: &'a serde_json::Value, dim: &str, key: &str) -> &'a serde_json::Value {
    m["by"][dim]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["key"] == key)
        .unwrap_or_else(|| panic!("no {dim} {key}: {}", m["by"][dim]))
}

#[test]
fn kingdee_k3_cloud_outbound_list() {
    // 金蝶 K/3 Cloud 销售出库单列表: 单据编号 per document, one line per material, the
    // customer by name, 价税合计 beside 金额 (untaxed), a voided document (作废).
    let sb = Sandbox::new();
    let header = [
        "单据编号",
        "日期",
        "客户",
        "销售员",
        "物料名称",
        "实发数量",
        "含税单价",
        "金额",
        "价税合计",
        "单据状态",
    ];
    let rows = vec![
        header.iter().map(|h| S(h)).collect(),
        vec![
            S("XSCKD000101"),
            S("2026-10-08"),
            S("华东电子"),
            S("张三"),
            S("螺丝"),
            N(100.0),
            N(2.26),
            N(200.0),
            N(226.0),
            S("已审核"),
        ],
        vec![
            S("XSCKD000101"),
            S("2026-10-08"),
            S("华东电子"),
            S("张三"),
            S("螺母"),
            N(50.0),
            N(1.13),
            N(50.0),
            N(56.5),
            S("已审核"),
        ],
        vec![
            S("XSCKD000102"),
            S("2026-10-12"),
            S("北方机械"),
            S("李四"),
            S("螺丝"),
            N(300.0),
            N(2.26),
            N(600.0),
            N(678.0),
            S("作废"),
        ],
        vec![
            S("XSCKD000103"),
            S("2026-09-30"),
            S("北方机械"),
            S("李四"),
            S("垫片"),
            N(10.0),
            N(11.3),
            N(100.0),
            N(113.0),
            S("已审核"),
        ],
    ];
    xlsx(&sb.input("销售出库单列表.xlsx"), &[("销售出库单", rows)]);
    let m = zero_config(&sb, "2026-10");
    // October: 226 + 56.5 (XSCKD000102 is void); one document, one customer.
    close(num(&m, "kpis.revenue.month"), 282.5);
    close(num(&m, "kpis.orders.month"), 1.0);
    close(num(&m, "kpis.active_customers.month"), 1.0);
    // Year to date: + 113 in September; two documents, two customers.
    close(num(&m, "kpis.revenue.ytd"), 395.5);
    close(num(&m, "kpis.orders.ytd"), 2.0);
    close(num(&m, "kpis.active_customers.ytd"), 2.0);
    close(
        num(&m, "kpis.revenue.ytd") - num(by(&m, "rep_id", "李四"), "revenue.ytd"),
        282.5,
    );
    let u = understood(&m, "销售出库单列表.xlsx");
    assert!(u.contains("amount ← 价税合计 (chosen over 金额)"), "{u}");
    assert!(u.contains("customer_id ← 客户"), "{u}");
}

#[test]
fn yonyou_u8_sales_statement_with_title_rows_and_a_totals_row() {
    // 用友 U8 销售统计表: a title and a date-range line above the header, 客户编码 with
    // leading zeros, 无税金额 and 价税合计, a return as negative quantities, 合计 at the end.
    let sb = Sandbox::new();
    let header = [
        "单据号",
        "单据日期",
        "客户编码",
        "客户名称",
        "业务员",
        "部门",
        "存货名称",
        "数量",
        "无税单价",
        "无税金额",
        "税额",
        "价税合计",
    ];
    let rows = vec![
        vec![S("销售统计表")],
        vec![S("日期：2026-09-01 至 2026-10-31")],
        vec![],
        header.iter().map(|h| S(h)).collect(),
        vec![
            S("0000000021"),
            S("2026/10/09"),
            S("0101"),
            S("星海商贸"),
            S("王五"),
            S("华东销售部"),
            S("A型"),
            N(10.0),
            N(100.0),
            N(1000.0),
            N(130.0),
            N(1130.0),
        ],
        vec![
            S("0000000022"),
            S("2026/10/21"),
            S("0102"),
            S("远山实业"),
            S("王五"),
            S("华东销售部"),
            S("B型"),
            N(5.0),
            N(200.0),
            N(1000.0),
            N(130.0),
            N(1130.0),
        ],
        vec![
            S("0000000023"),
            S("2026/09/15"),
            S("0101"),
            S("星海商贸"),
            S("赵六"),
            S("华南销售部"),
            S("A型"),
            N(-2.0),
            N(100.0),
            N(-200.0),
            N(-26.0),
            N(-226.0),
        ],
        vec![
            S("合计"),
            E,
            E,
            E,
            E,
            E,
            E,
            N(13.0),
            E,
            N(1800.0),
            N(234.0),
            N(2034.0),
        ],
    ];
    xlsx(&sb.input("销售统计表.xlsx"), &[("Sheet1", rows)]);
    let m = zero_config(&sb, "2026-10");
    // October: 1130 + 1130; two documents, customers 0101 and 0102.
    close(num(&m, "kpis.revenue.month"), 2260.0);
    close(num(&m, "kpis.orders.month"), 2.0);
    close(num(&m, "kpis.active_customers.month"), 2.0);
    // Year to date: − 226 (the return in September); the 合计 row is not a line.
    close(num(&m, "kpis.revenue.ytd"), 2034.0);
    close(num(&m, "kpis.orders.ytd"), 3.0);
    close(num(by(&m, "region", "华东销售部"), "revenue.month"), 2260.0);
    assert_eq!(m["data_quality"]["tables"]["orders"]["totals_rows"], 1);
}

#[test]
fn sap_billing_list_stays_net_with_day_first_dates_and_trailing_minus() {
    // SAP VF05: Billing Document, Billing Date as `03.10.2026` (day first), Net Value
    // beside Tax Amount (net stays net), a credit memo as `500.00-`.
    let sb = Sandbox::new();
    let rows = vec![
        vec![
            S("Billing Document"),
            S("Billing Date"),
            S("Payer"),
            S("Net Value"),
            S("Tax Amount"),
            S("Document Currency"),
            S("Sales Organization"),
        ],
        vec![
            N(90000001.0),
            S("03.10.2026"),
            N(100017.0),
            S("1,000.00"),
            S("130.00"),
            S("CNY"),
            N(1000.0),
        ],
        vec![
            N(90000002.0),
            S("15.10.2026"),
            N(100018.0),
            S("2,500.00"),
            S("325.00"),
            S("CNY"),
            N(1000.0),
        ],
        vec![
            N(90000003.0),
            S("20.10.2026"),
            N(100017.0),
            S("500.00-"),
            S("65.00-"),
            S("CNY"),
            N(1000.0),
        ],
        vec![
            N(90000004.0),
            S("28.09.2026"),
            N(100019.0),
            S("750.00"),
            S("97.50"),
            S("CNY"),
            N(1000.0),
        ],
    ];
    xlsx(&sb.input("VF05.xlsx"), &[("Sheet1", rows)]);
    let m = zero_config(&sb, "2026-10");
    // October: 1000 + 2500 − 500, three billing documents, payers 100017 and 100018.
    close(num(&m, "kpis.revenue.month"), 3000.0);
    close(num(&m, "kpis.orders.month"), 3.0);
    close(num(&m, "kpis.active_customers.month"), 2.0);
    close(num(&m, "kpis.revenue.ytd"), 3750.0);
}

#[test]
fn odoo_sales_orders_csv_total_over_untaxed_and_cancelled() {
    // Odoo's sale.order export: Order Reference, datetime text, Customer by name, Total and
    // Untaxed Amount, Status Cancelled.
    let sb = Sandbox::new();
    std::fs::write(
        sb.input("sale.order.csv"),
        "Order Reference,Order Date,Customer,Salesperson,Untaxed Amount,Taxes,Total,Status\n\
         S00041,2026-10-03 14:22:10,Azure Interior,Mitchell Admin,1000,150,1150,Sales Order\n\
         S00042,2026-10-05 09:01:00,Deco Addict,Marc Demo,2000,300,2300,Cancelled\n\
         S00043,2026-10-17 16:45:30,Azure Interior,Marc Demo,400,60,460,Locked\n\
         S00044,2026-09-29 11:00:00,Gemini Furniture,Mitchell Admin,100,15,115,Sales Order\n",
    )
    .unwrap();
    let m = zero_config(&sb, "2026-10");
    // October: 1150 + 460 (S00042 cancelled), one customer (Azure Interior).
    close(num(&m, "kpis.revenue.month"), 1610.0);
    close(num(&m, "kpis.orders.month"), 2.0);
    close(num(&m, "kpis.active_customers.month"), 1.0);
    close(num(&m, "kpis.revenue.ytd"), 1725.0);
    close(num(by(&m, "rep_id", "Marc Demo"), "revenue.month"), 460.0);
}

#[test]
fn salesforce_won_opportunities_report_with_title_rows_and_us_dates() {
    // A Salesforce report exported formatted: its name and filter above the header, US
    // dates (10/15/2026 tells the column is month first), a grand Total row.
    let sb = Sandbox::new();
    let rows = vec![
        vec![S("Won Opportunities")],
        vec![S("Filtered By: Stage equals Closed Won")],
        vec![],
        vec![
            S("Opportunity Owner"),
            S("Account Name"),
            S("Opportunity Name"),
            S("Amount"),
            S("Close Date"),
            S("Stage"),
        ],
        vec![
            S("Jane Smith"),
            S("Acme Corp"),
            S("Acme - 200 Widgets"),
            N(12000.0),
            S("10/15/2026"),
            S("Closed Won"),
        ],
        vec![
            S("John Doe"),
            S("Globex"),
            S("Globex - Renewal"),
            N(8000.0),
            S("10/03/2026"),
            S("Closed Won"),
        ],
        vec![
            S("Jane Smith"),
            S("Acme Corp"),
            S("Acme - Add-on"),
            N(2000.0),
            S("9/28/2026"),
            S("Closed Won"),
        ],
        vec![S("Total"), E, E, N(22000.0), E, E],
    ];
    xlsx(&sb.input("report1696.xlsx"), &[("Sheet1", rows)]);
    let m = zero_config(&sb, "2026-10");
    // October: 12000 + 8000 (10/03 is 3 October: the column is month first), two accounts.
    close(num(&m, "kpis.revenue.month"), 20000.0);
    close(num(&m, "kpis.orders.month"), 2.0);
    close(num(&m, "kpis.active_customers.month"), 2.0);
    close(num(&m, "kpis.revenue.ytd"), 22000.0);
    close(num(by(&m, "rep_id", "Jane Smith"), "revenue.ytd"), 14000.0);
    let u = understood(&m, "report1696.xlsx");
    assert!(u.contains("read month first"), "{u}");
}

#[test]
fn hubspot_deals_export() {
    // HubSpot's deals export: Deal owner and Associated Company, ISO dates.
    let sb = Sandbox::new();
    std::fs::write(
        sb.input("hubspot-crm-exports-all-deals.csv"),
        "Record ID,Deal Name,Deal Stage,Amount,Close Date,Deal owner,Associated Company\n\
         1001,Big deal,Closed won,5000,2026-10-02,Ann Lee,Umbrella\n\
         1002,Small deal,Closed won,1500,2026-10-20,Bob Ray,Initech\n",
    )
    .unwrap();
    let m = zero_config(&sb, "2026-10");
    close(num(&m, "kpis.revenue.month"), 6500.0);
    close(num(&m, "kpis.active_customers.month"), 2.0);
    close(num(by(&m, "rep_id", "Ann Lee"), "revenue.month"), 5000.0);
}

#[test]
fn fxiaoke_and_xiaoshouyi_crm_order_exports() {
    // 纷享销客 销售订单: 销售订单编号, 负责人, 生命状态 作废; 销售易 合同: 合同编号, 签约日期,
    // 合同金额, 所有人. Two files, one orders table.
    let sb = Sandbox::new();
    let fx = vec![
        vec![
            S("销售订单编号"),
            S("客户名称"),
            S("下单日期"),
            S("订单金额"),
            S("负责人"),
            S("生命状态"),
        ],
        vec![
            S("SO20261001001"),
            S("云帆科技"),
            S("2026-10-09"),
            N(12000.0),
            S("周敏"),
            S("正常"),
        ],
        vec![
            S("SO20261001002"),
            S("青禾农业"),
            S("2026-10-15"),
            N(5000.0),
            S("周敏"),
            S("作废"),
        ],
    ];
    xlsx(&sb.input("销售订单_纷享销客.xlsx"), &[("销售订单", fx)]);
    let xs = vec![
        vec![
            S("合同编号"),
            S("客户"),
            S("签约日期"),
            S("合同金额"),
            S("所有人"),
        ],
        vec![
            S("HT-2026-088"),
            S("云帆科技"),
            S("2026-10-20"),
            N(30000.0),
            S("吴涛"),
        ],
        vec![
            S("HT-2026-071"),
            S("海川物流"),
            S("2026-09-02"),
            N(8000.0),
            S("吴涛"),
        ],
    ];
    xlsx(&sb.input("合同_销售易.xlsx"), &[("Sheet1", xs)]);
    let m = zero_config(&sb, "2026-10");
    // October: 12000 + 30000 (SO…002 is void), one customer (云帆科技) in both files.
    close(num(&m, "kpis.revenue.month"), 42_000.0);
    close(num(&m, "kpis.orders.month"), 2.0);
    close(num(&m, "kpis.active_customers.month"), 1.0);
    close(num(&m, "kpis.revenue.ytd"), 50_000.0);
    close(num(by(&m, "rep_id", "吴涛"), "revenue.ytd"), 38_000.0);
}

#[test]
fn youzan_order_export() {
    // 有赞: 订单实付金额, 买家手机号 as the customer, 交易关闭.
    let sb = Sandbox::new();
    std::fs::write(
        sb.input("有赞订单导出.csv"),
        "订单号,订单创建时间,订单状态,商品金额合计,订单实付金额,买家手机号,收货人姓名\n\
         E20261003001,2026-10-03 10:00:00,交易成功,120.00,99.00,13800000001,张三\n\
         E20261004002,2026-10-04 11:00:00,交易关闭,60.00,60.00,13800000002,李四\n\
         E20261018003,2026-10-18 12:00:00,交易成功,50.00,45.00,13800000001,张三\n",
    )
    .unwrap();
    let m = zero_config(&sb, "2026-10");
    close(num(&m, "kpis.revenue.month"), 144.0);
    close(num(&m, "kpis.orders.month"), 2.0);
    close(num(&m, "kpis.active_customers.month"), 1.0);
}

#[test]
fn shopify_orders_export_with_order_totals_on_the_first_line() {
    // Shopify: the order is `Name` (#1001), the customer its Email; order-level columns
    // (Total, Financial Status) only on an order's first line; `+0800` zones; voided.
    let sb = Sandbox::new();
    std::fs::write(
        sb.input("orders_export_1.csv"),
        "Name,Email,Financial Status,Paid at,Fulfillment Status,Currency,Subtotal,Shipping,Taxes,Total,Discount Amount,Created at,Lineitem quantity,Lineitem name,Lineitem price\n\
         #1001,ann@example.com,paid,2026-10-03 14:22:10 +0800,fulfilled,CNY,200.00,10.00,0.00,210.00,0.00,2026-10-03 14:20:01 +0800,2,T-shirt,100.00\n\
         #1001,ann@example.com,,,,,,,,,,2026-10-03 14:20:01 +0800,1,Mug,0.00\n\
         #1002,bob@example.com,voided,,unfulfilled,CNY,50.00,0.00,0.00,50.00,0.00,2026-10-05 09:00:00 +0800,1,Cap,50.00\n\
         #1003,ann@example.com,paid,2026-10-18 10:00:00 +0800,fulfilled,CNY,300.00,0.00,0.00,300.00,0.00,2026-10-18 09:58:00 +0800,3,Socks,100.00\n\
         #1004,cara@example.com,refunded,2026-09-20 12:01:00 +0800,fulfilled,CNY,80.00,0.00,0.00,80.00,0.00,2026-09-20 12:00:00 +0800,1,Hat,80.00\n",
    )
    .unwrap();
    let m = zero_config(&sb, "2026-10");
    // October: #1001 210 (its second line adds nothing) + #1003 300; #1002 is voided.
    close(num(&m, "kpis.revenue.month"), 510.0);
    close(num(&m, "kpis.orders.month"), 2.0);
    close(num(&m, "kpis.active_customers.month"), 1.0);
    // + #1004 (refunded is not cancelled): 590, customers ann and cara.
    close(num(&m, "kpis.revenue.ytd"), 590.0);
    close(num(&m, "kpis.active_customers.ytd"), 2.0);
    assert_eq!(m["data_quality"]["tables"]["orders"]["rows_rejected"], 0);
}

#[test]
fn woocommerce_orders_export() {
    let sb = Sandbox::new();
    std::fs::write(
        sb.input("orders-2026-10-31.csv"),
        "Order ID,Order Number,Order Status,Order Date,Billing Email,Order Subtotal Amount,Order Total Amount\n\
         201,201,Completed,2026-10-04 10:00,a@x.com,90,99.5\n\
         202,202,Cancelled,2026-10-06 11:00,b@x.com,40,44\n\
         203,203,Processing,2026-10-25 12:00,a@x.com,20,22\n",
    )
    .unwrap();
    let m = zero_config(&sb, "2026-10");
    close(num(&m, "kpis.revenue.month"), 121.5);
    close(num(&m, "kpis.orders.month"), 2.0);
    close(num(&m, "kpis.active_customers.month"), 1.0);
}

#[test]
fn taobao_order_report_csv_in_gb18030() {
    // 淘宝/天猫 订单报表: GB18030, ids as `="2986…"` so Excel keeps their digits, 买家会员名,
    // 买家实际支付金额 beside 总金额 and 买家应付货款, 交易关闭 as cancelled.
    let sb = Sandbox::new();
    let text = "订单编号,买家会员名,买家应付货款,买家应付邮费,总金额,买家实际支付金额,订单状态,订单创建时间,订单付款时间,宝贝标题,宝贝种类,宝贝总数量\n\
        =\"2986012345678901234\",tb_小王,100.00,0.00,100.00,95.00,交易成功,2026-10-01 12:00:00,2026-10-01 12:01:00,连衣裙,1,1\n\
        =\"2986012345678901235\",tb_小李,200.00,10.00,210.00,200.00,交易关闭,2026-10-02 13:00:00,,衬衫,1,2\n\
        =\"2986012345678901236\",tb_小王,50.00,0.00,50.00,45.00,交易成功,2026-10-20 08:00:00,2026-10-20 08:05:00,袜子,1,5\n\
        =\"2986012345678901237\",tb_小张,300.00,0.00,300.00,280.00,卖家已发货，等待买家确认,2026-09-30 23:59:59,2026-10-01 00:00:10,外套,1,1\n";
    let (bytes, _, _) = encoding_rs::GB18030.encode(text);
    std::fs::write(sb.input("ExportOrderList202610.csv"), &bytes).unwrap();
    let m = zero_config(&sb, "2026-10");
    // October (by 订单创建时间): 95 + 45, one buyer; 交易关闭 left out.
    close(num(&m, "kpis.revenue.month"), 140.0);
    close(num(&m, "kpis.orders.month"), 2.0);
    close(num(&m, "kpis.active_customers.month"), 1.0);
    close(num(&m, "kpis.revenue.ytd"), 420.0);
    close(num(&m, "kpis.active_customers.ytd"), 2.0);
    let u = understood(&m, "ExportOrderList202610.csv");
    assert!(u.contains("amount ← 买家实际支付金额"), "{u}");
}

#[test]
fn jd_order_export_with_numeric_ids() {
    // 京东: 订单号 as numbers, 应付金额 (after discounts) over 订单金额, 已取消, 省.
    let sb = Sandbox::new();
    let header = [
        "订单号",
        "下单时间",
        "订单状态",
        "下单帐号",
        "商品名称",
        "订购数量",
        "京东价",
        "订单金额",
        "应付金额",
        "省",
    ];
    let rows = vec![
        header.iter().map(|h| S(h)).collect(),
        vec![
            N(312345678901.0),
            S("2026-10-10 10:10:10"),
            S("完成"),
            S("jd_aaa"),
            S("手机"),
            N(1.0),
            N(2999.0),
            N(2999.0),
            N(2899.0),
            S("北京"),
        ],
        vec![
            N(312345678902.0),
            S("2026-10-11 11:11:11"),
            S("已取消"),
            S("jd_bbb"),
            S("耳机"),
            N(2.0),
            N(199.0),
            N(398.0),
            N(398.0),
            S("上海"),
        ],
        vec![
            N(312345678903.0),
            S("2026-10-30 09:00:00"),
            S("完成"),
            S("jd_aaa"),
            S("充电器"),
            N(1.0),
            N(99.0),
            N(99.0),
            N(89.0),
            S("北京"),
        ],
    ];
    xlsx(&sb.input("京东订单.xlsx"), &[("Sheet1", rows)]);
    let m = zero_config(&sb, "2026-10");
    close(num(&m, "kpis.revenue.month"), 2988.0);
    close(num(&m, "kpis.orders.month"), 2.0);
    close(num(&m, "kpis.active_customers.month"), 1.0);
    close(num(by(&m, "region", "北京"), "revenue.month"), 2988.0);
}

#[test]
fn pinduoduo_export_with_units_in_headers() {
    // 拼多多: money headers carry (元), quantity (件); 用户实付金额 over 商家实收金额 and
    // 商品总价; the buyer is 收货人.
    let sb = Sandbox::new();
    std::fs::write(
        sb.input("pdd-orders.csv"),
        "订单号,商品,订单状态,商品总价(元),店铺优惠折扣(元),用户实付金额(元),商家实收金额(元),商品数量(件),订单成交时间,收货人,省\n\
         261003-123456789,毛巾,已收货,30.00,5.00,25.00,24.50,2,2026-10-03 10:00:00,张某,浙江\n\
         261004-123456790,牙刷,已取消,10.00,0.00,10.00,9.80,1,2026-10-04 10:00:00,李某,江苏\n\
         261020-123456791,杯子,已发货，待收货,20.00,0.00,20.00,19.60,1,2026-10-20 10:00:00,张某,浙江\n",
    )
    .unwrap();
    let m = zero_config(&sb, "2026-10");
    close(num(&m, "kpis.revenue.month"), 45.0);
    close(num(&m, "kpis.orders.month"), 2.0);
    close(num(&m, "kpis.active_customers.month"), 1.0);
}

#[test]
fn till_export_without_customers_and_a_counted_totals_row() {
    // A till (POS) export: receipts (小票号) of several lines, the cashier as the rep, no
    // customer column, and a totals row whose receipt cell holds a count.
    let sb = Sandbox::new();
    let header = [
        "款台",
        "收款员",
        "销售日期",
        "销售时间",
        "小票号",
        "商品名称",
        "数量",
        "售价",
        "销售金额",
    ];
    let rows = vec![
        header.iter().map(|h| S(h)).collect(),
        vec![
            S("01"),
            S("102.王定邦"),
            S("2026-10-07"),
            S("16:12:27"),
            S("0001"),
            S("牛奶"),
            N(2.0),
            N(5.5),
            N(11.0),
        ],
        vec![
            S("01"),
            S("102.王定邦"),
            S("2026-10-07"),
            S("16:12:27"),
            S("0001"),
            S("面包"),
            N(1.0),
            N(6.0),
            N(6.0),
        ],
        vec![
            S("01"),
            S("102.王定邦"),
            S("2026-10-08"),
            S("09:00:00"),
            S("0002"),
            S("鸡蛋"),
            N(1.0),
            N(12.0),
            N(12.0),
        ],
        vec![S("合计"), E, E, E, N(3.0), E, N(4.0), E, N(29.0)],
    ];
    xlsx(&sb.input("收银流水.xlsx"), &[("实用才是硬道理", rows)]);
    let m = zero_config(&sb, "2026-10");
    close(num(&m, "kpis.revenue.month"), 29.0);
    close(num(&m, "kpis.orders.month"), 2.0);
    null(&m, "active_customers", "month");
    null(&m, "retention_rate", "month");
    assert_eq!(m["data_quality"]["tables"]["orders"]["totals_rows"], 1);
    // The report says so instead of drawing new against returning customers.
    let report = lopdf::Document::load(sb.out().join("2026-10/report.pdf")).unwrap();
    let pages: Vec<u32> = report.get_pages().keys().copied().collect();
    let text: String = report
        .extract_text(&pages)
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(text.contains("客户指标未计算"), "{text}");
}

#[test]
fn pharmacy_lines_keyed_by_card_with_weekday_dates() {
    // A pharmacy system: 购药时间 as `2026-10-03 星期一` (the weekday is wrong, as real
    // exports have it, and ignored), 社保卡号 with leading zeros as the customer, 应收 and
    // 实收 amounts, no receipt numbers.
    let sb = Sandbox::new();
    let rows = vec![
        vec![
            S("购药时间"),
            S("社保卡号"),
            S("商品编码"),
            S("商品名称"),
            S("销售数量"),
            S("应收金额"),
            S("实收金额"),
        ],
        vec![
            S("2026-10-03 星期一"),
            S("001616528"),
            S("236701"),
            S("强力VC银翘片"),
            N(6.0),
            N(82.8),
            N(69.0),
        ],
        vec![
            S("2026-10-05 星期五"),
            S("001616528"),
            S("236701"),
            S("强力VC银翘片"),
            N(1.0),
            N(13.8),
            N(12.0),
        ],
        vec![
            S("2026-10-06 星期二"),
            S("0012697828"),
            S("861464"),
            S("复方利血平片"),
            N(2.0),
            N(28.0),
            N(28.0),
        ],
        vec![
            S("2026-09-30 星期三"),
            S("0012697828"),
            S("861464"),
            S("复方利血平片"),
            N(-1.0),
            N(-14.0),
            N(-14.0),
        ],
    ];
    xlsx(&sb.input("2026年销售数据.xlsx"), &[("Sheet1", rows)]);
    let m = zero_config(&sb, "2026-10");
    close(num(&m, "kpis.revenue.month"), 109.0);
    close(num(&m, "kpis.orders.month"), 3.0);
    close(num(&m, "kpis.active_customers.month"), 2.0);
    // The card 0012697828 returned something in September: active both months.
    close(num(&m, "kpis.retention_rate.month"), 1.0);
}

#[test]
fn hand_made_monthly_summary_in_ten_thousands() {
    // A summary kept by hand: a title, 月份 as `2026年9月`, 销售额（万元）, a 合计 row.
    let sb = Sandbox::new();
    let rows = vec![
        vec![S("2026年各区域销售额汇总")],
        vec![S("月份"), S("区域"), S("销售额（万元）")],
        vec![S("2026年9月"), S("华东"), N(12.5)],
        vec![S("2026年9月"), S("华南"), N(8.0)],
        vec![S("2026年10月"), S("华东"), N(15.25)],
        vec![S("2026年10月"), S("华南"), N(9.75)],
        vec![S("合计"), E, N(45.5)],
    ];
    xlsx(&sb.input("销售汇总.xlsx"), &[("Sheet1", rows)]);
    let m = zero_config(&sb, "2026-10");
    // (15.25 + 9.75) 万 = 250,000; (12.5 + 8 + 25) 万 = 455,000.
    close(num(&m, "kpis.revenue.month"), 250_000.0);
    close(num(&m, "kpis.revenue.ytd"), 455_000.0);
    close(num(by(&m, "region", "华东"), "revenue.month"), 152_500.0);
    null(&m, "orders", "month");
    null(&m, "active_customers", "month");
    let u = understood(&m, "销售汇总.xlsx");
    assert!(u.contains("values × 10000"), "{u}");
}

/// Orders of 2026 for the target tests: 1,000 a month in 华东, 500 in 华南.
fn orders_2026(sb: &Sandbox) {
    let mut rows = vec![vec![
        S("订单号"),
        S("下单日期"),
        S("客户编号"),
        S("金额"),
        S("区域"),
    ]];
    for m in 1..=10u8 {
        rows.push(vec![
            O(format!("E{m}")),
            D(2026, m, 10),
            S("C1"),
            N(1000.0),
            S("华东"),
        ]);
        rows.push(vec![
            O(format!("S{m}")),
            D(2026, m, 12),
            S("C2"),
            N(500.0),
            S("华南"),
        ]);
    }
    xlsx(&sb.input("订单.xlsx"), &[("订单", rows)]);
}

#[test]
fn wide_targets_with_the_year_in_the_title_and_a_unit() {
    // Targets as people keep them: a title naming the year and the unit, regions as rows,
    // 1月…12月 as columns, a 全年合计 column and a 合计 row (both skipped).
    let sb = Sandbox::new();
    orders_2026(&sb);
    let mut header = vec![S("区域")];
    header.extend((1..=12).map(|m| O(format!("{m}月"))));
    header.push(S("全年合计"));
    let row = |name: &'static str, v: f64| {
        let mut r = vec![S(name)];
        r.extend((1..=12).map(|_| N(v)));
        r.push(N(v * 12.0));
        r
    };
    let rows = vec![
        vec![S("2026年销售目标（万元）")],
        header,
        row("华东", 0.1),
        row("华南", 0.05),
        row("合计", 0.15),
    ];
    xlsx(&sb.input("2026目标.xlsx"), &[("Sheet1", rows)]);
    let m = zero_config(&sb, "2026-10");
    // 0.1 万 = 1,000 a month in 华东, 500 in 华南: 1,500 a month, 18,000 a year.
    close(num(&m, "kpis.target.month"), 1500.0);
    close(num(&m, "kpis.target.year"), 18_000.0);
    close(num(&m, "kpis.attainment.month"), 1.0);
    close(num(by(&m, "region", "华东"), "target.month"), 1000.0);
    assert_eq!(m["data_quality"]["tables"]["targets"]["totals_rows"], 1);
}

#[test]
fn wide_quarterly_targets_with_a_year_column() {
    // Quarters as columns, the year in a column of its own: each quarter is split evenly
    // over its months (SPEC §3).
    let sb = Sandbox::new();
    orders_2026(&sb);
    let rows = vec![
        vec![S("年度"), S("区域"), S("Q1"), S("Q2"), S("Q3"), S("Q4")],
        vec![
            N(2026.0),
            S("华东"),
            N(3000.0),
            N(3000.0),
            N(3000.0),
            N(6000.0),
        ],
        vec![
            N(2026.0),
            S("华南"),
            N(1500.0),
            N(1500.0),
            N(1500.0),
            N(3000.0),
        ],
    ];
    xlsx(&sb.input("季度目标.xlsx"), &[("Sheet1", rows)]);
    let m = zero_config(&sb, "2026-10");
    // Q4 6,000 + 3,000 over three months: 3,000 in October; the year 15,000 + 7,500.
    close(num(&m, "kpis.target.month"), 3000.0);
    close(num(&m, "kpis.target.year"), 22_500.0);
}

#[test]
fn a_wide_sheet_without_a_year_is_skipped_saying_how_to_set_it() {
    let sb = Sandbox::new();
    orders_2026(&sb);
    std::fs::write(sb.input("目标.csv"), "区域,1月,2月,3月\n华东,1,2,3\n").unwrap();
    let r = sb.run(&["check"]);
    assert_exit(&r, 0);
    let out = String::from_utf8_lossy(&r.stdout);
    assert!(
        out.contains("periods as columns with no year in the sheet"),
        "{out}"
    );
    assert!(out.contains("year = YYYY"), "{out}");
}

#[test]
fn an_ambiguous_date_column_is_refused_and_date_order_settles_it() {
    let sb = Sandbox::new();
    std::fs::write(
        sb.input("orders.csv"),
        "Order No,Date,Customer,Total\nA1,03/04/2026,x,10\nA2,05/04/2026,y,20\n",
    )
    .unwrap();
    let r = sb.run(&["run"]);
    assert_exit(&r, 65);
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains(
            "column B (Date): 2 date(s) such as 03/04/2026 could be day/month or month/day"
        ),
        "{err}"
    );
    assert!(err.contains("date_order = \"dmy\""), "{err}");
    assert!(sb.outputs().is_empty(), "{:?}", sb.outputs());
    // Day first: 3 and 5 April.
    std::fs::write(sb.path().join("salesplan.toml"), "date_order = \"dmy\"\n").unwrap();
    assert_exit(&sb.run(&["run"]), 0);
    close(num(&sb.metrics("2026-04"), "kpis.revenue.month"), 30.0);
}

#[test]
fn a_header_only_sheet_without_a_required_column_is_skipped_when_orders_come_elsewhere() {
    let sb = Sandbox::new();
    orders_2026(&sb);
    // An order-number and customer list with neither date nor amount: not orders.
    xlsx(
        &sb.input("发货跟踪.xlsx"),
        &[(
            "Sheet1",
            vec![
                vec![S("订单编号"), S("客户编号"), S("物流单号")],
                vec![S("E1"), S("C1"), S("SF123")],
            ],
        )],
    );
    let r = sb.run(&["check"]);
    assert_exit(&r, 0);
    let out = String::from_utf8_lossy(&r.stdout);
    assert!(
        out.contains(
            "发货跟踪.xlsx › Sheet1: looks like orders but lacks its required column order_date"
        ),
        "{out}"
    );
    // Alone, the same sheet is an error naming the column.
    std::fs::remove_file(sb.input("订单.xlsx")).unwrap();
    let r = sb.run(&["check"]);
    assert_exit(&r, 65);
    assert!(String::from_utf8_lossy(&r.stderr).contains("missing required column order_date"));
}

#[test]
fn check_prints_the_mapping_and_writes_it_as_config() {
    let sb = Sandbox::new();
    let rows = vec![
        vec![
            S("单据编号"),
            S("单据日期"),
            S("客户"),
            S("数量"),
            S("含税单价"),
        ],
        vec![S("XS-1"), S("2026-10-08"), S("华东电子"), N(3.0), N(10.0)],
        vec![S("XS-2"), S("2026-10-09"), S("北方机械"), N(2.0), N(7.5)],
    ];
    xlsx(&sb.input("精斗云销售单.xlsx"), &[("Sheet1", rows)]);
    let r = sb.run(&["check", "--write-config", "pinned.toml"]);
    assert_exit(&r, 0);
    let out = String::from_utf8_lossy(&r.stdout);
    for line in [
        "精斗云销售单.xlsx › Sheet1 → orders (by its header, header row 1)",
        "order_id ← 单据编号",
        "order_date ← 单据日期",
        "amount ← 数量 × 含税单价 (no amount column)",
        "customer_id ← 客户 (no customer-id column; this column is the customer key)",
    ] {
        assert!(out.contains(line), "{line}\n{out}");
    }
    let pinned = std::fs::read_to_string(sb.path().join("pinned.toml")).unwrap();
    assert!(pinned.contains("\"含税单价\" = \"unit_price\""), "{pinned}");
    // 3 × 10 + 2 × 7.5, with the mapping pinned or not.
    assert_exit(&sb.run(&["run"]), 0);
    close(num(&sb.metrics("2026-10"), "kpis.revenue.month"), 45.0);
    let r = sb.run(&["run", "--config", "pinned.toml", "--out", "pinned"]);
    assert_exit(&r, 0);
    let text = std::fs::read_to_string(sb.path().join("pinned/2026-10/metrics.json")).unwrap();
    let again: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(again["kpis"], sb.metrics("2026-10")["kpis"]);
}
