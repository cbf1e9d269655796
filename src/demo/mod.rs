//! The deterministic demo workbook generator (`salesplan demo`): a fictional company's
//! exports for every table of SPEC §2, with Chinese headers and the mess real exports
//! have (title rows, a totals row, text money and text dates, returns and cancelled
//! orders), and patterns that make every section of the report say something: one region
//! under target, one over its cost cap, a region converting under 15 %, a month of slow
//! ticket responses, a product line under 45 days of cover, overdue receivables.
//!
//! One world (reps, customers, order lines: [`world`]) is drawn first; then each table's
//! workbook is generated from it ([`sales`], [`crm`]) and written ([`workbook`]). Every
//! draw comes from one [`rng::Rng`] in a fixed order, so a seed always gives the same
//! files.

mod crm;
mod keys;
mod rng;
mod sales;
mod workbook;
mod world;

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::types::Month;
use rng::Rng;
use workbook::Writer;
use world::World;

pub use keys::Keys;

/// What `salesplan demo` writes.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Folder for the workbooks.
    pub out: PathBuf,
    /// Months of history, ending with `last_month`.
    pub months: u32,
    /// Order lines to aim for (default about 6,000).
    pub rows: Option<usize>,
    /// Random seed.
    pub seed: u64,
    /// Last month of data.
    pub last_month: Month,
    /// How the order lines are split into workbooks.
    pub orders_files: OrdersFiles,
    /// The company's exports, or one large orders sheet shaped by its keys.
    pub shape: Shape,
}

/// What `salesplan demo` generates.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// The demo company: every table, with the mess real exports have.
    Company,
    /// One large orders sheet with many customers and reps, and a roster (benchmarks).
    Keys(Keys),
}

/// How `salesplan demo` splits the order lines into workbooks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OrdersFiles {
    /// One workbook per calendar year (what the committed demo inputs use).
    #[default]
    Yearly,
    /// One workbook per month, as a monthly export job leaves them.
    Monthly,
    /// Every line in one sheet of one workbook (the benchmark's single-sheet case).
    Single,
}

/// Writes the demo workbooks; returns their paths.
pub fn write(o: &DemoOptions) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(&o.out).map_err(|e| Error::Write {
        path: o.out.clone(),
        source: e,
    })?;
    let mut rng = Rng(o.seed);
    if let Shape::Keys(k) = o.shape {
        let mut out = Writer::new(&o.out, o.last_month.end());
        keys::write(o, k, &mut rng, &mut out)?;
        return Ok(out.written);
    }
    let w = World::new(o, &mut rng);
    let mut out = Writer::new(&o.out, w.last.end());
    sales::orders(&w, o.orders_files, &mut out)?;
    sales::targets(&w, &mut rng, &mut out)?;
    sales::roster(&w, &mut out)?;
    sales::customers(&w, &mut out)?;
    sales::expenses(&w, &mut rng, &mut out)?;
    crm::crm(&w, &mut rng, &mut out)?;
    crm::receivables(&w, &mut rng, &mut out)?;
    crm::inventory(&w, &mut rng, &mut out)?;
    Ok(out.written)
}
