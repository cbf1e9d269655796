//! Checks made before a file is handed to calamine, which aborts or loops on some
//! crafted files instead of failing: the format is taken from the bytes, not the name;
//! zip entries may not expand past the limits; an OLE (.xls) file's sector chains may not
//! loop. A file that fails here is an input error naming the file (exit 65).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use crate::error::{Error, Result};
use crate::types::Limits;

/// The format a file really has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Xlsb,
    Ods,
    Xls,
    Csv,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Entries under this size are not held to the expansion ratio: small, very regular XML
/// (styles, empty sheets) compresses far better than data does.
const RATIO_FLOOR: u64 = 1 << 20;

/// Finds the file's real format and checks it against the limits.
pub fn check_file(path: &Path, limits: &Limits) -> Result<Format> {
    let fail = |why: String| Error::Unreadable {
        file: path.to_path_buf(),
        why,
    };
    let mut file = File::open(path).map_err(|e| fail(format!("cannot open the file ({e})")))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut magic = [0u8; 8];
    let n = read_up_to(&mut file, &mut magic)
        .map_err(|e| fail(format!("cannot read the file ({e})")))?;
    let magic = &magic[..n];
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if magic.starts_with(ZIP_MAGIC) {
        return check_zip(path, file, limits);
    }
    if magic.starts_with(OLE_MAGIC) {
        check_ole(&mut file, len).map_err(fail)?;
        return Ok(Format::Xls);
    }
    if is_csv {
        if len > limits.max_entry_bytes {
            return Err(Error::Limit {
                file: path.to_path_buf(),
                sheet: String::new(),
                why: format!(
                    "{len} bytes is over the limit of {} bytes",
                    limits.max_entry_bytes
                ),
            });
        }
        return Ok(Format::Csv);
    }
    if n == 0 {
        return Err(fail("the file is empty, not a spreadsheet".into()));
    }
    Err(fail(
        "not a spreadsheet (the bytes are neither a zip-based workbook nor an OLE .xls file; \
         is it truncated, or another kind of file renamed?)"
            .into(),
    ))
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

fn check_zip(path: &Path, file: File, limits: &Limits) -> Result<Format> {
    let fail = |why: String| Error::Unreadable {
        file: path.to_path_buf(),
        why,
    };
    let mut archive = zip::ZipArchive::new(file).map_err(|e| {
        fail(format!(
            "not a readable workbook: the zip archive is damaged or truncated ({e})"
        ))
    })?;
    let mut format = None;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| {
            fail(format!(
                "not a readable workbook: zip entry {i} is damaged ({e})"
            ))
        })?;
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        let (size, packed) = (entry.size(), entry.compressed_size().max(1));
        if size > limits.max_entry_bytes {
            return Err(Error::Limit {
                file: path.to_path_buf(),
                sheet: String::new(),
                why: format!(
                    "archive entry {name} expands to {size} bytes, over the limit of {} \
                     (limits.max_entry_bytes in salesplan.toml)",
                    limits.max_entry_bytes
                ),
            });
        }
        if size > RATIO_FLOOR && size as f64 > limits.max_entry_ratio * packed as f64 {
            return Err(Error::Limit {
                file: path.to_path_buf(),
                sheet: String::new(),
                why: format!(
                    "archive entry {name} expands {:.0}× (from {packed} to {size} bytes), over the \
                     limit of {}× (limits.max_entry_ratio in salesplan.toml)",
                    size as f64 / packed as f64,
                    limits.max_entry_ratio
                ),
            });
        }
        match name.as_str() {
            "xl/workbook.xml" => format = Some(Format::Xlsx),
            "xl/workbook.bin" => format = Some(Format::Xlsb),
            "content.xml" => format = format.or(Some(Format::Ods)),
            _ => {}
        }
    }
    format.ok_or_else(|| fail("a zip archive, but not an Excel or OpenDocument workbook".into()))
}

/// Validates an OLE compound file's sector allocation table: every chain must end.
/// calamine follows chains without a bound, so a looping one would never finish.
fn check_ole(file: &mut File, len: u64) -> std::result::Result<(), String> {
    let bad =
        |what: &str| format!("not a readable workbook: the .xls container is damaged ({what})");
    let mut header = [0u8; 512];
    file.seek(SeekFrom::Start(0)).map_err(|e| e.to_string())?;
    if read_up_to(file, &mut header).map_err(|e| e.to_string())? < 512 {
        return Err(bad("truncated header"));
    }
    let u16_at = |b: &[u8], o: usize| u16::from_le_bytes([b[o], b[o + 1]]);
    let u32_at = |b: &[u8], o: usize| u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
    let shift = u16_at(&header, 0x1E);
    if shift != 9 && shift != 12 {
        return Err(bad("unknown sector size"));
    }
    let sector = 1u64 << shift;
    let sectors_in_file = len.saturating_sub(sector) / sector + 1;
    let fat_count = u32_at(&header, 0x2C) as u64;
    if fat_count > sectors_in_file {
        return Err(bad("more allocation-table sectors than the file holds"));
    }
    let mut fat_sectors: Vec<u32> = (0..109)
        .map(|i| u32_at(&header, 0x4C + 4 * i))
        .take(fat_count as usize)
        .collect();
    // The rest of the table's sector list lives in a chain of DIFAT sectors.
    let mut difat = u32_at(&header, 0x44);
    let mut buf = vec![0u8; sector as usize];
    let mut steps = 0u64;
    while (fat_sectors.len() as u64) < fat_count && difat < 0xFFFF_FFFA {
        steps += 1;
        if steps > sectors_in_file {
            return Err(bad("the DIFAT chain loops"));
        }
        read_sector(file, sector, difat, &mut buf).map_err(|_| bad("a DIFAT sector is missing"))?;
        let per = (sector / 4) as usize - 1;
        fat_sectors.extend((0..per).map(|i| u32_at(&buf, 4 * i)));
        difat = u32_at(&buf, 4 * per);
    }
    fat_sectors.truncate(fat_count as usize);
    let mut fat: Vec<u32> = Vec::with_capacity(fat_sectors.len() * (sector as usize / 4));
    for &s in &fat_sectors {
        read_sector(file, sector, s, &mut buf)
            .map_err(|_| bad("an allocation-table sector is missing"))?;
        fat.extend((0..sector as usize / 4).map(|i| u32_at(&buf, 4 * i)));
    }
    if has_cycle(&fat) {
        return Err(bad("a sector chain loops back on itself"));
    }
    Ok(())
}

fn read_sector(file: &mut File, size: u64, index: u32, buf: &mut [u8]) -> std::io::Result<()> {
    file.seek(SeekFrom::Start((index as u64 + 1) * size))?;
    file.read_exact(buf)
}

/// Whether following next-pointers from any entry of `fat` can come back to itself.
/// Values at or past 0xFFFFFFFA (end of chain, free, table sectors) end a chain.
fn has_cycle(fat: &[u32]) -> bool {
    // 0 = not seen, 1 = on the walk in progress, 2 = known to end.
    let mut state = vec![0u8; fat.len()];
    let mut path = Vec::new();
    for start in 0..fat.len() {
        let mut at = start;
        path.clear();
        loop {
            if at >= fat.len() || state[at] == 2 {
                break;
            }
            if state[at] == 1 {
                return true;
            }
            state[at] = 1;
            path.push(at);
            let next = fat[at];
            if next >= 0xFFFF_FFFA {
                break;
            }
            at = next as usize;
        }
        for &p in &path {
            state[p] = 2;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_that_end_are_fine() {
        assert!(!has_cycle(&[1, 2, 0xFFFF_FFFE, 0xFFFF_FFFF, 0xFFFF_FFFD]));
        assert!(!has_cycle(&[2, 2, 0xFFFF_FFFE]));
    }

    /// A minimal compound file: header, one FAT sector, one directory sector.
    fn ole(fat: &[u32]) -> Vec<u8> {
        let mut f = vec![0u8; 512 * 3];
        f[..8].copy_from_slice(OLE_MAGIC);
        f[0x1E..0x20].copy_from_slice(&9u16.to_le_bytes());
        f[0x2C..0x30].copy_from_slice(&1u32.to_le_bytes());
        f[0x30..0x34].copy_from_slice(&1u32.to_le_bytes());
        f[0x44..0x48].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes());
        f[0x4C..0x50].copy_from_slice(&0u32.to_le_bytes());
        for i in 1..109 {
            f[0x4C + 4 * i..0x50 + 4 * i].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
        }
        for (i, v) in fat.iter().enumerate() {
            f[512 + 4 * i..516 + 4 * i].copy_from_slice(&v.to_le_bytes());
        }
        f
    }

    #[test]
    fn an_ole_file_whose_chain_loops_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("loop.xls");
        // Sector 0 holds the table; the directory chain 1 → 1 loops.
        std::fs::write(&path, ole(&[0xFFFF_FFFD, 1])).unwrap();
        let e = check_file(&path, &Limits::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("loop.xls") && e.contains("loops"), "{e}");
        std::fs::write(&path, ole(&[0xFFFF_FFFD, 0xFFFF_FFFE])).unwrap();
        assert_eq!(check_file(&path, &Limits::default()).unwrap(), Format::Xls);
    }

    #[test]
    fn looping_chains_are_found() {
        assert!(has_cycle(&[1, 2, 0]));
        assert!(has_cycle(&[0xFFFF_FFFE, 2, 2]));
    }
}
