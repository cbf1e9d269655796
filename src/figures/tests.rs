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
use crate::model::{ColumnValues, TableRows};

/// A cell of a hand-built row.
enum V {
    T(&'static str),
    N(f64),
    D(&'static str),
    /// `2026-03-01 10:00`.
    Dt(&'static str),
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
                (ColumnValues::Text(c), Some(V::T(s))) => c.push(Some(s)),
                (ColumnValues::Text(c), _) => c.push(None),
                (ColumnValues::Number(c), Some(V::N(n))) => c.push(Some(*n)),
                (ColumnValues::Number(c), _) => c.push(None),
                (ColumnValues::Date(c), Some(V::D(d))) => c.push(Some(days(d))),
                (ColumnValues::Date(c), _) => c.push(None),
                (ColumnValues::DateTime(c), Some(V::Dt(d))) => c.push(Some(
                    chrono::NaiveDateTime::parse_from_str(d, "%Y-%m-%d %H:%M")
                        .unwrap()
                        .and_utc()
                        .timestamp_millis(),
                )),
                (ColumnValues::DateTime(c), _) => c.push(None),
            }
        }
        t.rows += 1;
        t.file.push(0);
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
        with(
            order("O2", "2026-01-05", "C1", 200.0, "A"),
            vec![("product_line", V::T("P2")), ("quantity", V::N(5.0))],
        ),
        order("O3", "2026-02-10", "C2", 300.0, "B"),
        with(
            order("O4", "2026-03-01", "C1", 400.0, "A"),
            vec![
                ("cost", V::N(300.0)),
                ("product_line", V::T("P1")),
                ("quantity", V::N(3.0)),
            ],
        ),
        with(
            order("O4", "2026-03-01", "C1", -50.0, "A"),
            vec![
                ("cost", V::N(-40.0)),
                ("status", V::T("退货")),
                ("product_line", V::T("P1")),
                ("quantity", V::N(-1.0)),
            ],
        ),
        order("O5", "2026-03-15", "C3", 500.0, "B"),
        with(
            order("O6", "2026-03-20", "C2", 1000.0, "B"),
            vec![("status", V::T("已取消"))],
        ),
        with(
            order("O7", "2026-03-25", "C2", 250.0, "B"),
            vec![
                ("cost", V::N(100.0)),
                ("product_line", V::T("P1")),
                ("quantity", V::N(4.0)),
            ],
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
    Tables::from_rows(all, Default::default()).unwrap()
}

/// R1 in A all along; R2 joins B on 16 March 2026; R3 (王伟) leaves B on 14 February.
fn roster() -> [Vec<(&'static str, V)>; 3] {
    [
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
    ]
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
    let roster = roster();
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

fn table(kind: TableKind, data: &[Vec<(&'static str, V)>]) -> (TableKind, TableRows) {
    let refs: Vec<&[(&str, V)]> = data.iter().map(|r| r.as_slice()).collect();
    (kind, rows(kind, &refs))
}

/// Leads, survey, tickets, follow-ups, receivables and inventory for March 2026.
fn crm() -> Tables {
    let lead = |id, date, stage, status: Option<&'static str>| {
        let mut r = vec![
            ("lead_id", V::T(id)),
            ("created_date", V::D(date)),
            ("stage", V::T(stage)),
            ("region", V::T("A")),
        ];
        if let Some(s) = status {
            r.push(("status", V::T(s)));
        }
        r
    };
    let leads = [
        // Reached 报价 and was lost.
        lead("L1", "2026-03-02", "报价", Some("lost")),
        // At the last stage: won without a status.
        lead("L2", "2026-03-05", "成交", None),
        lead("L3", "2026-03-10", "谈判", Some("won")),
        lead("L4", "2026-02-01", "询盘", None),
        lead("L5", "2026-03-20", "线索", Some("open")),
    ];
    let nps = [
        (10.0, "2026-03-02"),
        (9.0, "2026-03-03"),
        (8.0, "2026-03-04"),
        (6.0, "2026-03-05"),
        (0.0, "2026-03-06"),
        (10.0, "2026-02-06"),
    ]
    .map(|(score, date)| {
        vec![
            ("customer_id", V::T("C1")),
            ("date", V::D(date)),
            ("score", V::N(score)),
        ]
    });
    let ticket = |id, created, response: Option<&'static str>| {
        let mut r = vec![
            ("ticket_id", V::T(id)),
            ("created_at", V::Dt(created)),
            ("region", V::T("A")),
        ];
        if let Some(x) = response {
            r.push(("first_response_at", V::Dt(x)));
        }
        r
    };
    let tickets = [
        ticket("T1", "2026-03-01 10:00", Some("2026-03-01 11:30")),
        ticket("T2", "2026-03-05 09:00", Some("2026-03-05 12:00")),
        // Unanswered, SLA not yet expired at midnight after March: left out.
        ticket("T3", "2026-03-31 23:00", None),
        // Unanswered, SLA expired by then: a breach.
        ticket("T4", "2026-03-31 21:00", None),
        // Exactly at the SLA: within.
        ticket("T5", "2026-03-10 08:00", Some("2026-03-10 10:00")),
    ];
    let follow_ups = [
        vec![
            ("customer_id", V::T("C1")),
            ("date", V::D("2026-03-10")),
            ("rep_id", V::T("R1")),
            ("type", V::T("拜访")),
        ],
        vec![
            ("customer_id", V::T("C3")),
            ("date", V::D("2026-02-10")),
            ("rep_id", V::T("R1")),
            ("type", V::T("回访")),
        ],
        vec![
            ("customer_id", V::T("C9")),
            ("date", V::D("2026-03-11")),
            ("rep_id", V::T("R2")),
            ("type", V::T("拜访")),
        ],
    ];
    let invoice =
        |id, due, amount, collected: Option<(f64, &'static str)>, issued: Option<&'static str>| {
            let mut r = vec![
                ("invoice_id", V::T(id)),
                ("customer_id", V::T("C1")),
                ("due_date", V::D(due)),
                ("amount", V::N(amount)),
            ];
            if let Some((c, d)) = collected {
                r.push(("collected_amount", V::N(c)));
                r.push(("collected_date", V::D(d)));
            }
            if let Some(i) = issued {
                r.push(("invoice_date", V::D(i)));
            }
            r
        };
    let receivables = [
        invoice("I1", "2026-03-15", 100.0, Some((100.0, "2026-03-20")), None),
        // Partly collected after the period: not counted, still open at its end.
        invoice("I2", "2026-03-25", 200.0, Some((50.0, "2026-04-05")), None),
        invoice("I3", "2026-02-10", 300.0, Some((300.0, "2026-02-12")), None),
        invoice("I4", "2026-04-30", 50.0, None, Some("2026-03-31")),
        invoice("I5", "2025-12-01", 80.0, None, None),
        // Issued after the month: not open yet.
        invoice("I6", "2026-05-02", 999.0, None, Some("2026-04-02")),
    ];
    let snapshot = |date, line, qty| {
        vec![
            ("snapshot_date", V::D(date)),
            ("product_line", V::T(line)),
            ("on_hand_qty", V::N(qty)),
        ]
    };
    let inventory = [
        snapshot("2026-03-31", "P1", 90.0),
        snapshot("2026-02-28", "P1", 500.0),
        snapshot("2026-03-15", "P2", 10.0),
        snapshot("2026-03-01", "P3", 7.0),
        // After the month: not used.
        snapshot("2026-04-02", "P2", 1.0),
    ];
    let roster = roster();
    build(vec![
        table(TableKind::Leads, &leads),
        table(TableKind::Nps, &nps),
        table(TableKind::Tickets, &tickets),
        table(TableKind::FollowUps, &follow_ups),
        table(TableKind::Receivables, &receivables),
        table(TableKind::Inventory, &inventory),
        table(TableKind::Roster, &roster),
    ])
}

#[test]
fn inquiry_conversion_and_the_funnel() {
    let m = metrics(&crm());
    // March: L1, L2, L3, L5 created; L2 (last stage) and L3 (won) converted.
    close(kpi(&m, "inquiry_conversion", "month"), 2.0 / 4.0);
    close(kpi(&m, "inquiry_conversion", "qtd"), 2.0 / 5.0);
    let month: Vec<f64> = m.funnel.iter().map(|s| s.month).collect();
    assert_eq!(month, [4.0, 3.0, 3.0, 2.0, 1.0]);
    assert_eq!(m.funnel[1].qtd, 4.0);
    assert_eq!(m.funnel[0].stage, "线索");
    close(
        entry(&m, "region", "A").figures["inquiry_conversion"]["month"],
        0.5,
    );
}

#[test]
fn nps_from_promoters_and_detractors() {
    let m = metrics(&crm());
    // March: 10, 9 promote; 6, 0 detract; 8 is passive.
    close(kpi(&m, "nps", "month"), 0.0);
    close(kpi(&m, "nps_responses", "month"), 5.0);
    close(kpi(&m, "nps", "qtd"), (3.0 - 2.0) / 6.0 * 100.0);
    // April has no responses.
    let april = compute(
        &crm(),
        "2026-04".parse().unwrap(),
        &Config::default(),
        DataQuality::default(),
    )
    .unwrap();
    assert_eq!(april.kpis["nps"]["month"], None);
    assert!(april
        .notes
        .iter()
        .any(|n| n == "nps.month: no survey responses in the period"));
}

#[test]
fn response_sla_counts_expired_unanswered_tickets_only() {
    let m = metrics(&crm());
    // Counted: T1 (1.5 h), T2 (3 h), T4 (expired), T5 (2 h); within: T1, T5.
    close(kpi(&m, "response_sla", "month"), 2.0 / 4.0);
    close(kpi(&m, "response_hours_median", "month"), 2.0);
    // p90 of 1.5, 2, 3 with linear interpolation.
    close(kpi(&m, "response_hours_p90", "month"), 2.8);
    close(
        entry(&m, "region", "A").figures["response_sla"]["month"],
        0.5,
    );
}

#[test]
fn follow_up_coverage_and_visits() {
    let m = metrics(&crm());
    // Active in March: C1, C2, C3; only C1 was followed up in March.
    close(kpi(&m, "follow_up_coverage", "month"), 1.0 / 3.0);
    // Q1: C1 and C3.
    close(kpi(&m, "follow_up_coverage", "qtd"), 2.0 / 3.0);
    // Visits in March: C1 and C9 (拜访); headcount 47/31.
    close(kpi(&m, "visits", "month"), 2.0);
    close(kpi(&m, "visits_per_rep", "month"), 2.0 / (47.0 / 31.0));
    // By the rep's roster region: R2 is in B (16 of 31 days).
    close(
        entry(&m, "region", "B").figures["visits_per_rep"]["month"],
        1.0 / (16.0 / 31.0),
    );
}

#[test]
fn collection_rate_and_aging() {
    let m = metrics(&crm());
    // Due in March: I1 (collected in March) and I2 (collected in April).
    close(kpi(&m, "collection_rate", "month"), 100.0 / 300.0);
    close(kpi(&m, "collection_rate", "qtd"), 400.0 / 600.0);
    let aging: Vec<(&str, f64)> = m.ar_aging.iter().map(|b| (b.bucket, b.amount)).collect();
    assert_eq!(
        aging,
        [
            ("not_due", 50.0),
            ("1_30", 200.0),
            ("31_60", 0.0),
            ("61_90", 0.0),
            ("over_90", 80.0)
        ]
    );
}

#[test]
fn inventory_cover_per_product_line() {
    let m = metrics(&crm());
    let cover = |line: &str| entry(&m, "product_line", line).figures["inventory_days"]["month"];
    // P1: 90 on hand; 3 − 1 + 4 sold in the 90 days to 31 March.
    close(cover("P1"), 90.0 / (6.0 / 90.0));
    // P2: 10 on hand, 5 sold (5 January is inside the window).
    close(cover("P2"), 10.0 / (5.0 / 90.0));
    // P3 sold nothing: null with a note, not infinity.
    assert_eq!(cover("P3"), None);
    assert!(m
        .notes
        .iter()
        .any(|n| n.starts_with("inventory_days.month: P3: nothing sold")));
    close(kpi(&m, "inventory_days", "month"), 180.0);
    let red = m
        .alerts
        .iter()
        .any(|a| a.kpi == "inventory_days" && a.key.is_none() && a.status == alerts::Status::Green);
    assert!(red, "180 days is above 45");
}

#[test]
fn missing_crm_tables_give_nulls_with_notes() {
    let m = metrics(&build(vec![]));
    for (f, table) in [
        ("inquiry_conversion", "leads"),
        ("nps", "nps"),
        ("response_sla", "tickets"),
        ("follow_up_coverage", "follow_ups"),
        ("collection_rate", "receivables"),
        ("inventory_days", "inventory"),
    ] {
        assert!(!m.kpis.contains_key(f), "{f}");
        let note = format!("{f}: no {table} table in the inputs");
        assert!(m.notes.contains(&note), "{note}: {:?}", m.notes);
    }
    assert!(m.funnel.is_empty() && m.ar_aging.is_empty());
}

#[test]
fn the_scorecard_ranks_reps() {
    let m = metrics(&crm());
    // Reps without orders have no breakdown entry, so no scorecard row either.
    assert!(m.scorecard.iter().all(|r| r.rank >= 1));
    for w in m.scorecard.windows(2) {
        assert!(w[0].score.unwrap_or(f64::MIN) >= w[1].score.unwrap_or(f64::MIN));
    }
}

/// The date findings of the data set: March has 4 active lines (O6 is cancelled) against
/// February's 1 (+300 %); O8 lies after March, and after a `today` of 2026-03-31; a
/// `today` after O8 finds no future date; the lines of one file are no duplicates.
#[test]
fn date_findings_count_the_lines() {
    let t = build(vec![]);
    let files = ["orders.xlsx".to_string()];
    let month: Month = "2026-03".parse().unwrap();
    let day = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let found = |today| -> Vec<(&str, usize)> {
        quality::findings(&t, month, Some(day(today)), &files, None)
            .unwrap()
            .iter()
            .map(|f| (f.kind, f.count))
            .collect()
    };
    assert_eq!(
        found("2026-03-31"),
        [
            ("volume_change", 4),
            ("after_report_month", 1),
            ("future_dates", 1)
        ]
    );
    assert_eq!(
        found("2026-04-02"),
        [("volume_change", 4), ("after_report_month", 1)]
    );
}
