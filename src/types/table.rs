//! The input tables of SPEC §2: their sheet names, columns, aliases and types, and how a
//! header is compared with them. This is the one place that knows what an export may call
//! a column.

/// How a column's cells are coerced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Any cell; integral numbers print without `.0` (ids).
    Text,
    /// Numbers, and text such as `¥1,234.50`, `(120.00)`, `12.5%`.
    Number,
    /// Excel dates and serials (1900 and 1904 systems) and the text forms of SPEC §2.
    Date,
    /// As date, with a time part.
    DateTime,
    /// A target period: `2026-10` (month), `2026-Q4` (quarter) or `2026` (year).
    Period,
    /// An NPS score: an integer from 0 to 10.
    Score,
    /// A lead stage: one of the configured stages (`stages` in salesplan.toml).
    Stage,
    /// A lead status: open, won or lost (进行中, 赢单, 输单).
    LeadStatus,
}

/// One column of a table.
#[derive(Debug)]
pub struct ColumnSpec {
    /// Canonical name, also accepted as a header.
    pub name: &'static str,
    /// Other header names, Chinese and English.
    pub aliases: &'static [&'static str],
    /// Coercion.
    pub ty: ColumnType,
    /// A row without a value here is rejected.
    pub required: bool,
}

const fn col(
    name: &'static str,
    aliases: &'static [&'static str],
    ty: ColumnType,
    required: bool,
) -> ColumnSpec {
    ColumnSpec {
        name,
        aliases,
        ty,
        required,
    }
}

use ColumnType::*;

const REGION: &[&str] = &["区域", "大区", "地区", "Region"];
const PRODUCT_LINE: &[&str] = &["产品线", "品类", "产品类别", "Category", "Product Line"];
const SEGMENT: &[&str] = &["客户群", "客户类型", "细分", "Segment", "Customer Segment"];
const REP: &[&str] = &[
    "销售代表",
    "业务员",
    "销售员",
    "工号",
    "Rep ID",
    "Salesperson",
];
const CUSTOMER: &[&str] = &["客户编号", "客户ID", "客户代码", "Customer ID"];

/// The tables salesplan reads, in the order used to break ties in header detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TableKind {
    Orders,
    Targets,
    Roster,
    Customers,
    Expenses,
    Leads,
    Tickets,
    Nps,
    FollowUps,
    Receivables,
    Inventory,
}

impl TableKind {
    /// Every table, in tie-break order.
    pub const ALL: [TableKind; 11] = [
        TableKind::Orders,
        TableKind::Targets,
        TableKind::Roster,
        TableKind::Customers,
        TableKind::Expenses,
        TableKind::Leads,
        TableKind::Tickets,
        TableKind::Nps,
        TableKind::FollowUps,
        TableKind::Receivables,
        TableKind::Inventory,
    ];

    /// The table's name as in SPEC §2, `metrics.json` and `salesplan.toml`.
    pub fn name(self) -> &'static str {
        match self {
            TableKind::Orders => "orders",
            TableKind::Targets => "targets",
            TableKind::Roster => "roster",
            TableKind::Customers => "customers",
            TableKind::Expenses => "expenses",
            TableKind::Leads => "leads",
            TableKind::Tickets => "tickets",
            TableKind::Nps => "nps",
            TableKind::FollowUps => "follow_ups",
            TableKind::Receivables => "receivables",
            TableKind::Inventory => "inventory",
        }
    }

    /// Look a table up by its name.
    pub fn from_name(name: &str) -> Option<TableKind> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Sheet (or csv file) names that identify this table without looking at the header.
    pub fn sheet_names(self) -> &'static [&'static str] {
        match self {
            TableKind::Orders => &[
                "订单",
                "订单明细",
                "销售明细",
                "销售数据",
                "Orders",
                "Sales",
            ],
            TableKind::Targets => &["目标", "销售目标", "Targets"],
            TableKind::Roster => &["人员", "花名册", "销售团队", "Roster", "Team"],
            TableKind::Customers => &["客户", "客户档案", "Customers"],
            TableKind::Expenses => &["费用", "销售费用", "Expenses"],
            TableKind::Leads => &["线索", "询盘", "商机", "Leads", "Opportunities"],
            TableKind::Tickets => &["工单", "售后工单", "Tickets"],
            TableKind::Nps => &["NPS", "满意度调查"],
            TableKind::FollowUps => &["回访", "拜访记录", "Visits"],
            TableKind::Receivables => &["应收", "应收账款", "回款", "Receivables"],
            TableKind::Inventory => &["库存", "Inventory"],
        }
    }

    /// The key column: a row whose key is blank and that mentions a total is a totals row.
    pub fn key_column(self) -> &'static str {
        self.columns()[0].name
    }

    /// The table's columns.
    pub fn columns(self) -> &'static [ColumnSpec] {
        match self {
            TableKind::Orders => ORDERS,
            TableKind::Targets => TARGETS,
            TableKind::Roster => ROSTER,
            TableKind::Customers => CUSTOMERS,
            TableKind::Expenses => EXPENSES,
            TableKind::Leads => LEADS,
            TableKind::Tickets => TICKETS,
            TableKind::Nps => NPS,
            TableKind::FollowUps => FOLLOW_UPS,
            TableKind::Receivables => RECEIVABLES,
            TableKind::Inventory => INVENTORY,
        }
    }

    /// The column spec by canonical name.
    pub fn column(self, name: &str) -> Option<&'static ColumnSpec> {
        self.columns().iter().find(|c| c.name == name)
    }
}

static ORDERS: &[ColumnSpec] = &[
    col(
        "order_id",
        &["订单号", "订单编号", "订单ID", "单号", "Order ID"],
        Text,
        true,
    ),
    col(
        "order_date",
        &["下单日期", "订单日期", "日期", "Order Date"],
        Date,
        true,
    ),
    col("customer_id", CUSTOMER, Text, true),
    col(
        "amount",
        &["金额", "销售额", "销售金额", "成交金额", "Sales", "Amount"],
        Number,
        true,
    ),
    col("rep_id", REP, Text, false),
    col("region", REGION, Text, false),
    col("product_line", PRODUCT_LINE, Text, false),
    col("quantity", &["数量", "销量", "Quantity"], Number, false),
    col("cost", &["成本", "Cost"], Number, false),
    col("status", &["状态", "订单状态", "Status"], Text, false),
];

static TARGETS: &[ColumnSpec] = &[
    col("period", &["期间", "月份", "周期", "Period"], Period, true),
    col(
        "target",
        &["目标", "目标金额", "销售目标", "Target"],
        Number,
        true,
    ),
    col("region", REGION, Text, false),
    col("product_line", PRODUCT_LINE, Text, false),
    col("customer_segment", SEGMENT, Text, false),
    col("rep_id", REP, Text, false),
];

static ROSTER: &[ColumnSpec] = &[
    col(
        "rep_id",
        &["工号", "员工编号", "Rep ID", "销售代表", "业务员", "销售员"],
        Text,
        true,
    ),
    col("name", &["姓名", "Name"], Text, false),
    col("region", REGION, Text, false),
    col("team", &["团队", "Team"], Text, false),
    col("hire_date", &["入职日期", "Hire Date"], Date, false),
    col("leave_date", &["离职日期", "Leave Date"], Date, false),
];

static CUSTOMERS: &[ColumnSpec] = &[
    col("customer_id", CUSTOMER, Text, true),
    col(
        "name",
        &["客户名称", "名称", "Name", "Customer Name"],
        Text,
        false,
    ),
    col("segment", SEGMENT, Text, false),
    col("region", REGION, Text, false),
    col(
        "first_order_date",
        &["首单日期", "开户日期", "First Order Date"],
        Date,
        false,
    ),
];

static EXPENSES: &[ColumnSpec] = &[
    col("date", &["日期", "发生日期", "Date"], Date, true),
    col(
        "category",
        &["费用类别", "类别", "科目", "Category"],
        Text,
        true,
    ),
    col("amount", &["金额", "Amount"], Number, true),
    col("region", REGION, Text, false),
];

static LEADS: &[ColumnSpec] = &[
    col("lead_id", &["线索编号", "商机编号", "Lead ID"], Text, true),
    col(
        "created_date",
        &["创建日期", "询盘日期", "Created"],
        Date,
        true,
    ),
    col("stage", &["阶段", "Stage"], Stage, true),
    col("status", &["状态", "Status"], LeadStatus, false),
    col("rep_id", REP, Text, false),
    col("region", REGION, Text, false),
    col("source", &["来源", "Source"], Text, false),
    col("amount", &["金额", "Amount"], Number, false),
];

static TICKETS: &[ColumnSpec] = &[
    col(
        "ticket_id",
        &["工单号", "工单编号", "Ticket ID"],
        Text,
        true,
    ),
    col("created_at", &["创建时间", "Created At"], DateTime, true),
    col(
        "first_response_at",
        &["首次响应时间", "First Response At"],
        DateTime,
        false,
    ),
    col("customer_id", CUSTOMER, Text, false),
    col("region", REGION, Text, false),
];

static NPS: &[ColumnSpec] = &[
    col("customer_id", CUSTOMER, Text, true),
    col("date", &["调查日期", "日期", "Date"], Date, true),
    col("score", &["评分", "得分", "Score"], Score, true),
];

static FOLLOW_UPS: &[ColumnSpec] = &[
    col("customer_id", CUSTOMER, Text, true),
    col(
        "date",
        &["回访日期", "拜访日期", "日期", "Date"],
        Date,
        true,
    ),
    col("rep_id", REP, Text, false),
    col("type", &["类型", "Type"], Text, false),
];

static RECEIVABLES: &[ColumnSpec] = &[
    col(
        "invoice_id",
        &["发票号", "单据号", "Invoice ID"],
        Text,
        true,
    ),
    col("customer_id", CUSTOMER, Text, true),
    col("due_date", &["到期日", "应收日期", "Due Date"], Date, true),
    col("amount", &["应收金额", "金额", "Amount"], Number, true),
    col("invoice_date", &["开票日期", "Invoice Date"], Date, false),
    col(
        "collected_amount",
        &["回款金额", "已收金额", "Collected"],
        Number,
        false,
    ),
    col(
        "collected_date",
        &["回款日期", "Collected Date"],
        Date,
        false,
    ),
];

static INVENTORY: &[ColumnSpec] = &[
    col(
        "snapshot_date",
        &["盘点日期", "快照日期", "Date"],
        Date,
        true,
    ),
    col("product_line", PRODUCT_LINE, Text, true),
    col(
        "on_hand_qty",
        &["库存数量", "在库数量", "On Hand"],
        Number,
        true,
    ),
];

/// Header text as compared: lower case, without white space or underscores, so that
/// `订单 ID` = `订单ID` and `Order_ID` = `order id`.
pub fn normalize_header(s: &str) -> String {
    s.chars()
        .map(halfwidth)
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '\u{feff}')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Full-width ASCII (`ＩＤ`, as some Chinese systems type it) as plain ASCII.
fn halfwidth(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Helper fields of orders: header words that stand in for a column (a unit price with a
/// quantity gives the amount; a customer's name stands in for their id; a month column
/// makes a monthly summary).
pub const HELPERS: [&str; 3] = ["unit_price", "customer_name", "order_month"];

/// Column letters as Excel shows them (0 → A, 26 → AA).
pub fn column_letter(mut col: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_case_and_space_insensitively() {
        assert_eq!(normalize_header("订单 ID"), normalize_header("订单ID"));
        assert_eq!(normalize_header("Order_ID"), normalize_header("order id"));
        assert_eq!(normalize_header(" Amount\u{3000}"), "amount");
        assert_eq!(normalize_header("订单ＩＤ"), normalize_header("订单ID"));
    }

    #[test]
    fn every_table_has_a_required_key_first() {
        for t in TableKind::ALL {
            assert!(t.columns()[0].required, "{}", t.name());
            assert_eq!(TableKind::from_name(t.name()), Some(t));
        }
    }
}
