//! salesplan: monthly Excel sales exports → the sales-leadership work plan.
//!
//! The pipeline, end to end: load config → [`ingest`] (workbooks → typed [`model`]
//! tables) → [`figures`] (tables → [`figures::Metrics`]) → [`output`] (metrics.json,
//! metrics.xlsx, written atomically). Data flows one way down this list.

// Errors are the cold path and carry their place (file, sheet, row, column) by value.
#![allow(clippy::result_large_err)]

pub mod cli;
pub mod config;
pub mod deliver;
pub mod demo;
pub mod error;
pub mod figures;
pub mod ingest;
pub mod model;
pub mod output;
pub mod render;
pub mod targets;
pub mod types;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use config::Config;
pub use error::{Error, Result};
use figures::alerts::Status;
use ingest::Ingested;
use types::{Month, Rejection};

/// How many rejected cells are printed; all of them go to the csv.
pub const REJECTIONS_SHOWN: usize = 50;

/// What `run` needs.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub input: PathBuf,
    pub config: Option<PathBuf>,
    pub month: Option<Month>,
    pub out: PathBuf,
    pub lang: Option<String>,
    pub max_rejected_share: Option<f64>,
    /// Extra font folders.
    pub font_paths: Vec<PathBuf>,
    /// Also render one report and deck per value of this dimension.
    pub split_by: Option<String>,
    /// The command line, for the manifest.
    pub command_line: Vec<String>,
    /// Send the documents to the `[[deliver]]` entries once they are written.
    pub deliver: bool,
}

/// The dimensions `--split-by` accepts.
pub const SPLIT_DIMENSIONS: [&str; 3] = ["region", "product_line", "rep_id"];

/// What a finished run wrote and found.
#[derive(Debug)]
pub struct RunOutcome {
    pub folder: PathBuf,
    pub month: Month,
    /// The worst alert, if any figure has a threshold.
    pub worst: Option<Status>,
    /// How the delivery went, when `[[deliver]]` entries were sent to.
    pub delivery: Option<deliver::DeliveryReport>,
    pub rejected_rows: usize,
}

/// Loads the configuration and applies command-line overrides.
pub fn load_config(path: Option<&Path>, lang: Option<&str>, share: Option<f64>) -> Result<Config> {
    let mut config = Config::load(path)?;
    if let Some(l) = lang {
        config.lang = l.to_string();
    }
    if let Some(s) = share {
        if !(0.0..=1.0).contains(&s) {
            return Err(Error::Config(format!(
                "--max-rejected-share must be between 0 and 1, not {s}"
            )));
        }
        config.max_rejected_share = s;
    }
    Ok(config)
}

/// The report month: the one asked for, else the latest month with orders.
fn report_month(ingested: &Ingested, asked: Option<Month>) -> Result<Month> {
    if let Some(m) = asked {
        return Ok(m);
    }
    figures::latest_month(&ingested.tables)?.ok_or_else(|| Error::NoOrders {
        dir: PathBuf::from("the inputs"),
        seen: ": the orders table has no (not cancelled) rows".into(),
    })
}

/// The rejected-rows listing: the first [`REJECTIONS_SHOWN`] lines.
pub fn rejection_summary(rejections: &[Rejection]) -> String {
    let mut lines: Vec<String> = rejections
        .iter()
        .take(REJECTIONS_SHOWN)
        .map(|r| format!("  {r}"))
        .collect();
    if rejections.len() > REJECTIONS_SHOWN {
        lines.push(format!(
            "  … and {} more",
            rejections.len() - REJECTIONS_SHOWN
        ));
    }
    lines.join("\n")
}

/// Refuses the run when more rows were rejected than allowed, writing the listing to
/// `out/rejected-<month>.csv` (the only file a refused run writes).
fn enforce_rejections(
    ingested: &Ingested,
    config: &Config,
    out: &Path,
    month: Option<Month>,
) -> Result<()> {
    let rejected = ingested.quality.rows_rejected();
    if rejected == 0 {
        return Ok(());
    }
    let read = ingested.quality.rows_read().max(1);
    let share = rejected as f64 / read as f64;
    if share <= config.max_rejected_share {
        tracing::warn!(
            rejected,
            share,
            "rows rejected, within --max-rejected-share"
        );
        return Ok(());
    }
    let name = match month {
        Some(m) => format!("rejected-{m}.csv"),
        None => "rejected.csv".to_string(),
    };
    let path = out.join(name);
    output::write_file(&path, &output::rejected_csv(&ingested.rejections)?)?;
    Err(Error::Rejected {
        count: rejected,
        max_share: config.max_rejected_share,
        listing: format!(
            "{}\n{}",
            path.display(),
            rejection_summary(&ingested.rejections)
        ),
    })
}

/// `salesplan run`: inputs → figures → documents → outputs/<month>/.
pub fn run(opts: &RunOptions) -> Result<RunOutcome> {
    let config = load_config(
        opts.config.as_deref(),
        opts.lang.as_deref(),
        opts.max_rejected_share,
    )?;
    if let Some(d) = &opts.split_by {
        if !SPLIT_DIMENSIONS.contains(&d.as_str()) {
            return Err(Error::Config(format!(
                "--split-by {d:?}: expected one of {}",
                SPLIT_DIMENSIONS.join(", ")
            )));
        }
    }
    // Templates and fonts are checked before any input is read.
    let templates = match &config.templates {
        Some(dir) => render::Templates::from_dir(dir)?,
        None => render::Templates::embedded(),
    };
    let loaded;
    let fonts = if opts.font_paths.is_empty() {
        render::fonts::Fonts::embedded()
    } else {
        loaded = render::fonts::Fonts::load(&opts.font_paths)?;
        &loaded
    };
    let template_record = output::TemplateRecord {
        origin: templates.origin.clone(),
        sha256: templates.hash(),
    };
    let renderer = render::Renderer { fonts, templates };

    // One run at a time per output folder; the lock is held until this function returns.
    let _lock = output::lock(&opts.out)?;
    let input_files = ingest::discover(&opts.input)?;
    // Each input's size, times and identity before any reading; its hash beside
    // the reading (hashing first kept one core idle for a tenth of a second on a million
    // lines). A file written while it is read shows in its stamp or its second hash.
    let stamps = input_files
        .iter()
        .map(|f| output::stamp(f))
        .collect::<Result<Vec<_>>>()?;
    let (inputs_before, ingested) = read_hashed(&opts.input, &input_files, &config)?;
    // The reading's buffers are free now; the figures' frames need not sit above them.
    return_freed_memory();
    let month = report_month(&ingested, opts.month).ok();
    enforce_rejections(&ingested, &config, &opts.out, month.or(opts.month))?;
    let month = report_month(&ingested, opts.month)?;
    tracing::info!(%month, "computing figures");
    let rejected_rows = ingested.rejections.len();
    let present: Vec<_> = types::TableKind::ALL
        .into_iter()
        .filter(|t| ingested.tables.has(*t))
        .collect();
    // The inputs are hashed again, to catch an export that changed while it was read: on
    // a thread of its own, beside the figures and documents (one core's work).
    let (made, inputs_after) = std::thread::scope(|s| {
        let after = s.spawn(|| output::hash_inputs(&opts.input, &ingest::discover(&opts.input)?));
        let made = outputs(
            ingested,
            month,
            &config,
            &renderer,
            &present,
            opts.split_by.as_deref(),
        );
        let after = after
            .join()
            .unwrap_or_else(|_| Err(Error::Internal("hashing the inputs panicked".into())));
        (made, after)
    });
    let (metrics, mut files) = made?;
    // An export that changed while it was read would make a report of neither version.
    refuse_changed(
        &opts.input,
        &inputs_before,
        &inputs_after?,
        &input_files,
        &stamps,
    )?;
    let manifest = output::Manifest {
        schema: "salesplan.manifest/1",
        version: env!("CARGO_PKG_VERSION"),
        command_line: opts.command_line.clone(),
        month: month.to_string(),
        inputs: inputs_before,
        templates: template_record,
        outputs: files
            .iter()
            .map(|f| output::FileRecord {
                path: f.name.clone(),
                size: f.bytes.len() as u64,
                sha256: output::sha256(&f.bytes),
            })
            .collect(),
    };
    let mut manifest_bytes = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| Error::Internal(format!("cannot serialise the manifest ({e})")))?;
    manifest_bytes.push(b'\n');
    files.push(output::OutputFile {
        name: "manifest.json".into(),
        bytes: manifest_bytes,
    });
    let folder = output::write_folder(&opts.out, &month.to_string(), &files)?;
    tracing::info!(folder = %folder.display(), "written");
    // Only once every output is in place; still under the lock, so that no other run
    // replaces the folder while it is read.
    let delivery = if opts.deliver && !config.deliver.is_empty() {
        Some(deliver::deliver(&opts.out, month, &config)?)
    } else {
        None
    };
    Ok(RunOutcome {
        folder,
        month,
        delivery,
        worst: metrics.alerts.iter().map(|a| a.status).max(),
        rejected_rows,
    })
}

/// The figures and every output file but the manifest: metrics, both documents, the
/// rejected rows and, with `split_by`, a folder per key.
fn outputs(
    ingested: ingest::Ingested,
    month: Month,
    config: &Config,
    renderer: &render::Renderer,
    present: &[types::TableKind],
    split_by: Option<&str>,
) -> Result<(figures::Metrics, Vec<output::OutputFile>)> {
    let ingest::Ingested {
        tables,
        quality,
        rejections,
    } = ingested;
    let metrics = figures::compute(&tables, month, config, quality.clone())?;
    // Without a split the tables are done with: freed, and their pages handed back, on a
    // thread of their own while the outputs are made (a million lines took 25 ms to free,
    // all of it in the way of the documents).
    let (tables, freeing) = if split_by.is_some() {
        (Some(tables), None)
    } else {
        let free = move || {
            drop(tables);
            return_freed_memory();
        };
        (None, Some(std::thread::spawn(free)))
    };
    let mut files = vec![
        output::metrics_json(&metrics)?,
        output::xlsx::metrics_xlsx(&metrics, &config.lang)?,
    ];
    let made = documents(renderer, &metrics, config, present, None);
    if let Some(freeing) = freeing {
        freeing
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    }
    files.extend(made?);
    if !rejections.is_empty() {
        files.push(output::OutputFile {
            name: "rejected.csv".into(),
            bytes: output::rejected_csv(&rejections)?,
        });
    }
    if let (Some(dim), Some(tables)) = (split_by, &tables) {
        let keys: Vec<String> = metrics
            .by
            .get(dim)
            .map(|rows| rows.iter().filter_map(|b| b.key.clone()).collect())
            .unwrap_or_default();
        for key in keys {
            let scoped = tables.scoped(dim, &key)?;
            let m = figures::compute(&scoped, month, config, quality.clone())?;
            let folder = output::safe_name(&key);
            let scope = render::data::Scope {
                dimension: dim.to_string(),
                key: key.clone(),
            };
            let mut part = vec![output::metrics_json(&m)?];
            part.extend(documents(renderer, &m, config, present, Some(scope))?);
            for f in part {
                files.push(output::OutputFile {
                    name: format!("{folder}/{}", f.name),
                    bytes: f.bytes,
                });
            }
        }
    }
    Ok((metrics, files))
}

/// Hands memory freed inside the allocator's heap back to the system. With one arena
/// (main.rs) glibc keeps the pages of the frames just dropped, scattered between live
/// blocks, resident until exit: the documents were laid out on top of them, and a
/// million-line run peaked 30 MiB higher than the figures needed.
fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free pages of the allocator's own heap.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Reads the inputs while a second thread hashes them, to refuse an export given twice
/// and for the manifest: hashing first kept one core busy and the other idle before any
/// reading began. A duplicate is still reported before any reading error.
fn read_hashed(
    input: &Path,
    files: &[PathBuf],
    config: &Config,
) -> Result<(Vec<output::FileRecord>, ingest::Ingested)> {
    std::thread::scope(|s| {
        let hashing = s.spawn(|| output::hash_inputs(input, files));
        let read = ingest::read_inputs(input, config);
        let hashes = hashing
            .join()
            .unwrap_or_else(|_| Err(Error::Internal("hashing the inputs panicked".into())))?;
        refuse_duplicates(input, &hashes)?;
        Ok((hashes, read?))
    })
}

/// Refuses the run when an input changed while it was read: its hash before and after
/// differ, a file came or went, or its stamp (`stamps`, of `files`, taken before reading)
/// moved. Called after the second hash, so a write during either hash shows too.
fn refuse_changed(
    dir: &Path,
    before: &[output::FileRecord],
    after: &[output::FileRecord],
    files: &[PathBuf],
    stamps: &[output::FileStamp],
) -> Result<()> {
    let changed = |file: PathBuf| Err(Error::InputChanged { file });
    for b in before {
        if !after
            .iter()
            .any(|a| a.path == b.path && a.sha256 == b.sha256)
        {
            return changed(dir.join(&b.path));
        }
    }
    if let Some(new) = after
        .iter()
        .find(|a| !before.iter().any(|b| b.path == a.path))
    {
        return changed(dir.join(&new.path));
    }
    for (file, stamp) in files.iter().zip(stamps) {
        if output::stamp(file).ok().as_ref() != Some(stamp) {
            return changed(file.clone());
        }
    }
    Ok(())
}

/// The files that share their size with another: only they can be the same export twice.
/// On one export of 58 MB, hashing it took 50 ms of CPU that `check` had no other use for.
/// A file whose size cannot be read is kept, so that its hash says why.
fn same_size(files: &[PathBuf]) -> Vec<PathBuf> {
    let sizes: Vec<Option<u64>> = files
        .iter()
        .map(|f| std::fs::metadata(f).ok().map(|m| m.len()))
        .collect();
    let mut count: HashMap<u64, usize> = HashMap::new();
    for size in sizes.iter().flatten() {
        *count.entry(*size).or_default() += 1;
    }
    files
        .iter()
        .zip(&sizes)
        .filter(|(_, size)| size.is_none_or(|s| count[&s] > 1))
        .map(|(f, _)| f.clone())
        .collect()
}

/// The same export twice (identical bytes under two names) would count every row twice.
fn refuse_duplicates(dir: &Path, inputs: &[output::FileRecord]) -> Result<()> {
    for (i, a) in inputs.iter().enumerate() {
        if let Some(b) = inputs[i + 1..].iter().find(|b| b.sha256 == a.sha256) {
            return Err(Error::Unreadable {
                file: dir.join(&b.path),
                why: format!(
                    "identical to {} (the same export twice would count every row twice); \
                     remove one of them",
                    dir.join(&a.path).display()
                ),
            });
        }
    }
    Ok(())
}

/// `report.pdf` and `deck.pdf` for one set of figures.
fn documents(
    renderer: &render::Renderer,
    metrics: &figures::Metrics,
    config: &Config,
    present: &[types::TableKind],
    scope: Option<render::data::Scope>,
) -> Result<Vec<output::OutputFile>> {
    let labels = output::xlsx::Labels::load(&config.lang)?;
    let formatter =
        render::format::Formatter::new(&config.currency, config.money_unit, &config.lang);
    let ident = match &scope {
        Some(s) => format!("{}/{}={}", metrics.month, s.dimension, s.key),
        None => metrics.month.to_string(),
    };
    let view = render::data::build(
        metrics,
        &formatter,
        render::data::Context {
            company: &config.company,
            blank_label: &labels.blank_key,
            thresholds: &config.thresholds,
            weights: &config.scorecard,
            present,
            scope,
        },
    );
    let data =
        serde_json::to_vec(&view).map_err(|e| Error::Internal(format!("data.json ({e})")))?;
    // The two documents compile side by side: each is one thread's work.
    let render = |doc: render::Document| -> Result<output::OutputFile> {
        tracing::info!(document = doc.output(), "rendering");
        Ok(output::OutputFile {
            name: doc.output().to_string(),
            bytes: renderer.render(doc, &data, metrics.month, &ident)?,
        })
    };
    let (report, deck) = std::thread::scope(|s| {
        let deck = s.spawn(|| render(render::Document::Deck));
        let report = render(render::Document::Report);
        let deck = deck
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (report, deck)
    });
    Ok(vec![report?, deck?])
}

/// `salesplan init [DIR]`: writes the built-in templates and a commented salesplan.toml.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut written = render::Templates::embedded().write_to(&dir.join("templates"))?;
    let config = dir.join("salesplan.toml");
    if config.exists() {
        tracing::warn!(file = %config.display(), "exists; left as it is");
    } else {
        std::fs::write(&config, config::EXAMPLE).map_err(|e| Error::Write {
            path: config.clone(),
            source: e,
        })?;
        written.push(config);
    }
    Ok(written)
}

/// What `check` found.
#[derive(Debug)]
pub struct CheckOutcome {
    pub quality: figures::quality::QualityReport,
    pub rejections: Vec<Rejection>,
    pub month: Option<Month>,
    /// `date_order` from the configuration (`dmy`, `mdy`), for `--write-config`.
    pub date_order: Option<&'static str>,
}

/// `salesplan check`: reads and validates the inputs; writes nothing but the
/// rejected-rows listing.
pub fn check(
    input: &Path,
    config: Option<&Path>,
    share: Option<f64>,
    out: &Path,
) -> Result<CheckOutcome> {
    let config = load_config(config, None, share)?;
    let files = ingest::discover(input)?;
    // Nothing of check keeps a hash: only files that could be one export twice are hashed.
    let (_, ingested) = read_hashed(input, &same_size(&files), &config)?;
    let month = figures::latest_month(&ingested.tables)?;
    enforce_rejections(&ingested, &config, out, month)?;
    let findings = match month {
        Some(m) => {
            let today = chrono::Local::now().date_naive();
            let files = &ingested.quality.files;
            figures::quality::findings(&ingested.tables, m, Some(today), files, None)?
        }
        None => Vec::new(),
    };
    let quality = figures::quality::QualityReport {
        read: ingested.quality,
        findings,
    };
    let date_order = config.date_order.map(|o| match o {
        types::DateOrder::DayFirst => "dmy",
        _ => "mdy",
    });
    Ok(CheckOutcome {
        quality,
        rejections: ingested.rejections,
        month,
        date_order,
    })
}

/// What `salesplan targets` is asked for.
#[derive(Debug, Clone)]
pub struct TargetsOptions {
    pub input: PathBuf,
    pub config: Option<PathBuf>,
    pub year: i32,
    pub growth: f64,
    /// Dimensions to split by; `None`: region and product line where the orders have them.
    pub by: Option<Vec<String>>,
    /// Where to write; `None`: `outputs/targets-<year>.xlsx`.
    pub out: Option<PathBuf>,
    /// A month of the year to split by ISO week, as a third sheet.
    pub weeks: Option<Month>,
    pub max_rejected_share: Option<f64>,
}

/// `salesplan targets`: proposes the year's targets from the orders and writes the workbook
/// (SPEC §6). Returns the path written and the proposal.
pub fn targets(opts: &TargetsOptions) -> Result<(PathBuf, targets::Proposal)> {
    let config = load_config(opts.config.as_deref(), None, opts.max_rejected_share)?;
    if let Some(w) = opts.weeks {
        if w.year != opts.year {
            return Err(Error::Config(format!(
                "--weeks {w} is not a month of {}",
                opts.year
            )));
        }
    }
    let ingested = ingest::read_inputs(&opts.input, &config)?;
    enforce_rejections(&ingested, &config, Path::new("outputs"), None)?;
    let proposal = targets::propose(&ingested.tables, opts.year, opts.growth, opts.by.as_deref())?;
    let out = opts
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("outputs/targets-{}.xlsx", opts.year)));
    targets::write_workbook(&proposal, &out, &config.lang, opts.weeks)?;
    Ok((out, proposal))
}

/// `salesplan deliver`: sends a finished month again, from its files on disk.
pub fn deliver_month(
    out: &Path,
    month: Option<Month>,
    config: Option<&Path>,
) -> Result<deliver::DeliveryReport> {
    let config = load_config(config, None, None)?;
    let _lock = output::lock(out)?;
    let month = match month.or_else(|| deliver::latest_month(out)) {
        Some(m) => m,
        None => {
            return Err(Error::NoInput {
                dir: out.to_path_buf(),
                why: "no finished month to send; run salesplan run first".into(),
            })
        }
    };
    deliver::deliver(out, month, &config)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `check` hashes the files that could be one export twice: those of a size another
    /// has, and any whose size cannot be read (its hash then says why).
    #[test]
    fn only_files_of_a_shared_size_are_hashed() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, bytes: &[u8]| {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            path
        };
        let (a, b, c) = (
            file("a.xlsx", b"abc"),
            file("b.xlsx", b"xyz"),
            file("c.xlsx", b"abcd"),
        );
        let gone = dir.path().join("gone.xlsx");
        let files = [a.clone(), c, b.clone(), gone.clone()];
        assert_eq!(same_size(&files), [a, b, gone]);
    }

    /// A run is refused, naming the file, when an input's hash differs after the reading,
    /// a file appears, or a file's stamp moved; nothing is refused when all agree.
    #[test]
    fn a_changed_input_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("orders.xlsx");
        std::fs::write(&file, b"lines").unwrap();
        let files = vec![file.clone()];
        let stamps = vec![output::stamp(&file).unwrap()];
        let record = |path: &str, sha: &str| output::FileRecord {
            path: path.into(),
            size: 5,
            sha256: sha.into(),
        };
        let before = [record("orders.xlsx", "aa")];
        let refused = |after: &[output::FileRecord]| match refuse_changed(
            dir.path(),
            &before,
            after,
            &files,
            &stamps,
        ) {
            Err(Error::InputChanged { file }) => Some(file),
            Err(e) => panic!("{e}"),
            Ok(()) => None,
        };
        assert_eq!(refused(&before), None);
        assert_eq!(refused(&[record("orders.xlsx", "bb")]), Some(file.clone()));
        assert_eq!(
            refused(&[record("orders.xlsx", "aa"), record("new.xlsx", "cc")]),
            Some(dir.path().join("new.xlsx"))
        );
        let f = std::fs::OpenOptions::new().write(true).open(&file).unwrap();
        f.set_modified(std::time::SystemTime::UNIX_EPOCH).unwrap();
        drop(f);
        assert_eq!(refused(&before), Some(file));
    }
}
