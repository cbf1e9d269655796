//! What a delivery says: the report's executive-summary messages, the alert counts and the
//! worst items, built from the month's `metrics.json` as written (so that `salesplan
//! deliver` says the same thing weeks later) in the documents' language.

use serde_json::Value;

use crate::config::Config;
use crate::output::xlsx::Labels;
use crate::render::format::{kind_of, Formatter};
use crate::types::Month;

/// Alerts listed by name at most.
const WORST: usize = 3;

/// One headline figure, for the `json` format.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Headline {
    pub figure: String,
    pub period: String,
    pub label: String,
    pub value: Option<f64>,
    pub text: String,
}

/// A month's message, whatever the channel.
#[derive(Debug, Clone)]
pub struct Summary {
    pub company: String,
    pub month: Month,
    /// The variant a `--split-by` entry sends, if any.
    pub scope: Option<String>,
    /// `星河科技 销售领导工作规划 · 2026年10月` (the e-mail subject, the robot's title).
    pub title: String,
    /// The executive summary's messages, as the report words them.
    pub lines: Vec<String>,
    pub red: usize,
    pub amber: usize,
    /// The worst alerts, worded.
    pub worst: Vec<String>,
    pub headline: Vec<Headline>,
    /// `alerts`, `worst_items` headings in the language.
    pub alerts_heading: String,
    pub worst_heading: String,
    pub attached: String,
}

/// `{name}` placeholders of `template` filled from `values`.
fn fill(template: &str, values: &[(&str, String)]) -> String {
    values.iter().fold(template.to_string(), |t, (k, v)| {
        t.replace(&format!("{{{k}}}"), v)
    })
}

/// A figure of `metrics.json` (`kpis` or a breakdown entry).
fn figure(figures: &Value, name: &str, period: &str) -> Option<f64> {
    figures.get(name)?.get(period)?.as_f64()
}

/// The summary of `metrics` (a month's metrics.json).
pub fn summary(
    metrics: &Value,
    config: &Config,
    scope: Option<&str>,
) -> crate::error::Result<Summary> {
    let labels = Labels::load(&config.lang)?;
    let doc: Value = serde_json::from_str::<Value>(crate::output::xlsx::LABELS_JSON)
        .ok()
        .and_then(|all| all.get(&config.lang)?.get("doc").cloned())
        .unwrap_or(Value::Null);
    let text = |key: &str| doc_text(&doc, key);
    let f = Formatter::new(&config.currency, config.money_unit, &config.lang);
    let month: Month = metrics
        .get("month")
        .and_then(Value::as_str)
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| crate::error::Error::Internal("metrics.json has no month".into()))?;
    let kpis = metrics.get("kpis").cloned().unwrap_or(Value::Null);
    let shown = |name: &str, period: &str| f.format(kind_of(name), figure(&kpis, name, period));
    let label = |name: &str| figure_label(&labels, name);

    let title = title(&config.company, &doc, month, scope);

    let mut lines = vec![fill(
        &text("msg_revenue"),
        &[
            ("revenue", shown("revenue", "month")),
            ("mom", shown("mom_growth", "month")),
            ("yoy", shown("yoy_growth", "month")),
            ("ytd", shown("revenue", "ytd")),
        ],
    )];
    let ahead_behind = |gap: f64| text(if gap >= 0.0 { "ahead" } else { "behind" });
    let points = |gap: f64| f.points(gap.abs()).trim_start_matches('+').to_string();
    let progress = figure(&kpis, "time_progress", "ytd");
    if let (Some(c), Some(t)) = (figure(&kpis, "annual_completion", "ytd"), progress) {
        lines.push(fill(
            &text("msg_completion"),
            &[
                ("completion", f.pct(c)),
                ("progress", f.pct(t)),
                ("ahead_behind", ahead_behind(c - t)),
                ("gap", points(c - t)),
                ("forecast", shown("forecast_year", "year")),
                ("fa", shown("forecast_attainment", "year")),
            ],
        ));
    }
    // The region furthest behind the time elapsed, when one is behind.
    let worst_region = metrics
        .pointer("/by/region")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|b| {
            let c = figure(b, "annual_completion", "ytd")?;
            let key = b
                .get("key")
                .and_then(Value::as_str)
                .unwrap_or(&labels.blank_key);
            Some((key.to_string(), c, c - progress.unwrap_or(1.0)))
        })
        .min_by(|a, b| a.2.total_cmp(&b.2));
    if let Some((region, c, gap)) = worst_region.filter(|w| w.2 < 0.0) {
        lines.push(fill(
            &text("msg_worst_region"),
            &[
                ("region", region),
                ("completion", f.pct(c)),
                ("ahead_behind", ahead_behind(gap)),
                ("gap", points(gap)),
            ],
        ));
    }
    lines.push(fill(
        &text("msg_costs"),
        &[
            ("ratio", shown("expense_ratio", "month")),
            ("cap", f.pct(config.thresholds.expense_ratio_max)),
            ("share", shown("new_customer_revenue_share", "month")),
            (
                "target",
                f.pct(config.thresholds.new_customer_revenue_share_min),
            ),
        ],
    ));

    let (red, amber, worst) = alerts(metrics, config, &labels, &f);
    lines.push(fill(
        &text("msg_alerts"),
        &[("red", red.to_string()), ("amber", amber.to_string())],
    ));
    let headline = [
        ("revenue", "month"),
        ("attainment", "month"),
        ("annual_completion", "ytd"),
        ("time_progress", "ytd"),
        ("forecast_year", "year"),
    ]
    .into_iter()
    .map(|(name, period)| Headline {
        figure: name.into(),
        period: period.into(),
        label: label(name),
        value: figure(&kpis, name, period),
        text: shown(name, period),
    })
    .collect();
    let en = config.lang == "en";
    Ok(Summary {
        company: config.company.clone(),
        month,
        scope: scope.map(str::to_string),
        title,
        lines,
        red,
        amber,
        worst,
        headline,
        alerts_heading: if en { "Alerts" } else { "预警" }.into(),
        worst_heading: if en { "Most urgent" } else { "最需关注" }.into(),
        attached: if en {
            "The report and the meeting deck are attached (PDF)."
        } else {
            "附件：月度报告与经营会幻灯片（PDF）。"
        }
        .into(),
    })
}

/// `星河科技 销售领导工作规划 · 2026年10月`, and the scope after it.
fn title(company: &str, doc: &Value, month: Month, scope: Option<&str>) -> String {
    let month_label = fill(
        &doc_text(doc, "month_fmt"),
        &[
            ("year", month.year.to_string()),
            ("month", month.month.to_string()),
            (
                "monthname",
                doc.get("month_names")
                    .and_then(|n| n.get(month.month as usize - 1))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            ),
        ],
    );
    let mut title = format!("{} {}", company, doc_text(doc, "title"))
        .trim()
        .to_string();
    title = format!("{title} · {month_label}");
    if let Some(s) = scope {
        title = format!("{title} · {s}");
    }
    title
}

/// A text of the documents' labels, empty where missing.
fn doc_text(doc: &Value, key: &str) -> String {
    doc.get(key)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// The red and amber alerts counted, and the worst of them worded: red first, in the order
/// the figures listed them, one line per figure and key.
fn alerts(
    metrics: &Value,
    config: &Config,
    labels: &Labels,
    f: &Formatter,
) -> (usize, usize, Vec<String>) {
    let period_label = |p: &str| labels.periods.get(p).cloned().unwrap_or_else(|| p.into());
    let alerts: Vec<&Value> = metrics
        .get("alerts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    let count = |s: &str| {
        alerts
            .iter()
            .filter(|a| a.get("status").and_then(Value::as_str) == Some(s))
            .count()
    };
    let (red, amber) = (count("red"), count("amber"));
    let mut worst: Vec<&Value> = alerts
        .iter()
        .copied()
        .filter(|a| {
            matches!(
                a.get("status").and_then(Value::as_str),
                Some("red" | "amber")
            )
        })
        .collect();
    // Red first, in the order the figures listed them; one line per figure and key (its
    // month, quarter and year alerts say one thing).
    worst.sort_by_key(|a| a.get("status").and_then(Value::as_str) != Some("red"));
    let mut seen = std::collections::HashSet::new();
    worst.retain(|a| seen.insert((a.get("kpi").cloned(), a.get("key").cloned())));
    let should = if config.lang == "en" {
        "should be"
    } else {
        "要求"
    };
    let worst = worst
        .into_iter()
        .take(WORST)
        .map(|a| {
            let s = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or("");
            let kpi = s("kpi");
            let value = f.format(kind_of(kpi), a.get("value").and_then(Value::as_f64));
            let threshold = f.format(kind_of(kpi), a.get("threshold").and_then(Value::as_f64));
            let direction = labels
                .direction
                .get(s("direction"))
                .cloned()
                .unwrap_or_default();
            let status = labels.status.get(s("status")).cloned().unwrap_or_default();
            let place = match a.get("key").and_then(Value::as_str) {
                Some(k) => format!("{k} · "),
                None => String::new(),
            };
            if config.lang == "en" {
                format!(
                    "[{status}] {place}{} ({}) {value}, {should} {direction} {threshold}",
                    figure_label(labels, kpi),
                    period_label(s("period"))
                )
            } else {
                format!(
                    "[{status}] {place}{}（{}）{value}，{should}{direction} {threshold}",
                    figure_label(labels, kpi),
                    period_label(s("period"))
                )
            }
        })
        .collect();
    (red, amber, worst)
}

/// A figure's name as the documents print it.
fn figure_label(labels: &Labels, name: &str) -> String {
    labels
        .figures
        .get(name)
        .cloned()
        .unwrap_or_else(|| name.into())
}

impl Summary {
    /// The message as plain text.
    pub fn text(&self) -> String {
        let mut out = format!("{}\n\n", self.title);
        for l in &self.lines {
            out.push_str(&format!("• {l}\n"));
        }
        if !self.worst.is_empty() {
            out.push_str(&format!("\n{}:\n", self.worst_heading));
            for w in &self.worst {
                out.push_str(&format!("• {w}\n"));
            }
        }
        out.push_str(&format!("\n{}\n", self.attached));
        out
    }

    /// The message as an HTML fragment.
    pub fn html(&self) -> String {
        let list = |items: &[String]| {
            items
                .iter()
                .map(|i| format!("<li>{}</li>", escape(i)))
                .collect::<String>()
        };
        let mut out = format!(
            "<!DOCTYPE html><html><body style=\"font-family:sans-serif\"><h2>{}</h2><ul>{}</ul>",
            escape(&self.title),
            list(&self.lines)
        );
        if !self.worst.is_empty() {
            out.push_str(&format!(
                "<h3>{}</h3><ul>{}</ul>",
                escape(&self.worst_heading),
                list(&self.worst)
            ));
        }
        out.push_str(&format!("<p>{}</p></body></html>", escape(&self.attached)));
        out
    }

    /// The message as Markdown (chat robots), `bold` marking as the platform writes it.
    pub fn markdown(&self, bold: &str) -> String {
        let mut out = format!("{bold}{}{bold}\n\n", self.title);
        for l in &self.lines {
            out.push_str(&format!("- {l}\n"));
        }
        out.push_str(&format!(
            "\n{bold}{}{bold}: 🔴 {} · 🟡 {}\n",
            self.alerts_heading, self.red, self.amber
        ));
        for w in &self.worst {
            out.push_str(&format!("- {w}\n"));
        }
        out
    }
}

/// Text as HTML: the five characters that mean markup, escaped.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
