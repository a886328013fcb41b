//! 审核规则: the checks a statistics office runs on a zone's month before it is submitted
//! (PRODUCT.md §7). Each hit is a flag naming the enterprise, the rule, the indicator, the value
//! and what it was compared with; the zone explains each, the coordinator accepts or returns it.
//!
//! The blocking rules of §7 (a negative amount; a cumulative file's 本年累计 below the month
//! before) are first applied by imports, which refuse such rows by row and column and store
//! nothing. A negative amount is also a blocking flag here: a month can hold one that came by
//! another way (a restored or copied database), and it must never be submitted.

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
    ("negative", "负值"),
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

/// A rule's code as kept, for a code read back (None for one this program does not know).
pub fn rule_code(code: &str) -> Option<&'static str> {
    RULES.iter().find(|(c, _)| *c == code).map(|(c, _)| *c)
}

/// A rule's Chinese name.
pub fn rule_zh(code: &str) -> &'static str {
    RULES.iter().find(|(c, _)| *c == code).map_or("未知规则", |(_, zh)| *zh)
}

/// The order flags are listed in: by enterprise, then as the rules are listed, then by
/// indicator — one order for a review and for the flags kept from it.
pub fn listing_order(a: &Flag, b: &Flag) -> std::cmp::Ordering {
    let rule = |r: &str| RULES.iter().position(|(c, _)| *c == r).unwrap_or(usize::MAX);
    (&a.uscc, rule(a.rule), &a.indicator).cmp(&(&b.uscc, rule(b.rule), &b.indicator))
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
        for (code, v) in &row.values {
            if *v < 0.0 {
                flags.push(Flag { severity: "blocking", ..flag(&row.uscc, "negative", Some(code), Some(*v), Some(0.0)) });
            }
        }
        let last = prev.get(row.uscc.as_str()).filter(|p| !p.values.is_empty());
        let get = |code: &str| row.values.get(code).copied();
        if let Some(last) = last {
            for code in &rules.jump_indicators {
                if let (Some(v), Some(p)) = (get(code), last.values.get(code).copied())
                    // Non-zero, as §7 says; a negative value is the blocking rule's alone.
                    && v > 0.0
                    && p > 0.0
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
            && va >= 0.0
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
            && tax >= 0.0
            && tax / rev > rules.tax_ratio_max
        {
            flags.push(flag(&row.uscc, "tax_ratio", Some("tax"), Some(tax / rev), Some(rules.tax_ratio_max)));
        }
    }
    for last in before.iter().filter(|r| !r.values.is_empty() && !now.contains(r.uscc.as_str())) {
        flags.push(flag(&last.uscc, "missing_reporter", None, None, None));
    }
    flags.sort_by(listing_order);
    flags
}

/// The coordinator's decision on a zone's explanation of a flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Accepted,
    Returned,
}

impl Decision {
    pub fn code(self) -> &'static str {
        match self {
            Decision::Accepted => "accepted",
            Decision::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<Decision> {
        [Decision::Accepted, Decision::Returned].into_iter().find(|d| d.code() == s)
    }
}

/// A flag as kept with its month: the zone's explanation and the coordinator's decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeptFlag {
    #[serde(flatten)]
    pub flag: Flag,
    pub explanation: String,
    pub explained_by: String,
    pub explained_at: Option<i64>,
    pub decision: Option<Decision>,
    /// Why an explanation was returned (may be empty when accepted).
    pub decision_reason: String,
    pub decided_by: String,
    pub decided_at: Option<i64>,
}

/// Where a kept flag stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagStatus {
    /// A blocking flag: the figures must be corrected, no explanation lets it pass.
    Blocking,
    Unexplained,
    /// Explained, waiting for the coordinator.
    Explained,
    Accepted,
    Returned,
}

impl FlagStatus {
    /// Where a flag stands from its severity, whether it is explained, and the decision.
    pub fn of(blocking: bool, explained: bool, decision: Option<Decision>) -> FlagStatus {
        match decision {
            _ if blocking => FlagStatus::Blocking,
            Some(Decision::Accepted) => FlagStatus::Accepted,
            Some(Decision::Returned) => FlagStatus::Returned,
            None if explained => FlagStatus::Explained,
            None => FlagStatus::Unexplained,
        }
    }

    pub const ALL: [FlagStatus; 5] =
        [FlagStatus::Blocking, FlagStatus::Unexplained, FlagStatus::Explained, FlagStatus::Accepted, FlagStatus::Returned];

    pub fn zh(self) -> &'static str {
        match self {
            FlagStatus::Blocking => "须更正",
            FlagStatus::Unexplained => "待说明",
            FlagStatus::Explained => "待审核",
            FlagStatus::Accepted => "已认可",
            FlagStatus::Returned => "已退回",
        }
    }
}

impl KeptFlag {
    pub fn new(flag: Flag) -> KeptFlag {
        KeptFlag {
            flag,
            explanation: String::new(),
            explained_by: String::new(),
            explained_at: None,
            decision: None,
            decision_reason: String::new(),
            decided_by: String::new(),
            decided_at: None,
        }
    }

    /// The flag's key within its month: the enterprise, the rule and the indicator.
    pub fn key(&self) -> (&str, &str, &str) {
        (&self.flag.uscc, self.flag.rule, self.flag.indicator.as_deref().unwrap_or(""))
    }

    pub fn status(&self) -> FlagStatus {
        FlagStatus::of(self.flag.severity == "blocking", !self.explanation.is_empty(), self.decision)
    }
}

/// The flags of a new review of a month, with what was kept of the last one: a flag found again
/// with the same value and reference keeps its explanation and decision; one whose value changed
/// keeps the explanation (the zone may stand by it) but not the decision, which judged the old
/// value. Flags not found again are gone with the figures that raised them (the audit trail
/// keeps every explanation and decision made).
pub fn carry_over(kept: &[KeptFlag], fresh: Vec<Flag>) -> Vec<KeptFlag> {
    let before: BTreeMap<(&str, &str, &str), &KeptFlag> = kept.iter().map(|k| (k.key(), k)).collect();
    fresh
        .into_iter()
        .map(|flag| {
            let old = before.get(&(flag.uscc.as_str(), flag.rule, flag.indicator.as_deref().unwrap_or(""))).copied();
            let mut next = KeptFlag::new(flag);
            if let Some(old) = old {
                next.explanation.clone_from(&old.explanation);
                next.explained_by.clone_from(&old.explained_by);
                next.explained_at = old.explained_at;
                if old.flag.value == next.flag.value && old.flag.reference == next.flag.reference {
                    next.decision = old.decision;
                    next.decision_reason.clone_from(&old.decision_reason);
                    next.decided_by.clone_from(&old.decided_by);
                    next.decided_at = old.decided_at;
                }
            }
            next
        })
        .collect()
}

/// Counts flags by status, for a refusal's message.
fn count_of(flags: &[KeptFlag], status: FlagStatus) -> usize {
    flags.iter().filter(|f| f.status() == status).count()
}

/// Why a month with these flags cannot be submitted, or None: a blocking flag, or a flag not
/// explained (a returned explanation must be written again).
pub fn submit_refusal(flags: &[KeptFlag]) -> Option<String> {
    let blocking = count_of(flags, FlagStatus::Blocking);
    if blocking > 0 {
        return Some(format!(
            "有 {blocking} 条须更正的审核提示(负值),请更正数据后再提交 / {blocking} blocking flags: correct the figures"
        ));
    }
    let open = count_of(flags, FlagStatus::Unexplained) + count_of(flags, FlagStatus::Returned);
    (open > 0).then(|| format!("有 {open} 条审核提示尚未说明或说明被退回,请逐条说明后再提交 / {open} flags need an explanation"))
}

/// Why a submitted month with these flags cannot be approved, or None: every explanation must be
/// accepted first.
pub fn approve_refusal(flags: &[KeptFlag]) -> Option<String> {
    let open = flags.len() - count_of(flags, FlagStatus::Accepted);
    (open > 0).then(|| {
        format!("有 {open} 条审核提示的说明尚未认可,请逐条认可,或退回该月 / {open} explanations not accepted: accept each, or return the month")
    })
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
    let mut counts = [0u64; 9];
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
    }
    benford_of_counts(counts)
}

/// The Benford screen from how many amounts begin with each digit, 1 to 9 (as a database
/// counts them), or None with fewer than 500.
pub fn benford_of_counts(counts: [u64; 9]) -> Option<Benford> {
    let n = counts.iter().sum::<u64>() as usize;
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

    #[test]
    fn a_negative_amount_blocks_and_nothing_explains_it_away() {
        // Against last month the fall would be a jump and the ratio out of bounds: the one flag is the blocking one.
        let flags = review(
            &ReviewRules::default(),
            &[row("A", &[("revenue", 10.0), ("value_added", -0.01), ("tax", 1.0)])],
            &[row("A", &[("revenue", 10.0), ("value_added", 3.0), ("tax", 1.0)])],
        );
        assert_eq!(flags.len(), 1, "{flags:?}");
        assert_eq!((flags[0].rule, flags[0].severity, flags[0].value), ("negative", "blocking", Some(-0.01)));
        assert_eq!(flags[0].indicator.as_deref(), Some("value_added"));
        // Zero is not below zero.
        assert!(review(&ReviewRules::default(), &[row("B", &[("revenue", 0.0), ("tax", 0.0)])], &[]).is_empty());
        let mut kept = KeptFlag::new(flags[0].clone());
        kept.explanation = "系统原因".into();
        kept.decision = Some(Decision::Accepted);
        assert_eq!(kept.status(), FlagStatus::Blocking);
        assert!(submit_refusal(&[kept.clone()]).unwrap().contains("须更正"));
        assert!(approve_refusal(&[kept]).is_some(), "nor can a month holding it be approved");
    }

    #[test]
    fn explanations_and_decisions_carry_over_while_the_flag_stands() {
        let r = ReviewRules::default();
        let before = [row("A", &[("revenue", 100.0)]), row("B", &[("revenue", 100.0)]), row("C", &[("revenue", 100.0)])];
        let first = review(&r, &[row("A", &[("revenue", 400.0)]), row("B", &[("revenue", 500.0)])], &before);
        let mut kept = carry_over(&[], first);
        assert_eq!(kept.iter().map(|k| k.status()).collect::<Vec<_>>(), vec![FlagStatus::Unexplained; 3], "{kept:?}");
        assert!(submit_refusal(&kept).unwrap().contains("3 条"));
        for k in &mut kept {
            k.explanation = "新增订单".into();
            k.explained_by = "zone".into();
        }
        assert_eq!(submit_refusal(&kept), None);
        assert!(approve_refusal(&kept).unwrap().contains("3 条"));
        kept[0].decision = Some(Decision::Accepted);
        kept[1].decision = Some(Decision::Returned);
        kept[1].decision_reason = "请附合同".into();
        assert_eq!(kept[1].status(), FlagStatus::Returned);
        assert!(submit_refusal(&kept).unwrap().contains("1 条"), "a returned explanation is written again");
        // B corrected to a new value that still jumps; A unchanged; C still missing.
        let again = review(&r, &[row("A", &[("revenue", 400.0)]), row("B", &[("revenue", 450.0)])], &before);
        let next = carry_over(&kept, again);
        let by = |u: &str| next.iter().find(|k| k.flag.uscc == u).unwrap();
        assert_eq!((by("A").status(), by("A").explanation.as_str()), (FlagStatus::Accepted, "新增订单"));
        assert_eq!(
            (by("B").status(), by("B").decision_reason.as_str()),
            (FlagStatus::Explained, ""),
            "the new value is judged anew"
        );
        assert_eq!(by("C").status(), FlagStatus::Explained);
        // A corrected below the threshold: its flag is gone.
        let fixed = review(&r, &[row("A", &[("revenue", 290.0)]), row("B", &[("revenue", 450.0)])], &before);
        assert!(carry_over(&next, fixed).iter().all(|k| k.flag.uscc != "A"));
    }

    #[test]
    fn benford_from_counts_matches_benford_from_amounts() {
        let amounts: Vec<f64> = (1..=900).map(|k| (k * 37 % 1000 + 1) as f64 * 1.7).collect();
        let mut counts = [0u64; 9];
        for a in &amounts {
            let first = a.to_string().chars().find(|c| matches!(c, '1'..='9')).unwrap();
            counts[first.to_digit(10).unwrap() as usize - 1] += 1;
        }
        assert_eq!(benford_of_counts(counts), benford(amounts));
        assert_eq!(benford_of_counts([55; 9]), None, "495 amounts");
    }
}
