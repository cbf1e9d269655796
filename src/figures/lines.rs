//! The active order lines as the per-key order and customer figures read them, and those
//! figures for every key of a breakdown in one pass.
//!
//! Every window a figure sums over (the reported periods, the month before, the same
//! periods a year before, the trailing and previous 12 months) lies in the 24 months ending
//! with the report month. So each line is reduced to its month among those 24 (a bit), its
//! amount and cost, and integer codes for its order, customer and key; a window is a mask
//! of months. Distinct orders and customers per key and window come from the lines grouped
//! once by order and once by customer (a counting sort on the codes), with no hashing.
//!
//! Why not a polars group-by, as the other figures are: these are ten windows × (revenue,
//! distinct orders, distinct customers) plus per-customer activity, for the totals and four
//! breakdowns. As filtered aggregations they were twenty group-bys over the lines, 0.75 s
//! of a 1M-line run; this pass is a few tens of milliseconds (BENCHMARKS.md).

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::Hash;

/// A map for the figures' own lookups (ids and keys from the inputs, one process):
/// foldhash, several times faster than the default SipHash on short ids, and just as good
/// where no one can choose the keys to collide.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

use polars::prelude::*;
use polars_arrow::array::{Array, View};

use super::periods::{Periods, Span, REPORTED};
use super::sales::windows;
use super::sums::{window, CustomerSums, Key, OrderSums, WINDOWS};
use crate::types::{epoch_days, Month};

/// Months every window lies in: the report month and the 23 before it.
const MONTHS: i32 = 24;

/// The slot of a line outside those months (or without a date).
const OUTSIDE: u8 = u8::MAX;

/// A sum of money amounts with Neumaier's compensation: a million two-decimal amounts add up
/// to `14542276.91`, not `14542276.90999998` (polars' sums are pairwise, as exact).
#[derive(Debug, Clone, Copy, Default)]
pub struct Sum {
    sum: f64,
    lost: f64,
}

impl Sum {
    /// The sum.
    pub fn get(self) -> f64 {
        self.sum + self.lost
    }
}

impl std::ops::AddAssign<Sum> for Sum {
    /// Adds another sum, its lost low-order part too: the result is the compensated sum of
    /// both sums' terms, as if they had been added one by one.
    fn add_assign(&mut self, other: Sum) {
        *self += other.sum;
        self.lost += other.lost;
    }
}

impl std::ops::AddAssign<f64> for Sum {
    fn add_assign(&mut self, x: f64) {
        let t = self.sum + x;
        self.lost += if self.sum.abs() >= x.abs() {
            (self.sum - t) + x
        } else {
            (x - t) + self.sum
        };
        self.sum = t;
    }
}

/// Lines grouped by a code: the lines of group `g` are `lines[start[g]..start[g + 1]]`, in
/// input order. Only lines inside the 24 months are listed.
struct Groups {
    start: Vec<u32>,
    lines: Vec<u32>,
}

impl Groups {
    /// Counting sort of the lines with a slot by `code` (codes below `n`).
    fn new(code: &[u32], slot: &[u8], n: usize) -> Groups {
        let mut start = vec![0u32; n + 1];
        for (c, s) in code.iter().zip(slot) {
            if *s != OUTSIDE {
                start[*c as usize + 1] += 1;
            }
        }
        for g in 0..n {
            start[g + 1] += start[g];
        }
        let mut next = start.clone();
        let mut lines = vec![0u32; start[n] as usize];
        for (i, (c, s)) in code.iter().zip(slot).enumerate() {
            if *s != OUTSIDE {
                let at = &mut next[*c as usize];
                lines[*at as usize] = i as u32;
                *at += 1;
            }
        }
        Groups { start, lines }
    }

    /// Each group's range in [`Groups::lines`].
    fn ranges(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        self.start.windows(2).map(|w| w[0] as usize..w[1] as usize)
    }

    fn iter(&self) -> impl Iterator<Item = &[u32]> {
        self.start
            .windows(2)
            .map(|w| &self.lines[w[0] as usize..w[1] as usize])
    }
}

/// Each distinct value of a text column (null too) as a number, in order of first
/// appearance, and the values by number.
pub fn codes(values: &StringChunked) -> (Vec<u32>, Vec<Option<&str>>) {
    let mut numbers: indexmap::IndexSet<Option<&str>, foldhash::fast::RandomState> =
        indexmap::IndexSet::default();
    // polars keeps a string of up to 12 bytes whole in its 16-byte view: such strings are
    // looked up by the view, a 128-bit key, without hashing or comparing text (a third of
    // the time for 50,000 customer ids on a million lines). A view equal to the line
    // before's is the same string at any length. New strings still get their number from
    // `numbers`, in order of first appearance: the codes are those `codes_of` gives.
    let mut short: FastMap<u128, u32> = FastMap::default();
    let mut codes = Vec::with_capacity(values.len());
    for array in values.downcast_iter() {
        let mut last: Option<(u128, u32)> = None;
        for (i, view) in array.views().iter().enumerate() {
            if !array.is_valid(i) {
                codes.push(numbers.insert_full(None).0 as u32);
                last = None;
                continue;
            }
            let key = view.as_u128();
            let code = match last {
                Some((l, code)) if l == key => code,
                _ if view.length <= View::MAX_INLINE_SIZE => *short
                    .entry(key)
                    .or_insert_with(|| numbers.insert_full(Some(array.value(i))).0 as u32),
                _ => numbers.insert_full(Some(array.value(i))).0 as u32,
            };
            last = Some((key, code));
            codes.push(code);
        }
    }
    (codes, numbers.into_iter().collect())
}

/// [`codes`] of any values; room for `expected` distinct ones is made up front.
fn codes_of<T: Hash + Ord + Copy>(
    values: impl Iterator<Item = T>,
    expected: usize,
) -> (Vec<u32>, Vec<T>) {
    let mut codes = Vec::with_capacity(values.size_hint().0);
    // Exports list an order's lines together, and most list their orders in the order of
    // their ids: while each new value is greater than the one before, it cannot have been
    // seen, and takes the next number without a lookup (a third of a million order ids
    // were numbered in ~130 ms through the set, on the figures' longest path). The first
    // value out of order puts every one so far into the set, which numbers the rest.
    let mut rising: Vec<T> = Vec::with_capacity(expected);
    let mut numbers: Option<indexmap::IndexSet<T, foldhash::fast::RandomState>> = None;
    let mut last: Option<(T, u32)> = None;
    for v in values {
        let code = match (last, &mut numbers) {
            (Some((l, code)), _) if l == v => code,
            (Some((l, _)), None) if v > l => push_code(&mut rising, v),
            (None, None) => push_code(&mut rising, v),
            (_, numbers) => {
                let set = numbers.get_or_insert_with(|| {
                    let mut set = indexmap::IndexSet::with_capacity_and_hasher(
                        expected.max(rising.len()),
                        Default::default(),
                    );
                    set.extend(rising.drain(..));
                    set
                });
                set.insert_full(v).0 as u32
            }
        };
        last = Some((v, code));
        codes.push(code);
    }
    let names = match numbers {
        Some(set) => set.into_iter().collect(),
        None => rising,
    };
    (codes, names)
}

/// An order id ordered length first, then byte by byte: the order that ids from a counter
/// rise in, also where the counter grows a digit (`SO20260199999`, `SO202601100000`), so
/// that [`codes_of`] numbers them without its set. Equal and hashed as the id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct IdOrder<'a>(Option<&'a str>);

impl Ord for IdOrder<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let key = |id: &Self| id.0.map(|s| (s.len(), s));
        key(self).cmp(&key(other))
    }
}

impl PartialOrd for IdOrder<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Appends a value not seen before and returns its number.
fn push_code<T>(values: &mut Vec<T>, v: T) -> u32 {
    values.push(v);
    (values.len() - 1) as u32
}

/// The keys of a breakdown: each line's key as a code, and the keys by code. The totals
/// have one key, `""`.
pub struct Keys {
    code: Option<Vec<u32>>,
    names: Vec<Key>,
}

impl Keys {
    /// The totals' single key.
    pub fn total() -> Keys {
        Keys {
            code: None,
            names: vec![Some(String::new())],
        }
    }

    /// Every line with the null key (a breakdown by a column the inputs lack).
    pub fn null() -> Keys {
        Keys {
            code: None,
            names: vec![None],
        }
    }

    /// Keyed by a text column of the lines.
    pub fn of(column: &StringChunked) -> Keys {
        let (code, names) = codes(column);
        Keys {
            code: Some(code),
            names: names.into_iter().map(|n| n.map(str::to_string)).collect(),
        }
    }

    /// Keyed by a value of each line's customer: `values` holds one per customer code.
    fn per_customer(lines: &OrderLines, values: &[Option<&str>]) -> Keys {
        let (by_customer, names) = codes_of(values.iter().copied(), 0);
        Keys {
            code: Some(
                lines
                    .customer
                    .iter()
                    .map(|c| by_customer[*c as usize])
                    .collect(),
            ),
            names: names.into_iter().map(|n| n.map(str::to_string)).collect(),
        }
    }

    fn at(&self, line: u32) -> usize {
        self.code.as_ref().map_or(0, |c| c[line as usize] as usize)
    }

    /// The key codes of `lines`, in their order.
    fn of_lines(&self, lines: &[u32]) -> Vec<u32> {
        match &self.code {
            Some(c) => lines.iter().map(|l| c[*l as usize]).collect(),
            None => vec![0; lines.len()],
        }
    }
}

/// Per customer code: what the customer figures need to know about the customer apart
/// from their orders.
pub struct CustomerFacts {
    /// Bit `i`: the first order date lies in `REPORTED[i]`.
    new_in: Vec<u8>,
    /// Bit `i`: a follow-up is dated in `REPORTED[i]`; `None` without a follow-ups table.
    followed_up: Option<Vec<u8>>,
    /// The slot of the first order date's month, or [`OUTSIDE`].
    first_slot: Vec<u8>,
}

/// One month of [`OrderLines::monthly`].
#[derive(Debug, Clone, Copy, Default)]
pub struct MonthSums {
    pub revenue: f64,
    pub customers: u32,
    pub new_revenue: f64,
}

/// One customer's lines under one key: the months it was active in, and per reported
/// period its revenue, its first order and whether it ordered again.
#[derive(Clone, Copy, Default)]
struct Activity {
    months: u32,
    revenue: [Sum; 3],
    first_order: [Option<u32>; 3],
    repeat: [bool; 3],
}
/// Per key: customers counted by what they did (see [`CustomerSums`]).
#[derive(Clone, Copy, Default)]
struct Counts {
    customers: [u32; 10],
    retained: [u32; 4],
    active: [u32; 3],
    repeat: [u32; 3],
    new: [u32; 3],
    new_revenue: [Sum; 3],
    covered: [u32; 3],
}

/// The active order lines, reduced.
pub struct OrderLines<'a> {
    /// Month index of slot 0 (the report month is slot 23).
    base: i32,
    /// Each line's slot, or [`OUTSIDE`].
    slot: Vec<u8>,
    /// Each line's amount (0 where missing: sums skip nulls); borrowed from the frame when
    /// it has no gaps.
    amount: Cow<'a, [f64]>,
    /// Each line's cost, NaN where missing (ingest keeps only finite numbers); `None`
    /// when no line has one.
    cost: Option<Vec<f64>>,
    order: Vec<u32>,
    customer: Vec<u32>,
    /// Customer ids by code.
    customer_ids: Vec<Option<&'a str>>,
    /// Each customer's first order date (days since 1970-01-01), by code.
    first_day: Vec<Option<i32>>,
    by_order: Groups,
    by_customer: Groups,
    /// The lines' slot, amount and order code in `by_customer`'s order.
    customer_lines: CustomerLines,
}

/// Per line of [`Groups::lines`] of the customers, in that order: what the customer
/// passes read, gathered once. A customer's lines lie all over the input; read through
/// the line numbers, every breakdown's pass jumped about memory (four reads a line), and
/// that was most of the figures' time with 50,000 customers.
struct CustomerLines {
    slot: Vec<u8>,
    amount: Vec<f64>,
    order: Vec<u32>,
}

/// The month index of a date stored as days since 1970-01-01.
fn epoch_month(days: i32) -> Option<i32> {
    chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?
        .checked_add_signed(chrono::TimeDelta::days(days.into()))
        .map(|d| Month::of(d).index())
}

/// The mask of a span's months among the 24 (months outside them are left out).
fn mask(span: Span, base: i32) -> u32 {
    (span.first.index()..=span.last.index())
        .map(|m| m - base)
        .filter(|s| (0..MONTHS).contains(s))
        .fold(0, |acc, s| acc | 1 << s)
}

impl<'a> OrderLines<'a> {
    /// From the active orders (`order_id`, `order_date`, `customer_id`, `amount`, `cost`
    /// if present) for report month `report`.
    pub fn new(orders: &'a DataFrame, report: Month) -> PolarsResult<OrderLines<'a>> {
        let base = report.index() - (MONTHS - 1);
        // First days of the 24 months and of the month after, as polars stores dates.
        let bounds: Vec<i32> = (0..=MONTHS)
            .map(|s| epoch_days(Month::from_index(base + s).start()))
            .collect();
        let order_ids = orders.column("order_id")?.str()?;
        // Order ids are the most distinct values (an order has a few lines): they are
        // numbered on a second thread while this one does the rest.
        std::thread::scope(|s| {
            let numbered = s.spawn(|| {
                let (codes, names) = codes_of(order_ids.iter().map(IdOrder), order_ids.len() / 2);
                (codes, names.len())
            });
            let dates = orders.column("order_date")?.date()?;
            let slot: Vec<u8> = dates
                .physical()
                .iter()
                .map(|d| match d {
                    Some(d) if d >= bounds[0] && d < bounds[MONTHS as usize] => {
                        (bounds.partition_point(|b| *b <= d) - 1) as u8
                    }
                    _ => OUTSIDE,
                })
                .collect();
            let amount = orders.column("amount")?.f64()?;
            let amount = match amount.cont_slice() {
                Ok(values) => Cow::Borrowed(values),
                Err(_) => Cow::Owned(amount.iter().map(|a| a.unwrap_or(0.0)).collect()),
            };
            let cost = match orders.column("cost") {
                Ok(c) if c.null_count() < c.len() => {
                    Some(c.f64()?.iter().map(|c| c.unwrap_or(f64::NAN)).collect())
                }
                _ => None,
            };
            let (customer, customer_ids) = codes(orders.column("customer_id")?.str()?);
            let by_customer = Groups::new(&customer, &slot, customer_ids.len());
            let mut first_day = vec![None; customer_ids.len()];
            for (c, d) in customer.iter().zip(dates.physical().iter()) {
                if let Some(d) = d {
                    let first: &mut Option<i32> = &mut first_day[*c as usize];
                    *first = Some(first.map_or(d, |f| f.min(d)));
                }
            }
            let (order, orders_n) = numbered
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            let by_order = Groups::new(&order, &slot, orders_n);
            let gather = |line: &u32| *line as usize;
            let customer_lines = CustomerLines {
                slot: by_customer.lines.iter().map(|l| slot[gather(l)]).collect(),
                amount: by_customer
                    .lines
                    .iter()
                    .map(|l| amount[gather(l)])
                    .collect(),
                order: by_customer.lines.iter().map(|l| order[gather(l)]).collect(),
            };
            Ok(OrderLines {
                base,
                slot,
                amount,
                cost,
                order,
                customer,
                customer_ids,
                first_day,
                by_order,
                by_customer,
                customer_lines,
            })
        })
    }

    /// The distinct customer ids of the lines (a missing one too), by code.
    pub fn customer_ids(&self) -> &[Option<&'a str>] {
        &self.customer_ids
    }

    /// Each line's order code (distinct `order_id`s numbered, null too).
    pub fn order_codes(&self) -> &[u32] {
        &self.order
    }

    /// Each customer's first active order: `customer_id`, `first_date` (the null id too),
    /// in order of first appearance.
    pub fn first_orders(&self) -> PolarsResult<DataFrame> {
        let (ids, days): (Vec<Option<&str>>, Vec<i32>) = self
            .customer_ids
            .iter()
            .zip(&self.first_day)
            .filter_map(|(id, day)| Some((*id, (*day)?)))
            .unzip();
        DataFrame::new(
            ids.len(),
            vec![
                Column::new("customer_id".into(), ids),
                Column::new("first_date".into(), days).cast(&DataType::Date)?,
            ],
        )
    }

    /// Keys by a text column of `customers` (one row per `customer_id`), through each
    /// line's customer; customers without a row have the null key.
    pub fn customer_keys(&self, customers: &DataFrame, column: &str) -> PolarsResult<Keys> {
        let ids = customers.column("customer_id")?.str()?;
        let values = customers.column(column)?.str()?;
        let by_id: FastMap<&str, Option<&str>> = ids
            .iter()
            .zip(values.iter())
            .filter_map(|(id, v)| Some((id?, v)))
            .collect();
        let per_code: Vec<Option<&str>> = self
            .customer_ids
            .iter()
            .map(|id| id.and_then(|id| by_id.get(id).copied().flatten()))
            .collect();
        Ok(Keys::per_customer(self, &per_code))
    }

    /// Per customer code, from `first` (`customer_id`, `first_date`) and, with a
    /// follow-ups table, the flags of [`super::service::follow_up_flags`] (`customer_id`,
    /// `fu_<period>`): one row per id in each.
    pub fn customer_facts(
        &self,
        first: &DataFrame,
        follow_ups: Option<&DataFrame>,
        p: &Periods,
    ) -> PolarsResult<CustomerFacts> {
        let spans = REPORTED.map(|n| p.get(n));
        let first_dates = first.column("first_date")?.date()?;
        let new_in = self.per_customer(first.column("customer_id")?.str()?, 0, |row| {
            let Some(m) = first_dates.physical().get(row).and_then(epoch_month) else {
                return 0;
            };
            spans.iter().enumerate().fold(0, |bits, (i, s)| {
                bits | u8::from(s.first.index() <= m && m <= s.last.index()) << i
            })
        });
        let followed_up = match follow_ups {
            Some(f) => {
                let flags = REPORTED
                    .iter()
                    .map(|n| Ok(f.column(&format!("fu_{n}"))?.bool()?.clone()))
                    .collect::<PolarsResult<Vec<_>>>()?;
                Some(
                    self.per_customer(f.column("customer_id")?.str()?, 0, |row| {
                        flags.iter().enumerate().fold(0, |bits, (i, f)| {
                            bits | u8::from(f.get(row).unwrap_or(false)) << i
                        })
                    }),
                )
            }
            None => None,
        };
        let first_slot = self.per_customer(first.column("customer_id")?.str()?, OUTSIDE, |row| {
            first_dates
                .physical()
                .get(row)
                .and_then(epoch_month)
                .map(|m| m - self.base)
                .filter(|s| (0..MONTHS).contains(s))
                .map_or(OUTSIDE, |s| s as u8)
        });
        Ok(CustomerFacts {
            new_in,
            followed_up,
            first_slot,
        })
    }

    /// A byte per customer code from a frame with one row per `customer_id` (`byte` of
    /// the row); customers without a row, and the null id (joins never match it), get
    /// `missing`.
    fn per_customer(
        &self,
        ids: &StringChunked,
        missing: u8,
        byte: impl Fn(usize) -> u8,
    ) -> Vec<u8> {
        let by_id: FastMap<&str, u8> = ids
            .iter()
            .enumerate()
            .filter_map(|(row, id)| Some((id?, byte(row))))
            .collect();
        self.customer_ids
            .iter()
            .map(|id| id.and_then(|id| by_id.get(id).copied()).unwrap_or(missing))
            .collect()
    }

    /// Per key, a `T` for each of the 24 months, to which `add` adds each line inside them.
    /// The sums by window are made of these: a line lies in three or four windows, and
    /// four compensated additions a line were a quarter of the per-key sums.
    fn by_key_month<T: Copy + Default>(
        &self,
        keys: &Keys,
        add: impl Fn(&mut T, usize),
    ) -> Vec<[T; MONTHS as usize]> {
        let mut months = vec![[T::default(); MONTHS as usize]; keys.names.len()];
        for (line, &s) in self.slot.iter().enumerate() {
            if s != OUTSIDE {
                add(&mut months[keys.at(line as u32)][s as usize], line);
            }
        }
        months
    }

    /// Per key and window (a mask of slots): the amount summed, and the lines counted.
    fn window_sums<const N: usize>(
        &self,
        keys: &Keys,
        masks: [u32; N],
    ) -> Vec<([f64; N], [u32; N])> {
        self.by_key_month(keys, |(amount, lines): &mut (Sum, u32), line| {
            *amount += self.amount[line];
            *lines += 1;
        })
        .iter()
        .map(|months| {
            let mut sums = ([Sum::default(); N], [0; N]);
            for (w, m) in masks.iter().enumerate() {
                for (s, (amount, lines)) in months.iter().enumerate() {
                    if m & 1 << s != 0 {
                        sums.0[w] += *amount;
                        sums.1[w] += lines;
                    }
                }
            }
            (sums.0.map(Sum::get), sums.1)
        })
        .collect()
    }

    /// Revenue in each of `spans` per pair of keys (`a` × `b`) that has lines in any of
    /// them: the pair, the sums, and the lines counted.
    pub fn pair_sums<'k, const N: usize>(
        &self,
        a: &'k Keys,
        b: &'k Keys,
        spans: [Span; N],
    ) -> Vec<(&'k Key, &'k Key, [f64; N], [u32; N])> {
        let lines = 0..self.slot.len() as u32;
        let (pair, pairs) = codes_of(lines.map(|line| (a.at(line), b.at(line))), 0);
        let keys = Keys {
            code: Some(pair),
            names: vec![None; pairs.len()],
        };
        self.window_sums(&keys, spans.map(|s| mask(s, self.base)))
            .into_iter()
            .zip(pairs)
            .filter(|((_, lines), _)| lines.iter().any(|n| *n > 0))
            .map(|((sums, lines), (x, y))| (&a.names[x], &b.names[y], sums, lines))
            .collect()
    }

    /// Per slot (month) of the 24: revenue, distinct customers, and the revenue of lines
    /// in their customer's first month.
    pub fn monthly(&self, facts: &CustomerFacts) -> [MonthSums; MONTHS as usize] {
        let mut months = [MonthSums::default(); MONTHS as usize];
        let mut revenue = [(Sum::default(), Sum::default()); MONTHS as usize];
        for (line, &s) in self.slot.iter().enumerate() {
            if s == OUTSIDE {
                continue;
            }
            let (all, new) = &mut revenue[s as usize];
            let a = self.amount[line];
            *all += a;
            if facts.first_slot[self.customer[line] as usize] == s {
                *new += a;
            }
        }
        for (m, (all, new)) in months.iter_mut().zip(revenue) {
            m.revenue = all.get();
            m.new_revenue = new.get();
        }
        let slots = &self.customer_lines.slot;
        for range in self.by_customer.ranges() {
            let active = slots[range].iter().fold(0u32, |bits, s| bits | 1 << s);
            for (s, m) in months.iter_mut().enumerate() {
                m.customers += u32::from(active & 1 << s != 0);
            }
        }
        months
    }

    /// The slot of a month among the 24, if it is one of them.
    pub fn slot_of(&self, m: Month) -> Option<usize> {
        let s = m.index() - self.base;
        (0..MONTHS).contains(&s).then_some(s as usize)
    }

    /// The (key, customer id) pairs with lines in `span`, by customer.
    pub fn customers_of<'k>(&self, keys: &'k Keys, span: Span) -> Vec<(&'k Key, Option<&'a str>)> {
        let within = mask(span, self.base);
        let mut pairs = Vec::new();
        let mut seen_in = vec![u32::MAX; keys.names.len()];
        let key = keys.of_lines(&self.by_customer.lines);
        let slots = &self.customer_lines.slot;
        for (c, range) in self.by_customer.ranges().enumerate() {
            for i in range {
                let k = key[i] as usize;
                if within & 1 << slots[i] != 0 && seen_in[k] != c as u32 {
                    seen_in[k] = c as u32;
                    pairs.push((&keys.names[k], self.customer_ids[c]));
                }
            }
        }
        pairs
    }

    /// Per key: the order sums and the customer counts.
    pub fn sums(
        &self,
        keys: &Keys,
        facts: &CustomerFacts,
        p: &Periods,
    ) -> (HashMap<Key, OrderSums>, HashMap<Key, CustomerSums>) {
        let n_keys = keys.names.len();
        let window_masks = windows(p).map(|(_, s)| mask(s, self.base));
        let reported = REPORTED.map(|n| mask(p.get(n), self.base));
        let rev = self.window_sums(keys, window_masks);
        let cost = self.cost_sums(keys, reported);
        let orders = self.distinct_orders(keys, window_masks);
        let counts = self.customer_counts(keys, facts, window_masks, reported);
        let mut order_sums = HashMap::with_capacity(n_keys);
        let mut customer_sums = HashMap::with_capacity(n_keys);
        let float = |n: [u32; 3]| n.map(f64::from);
        for (k, key) in keys.names.iter().enumerate() {
            order_sums.insert(
                key.clone(),
                OrderSums {
                    revenue: rev[k].0,
                    orders: orders[k].map(f64::from),
                    customers: counts[k].customers.map(f64::from),
                    cost_revenue: cost[k][0],
                    cost: cost[k][1],
                    cost_lines: cost[k][2],
                },
            );
            let n = &counts[k];
            customer_sums.insert(
                key.clone(),
                CustomerSums {
                    retained_month: n.retained[0].into(),
                    active_prev_month: n.retained[1].into(),
                    retained_12m: n.retained[2].into(),
                    active_p12: n.retained[3].into(),
                    active: float(n.active),
                    repeat: float(n.repeat),
                    new: float(n.new),
                    new_revenue: n.new_revenue.map(Sum::get),
                    followed_up: facts.followed_up.as_ref().map(|_| float(n.covered)),
                },
            );
        }
        (order_sums, customer_sums)
    }

    /// Per key and reported period, of the lines with a cost: revenue, cost, and lines.
    fn cost_sums(&self, keys: &Keys, reported: [u32; 3]) -> Vec<[[f64; 3]; 3]> {
        let Some(cost) = &self.cost else {
            return vec![[[0.0; 3]; 3]; keys.names.len()];
        };
        self.by_key_month(keys, |(revenue, sum, lines): &mut (Sum, Sum, u32), line| {
            if !cost[line].is_nan() {
                *revenue += self.amount[line];
                *sum += cost[line];
                *lines += 1;
            }
        })
        .iter()
        .map(|months| {
            let mut sums = [[Sum::default(); 3]; 2];
            let mut lines = [0u32; 3];
            for (i, m) in reported.iter().enumerate() {
                for (s, (revenue, cost, n)) in months.iter().enumerate() {
                    if m & 1 << s != 0 {
                        sums[0][i] += *revenue;
                        sums[1][i] += *cost;
                        lines[i] += n;
                    }
                }
            }
            [
                sums[0].map(Sum::get),
                sums[1].map(Sum::get),
                lines.map(f64::from),
            ]
        })
        .collect()
    }

    /// Per key and window: distinct orders (each order's months per key).
    fn distinct_orders(&self, keys: &Keys, window_masks: [u32; WINDOWS]) -> Vec<[u32; WINDOWS]> {
        let n_keys = keys.names.len();
        let mut orders = vec![[0u32; WINDOWS]; n_keys];
        let mut seen_in = vec![u32::MAX; n_keys];
        let mut months = vec![0u32; n_keys];
        let mut touched = Vec::new();
        for (g, lines) in self.by_order.iter().enumerate() {
            for &line in lines {
                let k = keys.at(line);
                if seen_in[k] != g as u32 {
                    seen_in[k] = g as u32;
                    months[k] = 0;
                    touched.push(k);
                }
                months[k] |= 1 << self.slot[line as usize];
            }
            for k in touched.drain(..) {
                for (w, m) in window_masks.iter().enumerate() {
                    orders[k][w] += u32::from(months[k] & m != 0);
                }
            }
        }

        orders
    }

    /// Per key: distinct customers per window and what they did (retained, repeat, new,
    /// followed up).
    fn customer_counts(
        &self,
        keys: &Keys,
        facts: &CustomerFacts,
        window_masks: [u32; WINDOWS],
        reported: [u32; 3],
    ) -> Vec<Counts> {
        let n_keys = keys.names.len();
        let mut seen_in = vec![u32::MAX; n_keys];
        let mut touched = Vec::new();
        let (month, prev, t12, p12) = (
            window_masks[window::MONTH],
            window_masks[window::PREV_MONTH],
            window_masks[window::T12],
            window_masks[window::P12],
        );
        let mut counts = vec![Counts::default(); n_keys];
        let mut activity = vec![Activity::default(); n_keys];
        let key = keys.of_lines(&self.by_customer.lines);
        let lines = &self.customer_lines;
        for (c, range) in self.by_customer.ranges().enumerate() {
            for line in range {
                let k = key[line] as usize;
                if seen_in[k] != c as u32 {
                    seen_in[k] = c as u32;
                    activity[k] = Activity::default();
                    touched.push(k);
                }
                let a = &mut activity[k];
                let bit = 1u32 << lines.slot[line];
                a.months |= bit;
                for (i, m) in reported.iter().enumerate() {
                    if m & bit != 0 {
                        a.revenue[i] += lines.amount[line];
                        let order = lines.order[line];
                        match a.first_order[i] {
                            None => a.first_order[i] = Some(order),
                            Some(o) => a.repeat[i] |= o != order,
                        }
                    }
                }
            }
            let new_in = facts.new_in[c];
            let followed_up = facts.followed_up.as_ref().map_or(0, |f| f[c]);
            for k in touched.drain(..) {
                let a = &activity[k];
                let n = &mut counts[k];
                let active = |m: u32| a.months & m != 0;
                for (w, m) in window_masks.iter().enumerate() {
                    n.customers[w] += u32::from(active(*m));
                }
                n.retained[0] += u32::from(active(month) && active(prev));
                n.retained[1] += u32::from(active(prev));
                n.retained[2] += u32::from(active(t12) && active(p12));
                n.retained[3] += u32::from(active(p12));
                for (i, m) in reported.iter().enumerate() {
                    if !active(*m) {
                        continue;
                    }
                    n.active[i] += 1;
                    n.repeat[i] += u32::from(a.repeat[i]);
                    if new_in & 1 << i != 0 {
                        n.new[i] += 1;
                        n.new_revenue[i] += a.revenue[i].get();
                    }
                    n.covered[i] += u32::from(followed_up & 1 << i != 0);
                }
            }
        }

        counts
    }
}

#[cfg(test)]
mod sums_tests {
    use super::*;

    /// The windows' sums, made of their months' sums, are the lines' amounts and costs
    /// added one by one, to the last bit: the outputs must not move with the order of
    /// the additions.
    #[test]
    fn window_and_cost_sums_from_months_equal_the_lines_one_by_one() {
        for (seed, report) in [(1, "2026-03"), (2, "2025-12"), (3, "2024-02")] {
            let report: Month = report.parse().unwrap();
            let p = Periods::new(report);
            let active = super::super::lines_tests::orders(seed, 20_000);
            let lines = OrderLines::new(&active, report).unwrap();
            let keys = Keys::of(active.column("region").unwrap().str().unwrap());
            let masks = windows(&p).map(|(_, s)| mask(s, lines.base));
            let reported = REPORTED.map(|n| mask(p.get(n), lines.base));
            let n_keys = keys.names.len();
            let mut want = vec![([Sum::default(); WINDOWS], [0u32; WINDOWS]); n_keys];
            let mut want_cost = vec![[[Sum::default(); 3]; 3]; n_keys];
            let cost = lines.cost.as_ref().unwrap();
            for (line, &s) in lines.slot.iter().enumerate() {
                if s == OUTSIDE {
                    continue;
                }
                let k = keys.at(line as u32);
                for (w, m) in masks.iter().enumerate() {
                    if m & 1 << s != 0 {
                        want[k].0[w] += lines.amount[line];
                        want[k].1[w] += 1;
                    }
                }
                for (i, m) in reported.iter().enumerate() {
                    if m & 1 << s != 0 && !cost[line].is_nan() {
                        want_cost[k][0][i] += lines.amount[line];
                        want_cost[k][1][i] += cost[line];
                        want_cost[k][2][i] += 1.0;
                    }
                }
            }
            let bits = |v: [f64; 3]| v.map(f64::to_bits);
            let got = lines.window_sums(&keys, masks);
            let got_cost = lines.cost_sums(&keys, reported);
            for k in 0..n_keys {
                assert_eq!(got[k].1, want[k].1, "{report} key {k}: lines");
                assert_eq!(
                    got[k].0.map(f64::to_bits),
                    want[k].0.map(|s| s.get().to_bits()),
                    "{report} key {k}: amounts {:?}",
                    got[k].0
                );
                for (part, want) in got_cost[k].iter().zip(&want_cost[k]) {
                    assert_eq!(bits(*part), bits(want.map(Sum::get)), "{report} key {k}");
                }
            }
        }
    }
}

#[cfg(test)]
mod codes_tests {
    use super::*;

    /// Codes by the views are the codes of first appearance, over nulls, strings on both
    /// sides of the 12 bytes a view holds, repeats next to each other and apart, and
    /// several chunks (whose long strings live in buffers of their own).
    #[test]
    fn view_codes_are_first_appearance_codes() {
        let words = [
            Some("华东"),
            Some("SO00000001"),
            Some("SO20251100001"),
            None,
            Some("产品线01"),
            Some("a long customer name"),
            Some(""),
            Some("产品线01"),
            Some("SO20251100001"),
        ];
        let values: Vec<Option<&str>> = (0..500).map(|i| words[(i * 7 + i / 3) % 9]).collect();
        let mut column = StringChunked::new("k".into(), &values[..250]);
        column
            .append(&StringChunked::new("k".into(), &values[250..]))
            .unwrap();
        assert_eq!(column.chunks().len(), 2);
        assert_eq!(codes(&column), first_appearance(&values));
    }

    /// First-appearance codes, the slow way.
    fn first_appearance<T: PartialEq + Copy>(values: &[T]) -> (Vec<u32>, Vec<T>) {
        let mut seen: Vec<T> = Vec::new();
        let codes = values
            .iter()
            .map(|v| match seen.iter().position(|s| s == v) {
                Some(p) => p as u32,
                None => {
                    seen.push(*v);
                    seen.len() as u32 - 1
                }
            })
            .collect();
        (codes, seen)
    }

    /// Rising values numbered without the set give the set's codes: all rising, a break
    /// back to a value seen while rising, a null after values, and repeats on both sides
    /// of the break.
    #[test]
    fn rising_values_are_numbered_as_first_appearance() {
        let cases: [&[Option<&str>]; 5] = [
            &[
                Some("SO1"),
                Some("SO1"),
                Some("SO2"),
                Some("SO3"),
                Some("SO3"),
            ],
            &[
                Some("SO1"),
                Some("SO2"),
                Some("SO2"),
                Some("SO1"),
                Some("SO4"),
                Some("SO3"),
            ],
            &[Some("a"), Some("b"), None, Some("a"), None, Some("c")],
            &[None, None, Some("a"), Some("b"), Some("a")],
            &[],
        ];
        for values in cases {
            assert_eq!(
                codes_of(values.iter().copied(), 2),
                first_appearance(values),
                "{values:?}"
            );
        }
        let ids: Vec<IdOrder> = [
            "SO99998", "SO99999", "SO99999", "SO100000", "SO100001", "SO99999",
        ]
        .map(|s| IdOrder(Some(s)))
        .to_vec();
        assert_eq!(codes_of(ids.iter().copied(), 0), first_appearance(&ids));
        let mixed: Vec<u32> = (0..2000)
            .map(|i| if i < 1200 { i / 3 } else { (i * 7) % 500 })
            .collect();
        assert_eq!(codes_of(mixed.iter().copied(), 0), first_appearance(&mixed));
    }
}
