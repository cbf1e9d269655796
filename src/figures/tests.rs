//! Every figure on a small hand-built data set, with the expected values worked out here.
//!
//! Report month 2026-03 (so qtd = ytd = Jan–Mar 2026).
//!
//! | order | date       | customer | amount | region | cost | status  |
//! |-------|------------|----------|--------|--------|------|---------|
//! | O1    | 2025-03-10 | C1       | 100    | A      |      |         |
//! | O2    | 2026-01-05 | C1       | 200    | A      |      |         |
//! | O3    | 2026-02-10 | C2       | 300    | B      |      |         |
//! | O4    | 2026-03-01 | C1       | 400    | A      | 300  |         |
//! | O4    | 2026-03-01 | C1       | -50    | A      | -40  | 退货    |
//! | O5    | 2026-03-15 | C3       | 500    | B      |      |         |
//! | O6    | 2026-03-20 | C2       | 1000   | B      |      | 已取消  |
//! | O7    | 2026-03-25 | C2       | 250    | B      | 100  |         |
//! | O8    | 2026-04-02 | C4       | 999    | A      |      |         |

use chrono::NaiveDate;

use super::*;
use crate::ingest::sheet::{ColumnValues, TableRows};

/// A cell of a hand-built row.
enum V {
    T(&'static str),
    N(f64),
    D(&'static str),
}

fn days(s: &str) -> i32 {
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days() as i32
}

/// Rows given as (column, value) pairs; other columns are blank.
fn rows(kind: TableKind, data: &[&[(&str, V)]]) -> TableRows {
    let mut t = TableRows::new(kind);
    for row in data {
        for (spec, column) in kind.columns().iter().zip(t.columns.iter_mut()) {
            let v = row
                .iter()
                .find(|(name, _)| *name == spec.name)
                .map(|(_, v)| v);
            match (column, v) {
                (ColumnValues::Text(c), Some(V::T(s))) => c.push(Some(s.to_string())),
                (ColumnValues::Text(c), _) => c.push(None),
                (ColumnValues::Number(c), Some(V::N(n))) => c.push(Some(*n)),
                (ColumnValues::Number(c), _) => c.push(None),
                (ColumnValues::Date(c), Some(V::D(d))) => c.push(Some(days(d))),
                (ColumnValues::Date(c), _) => c.push(None),
                (ColumnValues::DateTime(c), _) => c.push(None),
            }
        }
        t.rows += 1;
    }
    t
}

fn order(
    id: &'static str,
    date: &'static str,
    customer: &'static str,
    amount: f64,
    region: &'static str,
) -> Vec<(&'static str, V)> {
    vec![
        ("order_id", V::T(id)),
        ("order_date", V::D(date)),
        ("customer_id", V::T(customer)),
        ("amount", V::N(amount)),
        ("region", V::T(region)),
    ]
}

fn with(mut row: Vec<(&'static str, V)>, extra: Vec<(&'static str, V)>) -> Vec<(&'static str, V)> {
    row.extend(extra);
    row
}

fn orders() -> TableRows {
    let data = [
        order("O1", "2025-03-10", "C1", 100.0, "A"),
        order("O2", "2026-01-05", "C1", 200.0, "A"),
        order("O3", "2026-02-10", "C2", 300.0, "B"),
        with(
            order("O4", "2026-03-01", "C1", 400.0, "A"),
            vec![("cost", V::N(300.0))],
        ),
        with(
            order("O4", "2026-03-01", "C1", -50.0, "A"),
            vec![("cost", V::N(-40.0)), ("status", V::T("退货"))],
        ),
        order("O5", "2026-03-15", "C3", 500.0, "B"),
        with(
            order("O6", "2026-03-20", "C2", 1000.0, "B"),
            vec![("status", V::T("已取消"))],
        ),
        with(
            order("O7", "2026-03-25", "C2", 250.0, "B"),
            vec![("cost", V::N(100.0))],
        ),
        order("O8", "2026-04-02", "C4", 999.0, "A"),
    ];
    let refs: Vec<&[(&str, V)]> = data.iter().map(|r| r.as_slice()).collect();
    rows(TableKind::Orders, &refs)
}

fn target(
    period: &'static str,
    region: Option<&'static str>,
    amount: f64,
) -> Vec<(&'static str, V)> {
    let mut r = vec![("period", V::T(period)), ("target", V::N(amount))];
    if let Some(g) = region {
        r.push(("region", V::T(g)));
    }
    r
}

fn build(extra: Vec<(TableKind, TableRows)>) -> Tables {
    let mut all = std::collections::BTreeMap::new();
    all.insert(TableKind::Orders, orders());
    all.extend(extra);
    Tables::from_rows(all).unwrap()
}

fn full() -> Tables {
    let targets = [
        // A: a year row, split evenly: 200 a month.
        target("2026", Some("A"), 2400.0),
        // B: a Q1 row that the March month row overrides, so B has no Jan/Feb target;
        // a Q2 row split evenly (300 a month).
        target("2026-Q1", Some("B"), 900.0),
        target("2026-03", Some("B"), 700.0),
        target("2026-Q2", Some("B"), 900.0),
    ];
    let roster = [
        vec![
            ("rep_id", V::T("R1")),
            ("region", V::T("A")),
            ("hire_date", V::D("2025-01-01")),
        ],
        vec![
            ("rep_id", V::T("R2")),
            ("region", V::T("B")),
            ("hire_date", V::D("2026-03-16")),
        ],
        vec![
            ("rep_id", V::T("R3")),
            ("name", V::T("王伟")),
            ("region", V::T("B")),
            ("hire_date", V::D("2024-01-01")),
            ("leave_date", V::D("2026-02-14")),
        ],
    ];
    let customers = [
        vec![("customer_id", V::T("C1")), ("segment", V::T("大客户"))],
        vec![
            ("customer_id", V::T("C2")),
            ("segment", V::T("中小")),
            ("first_order_date", V::D("2025-06-01")),
        ],
        vec![("customer_id", V::T("C3")), ("segment", V::T("中小"))],
        vec![
            ("customer_id", V::T("C5")),
            ("segment", V::T("中小")),
            ("first_order_date", V::D("2026-03-03")),
        ],
    ];
    let expenses = [
        vec![
            ("date", V::D("2026-03-05")),
            ("category", V::T("差旅")),
            ("region", V::T("A")),
            ("amount", V::N(50.0)),
        ],
        vec![
            ("date", V::D("2026-03-06")),
            ("category", V::T("招待")),
            ("region", V::T("B")),
            ("amount", V::N(33.0)),
        ],
        vec![
            ("date", V::D("2026-02-01")),
            ("category", V::T("差旅")),
            ("region", V::T("A")),
            ("amount", V::N(100.0)),
        ],
        vec![
            ("date", V::D("2025-12-31")),
            ("category", V::T("差旅")),
            ("region", V::T("A")),
            ("amount", V::N(1000.0)),
        ],
    ];
    let r = |kind, data: &[Vec<(&'static str, V)>]| {
        let refs: Vec<&[(&str, V)]> = data.iter().map(|r| r.as_slice()).collect();
        (kind, rows(kind, &refs))
    };
    build(vec![
        r(TableKind::Targets, &targets),
        r(TableKind::Roster, &roster),
        r(TableKind::Customers, &customers),
        r(TableKind::Expenses, &expenses),
    ])
}

fn metrics(t: &Tables) -> Metrics {
    compute(
        t,
        "2026-03".parse().unwrap(),
        &Config::default(),
        DataQuality::default(),
    )
    .unwrap()
}

fn kpi(m: &Metrics, figure: &str, period: &str) -> Option<f64> {
    m.kpis[figure][period]
}

fn entry<'a>(m: &'a Metrics, dim: &str, key: &str) -> &'a Breakdown {
    m.by[dim]
        .iter()
        .find(|b| b.key.as_deref() == Some(key))
        .unwrap()
}

#[track_caller]
fn close(got: Option<f64>, want: f64) {
    let got = got.expect("a value, not null");
    assert!((got - want).abs() < 1e-9, "got {got}, want {want}");
}

#[test]
fn revenue_orders_and_per_order_values() {
    let m = metrics(&full());
    // March: 400 − 50 + 500 + 250 (O6 cancelled, O8 after the month).
    close(kpi(&m, "revenue", "month"), 1100.0);
    close(kpi(&m, "revenue", "qtd"), 1600.0);
    close(kpi(&m, "revenue", "ytd"), 1600.0);
    close(kpi(&m, "orders", "month"), 3.0);
    close(kpi(&m, "orders", "qtd"), 5.0);
    close(kpi(&m, "aov", "month"), 1100.0 / 3.0);
    close(kpi(&m, "active_customers", "month"), 3.0);
    close(kpi(&m, "revenue_per_customer", "qtd"), 1600.0 / 3.0);
}

#[test]
fn new_customers_use_the_earlier_first_order() {
    let m = metrics(&full());
    // March: C3 (first order) and C5 (master only); C2's master date is 2025-06.
    close(kpi(&m, "new_customers", "month"), 2.0);
    close(kpi(&m, "new_customers", "qtd"), 2.0);
    close(
        kpi(&m, "new_customer_revenue_share", "month"),
        500.0 / 1100.0,
    );
    close(kpi(&m, "new_customer_revenue_share", "qtd"), 500.0 / 1600.0);
    // Without the master, C2 is new in February.
    let m = metrics(&build(vec![]));
    close(kpi(&m, "new_customers", "qtd"), 2.0);
    close(
        kpi(&m, "new_customer_revenue_share", "qtd"),
        1050.0 / 1600.0,
    );
}

#[test]
fn retention_repurchase_and_growth() {
    let m = metrics(&full());
    // A(Feb) = {C2}, A(Mar) = {C1, C2, C3}.
    close(kpi(&m, "retention_rate", "month"), 1.0);
    // Needs 2024-04; orders start 2025-03.
    assert_eq!(kpi(&m, "retention_rate", "trailing_12m"), None);
    assert!(m
        .notes
        .iter()
        .any(|n| n.starts_with("retention_rate.trailing_12m: orders start 2025-03-10")));
    // March: nobody has two orders (O6 is cancelled); Q1: C1 (O2, O4), C2 (O3, O7).
    close(kpi(&m, "repurchase_rate", "month"), 0.0);
    close(kpi(&m, "repurchase_rate", "qtd"), 2.0 / 3.0);
    close(kpi(&m, "mom_growth", "month"), 1100.0 / 300.0 - 1.0);
    close(kpi(&m, "yoy_growth", "month"), 1100.0 / 100.0 - 1.0);
    // Q1 2025 starts before the first order month.
    assert_eq!(kpi(&m, "yoy_growth", "qtd"), None);
}

#[test]
fn targets_split_and_attainment() {
    let m = metrics(&full());
    // No blank-dimension rows: the total is the sum over regions. March: A 200 + B 700.
    close(kpi(&m, "target", "month"), 900.0);
    // Q1: A 600 + B 700 (B's Q1 row is overridden by its March row).
    close(kpi(&m, "target", "qtd"), 1300.0);
    // Year: A 2400 + B 700 + 900.
    close(kpi(&m, "target", "year"), 4000.0);
    close(kpi(&m, "attainment", "month"), 1100.0 / 900.0);
    close(kpi(&m, "attainment", "qtd"), 1600.0 / 1300.0);
    let a = entry(&m, "region", "A");
    close(a.figures["target"]["month"], 200.0);
    close(a.figures["attainment"]["month"], 350.0 / 200.0);
    let b = entry(&m, "region", "B");
    close(b.figures["attainment"]["month"], 750.0 / 700.0);
    // B has targets for March only in Q1.
    assert_eq!(b.figures["target"]["qtd"], None);
}

#[test]
fn a_total_row_wins_over_the_regions() {
    let targets = [
        target("2026-03", None, 5000.0),
        target("2026-03", Some("A"), 1.0),
    ];
    let refs: Vec<&[(&str, V)]> = targets.iter().map(|r| r.as_slice()).collect();
    let m = metrics(&build(vec![(
        TableKind::Targets,
        rows(TableKind::Targets, &refs),
    )]));
    close(kpi(&m, "target", "month"), 5000.0);
    assert_eq!(kpi(&m, "target", "qtd"), None);
    assert!(m.notes.iter().any(|n| n.starts_with("target.qtd:")));
}

#[test]
fn forecast() {
    let m = metrics(&full());
    // 1600 year to date + 9 months × (Jan–Mar 1600 / 3).
    close(kpi(&m, "forecast_year", "year"), 6400.0);
    close(kpi(&m, "forecast_attainment", "year"), 6400.0 / 4000.0);
}

#[test]
fn headcount_and_per_capita() {
    let m = metrics(&full());
    // March (31 days): R1 31, R2 16 (from the 16th), R3 0.
    close(kpi(&m, "avg_headcount", "month"), 47.0 / 31.0);
    // Q1 (90 days): R1 90, R2 16, R3 31 + 14.
    close(kpi(&m, "avg_headcount", "qtd"), 151.0 / 90.0);
    close(
        kpi(&m, "per_capita_revenue", "month"),
        1100.0 / (47.0 / 31.0),
    );
    close(
        entry(&m, "region", "B").figures["per_capita_revenue"]["month"],
        750.0 / (16.0 / 31.0),
    );
    close(
        entry(&m, "region", "A").figures["avg_headcount"]["month"],
        1.0,
    );
}

#[test]
fn expenses_ratio_and_categories() {
    let m = metrics(&full());
    close(kpi(&m, "expenses", "month"), 83.0);
    close(kpi(&m, "expenses", "qtd"), 183.0);
    close(kpi(&m, "expense_ratio", "month"), 83.0 / 1100.0);
    close(kpi(&m, "expense_ratio", "qtd"), 183.0 / 1600.0);
    let travel = &m.expenses_by_category[0];
    assert_eq!(travel.key.as_deref(), Some("差旅"));
    assert_eq!((travel.month, travel.qtd), (50.0, 150.0));
    close(travel.share["month"], 50.0 / 83.0);
    close(travel.ratio_to_revenue["qtd"], 150.0 / 1600.0);
    let a = entry(&m, "region", "A");
    close(a.figures["expenses"]["month"], 50.0);
    close(a.figures["expense_ratio"]["month"], 50.0 / 350.0);
}

#[test]
fn gross_margin_over_lines_with_cost() {
    let m = metrics(&full());
    // Lines with cost in March: 400/300, −50/−40, 250/100.
    close(kpi(&m, "gross_margin", "month"), (600.0 - 360.0) / 600.0);
}

#[test]
fn breakdowns_are_sorted_by_revenue() {
    let m = metrics(&full());
    let keys: Vec<_> = m.by["region"]
        .iter()
        .map(|b| b.key.clone().unwrap())
        .collect();
    assert_eq!(keys, ["B", "A"]);
    let seg = entry(&m, "customer_segment", "中小");
    close(seg.figures["revenue"]["month"], 750.0);
    close(
        entry(&m, "region", "B").figures["revenue_share"]["month"],
        750.0 / 1100.0,
    );
}

#[test]
fn missing_tables_give_nulls_with_notes() {
    let m = metrics(&build(vec![]));
    for f in [
        "target",
        "attainment",
        "avg_headcount",
        "per_capita_revenue",
        "expenses",
        "expense_ratio",
    ] {
        assert_eq!(kpi(&m, f, "month"), None, "{f}");
    }
    for n in [
        "target: no targets table",
        "avg_headcount: no roster table",
        "expenses: no expenses table",
    ] {
        assert!(
            m.notes.iter().any(|x| x.starts_with(n)),
            "{n}: {:?}",
            m.notes
        );
    }
}

#[test]
fn alerts_follow_the_thresholds() {
    let m = metrics(&full());
    let a = m
        .alerts
        .iter()
        .find(|a| a.kpi == "expense_ratio" && a.period == "qtd" && a.key.is_none())
        .unwrap();
    assert_eq!(a.status, alerts::Status::Red);
    assert_eq!(a.threshold, 0.08);
    let a = m
        .alerts
        .iter()
        .find(|a| a.kpi == "attainment" && a.period == "month" && a.key.is_none())
        .unwrap();
    assert_eq!(a.status, alerts::Status::Green);
}
