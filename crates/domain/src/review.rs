//! 审核规则: the checks a statistics office runs on a zone's month before it is submitted
//! (PRODUCT.md §7). Each hit is a flag naming the enterprise, the rule, the indicator, the value
//! and what it was compared with; the zone explains each, the coordinator accepts or returns it.
//!
//! The blocking rules of §7 (a negative amount; a cumulative file's 本年累计 below the month
//! before) never reach a stored month: imports refuse such rows, by row and column, and store
//! nothing. What is reviewed here are the explain-to-pass rules, over what was imported.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

/// The review's thresholds and the indicators each rule checks (`[review]` in the plan file).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewRules {
    /// `jump`: a value above this many times the previous month's, or below it divided by this.
    pub jump_factor: f64,
    pub jump_indicators: Vec<String>,
    /// `zero_after_value`: zero or blank after a non-zero value last month.
    pub zero_after_value_indicators: Vec<String>,
    /// `copied`: every reported indicator equal to last month's, with at least this many reported.
    pub copied_min_reported: usize,
    /// `va_ratio`: 工业增加值 / 营业收入 outside [low, high].
    pub va_ratio: (f64, f64),
    /// `tax_ratio`: 税收 / 营业收入 above this.
    pub tax_ratio_max: f64,
}

impl Default for ReviewRules {
    fn default() -> Self {
        ReviewRules {
            jump_factor: 3.0,
            jump_indicators: ["revenue", "value_added", "tax", "energy", "employees"].map(String::from).to_vec(),
            zero_after_value_indicators: ["revenue", "tax"].map(String::from).to_vec(),
            copied_min_reported: 3,
            va_ratio: (0.05, 0.60),
            tax_ratio_max: 0.30,
        }
    }
}

/// The rules, by code, with their Chinese names (in the order flags are listed).
pub const RULES: &[(&str, &str)] = &[
    ("jump", "环比异常波动"),
    ("zero_after_value", "上月有值本月为零"),
    ("copied", "与上月完全相同"),
    ("va_ratio", "增加值率异常"),
    ("tax_ratio", "税收占比异常"),
    ("missing_reporter", "上月填报本月未报"),
];

/// One enterprise's row of a month: each reported indicator's value, in its unit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Row {
    pub uscc: String,
    pub values: BTreeMap<String, f64>,
}

/// A hit of a rule; field names are a published contract (PRODUCT.md §7).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flag {
    pub uscc: String,
    pub rule: &'static str,
    /// None for `copied` and `missing_reporter`.
    pub indicator: Option<String>,
    pub value: Option<f64>,
    /// What the value was compared with: last month's value, or the bound of a ratio.
    pub reference: Option<f64>,
    /// `blocking` or `explain`.
    pub severity: &'static str,
}

/// Reviews a zone's month (`this`) against its previous month (`before`, empty when that month
/// is not to be compared with): the flags, by enterprise and then by rule.
pub fn review(rules: &ReviewRules, this: &[Row], before: &[Row]) -> Vec<Flag> {
    let prev: BTreeMap<&str, &Row> = before.iter().map(|r| (r.uscc.as_str(), r)).collect();
    let now: BTreeSet<&str> = this.iter().filter(|r| !r.values.is_empty()).map(|r| r.uscc.as_str()).collect();
    let flag = |uscc: &str, rule: &'static str, indicator: Option<&str>, value: Option<f64>, reference: Option<f64>| Flag {
        uscc: uscc.to_string(),
        rule,
        indicator: indicator.map(String::from),
        value,
        reference,
        severity: "explain",
    };
    let mut flags = Vec::new();
    for row in this.iter().filter(|r| !r.values.is_empty()) {
        let last = prev.get(row.uscc.as_str()).filter(|p| !p.values.is_empty());
        let get = |code: &str| row.values.get(code).copied();
        if let Some(last) = last {
            for code in &rules.jump_indicators {
                if let (Some(v), Some(p)) = (get(code), last.values.get(code).copied())
                    && v != 0.0
                    && p != 0.0
                    && (v > rules.jump_factor * p || v < p / rules.jump_factor)
                {
                    flags.push(flag(&row.uscc, "jump", Some(code), Some(v), Some(p)));
                }
            }
            for code in &rules.zero_after_value_indicators {
                if let Some(p) = last.values.get(code).copied()
                    && p != 0.0
                    && get(code).is_none_or(|v| v == 0.0)
                {
                    flags.push(flag(&row.uscc, "zero_after_value", Some(code), get(code), Some(p)));
                }
            }
            if row.values.len() >= rules.copied_min_reported
                && row.values.iter().all(|(code, v)| last.values.get(code) == Some(v))
            {
                flags.push(flag(&row.uscc, "copied", None, None, None));
            }
        }
        if let (Some(va), Some(rev)) = (get("value_added"), get("revenue"))
            && rev > 0.0
        {
            let ratio = va / rev;
            let (low, high) = rules.va_ratio;
            if ratio < low || ratio > high {
                flags.push(flag(
                    &row.uscc,
                    "va_ratio",
                    Some("value_added"),
                    Some(ratio),
                    Some(if ratio < low { low } else { high }),
                ));
            }
        }
        if let (Some(tax), Some(rev)) = (get("tax"), get("revenue"))
            && rev > 0.0
            && tax / rev > rules.tax_ratio_max
        {
            flags.push(flag(&row.uscc, "tax_ratio", Some("tax"), Some(tax / rev), Some(rules.tax_ratio_max)));
        }
    }
    for last in before.iter().filter(|r| !r.values.is_empty() && !now.contains(r.uscc.as_str())) {
        flags.push(flag(&last.uscc, "missing_reporter", None, None, None));
    }
    let order = |rule: &str| RULES.iter().position(|(r, _)| *r == rule).unwrap_or(usize::MAX);
    flags.sort_by(|a, b| a.uscc.cmp(&b.uscc).then_with(|| order(a.rule).cmp(&order(b.rule))));
    flags
}

/// How closely a zone's year of amounts follows Benford's law: Nigrini's mean absolute deviation
/// of the first digits' shares from log10(1 + 1/d). A screen for the coordinator, never a verdict
/// on an enterprise (PRODUCT.md §7).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Benford {
    /// The non-zero amounts screened.
    pub amounts: usize,
    /// Each first digit's share, 1 to 9.
    pub shares: [f64; 9],
    pub mad: f64,
    /// `close` (≤ 0.006), `acceptable` (≤ 0.012), `marginal` (≤ 0.015) or `nonconforming`.
    pub conformity: &'static str,
}

/// Amounts fewer than this say nothing about their digits: no screen.
pub const BENFORD_MIN_AMOUNTS: usize = 500;

/// The Benford screen of `amounts` (zeros are left out), or None with fewer than 500 non-zero.
pub fn benford(amounts: impl IntoIterator<Item = f64>) -> Option<Benford> {
    let mut counts = [0usize; 9];
    let mut n = 0;
    for a in amounts {
        let a = a.abs();
        if a == 0.0 || !a.is_finite() {
            continue;
        }
        // The first significant digit, from the mantissa in [1, 10).
        // (log10 may land a hair under an exact power of ten: bring the mantissa back.)
        let mut mantissa = a / 10f64.powi(a.log10().floor() as i32);
        if mantissa >= 10.0 {
            mantissa /= 10.0;
        } else if mantissa < 1.0 {
            mantissa *= 10.0;
        }
        let digit = (mantissa.floor() as usize).clamp(1, 9);
        counts[digit - 1] += 1;
        n += 1;
    }
    if n < BENFORD_MIN_AMOUNTS {
        return None;
    }
    let shares = counts.map(|c| c as f64 / n as f64);
    let mad = (1..=9).map(|d| (shares[d - 1] - (1.0 + 1.0 / d as f64).log10()).abs()).sum::<f64>() / 9.0;
    let conformity = match mad {
        m if m <= 0.006 => "close",
        m if m <= 0.012 => "acceptable",
        m if m <= 0.015 => "marginal",
        _ => "nonconforming",
    };
    Some(Benford { amounts: n, shares, mad, conformity })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(uscc: &str, values: &[(&str, f64)]) -> Row {
        Row { uscc: uscc.into(), values: values.iter().map(|(c, v)| (c.to_string(), *v)).collect() }
    }

    fn rules_hit(flags: &[Flag], uscc: &str) -> Vec<(&'static str, Option<String>)> {
        flags.iter().filter(|f| f.uscc == uscc).map(|f| (f.rule, f.indicator.clone())).collect()
    }

    #[test]
    fn a_jump_is_flagged_just_outside_three_times_not_at_it() {
        let r = ReviewRules::default();
        let before = [
            row("A", &[("revenue", 100.0)]),
            row("B", &[("revenue", 100.0)]),
            row("C", &[("revenue", 90.0)]),
            row("D", &[("revenue", 90.0)]),
        ];
        // A exactly three times, B just over; C a third exactly, D just under.
        let this = [
            row("A", &[("revenue", 300.0)]),
            row("B", &[("revenue", 300.01)]),
            row("C", &[("revenue", 30.0)]),
            row("D", &[("revenue", 29.99)]),
        ];
        let flags = review(&r, &this, &before);
        assert!(rules_hit(&flags, "A").is_empty() && rules_hit(&flags, "C").is_empty(), "{flags:?}");
        assert_eq!(rules_hit(&flags, "B"), vec![("jump", Some("revenue".into()))]);
        let d = flags.iter().find(|f| f.uscc == "D").unwrap();
        assert_eq!((d.value, d.reference, d.severity), (Some(29.99), Some(90.0), "explain"));
        // Investment is lumpy and not checked by default; a zero is the other rule's business.
        let flags = review(
            &r,
            &[row("E", &[("investment", 1000.0), ("revenue", 0.0)])],
            &[row("E", &[("investment", 1.0), ("revenue", 5.0)])],
        );
        assert_eq!(rules_hit(&flags, "E"), vec![("zero_after_value", Some("revenue".into()))]);
    }

    #[test]
    fn zero_or_blank_after_a_value_copied_rows_and_missing_reporters() {
        let r = ReviewRules::default();
        let before = [
            row("A", &[("revenue", 100.0), ("tax", 5.0)]),
            row("B", &[("revenue", 100.0), ("tax", 5.0), ("energy", 7.0)]),
            row("C", &[("revenue", 100.0), ("tax", 5.0)]),
            row("D", &[("revenue", 100.0)]),
        ];
        let this = [
            // A: tax blank this month.
            row("A", &[("revenue", 110.0)]),
            // B: every value as last month, three reported.
            row("B", &[("revenue", 100.0), ("tax", 5.0), ("energy", 7.0)]),
            // C: the same two values: under three reported, not a copy.
            row("C", &[("revenue", 100.0), ("tax", 5.0)]),
        ];
        let flags = review(&r, &this, &before);
        assert_eq!(rules_hit(&flags, "A"), vec![("zero_after_value", Some("tax".into()))]);
        assert_eq!(rules_hit(&flags, "B"), vec![("copied", None)]);
        assert!(rules_hit(&flags, "C").is_empty());
        assert_eq!(rules_hit(&flags, "D"), vec![("missing_reporter", None)]);
        // Nothing to compare with: only the ratios can be checked.
        assert!(review(&r, &this, &[]).is_empty());
    }

    #[test]
    fn the_plan_file_sets_the_thresholds_and_the_indicators() {
        let plan = crate::Plan::default_plan();
        assert_eq!(plan.review, ReviewRules::default(), "the defaults of §7 without a [review] table");
        let src = format!("{}\n[review]\njump_factor = 2.0\njump_indicators = [\"revenue\"]\n", crate::plan::DEFAULT_PLAN_TOML);
        let plan = crate::Plan::from_toml(&src).unwrap();
        assert_eq!((plan.review.jump_factor, plan.review.jump_indicators.clone()), (2.0, vec!["revenue".to_string()]));
        // Twice last month is a jump now.
        let flags = review(&plan.review, &[row("A", &[("revenue", 201.0)])], &[row("A", &[("revenue", 100.0)])]);
        assert_eq!(rules_hit(&flags, "A"), vec![("jump", Some("revenue".into()))]);
        let bad = format!("{}\n[review]\njump_indicators = [\"gdp\"]\ntax_ratio_max = 2.0\n", crate::plan::DEFAULT_PLAN_TOML);
        let problems = crate::Plan::from_toml(&bad).unwrap_err();
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert!(text.iter().any(|t| t.contains("gdp")) && text.iter().any(|t| t.contains("tax_ratio_max")), "{text:?}");
    }

    #[test]
    fn the_benford_screen_needs_500_amounts_and_grades_the_deviation() {
        // Amounts spread evenly in their logarithm over four decades follow Benford's law.
        let benford_like: Vec<f64> = (0..4000).map(|k| 10f64.powf(2.0 + 4.0 * k as f64 / 4000.0)).collect();
        let b = benford(benford_like.iter().copied()).unwrap();
        assert_eq!((b.amounts, b.conformity), (4000, "close"), "{b:?}");
        assert!((b.shares[0] - std::f64::consts::LOG10_2).abs() < 0.001, "{:?}", b.shares);
        // Amounts spread evenly in their value do not: every first digit about as common.
        let flat: Vec<f64> = (100..1000).map(f64::from).collect();
        assert_eq!(benford(flat).unwrap().conformity, "nonconforming");
        // Fewer than 500 non-zero amounts screen nothing; zeros do not count; 0.0123 starts with 1.
        let few: Vec<f64> = benford_like[..499].iter().copied().chain(std::iter::repeat_n(0.0, 100)).collect();
        assert_eq!(benford(few), None);
        let small = benford(std::iter::repeat_n(0.0123, 500)).unwrap();
        assert_eq!((small.shares[0], small.conformity), (1.0, "nonconforming"));
        for power in [1e3, 1e6, 1e-3, 1e15] {
            assert_eq!(benford(std::iter::repeat_n(power, 500)).unwrap().shares[0], 1.0, "{power} starts with 1");
        }
    }

    #[test]
    fn the_ratios_at_and_beyond_their_bounds() {
        let r = ReviewRules::default();
        let this = [
            row("A", &[("revenue", 100.0), ("value_added", 5.0), ("tax", 30.0)]),
            row("B", &[("revenue", 100.0), ("value_added", 4.99), ("tax", 30.01)]),
            row("C", &[("revenue", 100.0), ("value_added", 60.0)]),
            row("D", &[("revenue", 100.0), ("value_added", 60.01)]),
            row("E", &[("revenue", 0.0), ("value_added", 60.0), ("tax", 50.0)]),
        ];
        let flags = review(&r, &this, &[]);
        assert!(
            rules_hit(&flags, "A").is_empty() && rules_hit(&flags, "C").is_empty() && rules_hit(&flags, "E").is_empty(),
            "{flags:?}"
        );
        assert_eq!(rules_hit(&flags, "B"), vec![("va_ratio", Some("value_added".into())), ("tax_ratio", Some("tax".into()))]);
        let d = flags.iter().find(|f| f.uscc == "D").unwrap();
        assert_eq!((d.rule, d.reference), ("va_ratio", Some(0.60)));
    }
}
