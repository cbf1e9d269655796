//! `metrics.xlsx`: the figures of `metrics.json` for analysts who live in Excel, one sheet
//! per section, labelled in the report's language, numbers formatted as in the report.
//! The creation date is pinned to the report month so reruns are byte-identical.

use std::collections::BTreeMap;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use serde::Deserialize;

use super::OutputFile;
use crate::error::{Error, Result};
use crate::figures::{Figures, Metrics};
use crate::render::format::{kind_of, Kind};

/// The labels file shared with the templates.
pub const LABELS_JSON: &str = include_str!("../../templates/labels.json");

/// Labels for one language.
#[derive(Debug, Deserialize)]
pub struct Labels {
    pub figures: BTreeMap<String, String>,
    pub periods: BTreeMap<String, String>,
    pub dimensions: BTreeMap<String, String>,
    pub sheets: BTreeMap<String, String>,
    pub columns: BTreeMap<String, String>,
    pub status: BTreeMap<String, String>,
    pub direction: BTreeMap<String, String>,
    pub blank_key: String,
}

impl Labels {
    /// The labels for `lang` (`zh` or `en`).
    pub fn load(lang: &str) -> Result<Labels> {
        let mut all: BTreeMap<String, Labels> = serde_json::from_str(LABELS_JSON)
            .map_err(|e| Error::Internal(format!("labels.json ({e})")))?;
        all.remove(lang)
            .ok_or_else(|| Error::Config(format!("no labels for language {lang:?}")))
    }

    /// A column's label.
    fn col(&self, key: &str) -> String {
        Labels::get(&self.columns, key).to_string()
    }

    fn get<'a>(map: &'a BTreeMap<String, String>, key: &'a str) -> &'a str {
        map.get(key).map(String::as_str).unwrap_or(key)
    }
}

/// How a figure's numbers are shown: Excel's number format for its kind.
fn number_format(figure: &str) -> &'static str {
    match kind_of(figure) {
        Kind::Count => "#,##0",
        Kind::Headcount | Kind::Days | Kind::Hours | Kind::Score => "0.0",
        Kind::Ratio | Kind::Growth => "0.0%",
        Kind::Money => "#,##0.00",
    }
}

const PERIOD_COLUMNS: [&str; 5] = ["month", "qtd", "ytd", "year", "trailing_12m"];

fn xerr(e: XlsxError) -> Error {
    Error::Internal(format!("cannot build metrics.xlsx ({e})"))
}

struct Formats {
    header: Format,
    by_figure: BTreeMap<&'static str, Format>,
}

impl Formats {
    fn new() -> Self {
        Formats {
            header: Format::new().set_bold().set_background_color("#DDE3EA"),
            by_figure: BTreeMap::new(),
        }
    }

    fn number(&mut self, figure: &str) -> &Format {
        let f = number_format(figure);
        self.by_figure
            .entry(f)
            .or_insert_with(|| Format::new().set_num_format(f))
    }
}

fn header_row(ws: &mut Worksheet, fmt: &Format, names: &[&str]) -> Result<()> {
    for (i, n) in names.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, *n, fmt)
            .map_err(xerr)?;
    }
    ws.set_freeze_panes(1, 0).map_err(xerr)?;
    Ok(())
}

/// Builds `metrics.xlsx`.
pub fn metrics_xlsx(m: &Metrics, lang: &str) -> Result<OutputFile> {
    let l = Labels::load(lang)?;
    let mut wb = Workbook::new();
    let created =
        ExcelDateTime::from_ymd(m.month.year as u16, m.month.month as u8, 1).map_err(xerr)?;
    wb.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_title("salesplan metrics"),
    );
    let mut fmt = Formats::new();

    for sheet in [
        kpis_sheet,
        breakdown_sheets,
        expenses_sheet,
        funnel_sheet,
        aging_sheet,
        scorecard_sheet,
        plan_sheet,
        alerts_sheet,
        notes_sheet,
        quality_sheet,
    ] {
        sheet(&mut wb, m, &l, &mut fmt)?;
    }

    let bytes = wb.save_to_buffer().map_err(xerr)?;
    Ok(OutputFile {
        name: "metrics.xlsx".into(),
        bytes,
    })
}

/// KPIs: one row per figure, one column per period.
fn kpis_sheet(wb: &mut Workbook, m: &Metrics, l: &Labels, fmt: &mut Formats) -> Result<()> {
    let ws = wb
        .add_worksheet()
        .set_name(Labels::get(&l.sheets, "kpis"))
        .map_err(xerr)?;
    let mut head = vec![l.col("figure"), "key".to_string()];
    head.extend(
        PERIOD_COLUMNS
            .iter()
            .map(|p| Labels::get(&l.periods, p).to_string()),
    );
    header_row(
        ws,
        &fmt.header,
        &head.iter().map(String::as_str).collect::<Vec<_>>(),
    )?;
    write_figures(ws, fmt, l, &m.kpis, 1, 0)?;
    ws.set_column_width(0, 22).map_err(xerr)?;
    ws.set_column_width(1, 26).map_err(xerr)?;
    for c in 2..7 {
        ws.set_column_width(c, 16).map_err(xerr)?;
    }
    Ok(())
}

/// One sheet per breakdown: a row per key, a column per figure and period.
fn breakdown_sheets(wb: &mut Workbook, m: &Metrics, l: &Labels, fmt: &mut Formats) -> Result<()> {
    for (dim, entries) in &m.by {
        let ws = wb
            .add_worksheet()
            .set_name(Labels::get(&l.dimensions, dim))
            .map_err(xerr)?;
        let Some(first) = entries.first() else {
            continue;
        };
        let columns: Vec<(&str, &str)> = first
            .figures
            .iter()
            .flat_map(|(f, periods)| periods.keys().map(move |p| (*f, *p)))
            .collect();
        let mut head = vec![Labels::get(&l.dimensions, dim).to_string(), l.col("name")];
        head.extend(columns.iter().map(|(f, p)| {
            format!(
                "{} · {}",
                Labels::get(&l.figures, f),
                Labels::get(&l.periods, p)
            )
        }));
        header_row(
            ws,
            &fmt.header,
            &head.iter().map(String::as_str).collect::<Vec<_>>(),
        )?;
        for (r, e) in entries.iter().enumerate() {
            let row = r as u32 + 1;
            ws.write_string(row, 0, e.key.as_deref().unwrap_or(&l.blank_key))
                .map_err(xerr)?;
            if let Some(n) = &e.name {
                ws.write_string(row, 1, n).map_err(xerr)?;
            }
            for (c, (f, p)) in columns.iter().enumerate() {
                if let Some(v) = e.figures.get(f).and_then(|x| x.get(p)).copied().flatten() {
                    ws.write_number_with_format(row, c as u16 + 2, v, fmt.number(f))
                        .map_err(xerr)?;
                }
            }
        }
        ws.set_column_width(0, 16).map_err(xerr)?;
        for c in 2..(columns.len() as u16 + 2) {
            ws.set_column_width(c, 14).map_err(xerr)?;
        }
    }
    Ok(())
}

/// Expenses by category.
fn expenses_sheet(wb: &mut Workbook, m: &Metrics, l: &Labels, fmt: &mut Formats) -> Result<()> {
    let ws = wb
        .add_worksheet()
        .set_name(Labels::get(&l.sheets, "expenses_by_category"))
        .map_err(xerr)?;
    let mut head = vec![l.col("key")];
    for p in ["month", "qtd", "ytd"] {
        head.push(Labels::get(&l.periods, p).to_string());
    }
    for what in ["share", "ratio_to_revenue"] {
        for p in ["month", "qtd", "ytd"] {
            head.push(format!("{} · {}", l.col(what), Labels::get(&l.periods, p)));
        }
    }
    header_row(
        ws,
        &fmt.header,
        &head.iter().map(String::as_str).collect::<Vec<_>>(),
    )?;
    for (r, c) in m.expenses_by_category.iter().enumerate() {
        let row = r as u32 + 1;
        ws.write_string(row, 0, c.key.as_deref().unwrap_or(&l.blank_key))
            .map_err(xerr)?;
        for (i, v) in [c.month, c.qtd, c.ytd].into_iter().enumerate() {
            ws.write_number_with_format(row, 1 + i as u16, v, fmt.number("expenses"))
                .map_err(xerr)?;
        }
        for (j, fig) in [&c.share, &c.ratio_to_revenue].into_iter().enumerate() {
            for (i, p) in ["month", "qtd", "ytd"].into_iter().enumerate() {
                if let Some(v) = fig.get(p).copied().flatten() {
                    ws.write_number_with_format(
                        row,
                        4 + 3 * j as u16 + i as u16,
                        v,
                        fmt.number("share"),
                    )
                    .map_err(xerr)?;
                }
            }
        }
    }
    ws.set_column_width(0, 16).map_err(xerr)?;
    Ok(())
}

/// The funnel.
fn funnel_sheet(wb: &mut Workbook, m: &Metrics, l: &Labels, fmt: &mut Formats) -> Result<()> {
    if m.funnel.is_empty() {
        return Ok(());
    }
    let ws = wb
        .add_worksheet()
        .set_name(Labels::get(&l.sheets, "funnel"))
        .map_err(xerr)?;
    let head = [
        l.col("stage"),
        Labels::get(&l.periods, "month").to_string(),
        Labels::get(&l.periods, "qtd").to_string(),
        Labels::get(&l.periods, "ytd").to_string(),
    ];
    header_row(
        ws,
        &fmt.header,
        &head.iter().map(String::as_str).collect::<Vec<_>>(),
    )?;
    for (r, st) in m.funnel.iter().enumerate() {
        let row = r as u32 + 1;
        ws.write_string(row, 0, &st.stage).map_err(xerr)?;
        for (i, v) in [st.month, st.qtd, st.ytd].into_iter().enumerate() {
            ws.write_number_with_format(row, 1 + i as u16, v, fmt.number("leads"))
                .map_err(xerr)?;
        }
    }
    ws.set_column_width(0, 16).map_err(xerr)?;
    Ok(())
}

/// AR aging.
fn aging_sheet(wb: &mut Workbook, m: &Metrics, l: &Labels, fmt: &mut Formats) -> Result<()> {
    if m.ar_aging.is_empty() {
        return Ok(());
    }
    let ws = wb
        .add_worksheet()
        .set_name(Labels::get(&l.sheets, "ar_aging"))
        .map_err(xerr)?;
    header_row(
        ws,
        &fmt.header,
        &[&l.col("bucket"), &l.col("amount"), &l.col("invoices")],
    )?;
    for (r, b) in m.ar_aging.iter().enumerate() {
        let row = r as u32 + 1;
        ws.write_string(row, 0, b.bucket).map_err(xerr)?;
        ws.write_number_with_format(row, 1, b.amount, fmt.number("revenue"))
            .map_err(xerr)?;
        ws.write_number_with_format(row, 2, b.invoices, fmt.number("orders"))
            .map_err(xerr)?;
    }
    ws.set_column_width(0, 16).map_err(xerr)?;
    ws.set_column_width(1, 16).map_err(xerr)?;
    Ok(())
}

/// The reps' scorecard.
fn scorecard_sheet(wb: &mut Workbook, m: &Metrics, l: &Labels, fmt: &mut Formats) -> Result<()> {
    if m.scorecard.is_empty() {
        return Ok(());
    }
    let ws = wb
        .add_worksheet()
        .set_name(Labels::get(&l.sheets, "scorecard"))
        .map_err(xerr)?;
    let head = [
        "rank",
        "rep_id",
        "name",
        "attainment",
        "collection_rate",
        "nps",
        "visits_per_rep",
        "score",
    ]
    .map(|k| l.figures.get(k).cloned().unwrap_or_else(|| l.col(k)));
    header_row(
        ws,
        &fmt.header,
        &head.iter().map(String::as_str).collect::<Vec<_>>(),
    )?;
    for (r, s) in m.scorecard.iter().enumerate() {
        let row = r as u32 + 1;
        ws.write_number(row, 0, s.rank as f64).map_err(xerr)?;
        ws.write_string(row, 1, &s.rep_id).map_err(xerr)?;
        if let Some(n) = &s.name {
            ws.write_string(row, 2, n).map_err(xerr)?;
        }
        for (i, (name, v)) in [
            ("attainment", s.attainment),
            ("collection_rate", s.collection_rate),
            ("nps", s.nps),
            ("visits_per_rep", s.visits_per_rep),
            ("score", s.score),
        ]
        .into_iter()
        .enumerate()
        {
            if let Some(v) = v {
                ws.write_number_with_format(row, 3 + i as u16, v, fmt.number(name))
                    .map_err(xerr)?;
            }
        }
    }
    Ok(())
}

/// The plan: months, regions and next month's weeks.
fn plan_sheet(wb: &mut Workbook, m: &Metrics, l: &Labels, fmt: &mut Formats) -> Result<()> {
    let Some(plan) = &m.plan else {
        return Ok(());
    };
    let ws = wb
        .add_worksheet()
        .set_name(Labels::get(&l.sheets, "plan"))
        .map_err(xerr)?;
    header_row(
        ws,
        &fmt.header,
        &[
            &l.col("key"),
            &l.col("period"),
            &l.col("share"),
            &l.col("target"),
        ],
    )?;
    let mut row = 1;
    let mut put =
        |ws: &mut Worksheet, key: &str, period: &str, share: f64, target: f64| -> Result<()> {
            ws.write_string(row, 0, key).map_err(xerr)?;
            ws.write_string(row, 1, period).map_err(xerr)?;
            ws.write_number_with_format(row, 2, share, fmt.number("share"))
                .map_err(xerr)?;
            ws.write_number_with_format(row, 3, target, fmt.number("target"))
                .map_err(xerr)?;
            row += 1;
            Ok(())
        };
    for pm in &plan.months {
        put(ws, "", &pm.month.to_string(), pm.share, pm.target)?;
    }
    for r in &plan.regions {
        for pm in &r.months {
            put(
                ws,
                &r.key,
                &pm.month.to_string(),
                pm.share * r.share,
                pm.target,
            )?;
        }
    }
    if let Some(n) = &plan.next_month {
        for w in &n.weeks {
            let share = if n.target != 0.0 {
                w.target / n.target
            } else {
                0.0
            };
            put(
                ws,
                "",
                &format!("{} ({}–{})", w.week, w.start, w.end),
                share,
                w.target,
            )?;
        }
    }
    ws.set_column_width(1, 30).map_err(xerr)?;
    ws.set_column_width(3, 16).map_err(xerr)?;
    Ok(())
}

/// Alerts.
fn alerts_sheet(wb: &mut Workbook, m: &Metrics, l: &Labels, fmt: &mut Formats) -> Result<()> {
    let ws = wb
        .add_worksheet()
        .set_name(Labels::get(&l.sheets, "alerts"))
        .map_err(xerr)?;
    let head = [
        "kpi",
        "period",
        "dimension",
        "key",
        "value",
        "threshold",
        "direction",
        "status",
    ]
    .map(|k| l.col(k));
    header_row(
        ws,
        &fmt.header,
        &head.iter().map(String::as_str).collect::<Vec<_>>(),
    )?;
    for (r, a) in m.alerts.iter().enumerate() {
        let row = r as u32 + 1;
        ws.write_string(row, 0, Labels::get(&l.figures, a.kpi))
            .map_err(xerr)?;
        ws.write_string(row, 1, Labels::get(&l.periods, a.period))
            .map_err(xerr)?;
        if let Some(d) = a.dimension {
            ws.write_string(row, 2, Labels::get(&l.dimensions, d))
                .map_err(xerr)?;
        }
        if let Some(k) = &a.key {
            ws.write_string(row, 3, k).map_err(xerr)?;
        }
        ws.write_number_with_format(row, 4, a.value, fmt.number(a.kpi))
            .map_err(xerr)?;
        ws.write_number_with_format(row, 5, a.threshold, fmt.number(a.kpi))
            .map_err(xerr)?;
        let dir = serde_json::to_value(a.direction)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        let status = serde_json::to_value(a.status)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        ws.write_string(row, 6, Labels::get(&l.direction, &dir))
            .map_err(xerr)?;
        ws.write_string(row, 7, Labels::get(&l.status, &status))
            .map_err(xerr)?;
    }
    ws.set_column_width(0, 22).map_err(xerr)?;
    Ok(())
}

/// Notes.
fn notes_sheet(wb: &mut Workbook, m: &Metrics, l: &Labels, fmt: &mut Formats) -> Result<()> {
    let ws = wb
        .add_worksheet()
        .set_name(Labels::get(&l.sheets, "notes"))
        .map_err(xerr)?;
    header_row(ws, &fmt.header, &[&l.col("note")])?;
    for (r, n) in m.notes.iter().enumerate() {
        ws.write_string(r as u32 + 1, 0, n).map_err(xerr)?;
    }
    ws.set_column_width(0, 90).map_err(xerr)?;
    Ok(())
}

/// Data quality: counts per table, then the ignored sheets.
fn quality_sheet(wb: &mut Workbook, m: &Metrics, l: &Labels, fmt: &mut Formats) -> Result<()> {
    let ws = wb
        .add_worksheet()
        .set_name(Labels::get(&l.sheets, "data_quality"))
        .map_err(xerr)?;
    let head = [
        "table",
        "files",
        "rows_read",
        "rows_used",
        "rows_rejected",
        "totals_rows",
        "cancelled_rows",
    ]
    .map(|k| l.col(k));
    header_row(
        ws,
        &fmt.header,
        &head.iter().map(String::as_str).collect::<Vec<_>>(),
    )?;
    let mut row = 1;
    for (name, t) in &m.data_quality.read.tables {
        ws.write_string(row, 0, name).map_err(xerr)?;
        let counts = [
            t.files,
            t.rows_read,
            t.rows_used,
            t.rows_rejected,
            t.totals_rows,
            t.cancelled_rows,
        ];
        for (i, n) in counts.into_iter().enumerate() {
            ws.write_number_with_format(row, 1 + i as u16, n as f64, fmt.number("orders"))
                .map_err(xerr)?;
        }
        row += 1;
    }
    row += 1;
    for (i, h) in ["file", "sheet", "reason"]
        .map(|k| l.col(k))
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(row, i as u16, h, &fmt.header)
            .map_err(xerr)?;
    }
    for s in &m.data_quality.read.ignored_sheets {
        row += 1;
        ws.write_string(row, 0, &s.file).map_err(xerr)?;
        ws.write_string(row, 1, &s.sheet).map_err(xerr)?;
        ws.write_string(row, 2, &s.reason).map_err(xerr)?;
    }
    ws.set_column_width(0, 30).map_err(xerr)?;
    ws.set_column_width(2, 14).map_err(xerr)?;
    Ok(())
}

fn write_figures(
    ws: &mut Worksheet,
    fmt: &mut Formats,
    l: &Labels,
    figures: &Figures,
    first_row: u32,
    first_col: u16,
) -> Result<()> {
    for (r, (name, periods)) in figures.iter().enumerate() {
        let row = first_row + r as u32;
        ws.write_string(row, first_col, Labels::get(&l.figures, name))
            .map_err(xerr)?;
        ws.write_string(row, first_col + 1, *name).map_err(xerr)?;
        for (c, p) in PERIOD_COLUMNS.iter().enumerate() {
            if let Some(v) = periods.get(p).copied().flatten() {
                ws.write_number_with_format(row, first_col + 2 + c as u16, v, fmt.number(name))
                    .map_err(xerr)?;
            }
        }
    }
    Ok(())
}
