//! Render: figures → documents. The figures become a virtual `data.json`
//! ([`data::DocData`]); the Typst templates (embedded, or an edited set from
//! `templates = "DIR"`) read it and are compiled in-process into `report.pdf` (A4) and
//! `deck.pdf` (16:9). Data is never spliced into Typst source.

pub mod data;
pub mod fonts;
pub mod format;
pub mod world;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::layout::FrameItem;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

use crate::error::{Error, Result};
use crate::types::Month;
use fonts::Fonts;
use world::RenderWorld;

/// The template set shipped in the binary: (file name, contents).
pub const EMBEDDED_TEMPLATES: [(&str, &str); 4] = [
    ("report.typ", include_str!("../../templates/report.typ")),
    ("deck.typ", include_str!("../../templates/deck.typ")),
    ("theme.typ", include_str!("../../templates/theme.typ")),
    ("labels.json", include_str!("../../templates/labels.json")),
];

/// The two documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    Report,
    Deck,
}

impl Document {
    /// The template that is the document's main file.
    pub fn main(self) -> &'static str {
        match self {
            Document::Report => "report.typ",
            Document::Deck => "deck.typ",
        }
    }

    /// The output file name.
    pub fn output(self) -> &'static str {
        match self {
            Document::Report => "report.pdf",
            Document::Deck => "deck.pdf",
        }
    }
}

/// A template set: file name → bytes.
#[derive(Debug, Clone)]
pub struct Templates {
    files: Vec<(String, Vec<u8>)>,
    /// Where they came from, for messages.
    pub origin: String,
    /// Whether they are the set compiled into the binary (an error in them is a bug).
    pub builtin: bool,
}

impl Templates {
    /// The set compiled into the binary.
    pub fn embedded() -> Templates {
        Templates {
            files: EMBEDDED_TEMPLATES
                .iter()
                .map(|(n, t)| (n.to_string(), t.as_bytes().to_vec()))
                .collect(),
            origin: "the built-in templates".into(),
            builtin: true,
        }
    }

    /// Every `.typ` and `.json` file of `dir`; the two main templates must be there.
    pub fn from_dir(dir: &Path) -> Result<Templates> {
        let bad = |why: String| Error::Config(format!("templates {}: {why}", dir.display()));
        let entries =
            std::fs::read_dir(dir).map_err(|e| bad(format!("cannot read the folder ({e})")))?;
        let mut files = Vec::new();
        for e in entries.flatten() {
            let path = e.path();
            let ext = path.extension().and_then(|x| x.to_str()).unwrap_or("");
            if !path.is_file() || !["typ", "json", "svg", "png"].contains(&ext) {
                continue;
            }
            let name = e.file_name().to_string_lossy().into_owned();
            let bytes =
                std::fs::read(&path).map_err(|e| bad(format!("cannot read {name} ({e})")))?;
            files.push((name, bytes));
        }
        files.sort();
        for need in [Document::Report.main(), Document::Deck.main()] {
            if !files.iter().any(|(n, _)| n == need) {
                return Err(bad(format!(
                    "{need} is missing (salesplan init writes a full set)"
                )));
            }
        }
        Ok(Templates {
            files,
            origin: dir.display().to_string(),
            builtin: false,
        })
    }

    /// SHA-256 over the names and contents, for the manifest.
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        for (name, bytes) in &self.files {
            h.update(name.as_bytes());
            h.update([0]);
            h.update(bytes);
        }
        format!("{:x}", h.finalize())
    }

    /// Writes the set to `dir` (for `salesplan init`); existing files are not replaced.
    pub fn write_to(&self, dir: &Path) -> Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir).map_err(|e| Error::Write {
            path: dir.to_path_buf(),
            source: e,
        })?;
        let mut written = Vec::new();
        for (name, bytes) in &self.files {
            let path = dir.join(name);
            if path.exists() {
                tracing::warn!(file = %path.display(), "exists; left as it is");
                continue;
            }
            std::fs::write(&path, bytes).map_err(|e| Error::Write {
                path: path.clone(),
                source: e,
            })?;
            written.push(path);
        }
        Ok(written)
    }
}

/// Compiles documents with one font collection and one template set.
pub struct Renderer<'a> {
    pub fonts: &'a Fonts,
    pub templates: Templates,
}

impl Renderer<'_> {
    /// Compiles `doc` with `data` (the serialised [`data::DocData`]) into PDF bytes.
    /// The PDF's dates and identifier come from the report month, so the same inputs give
    /// the same bytes.
    pub fn render(&self, doc: Document, data: &[u8], month: Month, ident: &str) -> Result<Vec<u8>> {
        let end = month.end();
        let day = Datetime::from_ymd(
            month.year,
            month.month as u8,
            chrono::Datelike::day(&end) as u8,
        )
        .ok_or_else(|| Error::Internal(format!("no date for {month}")))?;
        let files = self
            .templates
            .files
            .iter()
            .map(|(n, b)| (n.clone(), Bytes::new(b.clone())))
            .chain(std::iter::once((
                "data.json".to_string(),
                Bytes::new(data.to_vec()),
            )));
        let world = RenderWorld::new(self.fonts, doc.main(), files, day)
            .ok_or_else(|| Error::Internal("bad template file name".into()))?;
        let warned = typst::compile::<PagedDocument>(&world);
        for w in &warned.warnings {
            tracing::warn!("{}", world.describe(w));
        }
        let document = warned.output.map_err(|errors| Error::Template {
            origin: self.templates.origin.clone(),
            builtin: self.templates.builtin,
            message: errors
                .iter()
                .map(|e| world.describe(e))
                .collect::<Vec<_>>()
                .join("\n"),
        })?;
        warn_missing_glyphs(&document, doc.output());
        tracing::debug!(document = doc.output(), "laid out");
        let stamp = Datetime::from_ymd_hms(
            month.year,
            month.month as u8,
            chrono::Datelike::day(&end) as u8,
            0,
            0,
            0,
        )
        .ok_or_else(|| Error::Internal(format!("no date for {month}")))?;
        let options = PdfOptions {
            ident: Smart::Custom(format!("salesplan/{ident}/{}", doc.output())),
            timestamp: Some(Timestamp::new_utc(stamp)),
            ..PdfOptions::default()
        };
        let pdf = typst_pdf::pdf(&document, &options).map_err(|errors| Error::Template {
            origin: self.templates.origin.clone(),
            builtin: self.templates.builtin,
            message: errors
                .iter()
                .map(|e| world.describe(e))
                .collect::<Vec<_>>()
                .join("\n"),
        })?;
        tracing::debug!(document = doc.output(), "exported");
        Ok(pdf)
    }
}

/// Logs a warning for every line of text in which no font could draw some characters
/// (they would print as boxes), naming the characters and the line.
fn warn_missing_glyphs(doc: &PagedDocument, name: &str) {
    fn walk(frame: &typst::layout::Frame, out: &mut BTreeSet<(String, String)>) {
        // Text items on one baseline of a frame are one line.
        let mut lines: Vec<(typst::layout::Abs, String, String)> = Vec::new();
        for (pos, item) in frame.items() {
            match item {
                FrameItem::Group(g) => walk(&g.frame, out),
                FrameItem::Text(t) => {
                    let missing: String = if t.glyphs.iter().any(|g| g.id == 0) {
                        t.glyphs
                            .iter()
                            .filter(|g| g.id == 0)
                            .filter_map(|g| t.text.get(g.range()))
                            .filter(|c| !c.trim().is_empty())
                            .collect()
                    } else {
                        String::new()
                    };
                    match lines.iter_mut().find(|(y, _, _)| *y == pos.y) {
                        Some((_, text, miss)) => {
                            text.push_str(&t.text);
                            miss.push_str(&missing);
                        }
                        None => lines.push((pos.y, t.text.to_string(), missing)),
                    }
                }
                _ => {}
            }
        }
        for (_, text, missing) in lines {
            if !missing.is_empty() {
                out.insert((missing, text.chars().take(80).collect()));
            }
        }
    }
    let mut found = BTreeSet::new();
    for page in doc.pages() {
        walk(&page.frame, &mut found);
    }
    for (missing, line) in found {
        tracing::warn!(
            document = name,
            "no font has a glyph for {missing:?} in {line:?}; it prints as a box"
        );
    }
}

/// Number of pages and the first page's size in points, for checks and tests.
pub fn page_info(doc: &PagedDocument) -> (usize, f64, f64) {
    let first = doc.pages().first();
    let (w, h) = first.map_or((0.0, 0.0), |p| {
        (p.frame.width().to_pt(), p.frame.height().to_pt())
    });
    (doc.pages().len(), w, h)
}
