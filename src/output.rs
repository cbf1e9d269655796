//! The output folder: every file of a run is made in memory first, then written to a
//! temporary folder beside the target, synced, and renamed into place, so a failed run
//! never leaves a half-written or mixed `outputs/<month>/`.

pub mod xlsx;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::figures::Metrics;
use crate::types::Rejection;

/// One output file: its name in the folder and its bytes.
pub struct OutputFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// `metrics.json`, pretty-printed, with a final newline.
pub fn metrics_json(metrics: &Metrics) -> Result<OutputFile> {
    let mut bytes = serde_json::to_vec_pretty(metrics)
        .map_err(|e| Error::Internal(format!("cannot serialise metrics ({e})")))?;
    bytes.push(b'\n');
    Ok(OutputFile {
        name: "metrics.json".into(),
        bytes,
    })
}

/// Rejected rows as csv (UTF-8 with BOM, so Excel opens it right).
pub fn rejected_csv(rejections: &[Rejection]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record([
        "file", "sheet", "row", "column", "field", "expected", "found",
    ])
    .and_then(|_| {
        for r in rejections {
            w.write_record([
                r.file.as_str(),
                r.sheet.as_str(),
                &r.row.to_string(),
                r.column.as_str(),
                r.field,
                r.expected,
                r.found.as_str(),
            ])?;
        }
        Ok(())
    })
    .map_err(|e| Error::Internal(format!("cannot write csv ({e})")))?;
    w.into_inner()
        .map_err(|e| Error::Internal(format!("cannot write csv ({e})")))
}

fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// A dimension value as a folder name: path separators, control characters and leading
/// dots replaced, so no value can write outside its month folder.
pub fn safe_name(value: &str) -> String {
    let s: String = value
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c == ':' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let s = s.trim().trim_start_matches('.').to_string();
    if s.is_empty() {
        "_".to_string()
    } else {
        s
    }
}

/// The advisory lock on an output folder, held for the whole run and released when
/// dropped (or when the process ends, however it ends).
#[derive(Debug)]
pub struct RunLock {
    _file: fs::File,
}

/// The lock file's name inside the output folder.
pub const LOCK_FILE: &str = ".salesplan.lock";

/// Takes the output folder's lock, or fails at once naming the process that holds it.
pub fn lock(root: &Path) -> Result<RunLock> {
    fs::create_dir_all(root).map_err(write_err(root))?;
    let path = root.join(LOCK_FILE);
    let mut file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(write_err(&path))?;
    match file.try_lock() {
        Ok(()) => {
            let stamp = format!("pid {}\n", std::process::id());
            let _ = file
                .set_len(0)
                .and_then(|_| file.write_all(stamp.as_bytes()));
            Ok(RunLock { _file: file })
        }
        Err(fs::TryLockError::WouldBlock) => {
            let holder = fs::read_to_string(&path).unwrap_or_default();
            let holder = holder.trim();
            Err(Error::Locked {
                path,
                holder: if holder.is_empty() {
                    "pid unknown".into()
                } else {
                    format!("held by {holder}")
                },
            })
        }
        Err(fs::TryLockError::Error(e)) => Err(Error::Write { path, source: e }),
    }
}

/// SHA-256 of a file, streamed.
pub fn sha256_file(path: &Path) -> std::io::Result<(u64, String)> {
    use sha2::{Digest, Sha256};
    let mut f = fs::File::open(path)?;
    let mut h = Sha256::new();
    let size = std::io::copy(&mut f, &mut h)?;
    Ok((size, format!("{:x}", h.finalize())))
}

/// What the file system says of an input: its size, modification time, change time and
/// identity. A write moves the times (the change time even when a copy sets the
/// modification time back), a replacement under the same name changes the identity; `run`
/// compares them before and after reading, beside the hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStamp {
    size: u64,
    modified: Option<std::time::SystemTime>,
    /// Device, inode, and change time in seconds and nanoseconds (Unix).
    identity: Option<(u64, u64, i64, i64)>,
}

/// The [`FileStamp`] of `path` now.
pub fn stamp(path: &Path) -> Result<FileStamp> {
    let meta = fs::metadata(path).map_err(|e| Error::Unreadable {
        file: path.to_path_buf(),
        why: format!("cannot read the file ({e})"),
    })?;
    #[cfg(unix)]
    let identity = {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino(), meta.ctime(), meta.ctime_nsec()))
    };
    #[cfg(not(unix))]
    let identity = None;
    Ok(FileStamp {
        size: meta.len(),
        modified: meta.modified().ok(),
        identity,
    })
}

/// SHA-256 of bytes.
pub fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("{:x}", Sha256::digest(bytes))
}

/// One file in the manifest.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileRecord {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

/// `manifest.json` (SPEC §5): what made this output folder.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Manifest {
    pub schema: &'static str,
    pub version: &'static str,
    pub command_line: Vec<String>,
    pub month: String,
    pub inputs: Vec<FileRecord>,
    pub templates: TemplateRecord,
    pub outputs: Vec<FileRecord>,
}

/// The template set used.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TemplateRecord {
    pub origin: String,
    pub sha256: String,
}

/// Hashes every input file (path as given, relative to the input folder).
pub fn hash_inputs(dir: &Path, files: &[PathBuf]) -> Result<Vec<FileRecord>> {
    files
        .iter()
        .map(|f| {
            let (size, sha256) = sha256_file(f).map_err(|e| Error::Unreadable {
                file: f.clone(),
                why: format!("cannot read the file ({e})"),
            })?;
            let path = f.strip_prefix(dir).unwrap_or(f).display().to_string();
            Ok(FileRecord { path, size, sha256 })
        })
        .collect()
}

/// Writes one file in place (through a temporary name and a rename).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(write_err(parent))?;
    }
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(write_err(path))
}

/// Writes `files` as the folder `root/name`, replacing any earlier one only once every
/// file is written and synced.
pub fn write_folder(root: &Path, name: &str, files: &[OutputFile]) -> Result<PathBuf> {
    fs::create_dir_all(root).map_err(write_err(root))?;
    let target = root.join(name);
    let pid = std::process::id();
    let tmp = root.join(format!(".{name}.tmp-{pid}"));
    let old = root.join(format!(".{name}.old-{pid}"));
    let _ = fs::remove_dir_all(&tmp);
    let written = (|| -> std::io::Result<()> {
        fs::create_dir(&tmp)?;
        for f in files {
            let path = tmp.join(&f.name);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)?;
            }
            let mut out = fs::File::create(&path)?;
            out.write_all(&f.bytes)?;
            out.sync_all()?;
        }
        fs::File::open(&tmp)?.sync_all()
    })();
    if let Err(e) = written {
        let _ = fs::remove_dir_all(&tmp);
        return Err(Error::Write {
            path: target,
            source: e,
        });
    }
    let had_old = target.exists();
    if had_old {
        fs::rename(&target, &old).map_err(|e| {
            let _ = fs::remove_dir_all(&tmp);
            Error::Write {
                path: target.clone(),
                source: e,
            }
        })?;
    }
    if let Err(e) = fs::rename(&tmp, &target) {
        if had_old {
            let _ = fs::rename(&old, &target);
        }
        let _ = fs::remove_dir_all(&tmp);
        return Err(Error::Write {
            path: target,
            source: e,
        });
    }
    if had_old {
        let _ = fs::remove_dir_all(&old);
    }
    if let Ok(d) = fs::File::open(root) {
        let _ = d.sync_all();
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `run` compares before and after reading: untouched, a file keeps its stamp; a
    /// rewrite of the same length, or a copy renamed over it, does not.
    #[test]
    fn a_file_written_or_replaced_changes_its_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("orders.xlsx");
        fs::write(&path, b"first").unwrap();
        let before = stamp(&path).unwrap();
        assert_eq!(stamp(&path).unwrap(), before);

        let f = fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(2))
            .unwrap();
        drop(f);
        assert_ne!(stamp(&path).unwrap(), before, "a write moves the time");

        let again = stamp(&path).unwrap();
        let copy = dir.path().join("orders.xlsx.part");
        fs::write(&copy, b"first").unwrap();
        let f = fs::File::open(&copy).unwrap();
        let t = fs::metadata(&path).unwrap().modified().unwrap();
        f.set_modified(t).unwrap();
        drop(f);
        fs::rename(&copy, &path).unwrap();
        assert_ne!(
            stamp(&path).unwrap(),
            again,
            "a replacement is another file"
        );
    }
}
