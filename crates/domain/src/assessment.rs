//! The annual zone assessment (年考核并排名): each zone's achievement on the plan file's weighted
//! indicators, scored, totalled and ranked, with every score's computation in words.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::ZoneCode;

/// What an assessment indicator measures.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// A facts indicator's year total against the zone's target of the plan (营业收入).
    TargetAttainment { indicator: String },
    /// A facts indicator's year total against a region KPI shared out over the zones as their
    /// revenue targets are (工业投资 against 200亿).
    KpiShare { indicator: String, kpi: String },
    /// The share of the zone's 亿元以上工业项目 planned to start in the year that started on time.
    MajorProjectsOnTime,
    /// The share of the zone's "152" tiers met by the year's signed leads.
    Quota152,
    /// The share of the ratings of the zone's enterprises' service tickets ordered in the year
    /// that were satisfied (4 or 5).
    ServiceSatisfaction,
    /// Supplied by a module not yet built (new 规上 enterprises).
    Module { module: String },
}

/// How an indicator without data scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WhenMissing {
    Zero,
    Full,
    /// The mean score of the zones that have data (full when none has).
    Average,
}

impl WhenMissing {
    pub fn parse(s: &str) -> Option<WhenMissing> {
        Some(match s {
            "zero" => WhenMissing::Zero,
            "full" => WhenMissing::Full,
            "average" => WhenMissing::Average,
            _ => return None,
        })
    }

    fn zh(self) -> &'static str {
        match self {
            WhenMissing::Zero => "按计划文件计0分",
            WhenMissing::Full => "按计划文件计满分",
            WhenMissing::Average => "按计划文件取有数据组团的平均分",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentIndicator {
    pub code: String,
    pub name: String,
    pub weight: f64,
    pub measure: Measure,
    /// The highest achievement that scores (1.0: beyond the target earns nothing more).
    pub cap: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentRules {
    pub indicators: Vec<AssessmentIndicator>,
    pub when_missing: WhenMissing,
}

/// A zone's achievement on one indicator: a ratio (1.0 = the target met) and how it was found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Achievement {
    pub ratio: f64,
    pub how: String,
}

/// One score with its computation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreLine {
    pub code: String,
    pub name: String,
    pub weight: f64,
    /// None: no data.
    pub ratio: Option<f64>,
    pub score: f64,
    pub how: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZoneScore {
    pub zone: ZoneCode,
    pub rank: usize,
    pub total: f64,
    /// Indicator code → score.
    pub scores: BTreeMap<String, f64>,
    pub lines: Vec<ScoreLine>,
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Scores and ranks the zones. `achievements[zone][indicator code]` is None where there is no
/// data. Equal totals share a rank (1, 2, 2, 4).
pub fn assess(rules: &AssessmentRules, achievements: &[(ZoneCode, BTreeMap<String, Option<Achievement>>)]) -> Vec<ZoneScore> {
    // weight × achievement, the achievement held to 0..=cap (a cap above 1 lets overachievement
    // earn a bonus).
    let scored = |ind: &AssessmentIndicator, a: &Achievement| round2(ind.weight * a.ratio.clamp(0.0, ind.cap));
    let mut out: Vec<ZoneScore> = achievements
        .iter()
        .map(|(zone, found)| {
            let lines = rules
                .indicators
                .iter()
                .map(|ind| match found.get(&ind.code).cloned().flatten() {
                    Some(a) => {
                        let score = scored(ind, &a);
                        let how = format!(
                            "{};完成度 {:.1}%{},得分 = {} × {:.3} = {:.2}",
                            a.how,
                            a.ratio * 100.0,
                            if a.ratio > ind.cap { format!("(封顶 {:.0}%)", ind.cap * 100.0) } else { String::new() },
                            ind.weight,
                            a.ratio.clamp(0.0, ind.cap),
                            score
                        );
                        ScoreLine {
                            code: ind.code.clone(),
                            name: ind.name.clone(),
                            weight: ind.weight,
                            ratio: Some(a.ratio),
                            score,
                            how,
                        }
                    }
                    None => ScoreLine {
                        code: ind.code.clone(),
                        name: ind.name.clone(),
                        weight: ind.weight,
                        ratio: None,
                        score: 0.0,
                        how: String::new(),
                    },
                })
                .collect();
            ZoneScore { zone: zone.clone(), rank: 0, total: 0.0, scores: BTreeMap::new(), lines }
        })
        .collect();
    // Indicators without data, as the plan file says.
    for (k, ind) in rules.indicators.iter().enumerate() {
        let with_data: Vec<f64> = out.iter().filter(|z| z.lines[k].ratio.is_some()).map(|z| z.lines[k].score).collect();
        let fill = match rules.when_missing {
            WhenMissing::Zero => 0.0,
            WhenMissing::Full => ind.weight,
            WhenMissing::Average if with_data.is_empty() => ind.weight,
            WhenMissing::Average => round2(with_data.iter().sum::<f64>() / with_data.len() as f64),
        };
        for z in out.iter_mut().filter(|z| z.lines[k].ratio.is_none()) {
            z.lines[k].score = fill;
            z.lines[k].how = format!("暂无数据,{}:{:.2}", rules.when_missing.zh(), fill);
        }
    }
    for z in &mut out {
        z.total = round2(z.lines.iter().map(|l| l.score).sum());
        z.scores = z.lines.iter().map(|l| (l.code.clone(), l.score)).collect();
    }
    out.sort_by(|a, b| b.total.total_cmp(&a.total).then_with(|| a.zone.cmp(&b.zone)));
    for i in 0..out.len() {
        out[i].rank = if i > 0 && out[i].total == out[i - 1].total { out[i - 1].rank } else { i + 1 };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(when_missing: WhenMissing) -> AssessmentRules {
        let ind = |code: &str, weight: f64| AssessmentIndicator {
            code: code.into(),
            name: code.into(),
            weight,
            measure: Measure::MajorProjectsOnTime,
            cap: 1.0,
        };
        AssessmentRules { indicators: vec![ind("a", 30.0), ind("b", 20.0), ind("c", 10.0)], when_missing }
    }

    fn z(code: &str) -> ZoneCode {
        ZoneCode::parse(code).unwrap()
    }

    fn got(values: &[(&str, Option<f64>)]) -> BTreeMap<String, Option<Achievement>> {
        values.iter().map(|(c, r)| (c.to_string(), r.map(|ratio| Achievement { ratio, how: "测".into() }))).collect()
    }

    #[test]
    fn scores_are_weight_times_capped_achievement_and_ranks_share_ties() {
        let input = vec![
            (z("etdz"), got(&[("a", Some(1.2)), ("b", Some(0.5)), ("c", Some(0.8))])),
            (z("yongxiu"), got(&[("a", Some(0.9)), ("b", Some(1.0)), ("c", Some(0.8))])),
            (z("gongqing"), got(&[("a", Some(0.9)), ("b", Some(1.0)), ("c", Some(0.8))])),
            (z("direct"), got(&[("a", Some(0.5)), ("b", Some(0.25)), ("c", Some(0.0))])),
        ];
        let out = assess(&rules(WhenMissing::Zero), &input);
        let row = |code: &str| out.iter().find(|s| s.zone == code).unwrap();
        // etdz: 30 × 1 (capped) + 20 × 0.5 + 10 × 0.8 = 48; yongxiu, gongqing: 27 + 20 + 8 = 55.
        assert_eq!(row("etdz").total, 48.0);
        assert_eq!(row("yongxiu").total, 55.0);
        assert_eq!(row("direct").total, 15.0 + 5.0);
        assert_eq!(
            out.iter().map(|s| (s.zone.as_str(), s.rank)).collect::<Vec<_>>(),
            vec![("gongqing", 1), ("yongxiu", 1), ("etdz", 3), ("direct", 4)]
        );
        assert_eq!(row("etdz").scores["a"], 30.0);
        assert!(row("etdz").lines[0].how.contains("封顶 100%"), "{}", row("etdz").lines[0].how);
    }

    #[test]
    fn an_indicator_without_data_scores_as_the_plan_says_and_says_so() {
        let input = vec![
            (z("etdz"), got(&[("a", Some(1.0)), ("b", Some(0.5)), ("c", None)])),
            (z("yongxiu"), got(&[("a", Some(1.0)), ("b", None), ("c", None)])),
        ];
        let avg = assess(&rules(WhenMissing::Average), &input);
        let y = avg.iter().find(|s| s.zone == "yongxiu").unwrap();
        assert_eq!(y.scores["b"], 10.0, "the mean of the zones with data");
        assert_eq!(y.scores["c"], 10.0, "full when no zone has data");
        assert!(y.lines[1].how.contains("暂无数据"));
        let zero = assess(&rules(WhenMissing::Zero), &input);
        assert_eq!(zero.iter().find(|s| s.zone == "yongxiu").unwrap().total, 30.0);
        let full = assess(&rules(WhenMissing::Full), &input);
        assert_eq!(full.iter().find(|s| s.zone == "yongxiu").unwrap().total, 60.0);
    }
}
