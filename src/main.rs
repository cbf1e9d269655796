//! The `salesplan` binary: parse the command line, start logging, call the library, and
//! map the outcome to an exit code a scheduler can act on (SPEC §1).

// Errors are the cold path and carry their place by value.
#![allow(clippy::result_large_err)]

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use salesplan::cli::{Cli, Command, FailOn, LogFormat};
use salesplan::error::exit;
use salesplan::figures::alerts::Status;

fn init_logging(cli: &Cli) {
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("SALESPLAN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("salesplan={level}")));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    match cli.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).init(),
    }
}

/// glibc gives every thread that allocates its own memory arena (up to eight per core), and
/// freed memory stays in them: reading and computing on threads (the xlsx reader, polars)
/// then holds a fifth more resident memory. One arena keeps a million-line run near 300 MiB
/// (two: 300-380 MiB, eight per core: ~630 MiB) at the same speed (BENCHMARKS.md). `run`
/// gets two: the report and the deck are laid out on four threads that allocate small
/// objects all the time, and with one arena they waited on its lock for a sixth of that time
/// (documents 0.56 → 0.47 s, peak +3 MiB on a million lines).
fn limit_malloc_arenas(command: &Command) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let arenas = if matches!(command, Command::Run(_)) {
            2
        } else {
            1
        };
        // SAFETY: mallopt only sets an allocator parameter; called before any other thread runs.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = command;
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    limit_malloc_arenas(&cli.command);
    init_logging(&cli);
    let code = match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("salesplan: error: {e}");
            e.exit_code()
        }
    };
    ExitCode::from(code as u8)
}

fn run(cli: &Cli) -> Result<i32, salesplan::Error> {
    match &cli.command {
        Command::Run(a) => {
            let opts = salesplan::RunOptions {
                input: a.input.input.clone(),
                config: a.input.config.clone(),
                month: a.month,
                out: a.out.clone(),
                lang: a.lang.clone(),
                max_rejected_share: a.input.max_rejected_share,
                font_paths: a.font_path.clone(),
                split_by: a
                    .split_by
                    .as_deref()
                    .map(|d| if d == "rep" { "rep_id" } else { d }.to_string()),
                command_line: std::env::args().collect(),
                deliver: !a.no_deliver,
            };
            let outcome = salesplan::run(&opts)?;
            if !cli.quiet {
                println!(
                    "wrote {} (month {})",
                    outcome.folder.display(),
                    outcome.month
                );
                if outcome.rejected_rows > 0 {
                    println!(
                        "{} rejected cell(s) dropped; see rejected.csv",
                        outcome.rejected_rows
                    );
                }
            }
            let fails = matches!(
                (a.fail_on, outcome.worst),
                (Some(FailOn::Red), Some(Status::Red))
                    | (Some(FailOn::Amber), Some(Status::Red | Status::Amber))
            );
            // A failed delivery (69) wins over alerts (1): the leaders did not get the report.
            if let Some(report) = &outcome.delivery {
                print_delivery(report, cli.quiet);
                if report.failed() > 0 {
                    return Ok(exit::UNAVAILABLE);
                }
            }
            Ok(if fails { exit::ALERTS } else { exit::OK })
        }
        Command::Check(a) => {
            let outcome = salesplan::check(
                &a.input.input,
                a.input.config.as_deref(),
                a.input.max_rejected_share,
                &a.out,
            )?;
            if !cli.quiet {
                print!("{}", check_report(&outcome));
            }
            if let Some(path) = &a.write_config {
                let text = salesplan::ingest::mapping::mapping_toml(
                    &outcome.quality.read,
                    &a.input.input.display().to_string(),
                    outcome.date_order,
                );
                std::fs::write(path, text).map_err(|e| salesplan::error::Error::Write {
                    path: path.clone(),
                    source: e,
                })?;
                if !cli.quiet {
                    println!("wrote {}", path.display());
                }
            }
            Ok(exit::OK)
        }
        Command::Deliver(a) => {
            let report = salesplan::deliver_month(&a.out, a.month, a.config.as_deref())?;
            print_delivery(&report, cli.quiet);
            Ok(if report.failed() > 0 {
                exit::UNAVAILABLE
            } else {
                exit::OK
            })
        }
        Command::Targets(a) => {
            let (path, proposal) = salesplan::targets(&salesplan::TargetsOptions {
                input: a.input.input.clone(),
                config: a.input.config.clone(),
                year: a.year,
                growth: a.growth,
                by: a.by.clone(),
                out: a.out.clone(),
                weeks: a.weeks,
                max_rejected_share: a.input.max_rejected_share,
            })?;
            if !cli.quiet {
                let year: i64 = proposal.keys.iter().map(|k| k.year).sum();
                println!(
                    "wrote {} ({} target(s) for {}, {} in all; basis {} to {})",
                    path.display(),
                    proposal.keys.len(),
                    proposal.year,
                    year,
                    proposal.first,
                    proposal.last
                );
            }
            Ok(exit::OK)
        }
        Command::Init(a) => {
            for f in salesplan::init(&a.dir)? {
                if !cli.quiet {
                    println!("wrote {}", f.display());
                }
            }
            Ok(exit::OK)
        }
        Command::Demo(a) => {
            let written = salesplan::demo::write(&salesplan::demo::DemoOptions {
                out: a.out.clone(),
                months: a.months,
                rows: a.rows,
                seed: a.seed,
                last_month: a.last_month,
                orders_files: a.orders_files,
                shape: match a.shape.as_str() {
                    "keys" => salesplan::demo::Shape::Keys(salesplan::demo::Keys {
                        customers: a.customers,
                        reps: a.reps,
                        regions: a.regions,
                        product_lines: a.product_lines,
                    }),
                    _ => salesplan::demo::Shape::Company,
                },
            })?;
            if !cli.quiet {
                for f in written {
                    println!("wrote {}", f.display());
                }
            }
            Ok(exit::OK)
        }
    }
}

fn check_report(o: &salesplan::CheckOutcome) -> String {
    let mut s = String::new();
    if let Some(m) = o.month {
        s.push_str(&format!("latest month with orders: {m}\n"));
    }
    s.push_str(&format!(
        "{:<12} {:>5} {:>10} {:>10} {:>10} {:>8} {:>10}\n",
        "table", "files", "rows read", "used", "rejected", "totals", "cancelled"
    ));
    for (name, t) in &o.quality.read.tables {
        s.push_str(&format!(
            "{:<12} {:>5} {:>10} {:>10} {:>10} {:>8} {:>10}\n",
            name,
            t.files,
            t.rows_read,
            t.rows_used,
            t.rows_rejected,
            t.totals_rows,
            t.cancelled_rows
        ));
    }
    for m in &o.quality.read.sheets {
        s.push_str(&format!(
            "{} › {} → {} (by its {}, header row {})\n",
            m.file, m.sheet, m.table, m.by, m.header_row
        ));
        for c in &m.columns {
            s.push_str(&format!("    {c}\n"));
        }
    }
    for f in &o.quality.findings {
        s.push_str(&format!("warning: {}: {}\n", f.table, f.message));
    }
    for i in &o.quality.read.ignored_sheets {
        s.push_str(&format!(
            "ignored: {} › {}: {}\n",
            i.file, i.sheet, i.reason
        ));
    }
    if !o.rejections.is_empty() {
        s.push_str(&format!(
            "rejected cells (within --max-rejected-share):\n{}\n",
            salesplan::rejection_summary(&o.rejections)
        ));
    }
    s
}

/// One line per `[[deliver]]` entry; failures go to stderr even with --quiet.
fn print_delivery(report: &salesplan::deliver::DeliveryReport, quiet: bool) {
    for c in &report.channels {
        let split = c
            .split
            .as_deref()
            .map(|s| format!(" [{s}]"))
            .unwrap_or_default();
        match &c.error {
            None if !quiet => println!(
                "delivered {} to {}{split} ({}, {} attempt(s))",
                report.month, c.target, c.channel, c.attempts
            ),
            None => {}
            Some(why) => eprintln!(
                "salesplan: delivery of {} to {}{split} ({}) failed after {} attempt(s): {why}",
                report.month, c.target, c.channel, c.attempts
            ),
        }
    }
}
