//! The column buffers ingest fills while it reads, one per column of a table's spec,
//! turned into a frame's columns without copying text.

use polars::prelude::*;
use polars_arrow::array::{MutableArray, MutableBinaryViewArray};
use polars_arrow::bitmap::MutableBitmap;

use crate::types::{ColumnType, TableKind};

/// Text values, appended straight into polars' string array (strings of up to 12 bytes
/// are stored inline in the array's 16-byte views): no per-value allocation while reading,
/// and no copy when the frame is built.
pub struct Strings {
    /// Values taken over from other files' reading, in order, then the builder's.
    done: Option<StringChunked>,
    building: MutableBinaryViewArray<str>,
    /// The bytes of the values taken back out ([`Self::pop`]), which the builder still
    /// counts: settled in [`Self::finish`].
    popped_bytes: usize,
}

impl Default for Strings {
    fn default() -> Self {
        Strings::with_capacity(0)
    }
}

impl std::fmt::Debug for Strings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Strings")
    }
}

impl Strings {
    fn with_capacity(rows: usize) -> Self {
        Strings {
            done: None,
            building: MutableBinaryViewArray::with_capacity(rows),
            popped_bytes: 0,
        }
    }

    pub fn push(&mut self, v: Option<&str>) {
        self.building.push(v);
    }

    /// How many values the column holds.
    pub fn count(&self) -> usize {
        self.done.as_ref().map_or(0, |d| d.len()) + self.building.len()
    }

    /// The value last pushed, if it is not missing.
    pub fn last(&self) -> Option<&str> {
        let i = self.building.len().checked_sub(1)?;
        let there = MutableArray::validity(&self.building).is_none_or(|v| v.get(i));
        there.then(|| self.building.value(i))
    }

    /// Takes the value last pushed back out (its bytes stay in the buffer, unused).
    pub fn pop(&mut self) {
        // SAFETY: dropping the last view leaves the others as they were; the byte count
        // it leaves too high is settled in `finish`.
        let Some(view) = (unsafe { self.building.views_mut() }).pop() else {
            return;
        };
        self.popped_bytes += view.length as usize;
        if let Some(valid) = MutableBinaryViewArray::validity(&mut self.building) {
            valid.pop();
        }
    }

    /// The rows whose value passes `test`, rising; `None` when the column holds values
    /// taken over from other files (see [`ColumnValues::move_last`]).
    pub fn rows_where(&self, test: impl Fn(&str) -> bool) -> Option<Vec<usize>> {
        if self.done.is_some() {
            return None;
        }
        let valid = MutableArray::validity(&self.building);
        // Equal views are equal strings (inline, or the same bytes of the same buffer):
        // a status column repeats a few values, mostly one after another.
        let mut last: Option<(u128, bool)> = None;
        let mut rows = Vec::new();
        for (i, view) in self.building.views().iter().enumerate() {
            if valid.is_some_and(|v| !v.get(i)) {
                continue;
            }
            let bits = view.as_u128();
            let passes = match last {
                Some((b, passes)) if b == bits => passes,
                _ => {
                    let passes = test(self.building.value(i));
                    last = Some((bits, passes));
                    passes
                }
            };
            if passes {
                rows.push(i);
            }
        }
        Some(rows)
    }

    /// See [`ColumnValues::move_last`]; only while nothing is taken over from other files.
    fn move_last(&mut self, rows: &[usize]) {
        debug_assert!(self.done.is_none(), "chunks taken over are not reordered");
        // SAFETY: the views are only reordered; each still points at its own bytes.
        move_last(unsafe { self.building.views_mut() }, rows);
        if let Some(valid) = MutableBinaryViewArray::validity(&mut self.building) {
            move_last_bits(valid, rows);
        }
    }

    /// The column, named `name`.
    pub fn finish(self, name: &str) -> StringChunked {
        let mut building = self.building;
        // SAFETY: the views taken out held these bytes.
        unsafe { building.set_total_bytes_len(building.total_bytes_len() - self.popped_bytes) };
        let last = StringChunked::with_chunk(name.into(), building.freeze());
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

/// Numbers in the layout of polars' arrays: 8 bytes a value (4 for dates), and a validity
/// bit each only once a value is missing — a `Vec<Option<f64>>` takes 16 — handed to the
/// frame without a copy.
pub struct Numbers<T: PolarsNumericType> {
    values: Vec<T::Native>,
    /// Which values are there; `None` while all are.
    valid: Option<MutableBitmap>,
}

impl<T: PolarsNumericType> Default for Numbers<T> {
    fn default() -> Self {
        Numbers::with_capacity(0)
    }
}

impl<T: PolarsNumericType> std::fmt::Debug for Numbers<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Numbers({})", self.values.len())
    }
}

impl<T: PolarsNumericType> Numbers<T> {
    fn with_capacity(rows: usize) -> Self {
        Numbers {
            values: Vec::with_capacity(rows),
            valid: None,
        }
    }

    pub fn push(&mut self, v: Option<T::Native>) {
        match (v, &mut self.valid) {
            (Some(v), None) => self.values.push(v),
            (Some(v), Some(valid)) => {
                self.values.push(v);
                valid.push(true);
            }
            (None, valid) => {
                let n = self.values.len();
                valid
                    .get_or_insert_with(|| MutableBitmap::from_len_set(n))
                    .push(false);
                self.values.push(T::Native::default());
            }
        }
    }

    /// Takes the value last pushed back out.
    pub fn pop(&mut self) {
        self.values.pop();
        if let Some(valid) = &mut self.valid {
            valid.pop();
        }
    }

    /// The value at `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<T::Native> {
        let there = self.valid.as_ref().is_none_or(|v| i < v.len() && v.get(i));
        self.values.get(i).copied().filter(|_| there)
    }

    /// Replaces the value at `i`, which is there.
    pub fn set(&mut self, i: usize, v: T::Native) {
        self.values[i] = v;
    }

    fn move_last(&mut self, rows: &[usize]) {
        move_last(&mut self.values, rows);
        if let Some(valid) = &mut self.valid {
            move_last_bits(valid, rows);
        }
    }

    /// The column, named `name`.
    pub fn finish(self, name: &str) -> ChunkedArray<T> {
        ChunkedArray::from_vec_validity(name.into(), self.values, self.valid.map(Into::into))
    }

    /// `other`'s values after these.
    fn extend(&mut self, other: Numbers<T>) {
        let (mine, theirs) = (self.values.len(), other.values.len());
        if self.valid.is_some() || other.valid.is_some() {
            let valid = self
                .valid
                .get_or_insert_with(|| MutableBitmap::from_len_set(mine));
            match other.valid {
                Some(v) => valid.extend_from_bitmap(&v.into()),
                None => valid.extend_constant(theirs, true),
            }
        }
        self.values.extend(other.values);
    }
}

/// Values of one column, accumulated across every sheet of a table.
#[derive(Debug)]
pub enum ColumnValues {
    Text(Strings),
    Number(Numbers<Float64Type>),
    /// Days since 1970-01-01.
    Date(Numbers<Int32Type>),
    /// Milliseconds since 1970-01-01T00:00.
    DateTime(Numbers<Int64Type>),
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

    /// How many values the column holds.
    pub fn count(&self) -> usize {
        match self {
            ColumnValues::Text(c) => c.count(),
            ColumnValues::Number(c) => c.values.len(),
            ColumnValues::Date(c) => c.values.len(),
            ColumnValues::DateTime(c) => c.values.len(),
        }
    }

    /// Takes the value last pushed back out.
    pub fn pop(&mut self) {
        match self {
            ColumnValues::Text(c) => c.pop(),
            ColumnValues::Number(c) => c.pop(),
            ColumnValues::Date(c) => c.pop(),
            ColumnValues::DateTime(c) => c.pop(),
        }
    }

    /// Moves the values at `rows` (rising, each in range) after the others, both parts in
    /// their order, in place: a few cancelled lines go last without copying the million
    /// others into a new column. Only for a [`Self::movable`] column.
    pub fn move_last(&mut self, rows: &[usize]) {
        match self {
            ColumnValues::Text(c) => c.move_last(rows),
            ColumnValues::Number(c) => c.move_last(rows),
            ColumnValues::Date(c) => c.move_last(rows),
            ColumnValues::DateTime(c) => c.move_last(rows),
        }
    }

    /// Whether [`Self::move_last`] can reorder this column: not when it holds text taken
    /// over from other files (chunks of polars' own).
    pub fn movable(&self) -> bool {
        !matches!(self, ColumnValues::Text(Strings { done: Some(_), .. }))
    }

    pub fn for_type(ty: ColumnType) -> Self {
        Self::with_capacity(ty, 0)
    }

    /// With room for `rows` values.
    pub fn with_capacity(ty: ColumnType, rows: usize) -> Self {
        match ty {
            ColumnType::Text | ColumnType::Period | ColumnType::Stage | ColumnType::LeadStatus => {
                ColumnValues::Text(Strings::with_capacity(rows))
            }
            ColumnType::Number | ColumnType::Score => {
                ColumnValues::Number(Numbers::with_capacity(rows))
            }
            ColumnType::Date => ColumnValues::Date(Numbers::with_capacity(rows)),
            ColumnType::DateTime => ColumnValues::DateTime(Numbers::with_capacity(rows)),
        }
    }
}

/// Moves `values[rows]` (rising indices) after the others, both parts keeping their
/// order: the runs between the moved rows slide down whole.
pub fn move_last<T: Copy>(values: &mut [T], rows: &[usize]) {
    let Some(&first) = rows.first() else {
        return;
    };
    let moved: Vec<T> = rows.iter().map(|&i| values[i]).collect();
    let mut to = first;
    for (k, &i) in rows.iter().enumerate() {
        let end = rows.get(k + 1).copied().unwrap_or(values.len());
        values.copy_within(i + 1..end, to);
        to += end - i - 1;
    }
    values[to..].copy_from_slice(&moved);
}

/// [`move_last`] for a validity bitmap.
fn move_last_bits(bits: &mut MutableBitmap, rows: &[usize]) {
    let mut out = MutableBitmap::with_capacity(bits.len());
    let mut start = 0;
    for &i in rows.iter().chain(std::iter::once(&bits.len())) {
        out.extend_from_slice(bits.as_slice(), start, i - start);
        start = i + 1;
    }
    for &i in rows {
        out.push(bits.get(i));
    }
    *bits = out;
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
        Self::with_capacity(kind, 0)
    }

    /// With room for `rows` rows in every column: a million-line sheet's columns are
    /// then allocated once, not grown by doubling (each step copied, and faulted in fresh
    /// pages, everything read so far).
    pub fn with_capacity(kind: TableKind, rows: usize) -> Self {
        TableRows {
            columns: kind
                .columns()
                .iter()
                .map(|c| ColumnValues::with_capacity(c.ty, rows))
                .collect(),
            rows: 0,
            file: Vec::with_capacity(rows),
        }
    }
}
