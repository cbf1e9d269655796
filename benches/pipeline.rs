//! The pipeline's stages timed on a generated workbook set: ingest, figures, render (report
//! and deck), write. Run with `cargo bench --bench pipeline -- [--rows N] [--runs K]`;
//! it prints the median of K runs per stage, and the first (cold) render. No assertions: timings belong here, not in
//! tests.

use std::time::{Duration, Instant};

use salesplan::config::Config;
use salesplan::figures;
use salesplan::ingest;
use salesplan::render::{self, fonts::Fonts, Document};

/// This process's peak and current resident memory in MiB (Linux; zero elsewhere).
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
            .unwrap_or(0)
            / 1024
    };
    (field("VmHWM:"), field("VmRSS:"))
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn arg(name: &str) -> Option<usize> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
}

fn main() {
    let rows = arg("--rows");
    let runs = arg("--runs").unwrap_or(5).max(1);
    let dir = tempfile::tempdir().expect("temp dir");
    let args: Vec<String> = std::env::args().collect();
    let given = args
        .iter()
        .position(|a| a == "--input")
        .and_then(|i| args.get(i + 1))
        .map(std::path::PathBuf::from);
    let input = given.clone().unwrap_or_else(|| dir.path().join("inputs"));
    let t = Instant::now();
    if given.is_none() {
        salesplan::demo::write(&salesplan::demo::DemoOptions {
            out: input.clone(),
            months: 26,
            rows,
            seed: 7,
            last_month: "2026-10".parse().unwrap(),
            orders_files: Default::default(),
            shape: salesplan::demo::Shape::Company,
        })
        .expect("demo");
    }
    println!(
        "generated demo inputs ({} rows asked) in {:.2?}",
        rows.map_or("default".into(), |r| r.to_string()),
        t.elapsed()
    );

    let config = Config::default();
    let fonts_start = Instant::now();
    let fonts = Fonts::embedded();
    let fonts_time = fonts_start.elapsed();
    let renderer = render::Renderer {
        fonts,
        templates: render::Templates::embedded(),
    };
    let labels = salesplan::output::xlsx::Labels::load("zh").unwrap();
    let formatter = render::format::Formatter::new("¥", salesplan::types::MoneyUnit::Auto, "zh");

    let (mut ingest_t, mut figures_t, mut render_t, mut write_t) = (vec![], vec![], vec![], vec![]);
    for i in 0..runs {
        let t = Instant::now();
        let ingested = ingest::read_inputs(&input, &config).expect("ingest");
        ingest_t.push(t.elapsed());
        if i == 0 {
            let (peak, now) = memory();
            println!("after ingest: peak {peak} MiB, resident {now} MiB");
        }

        let t = Instant::now();
        let month = figures::latest_month(&ingested.tables).unwrap().unwrap();
        let m = figures::compute(&ingested.tables, month, &config, ingested.quality.clone())
            .expect("figures");
        figures_t.push(t.elapsed());
        if i == 0 {
            let (peak, now) = memory();
            println!("after figures: peak {peak} MiB, resident {now} MiB");
        }

        let t = Instant::now();
        let present: Vec<_> = salesplan::types::TableKind::ALL
            .into_iter()
            .filter(|k| ingested.tables.has(*k))
            .collect();
        let view = render::data::build(
            &m,
            &formatter,
            render::data::Context {
                company: "bench",
                blank_label: &labels.blank_key,
                thresholds: &config.thresholds,
                weights: &config.scorecard,
                present: &present,
                scope: None,
            },
        );
        let data = serde_json::to_vec(&view).unwrap();
        let report = renderer
            .render(Document::Report, &data, month, "bench")
            .expect("report");
        let deck = renderer
            .render(Document::Deck, &data, month, "bench")
            .expect("deck");
        render_t.push(t.elapsed());

        let t = Instant::now();
        let files = vec![
            salesplan::output::metrics_json(&m).unwrap(),
            salesplan::output::xlsx::metrics_xlsx(&m, "zh").unwrap(),
            salesplan::output::OutputFile {
                name: "report.pdf".into(),
                bytes: report,
            },
            salesplan::output::OutputFile {
                name: "deck.pdf".into(),
                bytes: deck,
            },
        ];
        salesplan::output::write_folder(&dir.path().join("out"), &format!("run{i}"), &files)
            .unwrap();
        write_t.push(t.elapsed());
    }
    // Typst memoizes across compilations in one process: the first render is the cold one,
    // which is what a monthly run pays.
    println!("render, first (cold): {:.2?}", render_t[0]);
    let (i, f, r, w) = (
        median(ingest_t),
        median(figures_t),
        median(render_t),
        median(write_t),
    );
    let total = i + f + r + w;
    println!("fonts parsed once: {fonts_time:.2?}");
    println!("{:<10} {:>10} {:>8}", "stage", "median", "share");
    for (name, d) in [
        ("ingest", i),
        ("figures", f),
        ("render", r),
        ("write", w),
        ("total", total),
    ] {
        println!(
            "{:<10} {:>10.2?} {:>7.1}%",
            name,
            d,
            100.0 * d.as_secs_f64() / total.as_secs_f64()
        );
    }
}
