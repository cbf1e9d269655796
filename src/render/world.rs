//! A thin Typst `World`, in the spirit of typst-cli's: the standard library, the fonts
//! (parsed once), the template set and a virtual `data.json`, and a date pinned to the
//! report month. Nothing is read from disk or the network while compiling.

use std::collections::HashMap;
use std::sync::Mutex;

use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};

use super::fonts::Fonts;

/// The world one document is compiled in.
pub struct RenderWorld<'a> {
    library: LazyHash<Library>,
    fonts: &'a Fonts,
    main: FileId,
    files: HashMap<FileId, Bytes>,
    sources: Mutex<HashMap<FileId, Source>>,
    today: Datetime,
}

/// The id of a file at the project root.
pub fn file_id(path: &str) -> Option<FileId> {
    Some(RootedPath::new(VirtualRoot::Project, VirtualPath::new(path).ok()?).intern())
}

impl<'a> RenderWorld<'a> {
    /// A world whose main file is `main`, with `files` (name → bytes) at the root.
    pub fn new(
        fonts: &'a Fonts,
        main: &str,
        files: impl IntoIterator<Item = (String, Bytes)>,
        today: Datetime,
    ) -> Option<Self> {
        let files: HashMap<FileId, Bytes> = files
            .into_iter()
            .filter_map(|(name, bytes)| Some((file_id(&name)?, bytes)))
            .collect();
        Some(RenderWorld {
            library: LazyHash::new(Library::builder().build()),
            fonts,
            main: file_id(main)?,
            files,
            sources: Mutex::new(HashMap::new()),
            today,
        })
    }

    /// A diagnostic as `report.typ:3:12: error: message`, with its hints.
    pub fn describe(&self, d: &SourceDiagnostic) -> String {
        let place = d
            .span
            .id()
            .and_then(|id| {
                let range = self.range(d.span)?;
                let source = self.source(id).ok()?;
                let (line, col) = source.lines().byte_to_line_column(range.start)?;
                Some(format!(
                    "{}:{}:{}: ",
                    id.vpath().get_without_slash(),
                    line + 1,
                    col + 1
                ))
            })
            .unwrap_or_default();
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut s = format!("{place}{level}: {}", d.message);
        for hint in &d.hints {
            s.push_str(&format!("\n  hint: {}", hint.v));
        }
        s
    }
}

impl World for RenderWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        let mut cache = self.sources.lock().map_err(|_| FileError::Other(None))?;
        if let Some(s) = cache.get(&id) {
            return Ok(s.clone());
        }
        let bytes = self.file(id)?;
        let text = std::str::from_utf8(&bytes).map_err(|_| FileError::InvalidUtf8)?;
        let source = Source::new(id, text.to_string());
        cache.insert(id, source.clone());
        Ok(source)
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files
            .get(&id)
            .cloned()
            .ok_or_else(|| FileError::NotFound(id.vpath().get_without_slash().to_string().into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}
