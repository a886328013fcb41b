//! The per-mu efficiency evaluation (亩产效益综合评价, PRODUCT.md §4): each enterprise's
//! indicator values against the population's benchmarks, scores with floor and cap, imputation of
//! missing indicators, totals, classes by rank with ties joining the better class, the enterprises
//! left ungraded, and what would move an enterprise up a class.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// Where an indicator's denominator comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Denominator {
    /// The enterprise's land, 亩.
    Land,
    /// A facts indicator's annual value (e.g. 综合能耗).
    Fact(String),
}

/// One indicator of the method: numerator (a facts indicator) over denominator, with its weight
/// and, for some years, a benchmark the plan file fixes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalIndicator {
    /// Shared by every result that names it (tens of thousands a year), not copied into each.
    pub code: Arc<str>,
    pub name: String,
    pub numerator: String,
    pub denominator: Denominator,
    pub weight: f64,
    pub fixed_benchmarks: BTreeMap<i32, f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Class {
    A,
    B,
    C,
    D,
}

impl Class {
    pub const ALL: [Class; 4] = [Class::A, Class::B, Class::C, Class::D];

    pub fn code(self) -> &'static str {
        match self {
            Class::A => "A",
            Class::B => "B",
            Class::C => "C",
            Class::D => "D",
        }
    }

    pub fn parse(s: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.code() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Class::A => "A类(优先发展)",
            Class::B => "B类(鼓励提升)",
            Class::C => "C类(规范转型)",
            Class::D => "D类(调控帮扶)",
        }
    }

    /// The better class, if there is one.
    pub fn better(self) -> Option<Class> {
        match self {
            Class::A => None,
            Class::B => Some(Class::A),
            Class::C => Some(Class::B),
            Class::D => Some(Class::C),
        }
    }
}

/// The method: the two scales' indicators, the cap, the class cut-offs (shares of the ranked
/// population, A then B then C; the rest D).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Method {
    pub above: Vec<EvalIndicator>,
    pub below: Vec<EvalIndicator>,
    /// A score is at most this many times its weight.
    pub cap_multiple: f64,
    pub cutoffs: [f64; 3],
}

/// One enterprise as evaluated: its land, annual facts, and what keeps it out of the ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subject {
    pub uscc: String,
    pub above_scale: bool,
    pub land_mu: f64,
    /// Annual values by facts indicator code (flows summed, stocks averaged); absent = no data.
    pub facts: BTreeMap<Arc<str>, f64>,
    /// Why it is not graded (公用事业, established less than two years, major project under
    /// construction), if it is not.
    pub exempt: Option<String>,
    /// Bonus minus penalty, and why.
    pub adjustment: f64,
    #[serde(default)]
    pub adjustment_reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorResult {
    pub code: Arc<str>,
    pub value: Option<f64>,
    pub benchmark: Option<f64>,
    pub score: f64,
    pub imputed: bool,
    pub capped: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Result {
    pub uscc: String,
    pub above_scale: bool,
    pub indicators: Vec<IndicatorResult>,
    pub total: f64,
    /// None: not graded (managed as B), with the reason in `exempt`.
    pub class: Option<Class>,
    pub exempt: Option<String>,
    /// Position in its scale's ranking (graded only), and how many were ranked.
    pub rank: Option<usize>,
    pub ranked: usize,
}

fn round4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

/// The value of an indicator for one subject: numerator over denominator, when both are there
/// and the denominator is not zero.
fn value_of(ind: &EvalIndicator, s: &Subject) -> Option<(f64, f64)> {
    let num = *s.facts.get(ind.numerator.as_str())?;
    let den = match &ind.denominator {
        Denominator::Land => s.land_mu,
        Denominator::Fact(code) => *s.facts.get(code.as_str())?,
    };
    (den != 0.0).then_some((num, den))
}

/// Evaluates one scale's population for `year`.
pub fn evaluate_scale(method: &Method, indicators: &[EvalIndicator], year: i32, subjects: &[&Subject]) -> Vec<Result> {
    // Benchmarks: the population's aggregate ratio, unless the plan fixes one for the year.
    let benchmarks: Vec<Option<f64>> = indicators
        .iter()
        .map(|ind| {
            ind.fixed_benchmarks.get(&year).copied().or_else(|| {
                let (num, den) =
                    subjects.iter().filter_map(|s| value_of(ind, s)).fold((0.0, 0.0), |(a, b), (n, d)| (a + n, b + d));
                (den != 0.0).then(|| num / den)
            })
        })
        .collect();
    let mut results: Vec<Result> = subjects
        .iter()
        .map(|s| {
            let indicators = indicators
                .iter()
                .zip(&benchmarks)
                .map(|(ind, bench)| {
                    let value = value_of(ind, s).map(|(n, d)| n / d);
                    let (score, capped) = score_of(ind.weight, method.cap_multiple * ind.weight, value, *bench);
                    IndicatorResult {
                        code: ind.code.clone(),
                        value: value.map(round4),
                        benchmark: bench.map(round4),
                        score: score.unwrap_or(0.0),
                        imputed: score.is_none(),
                        capped,
                    }
                })
                .collect();
            Result {
                uscc: s.uscc.clone(),
                above_scale: s.above_scale,
                indicators,
                total: 0.0,
                class: None,
                exempt: s.exempt.clone(),
                rank: None,
                ranked: 0,
            }
        })
        .collect();
    // Imputation: the mean score of those with the indicator (ungraded ones included).
    for k in 0..indicators.len() {
        let have: Vec<f64> = results.iter().filter(|r| !r.indicators[k].imputed).map(|r| r.indicators[k].score).collect();
        let mean = if have.is_empty() { 0.0 } else { round4(have.iter().sum::<f64>() / have.len() as f64) };
        for r in results.iter_mut().filter(|r| r.indicators[k].imputed) {
            r.indicators[k].score = mean;
        }
    }
    for (r, s) in results.iter_mut().zip(subjects) {
        r.total = round4(r.indicators.iter().map(|i| i.score).sum::<f64>() + s.adjustment);
    }
    grade(method, &mut results);
    results
}

/// Ranks the graded ones (total descending, USCC ascending) and gives classes by position; a
/// total equal to that of the last of a better class joins that class.
fn grade(method: &Method, results: &mut [Result]) {
    let mut order: Vec<usize> = (0..results.len()).filter(|i| results[*i].exempt.is_none()).collect();
    order.sort_by(|a, b| results[*b].total.total_cmp(&results[*a].total).then_with(|| results[*a].uscc.cmp(&results[*b].uscc)));
    let n = order.len();
    let mut classes: Vec<Class> = (1..=n).map(|p| class_at(method, n, p)).collect();
    // Ties at a boundary join the better class: the last of a class passes its class on to any
    // that follow with the same total.
    for p in 1..n {
        if results[order[p]].total == results[order[p - 1]].total && classes[p] > classes[p - 1] {
            classes[p] = classes[p - 1];
        }
    }
    for (p, i) in order.iter().enumerate() {
        results[*i].class = Some(classes[p]);
        results[*i].rank = Some(p + 1);
        results[*i].ranked = n;
    }
    for r in results.iter_mut() {
        r.ranked = n;
    }
}

/// Evaluates both scales.
pub fn evaluate(method: &Method, year: i32, subjects: &[Subject]) -> Vec<Result> {
    let above: Vec<&Subject> = subjects.iter().filter(|s| s.above_scale).collect();
    let below: Vec<&Subject> = subjects.iter().filter(|s| !s.above_scale).collect();
    let mut out = evaluate_scale(method, &method.above, year, &above);
    out.extend(evaluate_scale(method, &method.below, year, &below));
    out
}

/// A score: weight × value ÷ benchmark, floored at 0 and capped at `cap`, to four decimals; zero
/// against no or a non-positive benchmark; None without a value. And whether the cap cut it.
fn score_of(weight: f64, cap: f64, value: Option<f64>, benchmark: Option<f64>) -> (Option<f64>, bool) {
    let raw = match (value, benchmark) {
        (Some(v), Some(b)) if b > 0.0 => Some(weight * v / b),
        (Some(_), _) => Some(0.0),
        (None, _) => None,
    };
    (raw.map(|r| round4(r.clamp(0.0, cap))), raw.is_some_and(|r| r > cap))
}

/// The position-to-class rule of `grade`: ceil(share × N), kept from float noise (0.95 × 20 is
/// 19, not 20).
fn class_at(method: &Method, n: usize, position: usize) -> Class {
    let bound = |c: f64| (c * n as f64 - 1e-9).ceil() as usize;
    if position <= bound(method.cutoffs[0]) {
        Class::A
    } else if position <= bound(method.cutoffs[1]) {
        Class::B
    } else if position <= bound(method.cutoffs[2]) {
        Class::C
    } else {
        Class::D
    }
}

/// One enterprise of a scale's population, prepared for asking what class it would have were one
/// of its facts another value: the indicators that do not use the fact keep their scores, those
/// that do (as numerator or denominator) are scored again for everyone (their benchmarks and
/// imputation means move), with the same arithmetic as `evaluate_scale`, in a pass over arrays
/// rather than a new evaluation.
struct WhatIf<'a> {
    method: &'a Method,
    indicators: &'a [EvalIndicator],
    me: usize,
    subject: &'a Subject,
    fact: &'a str,
    /// Per indicator: whether it uses the fact, the year's fixed benchmark.
    affected: Vec<bool>,
    fixed: Vec<Option<f64>>,
    /// Per indicator, per subject: (numerator, denominator) when there is a value.
    values: Vec<Vec<Option<(f64, f64)>>>,
    /// Per indicator, per subject: the score as evaluated, for the indicators that keep theirs.
    scores: Vec<Vec<f64>>,
    graded: Vec<bool>,
    adjustments: Vec<f64>,
}

impl<'a> WhatIf<'a> {
    /// `results` are the population's as evaluated (`evaluate_scale`), in its order.
    fn new(
        method: &'a Method,
        indicators: &'a [EvalIndicator],
        year: i32,
        population: &[&'a Subject],
        results: &[Result],
        me: usize,
        fact: &'a str,
    ) -> Self {
        let uses = |i: &EvalIndicator| i.numerator == fact || i.denominator == Denominator::Fact(fact.to_string());
        WhatIf {
            method,
            indicators,
            me,
            subject: population[me],
            fact,
            affected: indicators.iter().map(uses).collect(),
            fixed: indicators.iter().map(|i| i.fixed_benchmarks.get(&year).copied()).collect(),
            values: indicators.iter().map(|i| population.iter().map(|s| value_of(i, s)).collect()).collect(),
            scores: (0..indicators.len()).map(|k| results.iter().map(|r| r.indicators[k].score).collect()).collect(),
            graded: population.iter().map(|s| s.exempt.is_none()).collect(),
            adjustments: population.iter().map(|s| s.adjustment).collect(),
        }
    }

    /// The class the enterprise would have with the fact at `x` (None: not graded).
    fn class_with(&self, x: f64) -> Option<Class> {
        if !self.graded[self.me] {
            return None;
        }
        let n = self.adjustments.len();
        let mut changed = self.subject.clone();
        changed.facts.insert(Arc::from(self.fact), x);
        let mut totals = vec![0.0; n];
        for (k, ind) in self.indicators.iter().enumerate() {
            if !self.affected[k] {
                for (t, s) in totals.iter_mut().zip(&self.scores[k]) {
                    *t += s;
                }
                continue;
            }
            let mine = value_of(ind, &changed);
            let value = |i: usize| if i == self.me { mine } else { self.values[k][i] };
            let bench = self.fixed[k].or_else(|| {
                let (num, den) = (0..n).filter_map(value).fold((0.0, 0.0), |(a, b), (x, d)| (a + x, b + d));
                (den != 0.0).then(|| num / den)
            });
            let cap = self.method.cap_multiple * ind.weight;
            let scored: Vec<Option<f64>> =
                (0..n).map(|i| score_of(ind.weight, cap, value(i).map(|(x, d)| x / d), bench).0).collect();
            let have: Vec<f64> = scored.iter().flatten().copied().collect();
            let mean = if have.is_empty() { 0.0 } else { round4(have.iter().sum::<f64>() / have.len() as f64) };
            for (t, s) in totals.iter_mut().zip(&scored) {
                *t += s.unwrap_or(mean);
            }
        }
        for (t, a) in totals.iter_mut().zip(&self.adjustments) {
            *t = round4(*t + a);
        }
        // The first position of the enterprise's tie group decides its class.
        let mine = totals[self.me];
        let ranked = self.graded.iter().filter(|g| **g).count();
        let ahead = (0..n).filter(|i| self.graded[*i] && totals[*i] > mine).count();
        Some(class_at(self.method, ranked, ahead + 1))
    }
}

/// For each indicator of one enterprise's scale: the numerator value (e.g. 税收 in the facts'
/// unit) that, alone and everything else as it is, would put it in the next better class — or
/// None when no value would (the cap stands in the way). Empty when it is ungraded or already A.
pub fn values_for_next_class(method: &Method, year: i32, subjects: &[&Subject], uscc: &str) -> BTreeMap<Arc<str>, Option<f64>> {
    let Some(scale) = subjects.iter().find(|s| s.uscc == uscc).map(|s| s.above_scale) else { return BTreeMap::new() };
    let indicators = if scale { &method.above } else { &method.below };
    let population: Vec<&Subject> = subjects.iter().filter(|s| s.above_scale == scale).copied().collect();
    let me = population.iter().position(|s| s.uscc == uscc).expect("found above");
    let results = evaluate_scale(method, indicators, year, &population);
    let Some(goal) = results[me].class.and_then(Class::better) else { return BTreeMap::new() };
    // Indicators sharing a numerator (工业增加值 is that of four) share the answer.
    let mut by_fact: BTreeMap<&str, Option<f64>> = BTreeMap::new();
    indicators
        .iter()
        .map(|ind| {
            let fact = ind.numerator.as_str();
            let value = *by_fact.entry(fact).or_insert_with(|| {
                let what_if = WhatIf::new(method, indicators, year, &population, &results, me, fact);
                lift(&what_if, population[me].facts.get(fact).copied(), goal)
            });
            (ind.code.clone(), value)
        })
        .collect()
}

/// The least value of the fact (to the cent) that reaches `goal`, searched upwards from where it
/// is: the class only improves as a numerator grows.
fn lift(what_if: &WhatIf, now: Option<f64>, goal: Class) -> Option<f64> {
    let reaches = |x: f64| what_if.class_with(x).is_some_and(|c| c <= goal);
    let mut lo = now.unwrap_or(0.0).max(0.0);
    let mut hi = lo.max(1.0);
    // Up to a bound far past any cap.
    let mut found = false;
    for _ in 0..80 {
        if reaches(hi) {
            found = true;
            break;
        }
        hi *= 2.0;
    }
    if !found {
        return None;
    }
    for _ in 0..60 {
        let mid = (lo + hi) / 2.0;
        if reaches(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    // Rounded up to the cent, so that the stated value does reach the class.
    let stated = (hi * 100.0).ceil() / 100.0;
    reaches(stated).then_some(stated)
}

/// How many years running, up to and including `year`, an enterprise's final class was D
/// (policies escalate with it: a surcharge after one, two, three years).
pub fn years_in_d(finals: &BTreeMap<i32, Option<Class>>, year: i32) -> u32 {
    let mut n = 0;
    while finals.get(&(year - n as i32)) == Some(&Some(Class::D)) {
        n += 1;
    }
    n
}

/// Why an evaluated enterprise is on the low-efficiency list (PRODUCT.md §4), if it is: class D,
/// or an indicator (亩均税收 by default) under `share` of its benchmark this year and the year
/// before. `this` and `before` are the indicator's (value, benchmark) in each year.
pub fn low_efficiency(
    class: Option<Class>,
    share: f64,
    this: Option<(f64, f64)>,
    before: Option<(f64, f64)>,
) -> Option<&'static str> {
    let low = |vb: Option<(f64, f64)>| vb.is_some_and(|(v, b)| b > 0.0 && v < share * b);
    if class == Some(Class::D) {
        Some("D类")
    } else if low(this) && low(before) {
        Some("亩均税收连续两年低于基准的三成")
    } else {
        None
    }
}

/// A zombie candidate (僵尸企业): holds land, yet none of `indicators` (revenue and tax by
/// default) in the year.
pub fn zombie(s: &Subject, indicators: &[String]) -> bool {
    s.land_mu > 0.0 && indicators.iter().all(|code| s.facts.get(code.as_str()).is_none_or(|v| *v == 0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ind(code: &str, numerator: &str, denominator: Denominator, weight: f64) -> EvalIndicator {
        EvalIndicator {
            code: code.into(),
            name: code.into(),
            numerator: numerator.into(),
            denominator,
            weight,
            fixed_benchmarks: BTreeMap::new(),
        }
    }

    /// Two indicators: 亩均税收 (weight 60) and 单位能耗增加值 (weight 40), cap 3 × weight.
    fn method() -> Method {
        Method {
            above: vec![
                ind("tax_per_mu", "tax", Denominator::Land, 60.0),
                ind("va_per_energy", "value_added", Denominator::Fact("energy".into()), 40.0),
            ],
            below: vec![ind("tax_per_mu", "tax", Denominator::Land, 100.0)],
            cap_multiple: 3.0,
            cutoffs: [0.25, 0.70, 0.95],
        }
    }

    fn subject(uscc: &str, land: f64, tax: Option<f64>, va: f64, energy: Option<f64>) -> Subject {
        let mut facts: BTreeMap<Arc<str>, f64> = BTreeMap::from([(Arc::from("value_added"), va)]);
        if let Some(t) = tax {
            facts.insert("tax".into(), t);
        }
        if let Some(e) = energy {
            facts.insert("energy".into(), e);
        }
        Subject {
            uscc: uscc.into(),
            above_scale: true,
            land_mu: land,
            facts,
            exempt: None,
            adjustment: 0.0,
            adjustment_reason: String::new(),
        }
    }

    #[test]
    fn scores_against_the_aggregate_benchmark_with_floor_cap_and_imputation() {
        // Tax per mu: E1 100/10 = 10, E2 20/10 = 2, E3 no tax data, E4 600/5 = 120.
        // Benchmark = (100 + 20 + 600) / (10 + 10 + 5) = 28.8.
        // Energy: E1 50/10, E2 50/5, E3 50/25, E4 50/0 (no data: zero denominator).
        // Benchmark = 150 / 40 = 3.75.
        let subjects = vec![
            subject("E1", 10.0, Some(100.0), 50.0, Some(10.0)),
            subject("E2", 10.0, Some(20.0), 50.0, Some(5.0)),
            subject("E3", 10.0, None, 50.0, Some(25.0)),
            subject("E4", 5.0, Some(600.0), 50.0, Some(0.0)),
        ];
        let out = evaluate(&method(), 2022, &subjects);
        let get = |u: &str| out.iter().find(|r| r.uscc == u).unwrap();
        let tax = |u: &str| get(u).indicators[0].clone();
        assert_eq!(tax("E1").benchmark, Some(28.8));
        assert_eq!(tax("E1").score, round4(60.0 * 10.0 / 28.8)); // 20.8333
        assert_eq!(tax("E2").score, round4(60.0 * 2.0 / 28.8)); // 4.1667
        // 120 / 28.8 × 60 = 250 > 180: capped at 3 × 60.
        assert_eq!((tax("E4").score, tax("E4").capped), (180.0, true));
        // E3 lacks tax: the mean of the three that have it.
        assert!(tax("E3").imputed);
        assert_eq!(tax("E3").score, round4((20.8333 + 4.1667 + 180.0) / 3.0));
        let energy = |u: &str| get(u).indicators[1].clone();
        assert_eq!(energy("E1").benchmark, Some(3.75));
        assert_eq!(energy("E2").score, round4(40.0 * 10.0 / 3.75)); // 106.6667
        assert!(energy("E4").imputed, "a zero denominator is no data");
        assert_eq!(get("E1").total, round4(20.8333 + 40.0 * 5.0 / 3.75));
    }

    #[test]
    fn classes_by_position_with_ties_joining_the_better_class_and_exemptions_apart() {
        // Eight ranked (cut-offs ceil(2) A, ceil(5.6) = 6 B, ceil(7.6) = 8 C, none D) and one
        // exempt. Totals by tax alone (below scale, weight 100, land 1): benchmark is the mean.
        let mut subjects: Vec<Subject> =
            [("S1", 80.0), ("S2", 70.0), ("S3", 70.0), ("S4", 50.0), ("S5", 40.0), ("S6", 30.0), ("S7", 20.0), ("S8", 20.0)]
                .iter()
                .map(|(u, t)| Subject {
                    uscc: u.to_string(),
                    above_scale: false,
                    land_mu: 1.0,
                    facts: BTreeMap::from([(Arc::from("tax"), *t)]),
                    exempt: None,
                    adjustment: 0.0,
                    adjustment_reason: String::new(),
                })
                .collect();
        subjects.push(Subject {
            uscc: "U1".into(),
            above_scale: false,
            land_mu: 1.0,
            facts: BTreeMap::from([(Arc::from("tax"), 400.0)]),
            exempt: Some("公用事业".into()),
            adjustment: 0.0,
            adjustment_reason: String::new(),
        });
        let out = evaluate(&method(), 2022, &subjects);
        let class = |u: &str| out.iter().find(|r| r.uscc == u).unwrap().class;
        // S3 ties S2, the last of A at position 2, and joins A; S8 ties S7 (C at 7)... both C.
        assert_eq!(
            ["S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8"].map(class),
            [
                Some(Class::A),
                Some(Class::A),
                Some(Class::A),
                Some(Class::B),
                Some(Class::B),
                Some(Class::B),
                Some(Class::C),
                Some(Class::C)
            ]
        );
        // The exempt one is not graded but counts in the benchmark: (380 + 400) / 9.
        let u1 = out.iter().find(|r| r.uscc == "U1").unwrap();
        assert_eq!((u1.class, u1.rank, u1.exempt.as_deref()), (None, None, Some("公用事业")));
        assert_eq!(u1.indicators[0].benchmark, Some(round4(780.0 / 9.0)));
        assert_eq!(out.iter().find(|r| r.uscc == "S1").unwrap().ranked, 8);
    }

    proptest::proptest! {
        /// The quick what-if gives the class a whole evaluation gives with the fact changed, on
        /// populations with missing data, zero denominators, caps, exemptions, bonuses and ties.
        #[test]
        fn the_quick_what_if_is_the_whole_evaluation(
            population in proptest::collection::vec(
                (proptest::option::of(0u32..50), 0u32..40, proptest::option::of(0u32..6), 0u8..10, -2i32..3),
                3..30,
            ),
            me in 0usize..30,
            xs in proptest::collection::vec(0u32..400, 1..6),
        ) {
            let subjects: Vec<Subject> = population
                .iter()
                .enumerate()
                .map(|(k, (tax, va, energy, kind, bonus))| {
                    let mut s = subject(&format!("E{k:02}"), 1.0 + f64::from(k as u32 % 3), tax.map(f64::from), f64::from(*va), energy.map(f64::from));
                    s.exempt = (*kind == 0).then(|| "公用事业".into());
                    s.adjustment = f64::from(*bonus);
                    s
                })
                .collect();
            let me = me % subjects.len();
            let m = method();
            let refs: Vec<&Subject> = subjects.iter().collect();
            let results = evaluate_scale(&m, &m.above, 2022, &refs);
            for fact in ["tax", "value_added", "energy"] {
                let what_if = WhatIf::new(&m, &m.above, 2022, &refs, &results, me, fact);
                for x in &xs {
                    let x = f64::from(*x) / 4.0;
                    let mut changed = subjects.clone();
                    changed[me].facts.insert(fact.into(), x);
                    let whole = evaluate(&m, 2022, &changed).into_iter().find(|r| r.uscc == subjects[me].uscc).unwrap().class;
                    proptest::prop_assert_eq!(what_if.class_with(x), whole, "{} = {}", fact, x);
                }
            }
        }
    }

    #[test]
    fn years_in_d_low_efficiency_and_zombies() {
        let finals =
            BTreeMap::from([(2020, Some(Class::D)), (2021, Some(Class::C)), (2022, Some(Class::D)), (2023, Some(Class::D))]);
        assert_eq!(years_in_d(&finals, 2023), 2);
        assert_eq!(years_in_d(&finals, 2021), 0);
        assert_eq!(years_in_d(&finals, 2020), 1);
        assert_eq!(years_in_d(&finals, 2024), 0, "no final run that year");
        // Just under 30 % of the benchmark in both years; exactly 30 % is not under.
        assert_eq!(
            low_efficiency(Some(Class::C), 0.3, Some((2.99, 10.0)), Some((1.0, 4.0))),
            Some("亩均税收连续两年低于基准的三成")
        );
        assert_eq!(low_efficiency(Some(Class::C), 0.3, Some((3.0, 10.0)), Some((1.0, 4.0))), None);
        assert_eq!(low_efficiency(Some(Class::C), 0.3, Some((2.0, 10.0)), None), None, "one year alone is not enough");
        assert_eq!(low_efficiency(Some(Class::D), 0.3, None, None), Some("D类"));
        let mut s = subject("Z", 10.0, Some(0.0), 0.0, None);
        let by = ["revenue".to_string(), "tax".to_string()];
        assert!(zombie(&s, &by), "zero tax and no revenue reported");
        s.facts.insert("revenue".into(), 1.0);
        assert!(!zombie(&s, &by));
    }

    #[test]
    fn the_value_for_the_next_class_does_move_the_class() {
        let subjects: Vec<Subject> = (1..=20)
            .map(|k| Subject {
                uscc: format!("E{k:02}"),
                above_scale: false,
                land_mu: 10.0,
                facts: BTreeMap::from([(Arc::from("tax"), 10.0 * k as f64)]),
                exempt: None,
                adjustment: 0.0,
                adjustment_reason: String::new(),
            })
            .collect();
        let out = evaluate(&method(), 2022, &subjects);
        let class = |out: &[Result], u: &str| out.iter().find(|r| r.uscc == u).unwrap().class;
        // Twenty ranked: A to 5, B to 14, C to 19, the 20th D.
        assert_eq!((class(&out, "E02"), class(&out, "E01")), (Some(Class::C), Some(Class::D)));
        let refs: Vec<&Subject> = subjects.iter().collect();
        let needed = values_for_next_class(&method(), 2022, &refs, "E01")["tax_per_mu"].unwrap();
        let mut moved = subjects.clone();
        moved[0].facts.insert("tax".into(), needed);
        assert_eq!(class(&evaluate(&method(), 2022, &moved), "E01"), Some(Class::C), "{needed}");
        // Reaching E02's total ties it and joins C; a little less does not.
        assert!((needed - 20.0).abs() < 0.02, "{needed}");
        moved[0].facts.insert("tax".into(), needed - 0.02);
        assert_eq!(class(&evaluate(&method(), 2022, &moved), "E01"), Some(Class::D));
        // An A has no better class.
        assert!(values_for_next_class(&method(), 2022, &refs, "E20").is_empty());
    }
}
