//! The command line (SPEC §1): clap types only.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::types::Month;

/// Turns monthly Excel sales exports into the sales-leadership work plan: metrics.json,
/// metrics.xlsx, and (with the rendering stage) report.pdf and deck.pdf.
#[derive(Debug, Parser)]
#[command(name = "salesplan", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print only errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// More log output (-v info, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Log line format: text for people, json for log collectors.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read the inputs, compute the figures and write outputs/<month>/.
    Run(RunArgs),
    /// Validate the inputs only: a data-quality report per table, rejected rows listed.
    Check(CheckArgs),
    /// Write deterministic demo workbooks (every table of SPEC §2).
    Demo(DemoArgs),
    /// Write salesplan.toml and the templates out for editing.
    Init(InitArgs),
    /// Propose a year's targets from history, as a workbook to edit (run reads it back).
    Targets(TargetsArgs),
    /// Send a finished month's documents to the [[deliver]] entries again.
    Deliver(DeliverArgs),
}

/// `salesplan deliver`.
#[derive(Debug, Args)]
pub struct DeliverArgs {
    /// The month to send (default: the latest finished month in --out).
    #[arg(long, value_parser = parse_month)]
    pub month: Option<Month>,
    /// The output folder the run wrote.
    #[arg(long, default_value = "outputs")]
    pub out: PathBuf,
    /// Configuration file (default: salesplan.toml in the current folder, if present).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// `salesplan targets`.
#[derive(Debug, Args)]
pub struct TargetsArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The year to propose targets for.
    #[arg(long)]
    pub year: i32,
    /// Growth over the basis (the 12 months ending with the latest month with orders):
    /// 0.1 is 10 % more, -0.1 is 10 % less.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub growth: f64,
    /// Dimensions to split by, comma-separated: region, product_line, rep_id (default: region
    /// and product line where the orders have them).
    #[arg(long, value_delimiter = ',')]
    pub by: Option<Vec<String>>,
    /// The workbook to write (default: outputs/targets-<year>.xlsx).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also split this month's targets by ISO week, in proportion to working days.
    #[arg(long, value_parser = parse_month, value_name = "YYYY-MM")]
    pub weeks: Option<Month>,
}

/// `salesplan init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder to write salesplan.toml and templates/ into.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

/// Options shared by `run` and `check`.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Folder of input workbooks (.xlsx .xlsm .xls .ods .csv), read recursively.
    #[arg(long, default_value = "inputs")]
    pub input: PathBuf,
    /// Configuration file (default: salesplan.toml in the current folder, if present).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Share of rows (0–1) that may be rejected before the run refuses.
    #[arg(long)]
    pub max_rejected_share: Option<f64>,
}

/// `salesplan run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Report month, YYYY-MM (default: the latest month that has orders).
    #[arg(long, value_parser = parse_month)]
    pub month: Option<Month>,
    /// Output folder; the run writes <out>/<month>/.
    #[arg(long, default_value = "outputs")]
    pub out: PathBuf,
    /// Document language.
    #[arg(long, value_parser = ["zh", "en"])]
    pub lang: Option<String>,
    /// Exit 1 (after writing everything) when an alert is at or above this level.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// A folder of extra fonts (.ttf .otf .ttc); may be given more than once.
    #[arg(long)]
    pub font_path: Vec<PathBuf>,
    /// Also render a report and deck per region, product line or rep, into
    /// <out>/<month>/<value>/.
    #[arg(long, value_parser = ["region", "product_line", "rep_id", "rep"])]
    pub split_by: Option<String>,
    /// Do not send the documents to the [[deliver]] entries of salesplan.toml.
    #[arg(long)]
    pub no_deliver: bool,
}

/// `salesplan check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Where rejected-<month>.csv is written when rows are rejected.
    #[arg(long, default_value = "outputs")]
    pub out: PathBuf,
    /// Also write the mapping used, as commented [[sheets]] entries of salesplan.toml, to
    /// FILE: pin it, or correct it and run with it.
    #[arg(long, value_name = "FILE")]
    pub write_config: Option<PathBuf>,
}

/// `salesplan demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder to write the demo workbooks to.
    #[arg(long, default_value = "inputs")]
    pub out: PathBuf,
    /// Months of history, ending with the last month.
    #[arg(long, default_value_t = 26)]
    pub months: u32,
    /// Order lines to generate (default: about 6,000).
    #[arg(long)]
    pub rows: Option<usize>,
    /// Random seed; the same seed gives the same workbooks.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Last month of the data, YYYY-MM.
    #[arg(long, value_parser = parse_month, default_value = "2026-10")]
    pub last_month: Month,
    /// How order lines are split into workbooks.
    #[arg(long, value_enum, default_value = "yearly")]
    pub orders_files: crate::demo::OrdersFiles,
    /// `company`: the demo company's exports; `keys`: one large orders sheet shaped by its
    /// key cardinalities (--customers, --reps, --regions, --product-lines) and a roster,
    /// for benchmarks (--rows defaults to 1,000,000 there).
    #[arg(long, value_parser = ["company", "keys"], default_value = "company")]
    pub shape: String,
    /// Keys shape: customers (default 50,000).
    #[arg(long)]
    pub customers: Option<usize>,
    /// Keys shape: reps (default 200).
    #[arg(long)]
    pub reps: Option<usize>,
    /// Keys shape: regions (default 7).
    #[arg(long)]
    pub regions: Option<usize>,
    /// Keys shape: product lines (default 6).
    #[arg(long)]
    pub product_lines: Option<usize>,
}

/// The alert level that makes `run` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Red,
    Amber,
}

fn parse_month(s: &str) -> Result<Month, String> {
    s.parse()
}
