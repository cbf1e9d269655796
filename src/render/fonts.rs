//! Fonts for the documents: Noto Sans SC (embedded in the binary, OFL), the fonts that
//! ship with Typst, and any from `--font-path`. Machine fonts are never used, so a
//! document looks the same on every server. Parsed once per process.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

use crate::error::{Error, Result};

/// Noto Sans SC Regular (SIL Open Font License 1.1, see assets/fonts/OFL.txt).
static NOTO_SANS_SC_REGULAR: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC_400Regular.ttf");
/// Noto Sans SC Bold.
static NOTO_SANS_SC_BOLD: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC_700Bold.ttf");

/// The family the templates name first.
pub const CJK_FAMILY: &str = "Noto Sans SC";

/// A parsed font collection.
pub struct Fonts {
    pub book: LazyHash<FontBook>,
    pub fonts: Vec<Font>,
}

fn embedded() -> Vec<Font> {
    [NOTO_SANS_SC_REGULAR, NOTO_SANS_SC_BOLD]
        .into_iter()
        .chain(typst_assets::fonts())
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect()
}

impl Fonts {
    /// The embedded fonts plus every font file under `extra` folders.
    pub fn load(extra: &[PathBuf]) -> Result<Fonts> {
        let mut fonts = embedded();
        for dir in extra {
            let found = fonts_in(dir)?;
            if found.is_empty() {
                tracing::warn!(dir = %dir.display(), "no font files found under --font-path");
            }
            fonts.extend(found);
        }
        let book = LazyHash::new(FontBook::from_fonts(&fonts));
        Ok(Fonts { book, fonts })
    }

    /// The embedded fonts, parsed once for the whole process.
    pub fn embedded() -> &'static Fonts {
        static FONTS: OnceLock<Fonts> = OnceLock::new();
        FONTS.get_or_init(|| {
            let fonts = embedded();
            Fonts {
                book: LazyHash::new(FontBook::from_fonts(&fonts)),
                fonts,
            }
        })
    }
}

fn fonts_in(dir: &Path) -> Result<Vec<Font>> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Error::Config(format!(
            "--font-path {}: cannot read it ({e})",
            dir.display()
        ))
    })?;
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    let mut fonts = Vec::new();
    for path in paths {
        if path.is_dir() {
            fonts.extend(fonts_in(&path)?);
            continue;
        }
        let is_font = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            ["ttf", "otf", "ttc", "otc"]
                .iter()
                .any(|x| x.eq_ignore_ascii_case(e))
        });
        if !is_font {
            continue;
        }
        match std::fs::read(&path) {
            Ok(data) => fonts.extend(Font::iter(Bytes::new(data))),
            Err(e) => tracing::warn!(file = %path.display(), "cannot read font ({e})"),
        }
    }
    Ok(fonts)
}
