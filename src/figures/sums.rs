//! The sums every figure of one key is computed from (the totals, or one value of a
//! breakdown), as typed structs: the order and customer sums of [`super::lines`], and the
//! per-key sums each other table gives ([`super::targets`], [`super::team`],
//! [`super::costs`], [`super::service`], [`super::finance`]). A table's sums are `None`
//! when the table is missing or cannot be keyed this way, and zeros when the key has no
//! rows in it.

use std::collections::HashMap;

/// A breakdown key: a region, product line, segment or rep; `None` for rows whose value
/// was blank. The totals use the key `Some("")`.
pub type Key = Option<String>;

/// The key of the totals row.
pub fn total_key() -> Key {
    Some(String::new())
}

/// How many windows orders are summed over.
pub const WINDOWS: usize = 10;

/// One number per reported period, in [`super::periods::REPORTED`] order (month, qtd,
/// ytd).
pub type PerPeriod<T = f64> = [T; 3];

/// The windows of [`super::sales::windows`], by position.
pub mod window {
    pub const MONTH: usize = 0;
    pub const PREV_MONTH: usize = 3;
    pub const LAST_3M: usize = 4;
    /// The reported period `i` a year before is `LAST_YEAR + i`.
    pub const LAST_YEAR: usize = 5;
    pub const T12: usize = 8;
    pub const P12: usize = 9;
}

/// Per key: active order lines summed over each window (the reported periods are windows
/// 0–2).
#[derive(Debug, Clone, Copy, Default)]
pub struct OrderSums {
    pub revenue: [f64; WINDOWS],
    /// Distinct orders.
    pub orders: [f64; WINDOWS],
    /// Distinct customers.
    pub customers: [f64; WINDOWS],
    /// Of the lines with a cost: their revenue, their cost, and how many.
    pub cost_revenue: PerPeriod,
    pub cost: PerPeriod,
    pub cost_lines: PerPeriod,
}

/// Per key: customers counted by what they did.
#[derive(Debug, Clone, Copy, Default)]
pub struct CustomerSums {
    /// Active in the month before and in the report month.
    pub retained_month: f64,
    /// Active in the month before.
    pub active_prev_month: f64,
    /// Active in the previous 12 months and in the trailing 12.
    pub retained_12m: f64,
    /// Active in the previous 12 months.
    pub active_p12: f64,
    pub active: PerPeriod,
    /// Active customers with more than one order in the period.
    pub repeat: PerPeriod,
    /// Customers whose first order lies in the period.
    pub new: PerPeriod,
    /// Revenue of those new customers in the period.
    pub new_revenue: PerPeriod,
    /// Active customers with a follow-up in the period (with a follow-ups table).
    pub followed_up: Option<PerPeriod>,
}

/// Per key: targets over the reported periods and the year.
#[derive(Debug, Clone, Copy, Default)]
pub struct TargetSums {
    /// Month, qtd, ytd, year.
    pub target: [Option<f64>; 4],
    /// Months of each window that have a target.
    pub months: [f64; 4],
}

/// Per key: leads created in the period, won, and at or past each stage.
#[derive(Debug, Clone, Default)]
pub struct LeadSums {
    pub leads: PerPeriod,
    pub won: PerPeriod,
    /// By stage, in the configured order.
    pub stages: Vec<PerPeriod>,
}

/// Per key: survey responses.
#[derive(Debug, Clone, Copy, Default)]
pub struct NpsSums {
    pub responses: PerPeriod,
    pub promoters: PerPeriod,
    pub detractors: PerPeriod,
}

/// Per key: tickets answered within the SLA, tickets counted, response hours.
#[derive(Debug, Clone, Copy, Default)]
pub struct TicketSums {
    pub within: PerPeriod,
    pub counted: PerPeriod,
    pub median_hours: PerPeriod<Option<f64>>,
    pub p90_hours: PerPeriod<Option<f64>>,
}

/// Per key: receivables due in the period and collected by its end.
#[derive(Debug, Clone, Copy, Default)]
pub struct CollectionSums {
    pub due: PerPeriod,
    pub collected: PerPeriod,
}

/// Every sum the figures of one key read.
#[derive(Debug, Clone, Default)]
pub struct KeySums {
    pub orders: OrderSums,
    pub customers: CustomerSums,
    pub targets: Option<TargetSums>,
    /// Average headcount.
    pub headcount: Option<PerPeriod>,
    pub expenses: Option<PerPeriod>,
    pub leads: Option<LeadSums>,
    pub tickets: Option<TicketSums>,
    /// Follow-ups that are visits.
    pub visits: Option<PerPeriod>,
    pub nps: Option<NpsSums>,
    pub collection: Option<CollectionSums>,
    /// Whether the inputs have a follow-ups table.
    pub follow_ups: bool,
}

/// Sums per key of every table, for one way of keying the tables.
#[derive(Debug, Default)]
pub struct Keyed {
    pub orders: HashMap<Key, OrderSums>,
    pub customers: HashMap<Key, CustomerSums>,
    pub targets: Option<HashMap<Key, TargetSums>>,
    pub headcount: Option<HashMap<Key, PerPeriod>>,
    pub expenses: Option<HashMap<Key, PerPeriod>>,
    pub leads: Option<HashMap<Key, LeadSums>>,
    pub tickets: Option<HashMap<Key, TicketSums>>,
    pub visits: Option<HashMap<Key, PerPeriod>>,
    pub nps: Option<HashMap<Key, NpsSums>>,
    pub collection: Option<HashMap<Key, CollectionSums>>,
    pub follow_ups: bool,
}

/// The sums of `key` in `sums`: zeros when the key has no rows in a table that applies.
fn of<T: Clone + Default>(sums: &Option<HashMap<Key, T>>, key: &Key) -> Option<T> {
    sums.as_ref()
        .map(|s| s.get(key).cloned().unwrap_or_default())
}

impl Keyed {
    /// The sums of one key.
    pub fn for_key(&self, key: &Key) -> KeySums {
        KeySums {
            orders: self.orders.get(key).copied().unwrap_or_default(),
            customers: self.customers.get(key).copied().unwrap_or_default(),
            targets: of(&self.targets, key),
            headcount: of(&self.headcount, key),
            expenses: of(&self.expenses, key),
            leads: of(&self.leads, key),
            tickets: of(&self.tickets, key),
            visits: of(&self.visits, key),
            nps: of(&self.nps, key),
            collection: of(&self.collection, key),
            follow_ups: self.follow_ups,
        }
    }
}
