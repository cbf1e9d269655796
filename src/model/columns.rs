//! The column buffers ingest fills while it reads, one per column of a table's spec,
//! turned into a frame's columns without copying text.

use polars::prelude::*;

use crate::types::{ColumnType, TableKind};

/// Text values, appended straight into polars' string array (strings of up to 12 bytes
/// are stored inline in the array's 16-byte views): no per-value allocation while reading,
/// and no copy when the frame is built.
pub struct Strings {
    /// Values taken over from other files' reading, in order, then the builder's.
    done: Option<StringChunked>,
    building: StringChunkedBuilder,
}

impl Default for Strings {
    fn default() -> Self {
        Strings {
            done: None,
            building: StringChunkedBuilder::new(PlSmallStr::EMPTY, 0),
        }
    }
}

impl std::fmt::Debug for Strings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Strings")
    }
}

impl Strings {
    pub fn push(&mut self, v: Option<&str>) {
        self.building.append_option(v);
    }

    /// The column, named `name`.
    pub fn finish(self, name: &str) -> StringChunked {
        let last = self.building.finish();
        let mut all = match self.done {
            Some(mut done) => {
                // Appending chunks moves no strings.
                let _ = done.append_owned(last);
                done
            }
            None => last,
        };
        all.rename(name.into());
        all
    }

    /// `other`'s values after these.
    fn extend(&mut self, other: Strings) {
        let mine = std::mem::take(self).finish("");
        let theirs = other.finish("");
        let mut all = mine;
        let _ = all.append_owned(theirs);
        self.done = Some(all);
    }
}

/// Values of one column, accumulated across every sheet of a table.
#[derive(Debug)]
pub enum ColumnValues {
    Text(Strings),
    Number(Vec<Option<f64>>),
    /// Days since 1970-01-01.
    Date(Vec<Option<i32>>),
    /// Milliseconds since 1970-01-01T00:00.
    DateTime(Vec<Option<i64>>),
}

impl ColumnValues {
    /// `other`'s values after these (columns of the same type).
    pub fn extend(&mut self, other: ColumnValues) {
        match (self, other) {
            (ColumnValues::Text(a), ColumnValues::Text(b)) => a.extend(b),
            (ColumnValues::Number(a), ColumnValues::Number(b)) => a.extend(b),
            (ColumnValues::Date(a), ColumnValues::Date(b)) => a.extend(b),
            (ColumnValues::DateTime(a), ColumnValues::DateTime(b)) => a.extend(b),
            _ => unreachable!("a table's columns have one type"),
        }
    }

    pub fn for_type(ty: ColumnType) -> Self {
        match ty {
            ColumnType::Text | ColumnType::Period | ColumnType::Stage | ColumnType::LeadStatus => {
                ColumnValues::Text(Strings::default())
            }
            ColumnType::Number | ColumnType::Score => ColumnValues::Number(Vec::new()),
            ColumnType::Date => ColumnValues::Date(Vec::new()),
            ColumnType::DateTime => ColumnValues::DateTime(Vec::new()),
        }
    }
}

/// A table's accumulated rows, one [`ColumnValues`] per column of its spec.
#[derive(Debug)]
pub struct TableRows {
    pub columns: Vec<ColumnValues>,
    pub rows: usize,
    /// Per row: the index of its file in [`crate::types::DataQuality::files`].
    pub file: Vec<u32>,
}

impl TableRows {
    /// `other`'s rows after these (the same table).
    pub fn extend(&mut self, other: TableRows) {
        for (a, b) in self.columns.iter_mut().zip(other.columns) {
            a.extend(b);
        }
        self.rows += other.rows;
        self.file.extend(other.file);
    }

    pub fn new(kind: TableKind) -> Self {
        TableRows {
            columns: kind
                .columns()
                .iter()
                .map(|c| ColumnValues::for_type(c.ty))
                .collect(),
            rows: 0,
            file: Vec::new(),
        }
    }
}
