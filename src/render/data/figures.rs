//! The figures as printed: the KPIs, each breakdown's top rows, expenses by category.

use indexmap::IndexMap;

use super::{FigureView, RowView, Val, TOP_N};
use crate::figures::{Breakdown, Figure, Metrics};
use crate::render::format::{kind_of, Formatter, Kind};

/// A figure's periods, each with its printed form.
fn view(f: &Formatter, name: &str, fig: &Figure) -> FigureView {
    let kind = kind_of(name);
    fig.iter()
        .map(|(p, v)| {
            (
                p.to_string(),
                Val {
                    v: *v,
                    s: f.format(kind, *v),
                },
            )
        })
        .collect()
}

/// Every KPI.
pub(super) fn kpis(m: &Metrics, f: &Formatter) -> IndexMap<String, FigureView> {
    m.kpis
        .iter()
        .map(|(k, fig)| (k.to_string(), view(f, k, fig)))
        .collect()
}

/// Each breakdown's top rows, and how many it has in full.
pub(super) fn breakdowns(
    m: &Metrics,
    f: &Formatter,
    blank_label: &str,
) -> (IndexMap<String, Vec<RowView>>, IndexMap<String, usize>) {
    let row = |b: &Breakdown| RowView {
        key: b.key.clone().unwrap_or_else(|| blank_label.to_string()),
        name: b.name.clone(),
        figures: b
            .figures
            .iter()
            .map(|(k, fig)| (k.to_string(), view(f, k, fig)))
            .collect(),
    };
    let by =
        m.by.iter()
            .map(|(d, rows)| (d.to_string(), rows.iter().take(TOP_N).map(row).collect()))
            .collect();
    let by_count =
        m.by.iter()
            .map(|(d, rows)| (d.to_string(), rows.len()))
            .collect();
    (by, by_count)
}

/// The top expense categories.
pub(super) fn expenses_by_category(
    m: &Metrics,
    f: &Formatter,
    blank_label: &str,
) -> Vec<IndexMap<String, Val>> {
    m.expenses_by_category
        .iter()
        .take(TOP_N)
        .map(|c| {
            let mut r = IndexMap::new();
            r.insert(
                "key".to_string(),
                Val {
                    v: None,
                    s: c.key.clone().unwrap_or_else(|| blank_label.to_string()),
                },
            );
            r.insert(
                "month".into(),
                Val {
                    v: Some(c.month),
                    s: f.money(c.month),
                },
            );
            r.insert(
                "ytd".into(),
                Val {
                    v: Some(c.ytd),
                    s: f.money(c.ytd),
                },
            );
            for (name, fig) in [("share", &c.share), ("ratio", &c.ratio_to_revenue)] {
                for p in ["month", "ytd"] {
                    let v = fig.get(p).copied().flatten();
                    r.insert(
                        format!("{name}_{p}"),
                        Val {
                            v,
                            s: f.format(Kind::Ratio, v),
                        },
                    );
                }
            }
            r
        })
        .collect()
}
