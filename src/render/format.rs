//! Numbers as the documents print them: thousands separators, `万`/`亿` (or K/M/B in
//! English) scaling and the currency symbol per configuration, percentages with one
//! decimal, and a real minus sign (−) so negative values are visible. Typst has no number
//! formatting of its own, so templates receive these strings ready-made.

use crate::types::MoneyUnit;

/// What kind of quantity a figure is, which decides how it prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Money in the input's units.
    Money,
    /// A fraction shown as a percentage (attainment, shares, rates).
    Ratio,
    /// A growth rate, shown with its sign.
    Growth,
    /// A whole count.
    Count,
    /// A fractional head count (also visits per head).
    Headcount,
    /// Days (inventory cover), one decimal.
    Days,
    /// Hours (response times), one decimal.
    Hours,
    /// A score such as NPS, one decimal.
    Score,
}

/// The kind of a figure by its `metrics.json` name.
pub fn kind_of(figure: &str) -> Kind {
    match figure {
        "orders" | "active_customers" | "new_customers" | "leads" | "nps_responses" | "visits" => {
            Kind::Count
        }
        "avg_headcount" | "visits_per_rep" => Kind::Headcount,
        "inventory_days" => Kind::Days,
        "response_hours_median" | "response_hours_p90" => Kind::Hours,
        "nps" | "score" => Kind::Score,
        "mom_growth" | "yoy_growth" => Kind::Growth,
        "attainment"
        | "annual_completion"
        | "forecast_attainment"
        | "new_customer_revenue_share"
        | "repurchase_rate"
        | "retention_rate"
        | "expense_ratio"
        | "gross_margin"
        | "time_progress"
        | "revenue_share"
        | "share"
        | "ratio_to_revenue"
        | "inquiry_conversion"
        | "response_sla"
        | "follow_up_coverage"
        | "collection_rate" => Kind::Ratio,
        _ => Kind::Money,
    }
}

/// Formats numbers for one document.
#[derive(Debug, Clone)]
pub struct Formatter {
    pub currency: String,
    pub unit: MoneyUnit,
    pub lang: String,
}

const MINUS: char = '\u{2212}';
/// What a missing figure prints as.
pub const MISSING: &str = "—";

/// `1234567.4` → `1,234,567` (no sign).
fn grouped(x: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s.clone(), None),
    };
    let mut out = String::with_capacity(int.len() + int.len() / 3 + 4);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(&f);
    }
    out
}

fn signed(x: f64, body: String) -> String {
    // A value that rounds to zero prints without a sign.
    if x < 0.0 && body.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("{MINUS}{body}")
    } else {
        body
    }
}

impl Formatter {
    /// A formatter for a language with a currency symbol.
    pub fn new(currency: &str, unit: MoneyUnit, lang: &str) -> Self {
        Formatter {
            currency: currency.to_string(),
            unit,
            lang: lang.to_string(),
        }
    }

    /// A value of the given kind; `None` prints as a dash.
    pub fn format(&self, kind: Kind, v: Option<f64>) -> String {
        let Some(x) = v.filter(|x| x.is_finite()) else {
            return MISSING.to_string();
        };
        match kind {
            Kind::Money => self.money(x),
            Kind::Ratio => self.pct(x),
            Kind::Growth => self.growth(x),
            Kind::Count => signed(x, grouped(x, 0)),
            Kind::Headcount | Kind::Days | Kind::Hours | Kind::Score => signed(x, grouped(x, 1)),
        }
    }

    /// Money: `¥1,234`, `¥12.3万`, `¥1.2亿`; in English `¥12.3K`, `¥1.2M`, `¥1.2B`. The
    /// value is rounded before its unit is chosen, so that 99,999,999 prints as `¥1.0亿`,
    /// not `¥10,000.0万`.
    pub fn money(&self, x: f64) -> String {
        let a = x.abs();
        // (unit, the smallest amount that prints in it, suffix), smallest first.
        let units: &[(f64, f64, &str)] = match (self.unit, self.lang.as_str()) {
            (MoneyUnit::Full, _) => &[],
            (MoneyUnit::Auto, "en") => &[(1e3, 1e4, "K"), (1e6, 1e6, "M"), (1e9, 1e9, "B")],
            (MoneyUnit::Auto, _) => &[(1e4, 1e4, "万"), (1e8, 1e8, "亿")],
        };
        let round1 = |v: f64| (v * 10.0).round() / 10.0;
        // Each unit takes over when the amount, as the smaller unit would print it, reaches it.
        let mut shown = a.round();
        let mut chosen = None;
        for &(unit, from, suffix) in units {
            if shown < from {
                break;
            }
            chosen = Some((unit, suffix));
            shown = round1(a / unit) * unit;
        }
        let body = match chosen {
            Some((unit, suffix)) => format!("{}{suffix}", grouped(round1(a / unit), 1)),
            None => grouped(a, 0),
        };
        signed(x, format!("{}{body}", self.currency))
    }

    /// A fraction as a percentage with one decimal: `0.932` → `93.2%`.
    pub fn pct(&self, x: f64) -> String {
        signed(x, format!("{}%", grouped(x * 100.0, 1)))
    }

    /// A growth rate with its sign: `+6.1%`, `−3.9%`.
    pub fn growth(&self, x: f64) -> String {
        let s = self.pct(x);
        if s.starts_with(MINUS) || s == "0.0%" {
            s
        } else {
            format!("+{s}")
        }
    }

    /// A difference of two fractions in percentage points, signed: `−8.0`.
    pub fn points(&self, x: f64) -> String {
        let s = signed(x, grouped(x * 100.0, 1));
        if s.starts_with(MINUS) || s == "0.0" {
            s
        } else {
            format!("+{s}")
        }
    }

    /// A whole count with separators.
    pub fn count(&self, x: f64) -> String {
        self.format(Kind::Count, Some(x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zh() -> Formatter {
        Formatter::new("¥", MoneyUnit::Auto, "zh")
    }

    #[test]
    fn money_scales_and_groups() {
        let f = zh();
        assert_eq!(f.money(1234.4), "¥1,234");
        assert_eq!(f.money(14_542_276.91), "¥1,454.2万");
        assert_eq!(f.money(532_127_132.93), "¥5.3亿");
        assert_eq!(f.money(-120_000.0), "−¥12.0万");
        assert_eq!(f.money(0.2), "¥0");
        assert_eq!(f.money(-0.2), "¥0");
        let en = Formatter::new("$", MoneyUnit::Auto, "en");
        assert_eq!(en.money(14_542_276.91), "$14.5M");
        assert_eq!(en.money(56_000.0), "$56.0K");
        let full = Formatter::new("¥", MoneyUnit::Full, "zh");
        assert_eq!(full.money(1_234_567.5), "¥1,234,568");
    }

    #[test]
    fn money_is_rounded_before_its_unit_is_chosen() {
        let f = zh();
        assert_eq!(f.money(99_999_999.0), "¥1.0亿");
        assert_eq!(f.money(9_999.96), "¥1.0万");
        assert_eq!(f.money(9_999.4), "¥9,999");
        assert_eq!(f.money(99_949_999.0), "¥9,995.0万");
        assert_eq!(f.money(99_999_500.0), "¥1.0亿");
        assert_eq!(f.money(99_940_000.0), "¥9,994.0万");
        assert_eq!(f.money(-99_999_999.0), "−¥1.0亿");
        let en = Formatter::new("$", MoneyUnit::Auto, "en");
        assert_eq!(en.money(999_999.0), "$1.0M");
        assert_eq!(en.money(999_999_999.0), "$1.0B");
        assert_eq!(en.money(9_999.96), "$10.0K");
        assert_eq!(en.money(9_999.4), "$9,999");
        assert_eq!(en.money(999_940.0), "$999.9K");
    }

    #[test]
    fn percentages_and_growth() {
        let f = zh();
        assert_eq!(f.pct(0.9321), "93.2%");
        assert_eq!(f.pct(-0.05), "−5.0%");
        assert_eq!(f.growth(0.061), "+6.1%");
        assert_eq!(f.growth(-0.039), "−3.9%");
        assert_eq!(f.growth(0.0), "0.0%");
        assert_eq!(f.points(-0.08), "−8.0");
        assert_eq!(f.points(0.021), "+2.1");
        assert_eq!(f.format(Kind::Ratio, None), "—");
        assert_eq!(f.format(Kind::Count, Some(12_345.0)), "12,345");
        assert_eq!(f.format(Kind::Headcount, Some(29.96)), "30.0");
    }
}
