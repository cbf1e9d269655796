//! The header words real systems write, per table and field, beyond SPEC §2's minimum
//! aliases (which live in [`super::schema`]). This is data: one entry a header, with the
//! system family it was taken from. Headers are compared after [`super::schema::normalize_header`]
//! (case, spaces, underscores, full-width forms), so each word is written once.
//!
//! Besides the tables' own columns, orders have helper fields that stand in for a missing
//! column (SPEC §2 "Exports as real systems write them"):
//! - `unit_price`: amount = quantity × unit price when no amount column exists;
//! - `customer_name`: the customer key when no customer-id column exists;
//! - `order_month`: a month column (月份, 年月) of an aggregated export, when there is no date.
//!
//! `rank` orders several columns that name one field: the highest wins, ties go to the
//! leftmost. Money columns rank what the customer actually pays (after discounts, tax
//! included) above list, gross, untaxed or receivable amounts; the default rank is 5.

use super::schema::TableKind;

/// One header word.
#[derive(Debug, Clone, Copy)]
pub struct Word {
    /// The header as systems write it.
    pub header: &'static str,
    /// The field it names (a column of the table, or a helper field).
    pub field: &'static str,
    /// Preference among columns naming the same field.
    pub rank: u8,
}

/// The default rank, that of SPEC §2's aliases.
pub const RANK: u8 = 5;

const fn w(header: &'static str, field: &'static str) -> Word {
    Word {
        header,
        field,
        rank: RANK,
    }
}

const fn r(header: &'static str, field: &'static str, rank: u8) -> Word {
    Word {
        header,
        field,
        rank,
    }
}

/// Helper fields: header words that stand in for a column (see the module docs).
pub const HELPERS: [&str; 3] = ["unit_price", "customer_name", "order_month"];

/// The words for a table.
pub fn words(table: TableKind) -> &'static [Word] {
    match table {
        TableKind::Orders => ORDERS,
        TableKind::Targets => TARGETS,
        TableKind::Roster => ROSTER,
        TableKind::Customers => CUSTOMERS,
        TableKind::Expenses => EXPENSES,
        TableKind::Receivables => RECEIVABLES,
        TableKind::Inventory => INVENTORY,
        TableKind::Leads => LEADS,
        TableKind::Tickets | TableKind::Nps | TableKind::FollowUps => &[],
    }
}

static ORDERS: &[Word] = &[
    // --- order_id: document numbers ---
    // 金蝶 K/3 Cloud, 精斗云, 用友 U8/T+ document lists
    w("单据编号", "order_id"),
    w("单据号", "order_id"),
    w("单号", "order_id"),
    w("销售单号", "order_id"),
    w("销售订单号", "order_id"),
    w("出库单号", "order_id"),
    w("发货单号", "order_id"),
    // CRM contracts and orders (销售易, 纷享销客)
    w("合同编号", "order_id"),
    w("销售订单编号", "order_id"),
    w("合同号", "order_id"),
    w("订单号码", "order_id"),
    // invoices listed as sales (金蝶/用友 销售发票, SAP billing)
    r("发票号", "order_id", 4),
    r("发票号码", "order_id", 4),
    r("发票编号", "order_id", 4),
    // tills and POS (小票 = receipt)
    w("小票号", "order_id"),
    w("小票编号", "order_id"),
    w("收银单号", "order_id"),
    w("流水号", "order_id"),
    w("交易单号", "order_id"),
    w("交易号", "order_id"),
    // 淘宝/天猫, 京东, 拼多多, 有赞 order reports
    w("订单编号", "order_id"),
    w("主订单编号", "order_id"),
    r("子订单编号", "order_id", 4),
    // SAP (VF05 billing list, VA05 sales orders)
    w("Billing Document", "order_id"),
    w("Billing Doc.", "order_id"),
    w("Sales Document", "order_id"),
    w("Sales Order", "order_id"),
    w("Sales Order Number", "order_id"),
    w("SO Number", "order_id"),
    // Odoo, WooCommerce, generic English lists
    w("Order Reference", "order_id"),
    w("Order Number", "order_id"),
    w("Order No", "order_id"),
    w("OrderID", "order_id"),
    w("Order", "order_id"),
    r("Invoice No", "order_id", 4),
    r("Invoice Number", "order_id", 4),
    r("Invoice ID", "order_id", 4),
    w("Receipt No", "order_id"),
    w("Receipt Number", "order_id"),
    w("Transaction ID", "order_id"),
    // Shopify: `Name` holds `#1001` (only with Shopify's other columns, see SHOPIFY)
    // --- order_date ---
    w("单据日期", "order_date"),
    w("业务日期", "order_date"),
    w("销售日期", "order_date"),
    r("出库日期", "order_date", 4),
    r("发货日期", "order_date", 4),
    w("交易日期", "order_date"),
    w("交易时间", "order_date"),
    w("成交日期", "order_date"),
    w("成交时间", "order_date"),
    w("下单时间", "order_date"),
    w("订单时间", "order_date"),
    w("订单创建时间", "order_date"),
    w("创建时间", "order_date"),
    r("订单付款时间", "order_date", 4),
    r("付款时间", "order_date", 4),
    r("支付时间", "order_date", 4),
    w("订单成交时间", "order_date"),
    w("签约日期", "order_date"),
    w("签订日期", "order_date"),
    w("合同日期", "order_date"),
    w("开票日期", "order_date"),
    w("购药时间", "order_date"),
    w("购买时间", "order_date"),
    w("购买日期", "order_date"),
    w("消费时间", "order_date"),
    w("消费日期", "order_date"),
    w("收银时间", "order_date"),
    w("Billing Date", "order_date"),
    w("Document Date", "order_date"),
    w("Doc. Date", "order_date"),
    r("Created On", "order_date", 4),
    w("Invoice/Bill Date", "order_date"),
    w("Invoice Date", "order_date"),
    w("OrderDate", "order_date"),
    w("Created at", "order_date"),
    w("Created Date", "order_date"),
    w("Date Created", "order_date"),
    r("Paid at", "order_date", 4),
    w("Close Date", "order_date"),
    w("Closing Date", "order_date"),
    w("Transaction Date", "order_date"),
    w("Sale Date", "order_date"),
    w("Sales Date", "order_date"),
    w("sell_date", "order_date"),
    w("Sold Date", "order_date"),
    r("Date", "order_date", 3),
    r("时间", "order_date", 3),
    // --- order_month: aggregated exports ---
    w("月份", "order_month"),
    w("年月", "order_month"),
    w("统计月份", "order_month"),
    w("销售月份", "order_month"),
    w("期间", "order_month"),
    w("Month", "order_month"),
    w("Period", "order_month"),
    w("Year Month", "order_month"),
    // --- customer_id ---
    w("客户编码", "customer_id"),
    w("客户代码", "customer_id"),
    w("客户号", "customer_id"),
    w("会员编号", "customer_id"),
    w("会员ID", "customer_id"),
    w("买家ID", "customer_id"),
    w("用户ID", "customer_id"),
    w("Customer No", "customer_id"),
    w("Customer Number", "customer_id"),
    w("CustomerID", "customer_id"),
    w("Customer Code", "customer_id"),
    w("Account ID", "customer_id"),
    w("Payer", "customer_id"),
    w("Sold-to party", "customer_id"),
    w("Sold-To Party", "customer_id"),
    w("Customer User ID", "customer_id"),
    // --- customer_name: the key when no id column exists ---
    w("客户", "customer_name"),
    w("客户名称", "customer_name"),
    w("客户简称", "customer_name"),
    w("客户全称", "customer_name"),
    w("购货单位", "customer_name"),
    w("往来单位", "customer_name"),
    w("买家会员名", "customer_name"),
    w("买家昵称", "customer_name"),
    w("买家账号", "customer_name"),
    w("下单账号", "customer_name"),
    w("下单帐号", "customer_name"),
    w("客户账号", "customer_name"),
    w("会员卡号", "customer_name"),
    w("会员号", "customer_name"),
    w("会员名", "customer_name"),
    w("会员手机号", "customer_name"),
    // 有赞, 拼多多 (the recipient when nothing better names the buyer)
    w("买家姓名", "customer_name"),
    w("买家手机号", "customer_name"),
    r("收货人", "customer_name", 3),
    r("收货人姓名", "customer_name", 3),
    w("社保卡号", "customer_name"),
    w("卡号", "customer_name"),
    w("Customer", "customer_name"),
    w("Customer Name", "customer_name"),
    w("Account Name", "customer_name"),
    w("Associated Company", "customer_name"),
    w("Account", "customer_name"),
    w("Partner", "customer_name"),
    w("Company", "customer_name"),
    w("Company Name", "customer_name"),
    w("Client", "customer_name"),
    w("Client Name", "customer_name"),
    w("Email", "customer_name"),
    w("E-mail", "customer_name"),
    w("E-mail Address", "customer_name"),
    w("Email Address", "customer_name"),
    w("Customer Email", "customer_name"),
    r("Billing Email", "customer_name", 4),
    // --- amount: the money paid, best first ---
    // tax-included totals (金蝶/用友/精斗云)
    r("价税合计", "amount", 9),
    r("含税金额", "amount", 8),
    r("价税合计本位币", "amount", 8),
    // paid amounts (tills, 淘宝, 拼多多, 有赞, pharmacy)
    r("实收金额", "amount", 8),
    r("实收", "amount", 8),
    r("实付金额", "amount", 8),
    r("实付款", "amount", 8),
    r("实际支付", "amount", 8),
    r("实际支付金额", "amount", 8),
    r("买家实际支付金额", "amount", 8),
    r("用户实付金额", "amount", 8),
    r("订单实付金额", "amount", 8),
    r("商家实收金额", "amount", 7),
    r("优惠后金额", "amount", 7),
    r("折后金额", "amount", 7),
    r("成交金额", "amount", 6),
    r("销售金额", "amount", 6),
    r("交易额", "amount", 5),
    r("交易金额", "amount", 5),
    r("营业额", "amount", 5),
    r("订单金额", "amount", 5),
    r("合同金额", "amount", 5),
    r("签约金额", "amount", 5),
    r("收入", "amount", 5),
    r("销售收入", "amount", 5),
    r("金额", "amount", 5),
    r("总金额", "amount", 4),
    // 京东: 应付金额 is the order after discounts, 订单金额 before them.
    r("应付金额", "amount", 6),
    r("应付", "amount", 3),
    r("买家应付货款", "amount", 3),
    r("商品总价", "amount", 3),
    r("售价金额", "amount", 3),
    r("应收金额", "amount", 3),
    r("应收", "amount", 3),
    r("无税金额", "amount", 3),
    r("不含税金额", "amount", 3),
    r("本币无税金额", "amount", 3),
    // English: Total over Subtotal, Net Revenue over Gross Revenue
    r("Total", "amount", 7),
    r("Order Total", "amount", 7),
    r("Order Total Amount", "amount", 7),
    r("Total Amount", "amount", 7),
    r("Amount Paid", "amount", 8),
    r("Total Signed", "amount", 7),
    r("Net Revenue", "amount", 6),
    r("NetRevenue", "amount", 6),
    r("Net Sales", "amount", 6),
    r("Net Value", "amount", 6),
    r("Revenue", "amount", 5),
    r("Sales Amount", "amount", 5),
    r("Sale Amount", "amount", 5),
    r("Line Total", "amount", 5),
    r("sell_price", "amount", 4),
    r("Subtotal", "amount", 3),
    r("Untaxed Amount", "amount", 3),
    r("Gross Revenue", "amount", 3),
    r("GrossRevenue", "amount", 3),
    r("Gross Sales", "amount", 3),
    // --- unit_price: amount = quantity × unit price ---
    r("含税单价", "unit_price", 6),
    w("单价", "unit_price"),
    w("成交价", "unit_price"),
    r("售价", "unit_price", 4),
    r("无税单价", "unit_price", 3),
    w("Unit Price", "unit_price"),
    w("UnitPrice", "unit_price"),
    w("Price", "unit_price"),
    w("Sale Price", "unit_price"),
    w("Net Price", "unit_price"),
    w("Lineitem price", "unit_price"),
    r("ListPrice", "unit_price", 4),
    r("List Price", "unit_price", 4),
    // --- quantity ---
    w("销售数量", "quantity"),
    w("出库数量", "quantity"),
    w("实发数量", "quantity"),
    w("发货数量", "quantity"),
    w("主数量", "quantity"),
    w("件数", "quantity"),
    w("购买数量", "quantity"),
    w("订购数量", "quantity"),
    w("商品数量", "quantity"),
    w("宝贝总数量", "quantity"),
    w("Qty", "quantity"),
    w("Units", "quantity"),
    w("Units Sold", "quantity"),
    w("Order Quantity", "quantity"),
    w("Lineitem quantity", "quantity"),
    // --- rep_id ---
    w("销售代表ID", "rep_id"),
    w("销售代表编号", "rep_id"),
    w("销售人员", "rep_id"),
    w("销售员编号", "rep_id"),
    w("业务员编号", "rep_id"),
    w("负责人", "rep_id"),
    w("所有人", "rep_id"),
    w("客户经理", "rep_id"),
    w("收银员", "rep_id"),
    w("收款员", "rep_id"),
    w("营业员", "rep_id"),
    w("导购", "rep_id"),
    w("Sales Rep", "rep_id"),
    w("SalesPerson", "rep_id"),
    w("Sales Person", "rep_id"),
    w("Sales Representative", "rep_id"),
    w("Owner", "rep_id"),
    w("Opportunity Owner", "rep_id"),
    w("Deal Owner", "rep_id"),
    w("Account Owner", "rep_id"),
    w("Cashier", "rep_id"),
    // --- region ---
    w("销售区域", "region"),
    w("片区", "region"),
    r("省份", "region", 3),
    r("省", "region", 3),
    r("客户省份", "region", 3),
    r("收货省份", "region", 3),
    r("省/自治区", "region", 3),
    r("销售部门", "region", 3),
    r("部门", "region", 3),
    w("RegionName", "region"),
    w("Sales Region", "region"),
    w("Territory", "region"),
    r("Country", "region", 3),
    r("State", "region", 2),
    // --- product_line ---
    w("类别", "product_line"),
    w("商品类别", "product_line"),
    w("商品分类", "product_line"),
    w("存货分类", "product_line"),
    w("物料分组", "product_line"),
    w("品牌", "product_line"),
    w("柜台", "product_line"),
    w("宝贝种类", "product_line"),
    w("Product Category", "product_line"),
    w("product_category", "product_line"),
    w("Product Type", "product_line"),
    w("Product Line", "product_line"),
    r("Product", "product_line", 4),
    // --- cost ---
    w("销售成本", "cost"),
    w("成本金额", "cost"),
    w("总成本", "cost"),
    r("COGS", "cost", 6),
    r("CostOfOrder", "cost", 6),
    r("Cost of Goods Sold", "cost", 6),
    r("Total Cost", "cost", 6),
    // --- status ---
    w("单据状态", "status"),
    w("交易状态", "status"),
    w("订单状态", "status"),
    // 纷享销客: 生命状态 正常 / 作废
    w("生命状态", "status"),
    w("Order Status", "status"),
    w("Financial Status", "status"),
];

/// Shopify's order export names the order `Name` (`#1001`); `Name` is read as the order id
/// only in a header that also has one of these Shopify columns.
pub const SHOPIFY: (&str, &[&str]) = (
    "name",
    &["financialstatus", "lineitemquantity", "fulfillmentstatus"],
);

static TARGETS: &[Word] = &[
    w("目标额", "target"),
    w("销售目标额", "target"),
    w("目标销售额", "target"),
    w("任务额", "target"),
    w("销售任务", "target"),
    w("任务", "target"),
    w("指标", "target"),
    w("销售指标", "target"),
    w("计划", "target"),
    w("计划金额", "target"),
    w("预算", "target"),
    w("Sales Target", "target"),
    w("Target Amount", "target"),
    w("Quota", "target"),
    w("Budget", "target"),
    w("Plan", "target"),
    w("年月", "period"),
    w("月", "period"),
    w("Month", "period"),
    r("日期", "period", 3),
    r("Date", "period", 3),
    r("Order Date", "period", 3),
    w("省份", "region"),
    w("Country", "region"),
    w("类别", "product_line"),
    w("Product", "product_line"),
];

static ROSTER: &[Word] = &[
    w("员工号", "rep_id"),
    w("员工ID", "rep_id"),
    w("人员编号", "rep_id"),
    w("Employee ID", "rep_id"),
    w("Employee No", "rep_id"),
    w("Staff ID", "rep_id"),
    w("员工姓名", "name"),
    w("Employee Name", "name"),
    w("部门", "team"),
    w("Department", "team"),
    w("入职时间", "hire_date"),
    w("离职时间", "leave_date"),
    w("Start Date", "hire_date"),
    w("End Date", "leave_date"),
];

static CUSTOMERS: &[Word] = &[
    w("客户编码", "customer_id"),
    w("CustomerID", "customer_id"),
    w("Customer No", "customer_id"),
    w("Customer Code", "customer_id"),
    w("客户等级", "segment"),
    w("客户分类", "segment"),
    w("会员等级", "segment"),
    w("Customer Type", "segment"),
    w("Tier", "segment"),
    w("注册日期", "first_order_date"),
    w("建档日期", "first_order_date"),
    w("省份", "region"),
];

static EXPENSES: &[Word] = &[
    w("费用项目", "category"),
    w("费用类型", "category"),
    w("报销日期", "date"),
    w("报销金额", "amount"),
    w("费用金额", "amount"),
    w("Expense Type", "category"),
    w("Expense Category", "category"),
    w("Expense Date", "date"),
];

static RECEIVABLES: &[Word] = &[
    w("发票号码", "invoice_id"),
    w("单据编号", "invoice_id"),
    w("Invoice No", "invoice_id"),
    w("Invoice Number", "invoice_id"),
    w("应收日期", "due_date"),
    w("到期日期", "due_date"),
    w("收款日期", "collected_date"),
    w("已收金额", "collected_amount"),
    w("实收金额", "collected_amount"),
    w("Amount Due", "amount"),
    w("Amount Paid", "collected_amount"),
    w("Paid Date", "collected_date"),
];

static INVENTORY: &[Word] = &[
    w("现存量", "on_hand_qty"),
    w("结存数量", "on_hand_qty"),
    w("可用库存", "on_hand_qty"),
    w("Quantity On Hand", "on_hand_qty"),
    w("Stock", "on_hand_qty"),
];

static LEADS: &[Word] = &[
    w("线索ID", "lead_id"),
    w("商机ID", "lead_id"),
    w("商机名称", "lead_id"),
    w("Opportunity ID", "lead_id"),
    w("Opportunity Name", "lead_id"),
    w("Deal Name", "lead_id"),
    w("Deal ID", "lead_id"),
    w("销售阶段", "stage"),
    w("商机阶段", "stage"),
    w("Deal Stage", "stage"),
    w("创建时间", "created_date"),
    w("Created Time", "created_date"),
    w("Create Date", "created_date"),
    w("Created Date", "created_date"),
    w("商机金额", "amount"),
    w("线索来源", "source"),
    w("Lead Source", "source"),
];
