//! Investment attraction (M4, 招大引强): leads through their stages and the "152" tally.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::calendar::Date;
use crate::{IndustryCode, ZoneCode};

/// A lead's stage: 线索 → 洽谈 → 签约 → 注册 → 开工 → 投产.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Clue,
    Talks,
    Signed,
    Registered,
    Started,
    Producing,
}

impl Stage {
    pub const ALL: [Stage; 6] = [Stage::Clue, Stage::Talks, Stage::Signed, Stage::Registered, Stage::Started, Stage::Producing];

    pub fn code(self) -> &'static str {
        match self {
            Stage::Clue => "clue",
            Stage::Talks => "talks",
            Stage::Signed => "signed",
            Stage::Registered => "registered",
            Stage::Started => "started",
            Stage::Producing => "producing",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Stage::Clue => "线索",
            Stage::Talks => "洽谈",
            Stage::Signed => "签约",
            Stage::Registered => "注册",
            Stage::Started => "开工",
            Stage::Producing => "投产",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        let s = s.trim();
        Stage::ALL.into_iter().find(|x| x.code() == s || x.zh() == s)
    }
}

/// Target-company flags: 三个500强 (世界、中国、民营) and 行业100强.
pub const TARGET_FLAGS: [(&str, &str); 4] =
    [("world500", "世界500强"), ("china500", "中国500强"), ("private500", "民营500强"), ("industry100", "行业100强")];

/// A lead of the pipeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lead {
    pub code: String,
    pub name: String,
    pub investor: String,
    /// 投资额, hundredths of a 万元.
    pub amount: i64,
    pub industry: IndustryCode,
    pub zone: ZoneCode,
    pub source: String,
    /// Codes of `TARGET_FLAGS`.
    pub flags: Vec<String>,
    /// The organisation that follows it: a department code or a top-level zone code.
    pub owner: String,
    pub stage: Stage,
    /// The date each stage from 签约 on was reached.
    pub dates: BTreeMap<Stage, Date>,
    /// 资金到位, hundredths of a 万元.
    pub funds_in_place: i64,
    /// The project it became, once signed and converted.
    pub project: Option<String>,
}

impl Lead {
    /// The year it was signed, if it was.
    pub fn signed_year(&self) -> Option<i32> {
        self.dates.get(&Stage::Signed).map(|d| d.year)
    }
}

/// The "152" rule of a region or of each zone: counts of signed projects by size tier, each
/// tier's lower bound in 万元, largest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TallyRule {
    pub tiers: Vec<(i64, u32)>,
}

impl TallyRule {
    /// The region: one over 100亿, three over 50亿, six over 20亿 (ten in all).
    pub fn region_default() -> TallyRule {
        TallyRule { tiers: vec![(1_000_000, 1), (500_000, 3), (200_000, 6)] }
    }

    /// Each zone: one over 50亿 and one over 20亿.
    pub fn zone_default() -> TallyRule {
        TallyRule { tiers: vec![(500_000, 1), (200_000, 1)] }
    }
}

/// One tier of a tally: how many were required, how many are in it, and whether it is met once
/// larger projects beyond their own tier's need have filled in for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierCount {
    /// The tier's lower bound, 万元.
    pub at_least_wan: i64,
    pub required: u32,
    pub signed: u32,
    pub met: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tally {
    pub tiers: Vec<TierCount>,
    pub met: bool,
}

/// Tallies signed amounts (万元) against a rule. A project counts in the largest tier it reaches;
/// a larger one beyond its tier's need also counts for a smaller tier (two over 100亿 meet "one
/// over 100亿" and one of the "three over 50亿"), never a smaller for a larger.
pub fn tally(amounts_wan: &[i64], rule: &TallyRule) -> Tally {
    let mut spare = 0u32;
    let mut tiers = Vec::new();
    for (k, (bound, required)) in rule.tiers.iter().enumerate() {
        let upper = if k == 0 { i64::MAX } else { rule.tiers[k - 1].0 };
        let signed = amounts_wan.iter().filter(|a| **a >= *bound && **a < upper).count() as u32;
        let available = signed + spare;
        let met = available >= *required;
        spare = available.saturating_sub(*required);
        tiers.push(TierCount { at_least_wan: *bound, required: *required, signed, met });
    }
    let met = tiers.iter().all(|t| t.met);
    Tally { tiers, met }
}

#[cfg(test)]
mod tests {
    use super::*;

    const YI: i64 = 10_000;

    #[test]
    fn the_152_tally_counts_each_project_in_its_tier_and_lets_larger_ones_fill_smaller() {
        let rule = TallyRule::region_default();
        // Exactly the plan: 1 × 120亿, 3 × 60亿, 6 × 25亿.
        let mut exact = vec![120 * YI];
        exact.extend([60 * YI; 3]);
        exact.extend([25 * YI; 6]);
        let t = tally(&exact, &rule);
        assert!(t.met);
        assert_eq!(t.tiers.iter().map(|x| x.signed).collect::<Vec<_>>(), vec![1, 3, 6]);
        // The bounds: exactly 100亿 is over 100亿; 99.99亿 is not.
        let t = tally(&[100 * YI, 999_999], &TallyRule { tiers: vec![(1_000_000, 1), (500_000, 1)] });
        assert!(t.met);
        assert_eq!((t.tiers[0].signed, t.tiers[1].signed), (1, 1));
        // Two over 100亿 and two over 50亿: the spare large one fills the third 50亿 place.
        let mut over = vec![150 * YI, 110 * YI, 60 * YI, 55 * YI];
        over.extend([21 * YI; 6]);
        assert!(tally(&over, &rule).met);
        // But six over 20亿 cannot stand in for one over 100亿.
        let mut small = vec![60 * YI; 3];
        small.extend([30 * YI; 12]);
        let t = tally(&small, &rule);
        assert!(!t.met);
        assert_eq!(t.tiers.iter().map(|x| x.met).collect::<Vec<_>>(), vec![false, true, true]);
        // Below 20亿 nothing counts.
        assert!(!tally(&[19 * YI; 20], &TallyRule::zone_default()).met);
        assert!(tally(&[50 * YI, 20 * YI], &TallyRule::zone_default()).met);
        assert!(tally(&[80 * YI, 70 * YI], &TallyRule::zone_default()).met, "the second over 50亿 counts as over 20亿");
        assert!(!tally(&[30 * YI, 20 * YI], &TallyRule::zone_default()).met);
    }

    #[test]
    fn stages_read_as_code_or_chinese_in_order() {
        assert_eq!(Stage::parse("签约"), Some(Stage::Signed));
        assert_eq!(Stage::parse("producing"), Some(Stage::Producing));
        assert!(Stage::Clue < Stage::Signed && Stage::Signed < Stage::Producing);
        assert_eq!(Stage::parse("落地"), None);
    }
}
