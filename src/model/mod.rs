//! The typed tables that ingest hands to the figures: one polars `DataFrame` per table of
//! SPEC §2, with the canonical column names and types (text → String, number → Float64,
//! date → Date, datetime → Datetime(ms)). Orders carry a derived `cancelled` flag.

use std::collections::BTreeMap;

use polars::prelude::*;

mod columns;

pub use columns::{ColumnValues, Strings, TableRows};

use crate::error::Result;
use crate::types::{OrderKeys, TableKind};

/// The column holding each row's input file (its index in the data-quality file list).
pub const SOURCE_FILE: &str = "source_file";

/// Every table that was found; `orders` is always there.
#[derive(Debug, Clone)]
pub struct Tables {
    frames: BTreeMap<TableKind, DataFrame>,
    /// How the orders identify orders and customers (SPEC §2: optional keys).
    pub keys: OrderKeys,
}

impl Tables {
    /// Builds the frames from ingest's accumulated rows.
    pub fn from_rows(rows: BTreeMap<TableKind, TableRows>, keys: OrderKeys) -> Result<Tables> {
        let mut frames = BTreeMap::new();
        for (kind, mut rows) in rows {
            let cancelled = match kind {
                TableKind::Orders => cancelled_last(&mut rows),
                _ => None,
            };
            let mut columns = Vec::with_capacity(rows.columns.len() + 1);
            for (spec, values) in kind.columns().iter().zip(rows.columns) {
                columns.push(column(spec.name, values)?);
            }
            if let Some(n) = cancelled {
                let mut flags = vec![false; rows.rows - n];
                flags.resize(rows.rows, true);
                columns.push(Column::new("cancelled".into(), flags));
            } else if kind == TableKind::Orders {
                let status = columns
                    .iter()
                    .find(|c| c.name().as_str() == "status")
                    .map(|c| {
                        c.str().map(|s| {
                            s.iter()
                                .map(|v| v.is_some_and(is_cancelled_status))
                                .collect::<Vec<bool>>()
                        })
                    })
                    .transpose()?
                    .unwrap_or_else(|| vec![false; rows.rows]);
                columns.push(Column::new("cancelled".into(), status));
            }
            if kind == TableKind::Targets {
                columns.extend(period_columns(&columns)?);
            }
            if kind == TableKind::FollowUps {
                columns.push(visit_column(&columns, rows.rows)?);
            }
            columns.push(Column::new(SOURCE_FILE.into(), rows.file));
            let mut df = DataFrame::new(rows.rows, columns)?;
            if kind == TableKind::Orders && cancelled.is_none() {
                df = active_first(df)?;
            }
            frames.insert(kind, df);
        }
        Ok(Tables { frames, keys })
    }

    /// Builds tables straight from frames (tests, benchmarks). Orders need a `cancelled`
    /// column.
    pub fn from_frames(frames: impl IntoIterator<Item = (TableKind, DataFrame)>) -> Result<Tables> {
        let frames = frames
            .into_iter()
            .map(|(kind, df)| match kind {
                TableKind::Orders => Ok((kind, active_first(df)?)),
                _ => Ok((kind, df)),
            })
            .collect::<Result<_>>()?;
        Ok(Tables {
            frames,
            keys: Default::default(),
        })
    }

    /// A table, if the inputs had it.
    pub fn get(&self, kind: TableKind) -> Option<&DataFrame> {
        self.frames.get(&kind)
    }

    /// Whether a table was found (even with no rows).
    pub fn has(&self, kind: TableKind) -> bool {
        self.frames.contains_key(&kind)
    }

    /// All orders lines, cancelled ones included.
    pub fn orders(&self) -> DataFrame {
        self.frames
            .get(&TableKind::Orders)
            .cloned()
            .unwrap_or_else(|| empty(TableKind::Orders))
    }

    /// Orders lines that count: everything but cancelled orders (SPEC §2). The orders
    /// frame keeps them first (see [`active_first`]), so this is a slice, not a copy.
    pub fn active_orders(&self) -> LazyFrame {
        let orders = self.orders();
        let active = orders.height() - self.cancelled_rows();
        orders.slice(0, active).lazy()
    }

    /// The tables as they concern one value of a dimension (`--split-by`): orders and
    /// targets of that value; the roster and expenses where they carry the dimension
    /// (region), and left out where they cannot be attributed (product line; expenses per
    /// rep).
    pub fn scoped(&self, dim: &str, value: &str) -> Result<Tables> {
        let only = |df: &DataFrame| -> Result<DataFrame> {
            Ok(df
                .clone()
                .lazy()
                .filter(col(dim).eq(lit(value.to_string())))
                .collect()?)
        };
        let mut frames = BTreeMap::new();
        for (kind, df) in &self.frames {
            let attributable = match kind {
                TableKind::Orders | TableKind::Targets => true,
                TableKind::Roster => dim == "region" || dim == "rep_id",
                TableKind::Expenses => dim == "region",
                TableKind::Customers => {
                    frames.insert(*kind, df.clone());
                    continue;
                }
                _ => df.column(dim).is_ok(),
            };
            if attributable && df.column(dim).is_ok() {
                frames.insert(*kind, only(df)?);
            }
        }
        Ok(Tables {
            frames,
            keys: self.keys,
        })
    }

    /// How many orders lines are cancelled.
    pub fn cancelled_rows(&self) -> usize {
        self.frames
            .get(&TableKind::Orders)
            .and_then(|df| df.column("cancelled").ok())
            .and_then(|c| c.bool().ok().map(|b| b.sum().unwrap_or(0) as usize))
            .unwrap_or(0)
    }
}

/// A normalised target period (`2026-10`, `2026-Q4`, `2026`) as its first month's index
/// ([`crate::types::Month::index`]) and its length in months.
pub fn period_bounds(period: &str) -> Option<(i32, i32)> {
    let year: i32 = period.get(..4)?.parse().ok()?;
    match period.get(4..) {
        Some("") => Some((year * 12, 12)),
        Some(rest) => {
            if let Some(q) = rest.strip_prefix("-Q") {
                let q: i32 = q.parse().ok()?;
                Some((year * 12 + (q - 1) * 3, 3))
            } else {
                let m: i32 = rest.strip_prefix('-')?.parse().ok()?;
                Some((year * 12 + m - 1, 1))
            }
        }
        None => None,
    }
}

/// `is_visit` for follow-ups: rows whose type is 拜访 or visit; every row when the
/// table has no type (SPEC §3).
fn visit_column(columns: &[Column], rows: usize) -> Result<Column> {
    let kind = columns.iter().find(|c| c.name().as_str() == "type");
    let visits: Vec<bool> = match kind {
        Some(c) if c.null_count() < c.len() => c
            .str()?
            .iter()
            .map(|v| {
                v.is_some_and(|t| {
                    let t = t.trim().to_lowercase();
                    t == "拜访" || t == "visit" || t == "visits" || t == "上门拜访"
                })
            })
            .collect(),
        _ => vec![true; rows],
    };
    Ok(Column::new("is_visit".into(), visits))
}

/// `period_first` and `period_months` from the targets' `period` column.
fn period_columns(columns: &[Column]) -> Result<Vec<Column>> {
    let period = columns
        .iter()
        .find(|c| c.name().as_str() == "period")
        .map(|c| c.str().cloned())
        .transpose()?;
    let bounds: Vec<Option<(i32, i32)>> = period
        .map(|p| p.iter().map(|v| v.and_then(period_bounds)).collect())
        .unwrap_or_default();
    Ok(vec![
        Column::new(
            "period_first".into(),
            bounds.iter().map(|b| b.map(|b| b.0)).collect::<Vec<_>>(),
        ),
        Column::new(
            "period_months".into(),
            bounds.iter().map(|b| b.map(|b| b.1)).collect::<Vec<_>>(),
        ),
    ])
}

fn column(name: &str, values: ColumnValues) -> Result<Column> {
    Ok(match values {
        ColumnValues::Text(v) => v.finish(name).into_column(),
        ColumnValues::Number(v) => v.finish(name).into_column(),
        ColumnValues::Date(v) => v.finish(name).into_date().into_column(),
        ColumnValues::DateTime(v) => v
            .finish(name)
            .into_datetime(TimeUnit::Milliseconds, None)
            .into_column(),
    })
}

/// Moves the cancelled order lines after the others in the column buffers, as
/// [`active_first`] does in the frame but in place, and returns how many there are.
/// `None` when the buffers cannot be reordered so (text taken over from several files):
/// the frame is reordered then.
fn cancelled_last(rows: &mut TableRows) -> Option<usize> {
    let at = TableKind::Orders
        .columns()
        .iter()
        .position(|c| c.name == "status")?;
    if !rows.columns.iter().all(ColumnValues::movable) {
        return None;
    }
    let ColumnValues::Text(status) = &rows.columns[at] else {
        return None;
    };
    let cancelled = status.rows_where(is_cancelled_status)?;
    for column in &mut rows.columns {
        column.move_last(&cancelled);
    }
    columns::move_last(&mut rows.file, &cancelled);
    Some(cancelled.len())
}

/// The orders frame with its active lines first and its cancelled ones after, each in the
/// order read: the active lines are then a slice that every figure shares, where a filter
/// would copy a million lines. Columns are reordered one at a time, so that the extra
/// memory is one column's. Only where [`cancelled_last`] could not do it in the buffers
/// (text taken over from several files).
fn active_first(df: DataFrame) -> Result<DataFrame> {
    let cancelled = df.column("cancelled")?.bool()?.clone();
    if cancelled.sum().unwrap_or(0) == 0 {
        return Ok(df);
    }
    let active = !&cancelled;
    // Two sequential filters, not a gather; the active lines come out as one chunk.
    let reorder = |column: &Column| -> PolarsResult<Column> {
        let mut reordered = column.filter(&active)?;
        reordered.append_owned(column.filter(&cancelled)?)?;
        Ok(reordered)
    };
    let mut df = df;
    let names: Vec<PlSmallStr> = df.get_column_names_owned();
    // Two columns at a time, one on each core (a million lines took ~150 ms on one);
    // each pair replaces its columns before the next is made, so that no more than two
    // columns are held twice.
    for pair in names.chunks(2) {
        let columns = std::thread::scope(|s| -> PolarsResult<Vec<Column>> {
            let second = match pair.get(1) {
                Some(name) => {
                    let column = df.column(name)?;
                    Some(s.spawn(move || reorder(column)))
                }
                None => None,
            };
            let mut columns = vec![reorder(df.column(&pair[0])?)?];
            if let Some(second) = second {
                columns.push(
                    second
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?,
                );
            }
            Ok(columns)
        })?;
        for column in columns {
            df.with_column(column)?;
        }
    }
    Ok(df)
}

/// An empty frame with a table's columns.
pub fn empty(kind: TableKind) -> DataFrame {
    let rows = TableRows::new(kind);
    let mut columns: Vec<Column> = kind
        .columns()
        .iter()
        .zip(rows.columns)
        .filter_map(|(spec, v)| column(spec.name, v).ok())
        .collect();
    if kind == TableKind::Orders {
        columns.push(Column::new("cancelled".into(), Vec::<bool>::new()));
    }
    columns.push(Column::new(SOURCE_FILE.into(), Vec::<u32>::new()));
    DataFrame::new(0, columns).unwrap_or_default()
}

/// Whether an orders status means the order was cancelled.
pub fn is_cancelled_status(status: &str) -> bool {
    let s = crate::types::text::trim_space(status);
    // SPEC §2: 作废 (ERP documents), 交易关闭 (淘宝/天猫), void (tills). Not 已关闭: an ERP
    // order closed after delivery was sold.
    [
        "取消",
        "已取消",
        "cancelled",
        "canceled",
        "作废",
        "已作废",
        "交易关闭",
        "void",
        "voided",
    ]
    .iter()
    .any(|w| s.eq_ignore_ascii_case(w))
}

#[cfg(test)]
mod cancelled_tests {
    use super::is_cancelled_status;

    #[test]
    fn cancellations() {
        for s in [
            "取消",
            "已取消",
            "Cancelled",
            " CANCELED ",
            "作废",
            "交易关闭",
            "void",
        ] {
            assert!(is_cancelled_status(s), "{s}");
        }
        assert!(!is_cancelled_status("已完成"));
        assert!(!is_cancelled_status("已关闭"));
    }
}

#[cfg(test)]
mod reorder_tests {
    use super::*;

    const CANCELLED: [usize; 4] = [0, 3, 4, 9];

    /// Order lines `rows` of ten, every column filled by its type: some values missing,
    /// texts both inline (≤ 12 bytes) and in the buffer, lines 0, 3, 4 and 9 cancelled.
    fn lines(rows: std::ops::Range<usize>, file: u32) -> TableRows {
        let mut t = TableRows::new(TableKind::Orders);
        for i in rows {
            for (spec, values) in TableKind::Orders.columns().iter().zip(&mut t.columns) {
                let there = i % 5 != 2 || spec.name == "status";
                match values {
                    ColumnValues::Text(v) if spec.name == "status" => {
                        v.push(Some(if CANCELLED.contains(&i) {
                            "已取消"
                        } else {
                            "已完成"
                        }))
                    }
                    ColumnValues::Text(v) => {
                        let long = format!("{}-a-long-text-{i}", spec.name);
                        v.push(there.then_some(if i % 2 == 0 { &long[..1] } else { &long }))
                    }
                    ColumnValues::Number(v) => v.push(there.then_some(i as f64)),
                    ColumnValues::Date(v) => v.push(there.then_some(i as i32)),
                    ColumnValues::DateTime(v) => v.push(there.then_some(i as i64)),
                }
            }
            t.rows += 1;
            t.file.push(file);
        }
        t
    }

    fn orders(rows: TableRows) -> DataFrame {
        let tables = Tables::from_rows(
            BTreeMap::from([(TableKind::Orders, rows)]),
            OrderKeys::default(),
        )
        .unwrap();
        assert_eq!(tables.cancelled_rows(), CANCELLED.len());
        tables.orders()
    }

    /// The cancelled lines moved last in the column buffers give the frame that
    /// reordering the frame gives (the path of text read from several files).
    #[test]
    fn cancelled_lines_last_in_place_as_in_the_frame() {
        let in_place = orders(lines(0..10, 0));
        let mut two_files = lines(0..6, 0);
        two_files.extend(lines(6..10, 0));
        assert!(!two_files.columns.iter().all(ColumnValues::movable));
        let reordered = orders(two_files);
        assert!(
            in_place.equals_missing(&reordered),
            "{in_place}\n{reordered}"
        );
        let order: Vec<Option<f64>> = in_place
            .column("quantity")
            .unwrap()
            .f64()
            .unwrap()
            .iter()
            .collect();
        let expected = [1, 2, 5, 6, 7, 8, 0, 3, 4, 9].map(|i| (i % 5 != 2).then_some(i as f64));
        assert_eq!(order, expected);
    }

    #[test]
    fn move_last_keeps_both_parts_in_order() {
        let mut v: Vec<u8> = (0..10).collect();
        columns::move_last(&mut v, &CANCELLED);
        assert_eq!(v, [1, 2, 5, 6, 7, 8, 0, 3, 4, 9]);
        let mut none: Vec<u8> = (0..3).collect();
        columns::move_last(&mut none, &[]);
        assert_eq!(none, [0, 1, 2]);
    }
}
