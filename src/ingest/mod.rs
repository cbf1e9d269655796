//! Ingest: every workbook in the input folder → typed tables ([`crate::model::Tables`]),
//! with a data-quality account and every rejected cell named by file, sheet, row and
//! column (SPEC §2).

pub mod coerce;
pub mod guard;
pub mod mapping;
pub mod precheck;
mod prefetch;
pub mod schema;
pub mod sheet;
pub mod source;
pub mod vocabulary;
pub mod wide;
pub mod xlsx;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::{TableRows, Tables};
use crate::types::{DataQuality, IgnoredSheet, OrderKeys, Rejection, TableKind};
use sheet::{Aliases, FileVisitor};

/// File endings read from the input folder.
pub const EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xls", "ods", "csv"];

/// A sheet recognised by its header alone that lacks a required column: skipped when
/// another sheet supplies the table, else its error stands.
#[derive(Debug)]
pub struct PendingSheet {
    pub table: TableKind,
    pub error: Error,
    pub ignored: IgnoredSheet,
}

/// Ingest in progress: of one file, or of all once merged.
pub struct Ingest<'c> {
    pub(crate) config: &'c Config,
    pub(crate) aliases: &'c Aliases,
    pub(crate) quality: DataQuality,
    pub(crate) rejections: Vec<Rejection>,
    pub(crate) rows: BTreeMap<TableKind, TableRows>,
    pub(crate) pending: Vec<PendingSheet>,
    pub(crate) order_keys: OrderKeys,
}

/// Files read at the same time. Each `.xlsx` sheet is already inflated and scanned on
/// threads of its own; reading a second file meanwhile fills the gaps (opening a workbook,
/// its shared strings, small files) that leave a core idle.
const FILE_READERS: usize = 2;

impl<'c> Ingest<'c> {
    fn new(config: &'c Config, aliases: &'c Aliases) -> Self {
        Ingest {
            config,
            aliases,
            quality: DataQuality::default(),
            rejections: Vec::new(),
            rows: BTreeMap::new(),
            pending: Vec::new(),
            order_keys: OrderKeys::default(),
        }
    }

    /// Takes in what another file's reading found, after what this one holds.
    fn absorb(&mut self, part: Ingest<'_>) {
        for (name, q) in part.quality.tables {
            let mine = self.quality.tables.entry(name).or_default();
            mine.rows_read += q.rows_read;
            mine.rows_used += q.rows_used;
            mine.rows_rejected += q.rows_rejected;
            mine.totals_rows += q.totals_rows;
            mine.file_set.extend(q.file_set);
            mine.files = mine.file_set.len();
        }
        self.quality
            .ignored_sheets
            .extend(part.quality.ignored_sheets);
        self.quality.sheets.extend(part.quality.sheets);
        self.pending.extend(part.pending);
        let (mine, theirs) = (&mut self.order_keys, part.order_keys);
        mine.lines += theirs.lines;
        mine.without_customer += theirs.without_customer;
        mine.lines_as_orders += theirs.lines_as_orders;
        mine.aggregated += theirs.aggregated;
        self.rejections.extend(part.rejections);
        for (kind, rows) in part.rows {
            match self.rows.entry(kind) {
                std::collections::btree_map::Entry::Occupied(mut e) => e.get_mut().extend(rows),
                std::collections::btree_map::Entry::Vacant(e) => {
                    e.insert(rows);
                }
            }
        }
    }

    fn note_sheet(&mut self, t: TableKind, file: &Path) {
        let q = self.quality.table(t);
        q.file_set.insert(file.to_path_buf());
        q.files = q.file_set.len();
    }
}

/// The result of reading the input folder.
pub struct Ingested {
    pub tables: Tables,
    pub quality: DataQuality,
    /// Every rejected cell, in file/sheet/row order.
    pub rejections: Vec<Rejection>,
}

/// Lists the spreadsheet files under `dir`, sorted, skipping Excel's `~$` lock files and
/// hidden files.
pub fn discover(dir: &Path) -> Result<Vec<PathBuf>> {
    if !dir.is_dir() {
        return Err(Error::NoInput {
            dir: dir.to_path_buf(),
            why: "not a folder".into(),
        });
    }
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| Error::NoInput {
            dir: d.clone(),
            why: format!("cannot list it ({e})"),
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || name.starts_with("~$") {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
            {
                files.push(path);
            }
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(Error::NoInput {
            dir: dir.to_path_buf(),
            why: format!("no {} file", EXTENSIONS.map(|e| format!(".{e}")).join(" ")),
        });
    }
    Ok(files)
}

/// Reads every spreadsheet under `dir` into tables.
pub fn read_inputs(dir: &Path, config: &Config) -> Result<Ingested> {
    let files = discover(dir)?;
    let aliases = Aliases::new(&config.columns);
    let relative: Vec<PathBuf> = files
        .iter()
        .map(|p| p.strip_prefix(dir).unwrap_or(p).to_path_buf())
        .collect();
    let read_one = |i: usize| -> Result<Ingest<'_>> {
        let path = &files[i];
        tracing::info!(file = %path.display(), "reading");
        let is_csv = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        let mut part = Ingest::new(config, &aliases);
        let mut visitor = FileVisitor::new(&mut part, path, &relative[i], is_csv, i as u32);
        source::read_file(path, &config.limits, &mut visitor)?;
        Ok(part)
    };
    // Files are read FILE_READERS at a time and merged in file order, so the result (and
    // the first error reported) does not depend on which finished first.
    let mut ingest = Ingest::new(config, &aliases);
    ingest.quality.files = relative.iter().map(|r| r.display().to_string()).collect();
    let mut waiting: BTreeMap<usize, Result<Ingest<'_>>> = BTreeMap::new();
    let mut merged = 0;
    let mut failed = None;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let n = files.len();
    // The largest first: opening a big workbook (its shared strings, one thread's work)
    // then overlaps the small files, instead of running alone after them.
    let mut by_size: Vec<(u64, usize)> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (std::fs::metadata(f).map_or(0, |m| m.len()), i))
        .collect();
    by_size.sort_by_key(|&(size, i)| (std::cmp::Reverse(size), i));
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::channel();
        for _ in 0..FILE_READERS.min(n) {
            let tx = tx.clone();
            let (next, read_one, by_size) = (&next, &read_one, &by_size);
            s.spawn(move || loop {
                let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(&(_, i)) = by_size.get(k) else {
                    return;
                };
                if tx.send((i, read_one(i))).is_err() {
                    return;
                }
            });
        }
        drop(tx);
        // Merged as soon as every earlier file is, so that finished parts do not pile up.
        for (i, part) in rx {
            waiting.insert(i, part);
            while let Some(part) = waiting.remove(&merged) {
                merged += 1;
                match part {
                    Ok(part) if failed.is_none() => ingest.absorb(part),
                    Ok(_) => {}
                    Err(e) => {
                        failed.get_or_insert(e);
                    }
                }
            }
        }
    });
    if let Some(e) = failed {
        return Err(e);
    }
    // Header-only sheets that lack a required column: skipped with their reason when
    // another sheet supplies the table, else the first such error stands.
    for p in std::mem::take(&mut ingest.pending) {
        if ingest.quality.tables.contains_key(p.table.name()) {
            tracing::info!(file = %p.ignored.file, sheet = %p.ignored.sheet, "sheet ignored: {}", p.ignored.reason);
            ingest.quality.ignored_sheets.push(p.ignored);
        } else {
            return Err(p.error);
        }
    }
    if !ingest.rows.contains_key(&TableKind::Orders)
        && !ingest.quality.tables.contains_key(TableKind::Orders.name())
    {
        let seen: Vec<String> = ingest
            .quality
            .ignored_sheets
            .iter()
            .map(|s| format!("\n  {} › {}: {}", s.file, s.sheet, s.reason))
            .collect();
        return Err(Error::NoOrders {
            dir: dir.to_path_buf(),
            seen: if seen.is_empty() {
                String::new()
            } else {
                format!("; sheets seen:{}", seen.concat())
            },
        });
    }
    let tables = Tables::from_rows(std::mem::take(&mut ingest.rows), ingest.order_keys)?;
    if let Some(q) = ingest.quality.tables.get_mut(TableKind::Orders.name()) {
        q.cancelled_rows = tables.cancelled_rows();
        q.rows_used -= q.cancelled_rows.min(q.rows_used);
    }
    Ok(Ingested {
        tables,
        quality: ingest.quality,
        rejections: ingest.rejections,
    })
}
