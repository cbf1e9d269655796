//! `salesplan.toml`: read into a raw type whose every field is optional, then resolved once
//! into a complete, validated [`Config`] before any input is read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobMatcher};
use serde::Deserialize;

mod deliver;

pub use deliver::{redact, Channel, Delivery, SmtpServer, WebhookFormat, WebhookUrl};

use crate::error::{Error, Result};
use crate::types::Limits;
use crate::types::TableKind;

/// The commented configuration `salesplan init` writes.
pub const EXAMPLE: &str = include_str!("../../templates/salesplan.example.toml");

/// The file as written; every field may be missing.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// Company name for the documents' header.
    pub company: Option<String>,
    /// Currency symbol (default `¥`).
    pub currency: Option<String>,
    /// Document language, `zh` or `en`.
    pub lang: Option<String>,
    /// Money in the documents: `auto` (万/亿, K/M/B) or `full`.
    pub money_unit: Option<String>,
    /// Folder of edited templates.
    pub templates: Option<PathBuf>,
    /// Share of rows that may be rejected before the run refuses (default 0).
    pub max_rejected_share: Option<f64>,
    /// Limits on input files.
    pub limits: Option<RawLimits>,
    /// Per file/sheet mappings.
    #[serde(default)]
    pub sheets: Vec<RawSheet>,
    /// Extra header names per table: `[columns.orders] "销售代表ID" = "rep_id"`.
    #[serde(default)]
    pub columns: BTreeMap<String, BTreeMap<String, String>>,
    /// KPI thresholds.
    pub thresholds: Option<RawThresholds>,
    /// Lead stages, first to last.
    pub stages: Option<Vec<String>>,
    /// How `03/04/2026` reads when a column's values do not tell: `dmy` or `mdy`.
    pub date_order: Option<String>,
    /// Weights of the balanced scorecard per rep.
    pub scorecard: Option<RawScorecard>,
    /// Where each finished run's documents are sent.
    #[serde(default)]
    pub deliver: Vec<deliver::RawDeliver>,
}

/// `[scorecard]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScorecard {
    pub attainment: Option<f64>,
    pub collection: Option<f64>,
    pub nps: Option<f64>,
    pub visits: Option<f64>,
}

/// Weights of the scorecard's components.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ScorecardWeights {
    pub attainment: f64,
    pub collection: f64,
    pub nps: f64,
    pub visits: f64,
}

impl Default for ScorecardWeights {
    fn default() -> Self {
        ScorecardWeights {
            attainment: 0.4,
            collection: 0.2,
            nps: 0.2,
            visits: 0.2,
        }
    }
}

/// `[limits]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLimits {
    pub max_cells: Option<u64>,
    pub max_entry_bytes: Option<u64>,
    pub max_entry_ratio: Option<f64>,
}

/// One `[[sheets]]` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSheet {
    /// File name or path below the input folder; `*` and `?` wildcards allowed.
    pub file: String,
    /// Sheet name; all sheets of the file when missing.
    pub sheet: Option<String>,
    /// Table name, or `ignore`.
    pub table: String,
    /// 1-based header row, as Excel shows it.
    pub header_row: Option<u32>,
    /// The year of a wide sheet's period columns (`1月 … 12月`) when the sheet names none.
    pub year: Option<i32>,
    /// Header → column.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
}

/// `[thresholds]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawThresholds {
    pub expense_ratio_max: Option<f64>,
    pub new_customer_revenue_share_min: Option<f64>,
    pub attainment_green: Option<f64>,
    pub attainment_amber: Option<f64>,
    pub inquiry_conversion_min: Option<f64>,
    pub response_sla_hours: Option<f64>,
    pub response_sla_min: Option<f64>,
    pub follow_up_coverage_min: Option<f64>,
    pub inventory_days_min: Option<f64>,
}

/// The work plan's thresholds (SPEC §3), with its defaults.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Thresholds {
    pub expense_ratio_max: f64,
    pub new_customer_revenue_share_min: f64,
    pub attainment_green: f64,
    pub attainment_amber: f64,
    pub inquiry_conversion_min: f64,
    pub response_sla_hours: f64,
    pub response_sla_min: f64,
    pub follow_up_coverage_min: f64,
    pub inventory_days_min: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            expense_ratio_max: 0.08,
            new_customer_revenue_share_min: 0.30,
            attainment_green: 1.0,
            attainment_amber: 0.9,
            inquiry_conversion_min: 0.15,
            response_sla_hours: 2.0,
            response_sla_min: 1.0,
            follow_up_coverage_min: 1.0,
            inventory_days_min: 45.0,
        }
    }
}

/// What a sheet is, by configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetTarget {
    Table(TableKind),
    Ignore,
}

/// A resolved `[[sheets]]` entry.
#[derive(Debug, Clone)]
pub struct SheetRule {
    file: GlobMatcher,
    sheet: Option<String>,
    /// Table or ignore.
    pub target: SheetTarget,
    /// 0-based header row.
    pub header_row: Option<u32>,
    /// The year of a wide sheet's year-less period columns.
    pub year: Option<i32>,
    /// Normalised header → canonical column.
    pub columns: BTreeMap<String, &'static str>,
}

impl SheetRule {
    /// Whether the rule is for this file (path relative to the input folder) and sheet.
    pub fn matches(&self, relative: &Path, sheet: &str) -> bool {
        let name = relative.file_name().map(Path::new).unwrap_or(relative);
        (self.file.is_match(relative) || self.file.is_match(name))
            && self.sheet.as_deref().is_none_or(|s| s == sheet)
    }
}

/// The complete configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub company: String,
    pub currency: String,
    pub lang: String,
    pub money_unit: crate::types::MoneyUnit,
    pub templates: Option<PathBuf>,
    pub max_rejected_share: f64,
    pub limits: Limits,
    pub sheets: Vec<SheetRule>,
    /// Per table: normalised header → canonical column.
    pub columns: BTreeMap<TableKind, BTreeMap<String, &'static str>>,
    pub thresholds: Thresholds,
    pub stages: Vec<String>,
    pub scorecard: ScorecardWeights,
    /// `date_order`: how ambiguous `a/b/yyyy` dates read.
    pub date_order: Option<crate::types::DateOrder>,
    /// `[[deliver]]` entries, in order.
    pub deliver: Vec<Delivery>,
}

impl Default for Config {
    fn default() -> Self {
        Config::resolve(RawConfig::default(), Path::new(".")).expect("defaults are valid")
    }
}

impl Config {
    /// Reads `path`; a missing default file is the default configuration.
    pub fn load(path: Option<&Path>) -> Result<Config> {
        let (path, explicit) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from("salesplan.toml"), false),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
                return Ok(Config::default());
            }
            Err(e) => {
                return Err(Error::Config(format!(
                    "cannot read {} ({e})",
                    path.display()
                )))
            }
        };
        let raw: RawConfig =
            toml::from_str(&text).map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
        let base = path.parent().unwrap_or(Path::new("."));
        Config::resolve(raw, base).map_err(|e| match e {
            Error::Config(m) => Error::Config(format!("{}: {m}", path.display())),
            other => other,
        })
    }

    /// Validates a raw configuration; relative paths are taken from `base`.
    pub fn resolve(raw: RawConfig, base: &Path) -> Result<Config> {
        let bad = |m: String| Err(Error::Config(m));
        let lang = raw.lang.unwrap_or_else(|| "zh".into());
        if lang != "zh" && lang != "en" {
            return bad(format!("lang must be \"zh\" or \"en\", not {lang:?}"));
        }
        let money_unit = match raw.money_unit.as_deref() {
            None | Some("auto") => crate::types::MoneyUnit::Auto,
            Some("full") => crate::types::MoneyUnit::Full,
            Some(other) => {
                return bad(format!(
                    "money_unit must be \"auto\" or \"full\", not {other:?}"
                ))
            }
        };
        let max_rejected_share = raw.max_rejected_share.unwrap_or(0.0);
        if !(0.0..=1.0).contains(&max_rejected_share) {
            return bad(format!(
                "max_rejected_share must be between 0 and 1, not {max_rejected_share}"
            ));
        }
        let mut limits = Limits::default();
        if let Some(l) = raw.limits {
            limits.max_cells = l.max_cells.unwrap_or(limits.max_cells);
            limits.max_entry_bytes = l.max_entry_bytes.unwrap_or(limits.max_entry_bytes);
            limits.max_entry_ratio = l.max_entry_ratio.unwrap_or(limits.max_entry_ratio);
        }
        let mut sheets = Vec::new();
        for s in raw.sheets {
            let target = if s.table == "ignore" {
                SheetTarget::Ignore
            } else {
                SheetTarget::Table(table_by_name(&s.table)?)
            };
            let file = Glob::new(&s.file)
                .map_err(|e| Error::Config(format!("[[sheets]] file {:?}: {e}", s.file)))?
                .compile_matcher();
            let columns = match target {
                SheetTarget::Table(t) => column_map(t, &s.columns)?,
                SheetTarget::Ignore => BTreeMap::new(),
            };
            if s.header_row == Some(0) {
                return bad(format!("[[sheets]] {:?}: header_row counts from 1", s.file));
            }
            sheets.push(SheetRule {
                file,
                sheet: s.sheet,
                target,
                header_row: s.header_row.map(|r| r - 1),
                year: s.year,
                columns,
            });
        }
        let mut columns = BTreeMap::new();
        for (table, map) in &raw.columns {
            let t = table_by_name(table)?;
            columns.insert(t, column_map(t, map)?);
        }
        let mut thresholds = Thresholds::default();
        if let Some(t) = raw.thresholds {
            let set = |v: &mut f64, o: Option<f64>| *v = o.unwrap_or(*v);
            set(&mut thresholds.expense_ratio_max, t.expense_ratio_max);
            set(
                &mut thresholds.new_customer_revenue_share_min,
                t.new_customer_revenue_share_min,
            );
            set(&mut thresholds.attainment_green, t.attainment_green);
            set(&mut thresholds.attainment_amber, t.attainment_amber);
            set(
                &mut thresholds.inquiry_conversion_min,
                t.inquiry_conversion_min,
            );
            set(&mut thresholds.response_sla_hours, t.response_sla_hours);
            set(&mut thresholds.response_sla_min, t.response_sla_min);
            set(
                &mut thresholds.follow_up_coverage_min,
                t.follow_up_coverage_min,
            );
            set(&mut thresholds.inventory_days_min, t.inventory_days_min);
        }
        if thresholds.attainment_amber > thresholds.attainment_green {
            return bad("thresholds.attainment_amber must not be above attainment_green".into());
        }
        let stages = raw.stages.unwrap_or_else(|| {
            ["线索", "询盘", "报价", "谈判", "成交"]
                .map(String::from)
                .to_vec()
        });
        if stages.is_empty() {
            return bad("stages must name at least one stage".into());
        }
        let mut scorecard = ScorecardWeights::default();
        if let Some(w) = raw.scorecard {
            scorecard.attainment = w.attainment.unwrap_or(scorecard.attainment);
            scorecard.collection = w.collection.unwrap_or(scorecard.collection);
            scorecard.nps = w.nps.unwrap_or(scorecard.nps);
            scorecard.visits = w.visits.unwrap_or(scorecard.visits);
        }
        let weights = [
            scorecard.attainment,
            scorecard.collection,
            scorecard.nps,
            scorecard.visits,
        ];
        if weights.iter().any(|w| !w.is_finite() || *w < 0.0) || weights.iter().sum::<f64>() <= 0.0
        {
            return bad("scorecard weights must be zero or more, and not all zero".into());
        }
        let date_order = match raw.date_order.as_deref() {
            None => None,
            Some("dmy") => Some(crate::types::DateOrder::DayFirst),
            Some("mdy") => Some(crate::types::DateOrder::MonthFirst),
            Some(other) => {
                return bad(format!(
                    "date_order must be \"dmy\" (day first) or \"mdy\" (month first), not {other:?}"
                ))
            }
        };
        let deliver = raw
            .deliver
            .into_iter()
            .enumerate()
            .map(|(i, d)| deliver::resolve(i, d))
            .collect::<Result<Vec<_>>>()?;
        Ok(Config {
            deliver,
            date_order,
            company: raw.company.unwrap_or_default(),
            currency: raw.currency.unwrap_or_else(|| "¥".into()),
            lang,
            money_unit,
            templates: raw.templates.map(|p| base.join(p)),
            max_rejected_share,
            limits,
            sheets,
            columns,
            thresholds,
            stages,
            scorecard,
        })
    }

    /// The `[[sheets]]` rule for a file and sheet, the first that matches.
    pub fn sheet_rule(&self, relative: &Path, sheet: &str) -> Option<&SheetRule> {
        self.sheets.iter().find(|r| r.matches(relative, sheet))
    }
}

fn table_by_name(name: &str) -> Result<TableKind> {
    TableKind::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = TableKind::ALL.iter().map(|t| t.name()).collect();
        Error::Config(format!(
            "unknown table {name:?} (known: {}, or ignore)",
            names.join(", ")
        ))
    })
}

fn column_map(
    table: TableKind,
    map: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, &'static str>> {
    let mut out = BTreeMap::new();
    for (header, column) in map {
        // Helper fields of orders (unit_price, customer_name, order_month) may be pinned too.
        if table == TableKind::Orders {
            if let Some(h) = crate::types::HELPERS.iter().find(|h| *h == column) {
                out.insert(crate::types::normalize_header(header), *h);
                continue;
            }
        }
        let spec = table.column(column).ok_or_else(|| {
            let names: Vec<&str> = table.columns().iter().map(|c| c.name).collect();
            Error::Config(format!(
                "table {} has no column {column:?} (mapped from header {header:?}; known: {})",
                table.name(),
                names.join(", ")
            ))
        })?;
        out.insert(crate::types::normalize_header(header), spec.name);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_work_plans() {
        let c = Config::default();
        assert_eq!(c.thresholds.expense_ratio_max, 0.08);
        assert_eq!(c.thresholds.new_customer_revenue_share_min, 0.30);
        assert_eq!(c.max_rejected_share, 0.0);
        assert_eq!(c.stages.len(), 5);
    }

    #[test]
    fn mappings_resolve() {
        let raw: RawConfig = toml::from_str(
            r#"
            [[sheets]]
            file = "销售*.xlsx"
            table = "orders"
            header_row = 2
            columns = { "销售代表ID" = "rep_id" }
            [columns.orders]
            "类别" = "product_line"
            "#,
        )
        .unwrap();
        let c = Config::resolve(raw, Path::new(".")).unwrap();
        let rule = c
            .sheet_rule(Path::new("sub/销售记录.xlsx"), "Sheet1")
            .unwrap();
        assert_eq!(rule.header_row, Some(1));
        assert_eq!(rule.columns.get("销售代表id"), Some(&"rep_id"));
        assert_eq!(
            c.columns[&TableKind::Orders].get("类别"),
            Some(&"product_line")
        );
    }

    #[test]
    fn the_example_is_valid() {
        let raw: RawConfig = toml::from_str(EXAMPLE).unwrap();
        Config::resolve(raw, Path::new(".")).unwrap();
    }

    #[test]
    fn the_readme_examples_are_valid() {
        let readme = include_str!("../../README.md");
        let blocks: Vec<&str> = readme
            .split("```toml\n")
            .skip(1)
            .map(|b| &b[..b.find("```").expect("its end")])
            .collect();
        assert!(blocks.len() >= 3, "{}", blocks.len());
        let mut full = None;
        for b in blocks {
            let raw: RawConfig = toml::from_str(b).unwrap_or_else(|e| panic!("{e}\n{b}"));
            let c = Config::resolve(raw, Path::new(".")).unwrap_or_else(|e| panic!("{e}\n{b}"));
            if !c.company.is_empty() {
                full = Some(c);
            }
        }
        let c = full.expect("the full example");
        assert_eq!(c.company, "星河科技");
        assert_eq!(c.stages.len(), 5);
    }

    #[test]
    fn mistakes_are_named() {
        let raw: RawConfig = toml::from_str("[columns.orders]\n\"x\" = \"amout\"").unwrap();
        let e = Config::resolve(raw, Path::new("."))
            .unwrap_err()
            .to_string();
        assert!(e.contains("no column \"amout\""), "{e}");
        assert!(toml::from_str::<RawConfig>("colour = 1").is_err());
    }
}
